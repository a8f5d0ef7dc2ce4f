-- int_contact_status_as_of(report_dates, retention_years, expiring_days): eligibility of every contact on
-- each report date (SPEC §5).
-- Grain: one row per report date × contact collected on or before it. report_dates is a list of dates; the
--   facts are read once, as of the latest, and each date sees only the orders and clicks dated by then.
-- status (first match, at T = as_of): objected (consent objected, or opposition on or before T), expired
--   (T > retention_ends), opt_in, soft_opt_in (a purchase by T, informed not false), not_informed, prospect.
-- last_contact_date: latest of collected_at, orders and clicks dated by T; retention_ends = last contact
--   + retention_years (calendar arithmetic: 29 February + 3 years = 28 February).
-- expiring_soon: lawful (opt_in, soft_opt_in) and retention_ends within T+1 … T+expiring_days.
-- loyalty_eligible: lawful and loyalty_consent true.
create or replace macro int_contact_status_as_of(report_dates, retention_years, expiring_days) as table
with

contacts as (from int_contact_facts(list_max(report_dates))),

grid as not materialized (
    select dates.as_of, contacts.*
    from contacts
    join (select unnest(report_dates) as as_of) as dates on contacts.collected_at <= dates.as_of
),

-- Most contacts made their last contact on or before the report date: their last activity day is it. Only those
-- active after it look up their latest activity day on or before it (a join on these few contacts: an as-of
-- join would sort every activity day even for none).
settled as (
    select *, greatest(collected_at, last_activity_on) as last_contact_date
    from grid
    where last_activity_on is null or last_activity_on <= as_of
),

unsettled_days as (
    select grid.as_of, grid.contact_id, max(activity.activity_date) as last_day
    from grid
    join contact_activity as activity
        on activity.contact_id = grid.contact_id and activity.activity_date <= grid.as_of
    where grid.last_activity_on > grid.as_of
    group by grid.as_of, grid.contact_id
),

unsettled as (
    select grid.*, greatest(grid.collected_at, days.last_day) as last_contact_date
    from grid
    left join unsettled_days as days using (as_of, contact_id)
    where grid.last_activity_on > grid.as_of
),

with_last_contact as (
    select *, case when first_order_date <= as_of then first_order_date end as first_order_by_t
    from (select * from settled union all select * from unsettled)
),

with_status as (
    select
        *,
        cast(last_contact_date + retention_years * interval 1 year as date) as retention_ends,
        case
            when consent = 'objected' or opposition_date <= as_of then 'objected'
            when as_of > cast(last_contact_date + retention_years * interval 1 year as date) then 'expired'
            when consent = 'opt_in' then 'opt_in'
            when first_order_by_t is not null and informed is distinct from false then 'soft_opt_in'
            when first_order_by_t is not null then 'not_informed'
            else 'prospect'
        end as status
    from with_last_contact
),

final as (
    select
        as_of,
        contact_id,
        collection_source,
        consent,
        collected_at,
        first_order_by_t as first_order_date,
        opposition_date,
        last_contact_date,
        retention_ends,
        status,
        status in ('opt_in', 'soft_opt_in')
            and retention_ends > as_of
            and retention_ends <= as_of + cast(expiring_days as integer) as expiring_soon,
        status in ('opt_in', 'soft_opt_in') and loyalty_consent as loyalty_eligible
    from with_status
)

select * from final;
