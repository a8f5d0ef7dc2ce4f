-- purge_expired: what a purge of expired contacts (SPEC §5) does with each contact it concerns.
-- Grain: one row per contact that on $as_of is expired, or objected with its retention limit passed; sorted
--   by source then id.
-- Parameters: $as_of (the purge date), $until (the latest date in the data, never before $as_of),
--   $retention_years.
-- Columns: contact_id, collection_source, status and retention_ends (on $as_of), decision:
--   purge          expired on $as_of and still expired on $until: deleted, with its orders and events;
--   kept_later     expired on $as_of, but an order, a click or an objection dated after it changes that by
--                  $until (a purge as of a past date never deletes a contact the later data brought back);
--   kept_objected  objected and past the limit: kept, the suppression list needs it to honour the objection.
with

statuses as (
    from int_contact_status_as_of(array_distinct([$as_of, $until]), $retention_years, 0)
),

on_purge_date as (
    select contact_id, collection_source, status, retention_ends
    from statuses
    where as_of = $as_of
),

at_end as (
    select contact_id, status as status_at_end
    from statuses
    where as_of = $until
),

final as (
    select
        p.contact_id,
        p.collection_source,
        p.status,
        p.retention_ends,
        case
            when p.status = 'objected' then 'kept_objected'
            when e.status_at_end = 'expired' then 'purge'
            else 'kept_later'
        end as decision
    from on_purge_date as p
    join at_end as e using (contact_id)
    where p.status = 'expired' or (p.status = 'objected' and $as_of > p.retention_ends)
)

select * from final
order by collection_source, contact_id;
