-- expiring: lawful contacts whose retention limit falls in the next 30, 60 and 90 days (SPEC §5).
-- Grain: one row per collection source of the contacts collected by the report date, sorted.
-- Parameters: $as_of, $retention_years.
-- Columns: collection_source, within_30, within_60, within_90 (opt_in or soft_opt_in contacts whose
--   retention ends within T+1 … T+30 / 60 / 90 days; each count includes the shorter ones).
select
    collection_source,
    count(*) filter (where lawful and retention_ends <= $as_of + 30) as within_30,
    count(*) filter (where lawful and retention_ends <= $as_of + 60) as within_60,
    count(*) filter (where lawful and retention_ends <= $as_of + 90) as within_90
from (
    select *, status in ('opt_in', 'soft_opt_in') and retention_ends > $as_of as lawful
    from int_contact_status($as_of, $retention_years, 90)
)
group by collection_source
order by collection_source;
