-- int_contact_facts(as_of): what the rules need to know of each contact on the report date.
-- Grain: one row per contact of stg_contacts(as_of).
-- first_order_date / last_order_date: purchases on or before as_of (null: never bought).
-- last_click_date: latest click event on or before as_of. Opens never count as contact (SPEC §5).
-- opposition_date: the earliest of opted_out_at and the first unsubscribe or complaint event (null: none).
create or replace macro int_contact_facts(as_of) as table
with

contacts as (from stg_contacts(as_of)),

orders as (
    select contact_id, min(order_date) as first_order_date, max(order_date) as last_order_date
    from stg_orders(as_of)
    group by contact_id
),

reactions as (
    select
        contact_id,
        max(event_date) filter (where event_type = 'click') as last_click_date,
        min(event_date) filter (where event_type in ('unsubscribe', 'complaint')) as first_objection_date
    from stg_events(as_of)
    where event_type in ('click', 'unsubscribe', 'complaint')
    group by contact_id
),

final as (
    select
        contacts.*,
        orders.first_order_date,
        orders.last_order_date,
        reactions.last_click_date,
        least(contacts.opted_out_at, reactions.first_objection_date) as opposition_date
    from contacts
    left join orders using (contact_id)
    left join reactions using (contact_id)
)

select * from final;
