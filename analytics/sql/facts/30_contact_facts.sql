-- contact_facts: one row per contact with the dates the rules read (SPEC §5), over all the data; a report as of
-- T ignores what is dated after T (int_contact_facts). opted_out_at: the earliest of the contact's own and of
-- the oppositions listed for it.
-- Grain: one row per contact of the contacts table.
insert into contact_facts
with

orders as (select contact_id, min(order_date) as first_order_date from orders group by contact_id),

objections as (
    select contact_id, min(cast(occurred_at as date)) as first_objection_on
    from events
    where event_type in ('unsubscribe', 'complaint')
    group by contact_id
),

activity as (select contact_id, max(activity_date) as last_activity_on from contact_activity group by contact_id),

-- oppositions recorded apart from the contact (a do-not-contact list) count as its opted_out_at
listed as (select contact_id, min(opposed_at) as opposed_at from oppositions group by contact_id)

select
    contacts.contact_id,
    contacts.collection_source,
    contacts.consent,
    contacts.collected_at,
    contacts.informed,
    least(contacts.opted_out_at, listed.opposed_at) as opted_out_at,
    coalesce(contacts.loyalty_consent, false),
    orders.first_order_date,
    objections.first_objection_on,
    activity.last_activity_on
from contacts
left join orders using (contact_id)
left join objections using (contact_id)
left join activity using (contact_id)
left join listed using (contact_id);
