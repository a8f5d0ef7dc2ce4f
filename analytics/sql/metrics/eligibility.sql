-- eligibility: how many contacts of each collection source may be mailed on each report date (SPEC §5).
-- Grain: one row per report date × collection source of the contacts collected by then, sorted.
-- Parameters: $report_dates (list of dates), $retention_years, $expiring_days.
-- Columns: as_of, collection_source, contacts; one count per status (opt_in, soft_opt_in, not_informed,
--   prospect, objected, expired); expiring_soon (lawful contacts whose retention ends within
--   T+1 … T+$expiring_days); eligible_marketing (opt_in + soft_opt_in: promo, newsletter, cart_abandonment,
--   welcome); eligible_loyalty (those of them with loyalty_consent true).
with

status as (from int_contact_status_as_of($report_dates, $retention_years, $expiring_days)),

final as (
    select
        as_of,
        collection_source,
        count(*) as contacts,
        count(*) filter (where status = 'opt_in') as opt_in,
        count(*) filter (where status = 'soft_opt_in') as soft_opt_in,
        count(*) filter (where status = 'not_informed') as not_informed,
        count(*) filter (where status = 'prospect') as prospect,
        count(*) filter (where status = 'objected') as objected,
        count(*) filter (where status = 'expired') as expired,
        count(*) filter (where expiring_soon) as expiring_soon,
        count(*) filter (where status in ('opt_in', 'soft_opt_in')) as eligible_marketing,
        count(*) filter (where loyalty_eligible) as eligible_loyalty
    from status
    group by as_of, collection_source
)

select * from final order by as_of, collection_source;
