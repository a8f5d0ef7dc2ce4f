-- stg_campaigns(as_of): the campaigns sent on or before the report date, with their email type.
-- Grain: one row per campaign.
-- A campaign without email_type is a promo (type_missing says so). A campaign seen only in events takes its
-- earliest event's date as sent_at and type promo (inferred says so) — SPEC §4: the earliest event dated <= as_of
-- of a contact known on as_of (send_counts holds the first event of pairs alike; its collected_at is never
-- later than such an event's date for these campaigns, whose send date is their earliest event's).
create or replace macro stg_campaigns(as_of) as table
with

declared as (
    select
        campaign_id,
        sent_at,
        name,
        coalesce(email_type, 'promo') as email_type,
        email_type is null as type_missing,
        false as inferred
    from campaigns
),

inferred as (
    select
        campaign_id,
        cast(min(first_event_on) as timestamp) as sent_at,
        null::varchar as name,
        'promo' as email_type,
        false as type_missing,
        true as inferred
    from send_counts
    where collected_at <= as_of
        and first_event_on <= as_of
        and campaign_id not in (select campaign_id from campaigns)
    group by campaign_id
),

final as (
    select *, cast(sent_at as date) as sent_date
    from (select * from declared union all select * from inferred)
    where cast(sent_at as date) <= as_of
)

select * from final;
