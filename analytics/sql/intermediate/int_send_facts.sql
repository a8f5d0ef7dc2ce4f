-- int_send_facts(as_of, retention_years): every campaign × contact pair with events known on as_of, its legal
-- basis, and the date on which each of its flags became true — so that the same rows answer "as of" any
-- earlier date too (a week's history is a filter on these dates, not a new pass over the events).
-- Grain: one row per (campaign, contact) pair with at least one event of stg_events(as_of), for contacts of
--   int_contact_facts(as_of). Pairs of a campaign not in stg_campaigns(as_of) have a null sent_date and
--   basis: they are no send, but their events still say whether the data has sent/delivered events.
-- Dates (null: no such event): sent_on, first_event_on, delivered_on, bounced_on, opened_on (non-machine open),
--   clicked_on, unsubscribed_on, complained_on — each the first such event's date.
-- basis (SPEC §5, first match, at t = the campaign's sent date; null for service emails): objected (consent
--   objected, or opposition strictly before t), expired (t > last contact at t + retention_years, last contact
--   = latest of collected_at, orders <= t, clicks <= t), no_loyalty_consent, opt_in, soft_opt_in,
--   not_informed, prospect. It only reads data dated <= t, so it is the same for every report date >= t.
create or replace macro int_send_facts(as_of, retention_years) as table
with

events as (from stg_events(as_of)),
campaigns as (from stg_campaigns(as_of)),
contacts as (from int_contact_facts(as_of)),

pairs as (
    select
        campaign_id,
        contact_id,
        min(event_date) filter (where event_type = 'sent') as sent_on,
        min(event_date) as first_event_on,
        min(event_date) filter (where event_type = 'delivered') as delivered_on,
        min(event_date) filter (where event_type = 'bounce') as bounced_on,
        min(event_date) filter (where event_type = 'open' and not is_machine_open) as opened_on,
        min(event_date) filter (where event_type = 'click') as clicked_on,
        min(event_date) filter (where event_type = 'unsubscribe') as unsubscribed_on,
        min(event_date) filter (where event_type = 'complaint') as complained_on
    from events
    group by campaign_id, contact_id
),

clicks as (
    select distinct contact_id, event_date as click_date from events where event_type = 'click'
),

orders as (
    select distinct contact_id, order_date from stg_orders(as_of)
),

pairs_in_context as (
    select
        pairs.*,
        contacts.collection_source,
        contacts.collected_at,
        contacts.consent,
        contacts.informed,
        contacts.loyalty_consent,
        contacts.opposition_date,
        contacts.first_order_date,
        campaigns.email_type,
        campaigns.sent_date
    from pairs
    left join campaigns using (campaign_id)  -- kept without a campaign: they still tell the data's shape
    join contacts using (contact_id)
),

-- Last contact at t: the latest of collected_at, orders dated <= t and clicks dated <= t.
with_last_contact as (
    select
        p.*,
        greatest(p.collected_at, o.order_date, c.click_date) as last_contact_date
    from pairs_in_context as p
    asof left join orders as o on p.contact_id = o.contact_id and p.sent_date >= o.order_date
    asof left join clicks as c on p.contact_id = c.contact_id and p.sent_date >= c.click_date
),

final as (
    select
        campaign_id,
        contact_id,
        collection_source,
        collected_at,
        email_type,
        sent_date,
        case
            when email_type = 'service' then null
            when consent = 'objected' or opposition_date < sent_date then 'objected'
            when sent_date > cast(last_contact_date + to_years(retention_years) as date) then 'expired'
            when email_type = 'loyalty' and not loyalty_consent then 'no_loyalty_consent'
            when consent = 'opt_in' then 'opt_in'
            when first_order_date <= sent_date and informed is distinct from false then 'soft_opt_in'
            when first_order_date <= sent_date then 'not_informed'
            else 'prospect'
        end as basis,
        sent_on,
        first_event_on,
        delivered_on,
        bounced_on,
        opened_on,
        clicked_on,
        unsubscribed_on,
        complained_on
    from with_last_contact
)

select * from final;
