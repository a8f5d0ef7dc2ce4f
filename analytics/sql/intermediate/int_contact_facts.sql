-- int_contact_facts(as_of): what the rules need to know of each contact on the report date.
-- Grain: one row per contact collected on or before as_of (contact_facts, built at every load).
-- informed: the contact's own value, else the registry's notice_shown; null when both are unknown.
-- first_order_date: first purchase on or before as_of (null: none by then).
-- opposition_date: the earliest of opted_out_at and the first unsubscribe or complaint event dated <= as_of.
-- last_activity_on: the latest order or click over all the data: when it is <= as_of, the contact's last contact
--   on as_of is greatest(collected_at, last_activity_on) without looking at its activity days.
create or replace macro int_contact_facts(as_of) as table
select
    facts.contact_id,
    facts.collection_source,
    facts.consent,
    facts.collected_at,
    coalesce(facts.informed, registry.notice_shown) as informed,
    facts.opted_out_at,
    facts.loyalty_consent,
    case when facts.first_order_date <= as_of then facts.first_order_date end as first_order_date,
    least(facts.opted_out_at, case when facts.first_objection_on <= as_of then facts.first_objection_on end)
        as opposition_date,
    facts.last_activity_on
from contact_facts as facts
left join stg_registry() as registry using (collection_source)
where facts.collected_at <= as_of;
