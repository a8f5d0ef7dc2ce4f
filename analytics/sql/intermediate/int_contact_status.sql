-- int_contact_status(as_of, retention_years, expiring_days): eligibility of every contact on the report date.
-- Grain: one row per contact of stg_contacts(as_of).
-- status (SPEC §5, first match, at T = as_of): objected (opposition on or before T), expired, opt_in,
--   soft_opt_in, not_informed, prospect.
-- last_contact_date: latest of collected_at, orders and clicks on or before T; retention_ends = last contact
--   + retention_years (calendar arithmetic: 29 February + 3 years = 28 February).
-- expiring_soon: lawful (opt_in, soft_opt_in) and retention_ends within T+1 … T+expiring_days.
-- loyalty_eligible: lawful and loyalty_consent true.
create or replace macro int_contact_status(as_of, retention_years, expiring_days) as table
with

contacts as (
    select
        *,
        greatest(collected_at, last_order_date, last_click_date) as last_contact_date
    from int_contact_facts(as_of)
),

with_retention as (
    select *, cast(last_contact_date + to_years(retention_years) as date) as retention_ends
    from contacts
),

with_status as (
    select
        *,
        case
            when consent = 'objected' or opposition_date <= as_of then 'objected'
            when as_of > retention_ends then 'expired'
            when consent = 'opt_in' then 'opt_in'
            when first_order_date is not null and informed is distinct from false then 'soft_opt_in'
            when first_order_date is not null then 'not_informed'
            else 'prospect'
        end as status
    from with_retention
),

final as (
    select
        contact_id,
        collection_source,
        consent,
        collected_at,
        first_order_date,
        last_order_date,
        last_click_date,
        opposition_date,
        last_contact_date,
        retention_ends,
        status,
        status in ('opt_in', 'soft_opt_in')
            and retention_ends > as_of
            and retention_ends <= as_of + to_days(expiring_days) as expiring_soon,
        status in ('opt_in', 'soft_opt_in') and loyalty_consent as loyalty_eligible
    from with_status
)

select * from final;
