-- send_facts: every campaign × contact pair with events, in its context, sorted by send date so that a window
-- reads only its own row groups. The basis (SPEC §5, first match at t = the campaign's sent date) is stored
-- without the settings and the registry it depends on: basis_unless_expired is objected (consent objected, or
-- opposition strictly before t), no_loyalty_consent, opt_in, buyer (consent none and a purchase dated <= t:
-- soft_opt_in or not_informed once "informed" is known) or prospect; expired_below_years is the smallest whole
-- number of years R for which t <= last contact at t + R (last contact: latest of collected_at, orders and
-- clicks dated <= t), so that the send is expired exactly when retention_years < expired_below_years.
-- Campaigns missing from campaigns take their earliest event's date (over known contacts) and type promo.
-- Grain: one row per campaign × contact pair with events (contacts known to the contacts table).
insert into send_facts
with

declared as (
    select campaign_id, cast(sent_at as date) as sent_date, coalesce(email_type, 'promo') as email_type
    from campaigns
),

inferred as (
    select campaign_id, min(first_event_on) as sent_date, 'promo' as email_type
    from event_pairs
    where campaign_id not in (select campaign_id from campaigns)
    group by campaign_id
),

pairs as (
    select
        event_pairs.*,
        campaign.sent_date,
        campaign.email_type,
        contacts.collection_source,
        contacts.collected_at,
        contacts.consent,
        contacts.informed,
        contacts.loyalty_consent,
        contacts.first_order_date,
        least(contacts.opted_out_at, contacts.first_objection_on) as opposition_date
    from event_pairs
    join (select * from declared union all select * from inferred) as campaign using (campaign_id)
    join contact_facts as contacts using (contact_id)
),

-- The latest activity day on or before each send day of each contact (an as-of join, written as a join and
-- a max so that Spark runs it too: a contact has a few activity days and a few send days).
last_activity as (
    select sends.contact_id, sends.sent_date, max(activity.activity_date) as activity_date
    from (select distinct contact_id, sent_date from pairs) as sends
    join contact_activity as activity
        on sends.contact_id = activity.contact_id and activity.activity_date <= sends.sent_date
    group by sends.contact_id, sends.sent_date
),

with_last_contact as (
    select
        pairs.*,
        greatest(pairs.collected_at, last_activity.activity_date) as last_contact_date
    from pairs
    left join last_activity
        on pairs.contact_id = last_activity.contact_id and pairs.sent_date = last_activity.sent_date
),

-- Year boundaries between the last contact and the send (year() - year(): date_diff('year') counts them in
-- DuckDB and whole years in Spark).
with_years as (
    select
        *,
        greatest(year(sent_date) - year(last_contact_date), 0) as whole_years
    from with_last_contact
)

select
    campaign_id,
    contact_id,
    collection_source,
    collected_at,
    informed,
    email_type,
    sent_date,
    case
        when email_type = 'service' then null
        when consent = 'objected' or opposition_date < sent_date then 'objected'
        when email_type = 'loyalty' and not loyalty_consent then 'no_loyalty_consent'
        when consent = 'opt_in' then 'opt_in'
        when first_order_date <= sent_date then 'buyer'
        else 'prospect'
    end as basis_unless_expired,
    -- whole_years counts year boundaries: last contact + that many years falls in the send's year, on or after
    -- the send date or not; one more year is always enough.
    case
        when sent_date <= cast(last_contact_date + whole_years * interval 1 year as date) then whole_years
        else whole_years + 1
    end as expired_below_years,
    sent_on,
    first_event_on,
    delivered_on,
    bounced_on,
    opened_on,
    clicked_on,
    unsubscribed_on,
    complained_on,
    1 as sends
from with_years
order by sent_date, campaign_id;
