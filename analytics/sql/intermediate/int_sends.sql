-- int_sends(as_of, retention_years): every send known on the report date, with its flags and legal basis.
-- Grain: one row per campaign × contact send (SPEC §7): a pair with a `sent` event, or with any event when
--   the data has no `sent` events. Events of contacts unknown on as_of, and of campaigns sent after it, are
--   left out.
-- Flags (booleans, per send, so five clicks make one clicker): delivered (a `delivered` event; when the data
--   has no `delivered` events, no `bounce` event), and opened (non-machine open) / clicked / unsubscribed /
--   complained, each only on a delivered send.
-- basis (SPEC §5, first match, at t = the campaign's sent date; null for service emails):
--   objected, expired, no_loyalty_consent, opt_in, soft_opt_in, not_informed, prospect.
create or replace macro int_sends(as_of, retention_years) as table
with

events as (from stg_events(as_of)),
campaigns as (from stg_campaigns(as_of)),
contacts as (from int_contact_facts(as_of)),

data_shape as (
    select
        coalesce(bool_or(event_type = 'sent'), false) as has_sent_events,
        coalesce(bool_or(event_type = 'delivered'), false) as has_delivered_events
    from events
),

pairs as (
    select
        campaign_id,
        contact_id,
        bool_or(event_type = 'sent') as has_sent,
        bool_or(event_type = 'delivered') as has_delivered,
        bool_or(event_type = 'bounce') as has_bounce,
        bool_or(event_type = 'open' and not is_machine_open) as has_human_open,
        bool_or(event_type = 'click') as has_click,
        bool_or(event_type = 'unsubscribe') as has_unsubscribe,
        bool_or(event_type = 'complaint') as has_complaint
    from events
    group by campaign_id, contact_id
),

sends as (
    select
        pairs.*,
        case when data_shape.has_delivered_events then pairs.has_delivered else not pairs.has_bounce end
            as delivered
    from pairs, data_shape
    where pairs.has_sent or not data_shape.has_sent_events
),

clicks as (
    select distinct contact_id, event_date as click_date from events where event_type = 'click'
),

orders as (
    select distinct contact_id, order_date from stg_orders(as_of)
),

sends_in_context as (
    select
        sends.campaign_id,
        sends.contact_id,
        contacts.collection_source,
        campaigns.email_type,
        campaigns.sent_date,
        contacts.consent,
        contacts.informed,
        contacts.loyalty_consent,
        contacts.opposition_date,
        contacts.first_order_date,
        contacts.collected_at,
        sends.delivered,
        sends.delivered and sends.has_human_open as opened,
        sends.delivered and sends.has_click as clicked,
        sends.delivered and sends.has_unsubscribe as unsubscribed,
        sends.delivered and sends.has_complaint as complained
    from sends
    join campaigns using (campaign_id)
    join contacts using (contact_id)
),

-- Last contact at t: the latest of collected_at, orders dated <= t and clicks dated <= t.
with_last_contact as (
    select
        s.*,
        greatest(s.collected_at, o.order_date, c.click_date) as last_contact_date
    from sends_in_context as s
    asof left join orders as o on s.contact_id = o.contact_id and s.sent_date >= o.order_date
    asof left join clicks as c on s.contact_id = c.contact_id and s.sent_date >= c.click_date
),

final as (
    select
        campaign_id,
        contact_id,
        collection_source,
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
        delivered,
        opened,
        clicked,
        unsubscribed,
        complained
    from with_last_contact
)

select * from final;
