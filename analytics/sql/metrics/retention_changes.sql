-- retention_changes: for a review week, the contacts that passed the retention limit during it (they must now
-- be purged) and the lawful ones whose limit falls soon after it (SPEC §5).
-- Grain: one row per collection source of the contacts collected by $as_of, sorted by name.
-- Parameters: $as_of (the week's last day), $previous (the last day before the week), $retention_years,
--   $expiring_days.
-- Columns: collection_source, newly_expired (expired on $as_of, not on $previous: includes contacts collected
--   during the week), expiring_soon (opt_in or soft_opt_in on $as_of whose retention ends within
--   $as_of + 1 … $as_of + $expiring_days).
with

status as (from int_contact_status_as_of([$previous, $as_of], $retention_years, $expiring_days)),

per_contact as (
    select
        contact_id,
        any_value(collection_source) as collection_source,
        -- one row per contact and date: max() reads it (SQLGlot writes any_value … filter as invalid Spark SQL)
        max(status) filter (where as_of = $as_of) as status_now,
        max(status) filter (where as_of = $previous) as status_before,
        bool_or(expiring_soon) filter (where as_of = $as_of) as expiring_now
    from status
    group by contact_id
)

select
    collection_source,
    count(*) filter (where status_now = 'expired' and status_before is distinct from 'expired') as newly_expired,
    count(*) filter (where expiring_now) as expiring_soon
from per_contact
where status_now is not null
group by collection_source
order by collection_source;
