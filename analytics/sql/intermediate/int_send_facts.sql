-- int_send_facts(as_of, retention_years, facts_table): every campaign × contact pair with events known on as_of,
-- its legal basis, and the date on which each of its flags became true — so that the same rows answer "as of"
-- any earlier date too (a week's history is a filter on these dates, not a new pass over the events).
-- Grain: one row per row of facts_table — 'send_facts' (a campaign × contact pair, sends = 1) or 'send_counts'
--   (pairs alike counted in sends, contact_id null) — whose contact is collected on or before as_of and which
--   has an event dated <= as_of.
-- Dates (null: no such event by as_of): sent_on, first_event_on, delivered_on, bounced_on, opened_on
--   (non-machine open), clicked_on, unsubscribed_on, complained_on — each the first such event's date.
-- basis (SPEC §5, first match, at t = the campaign's sent date; null for service emails): objected (consent
--   objected, or opposition strictly before t), expired (t > last contact at t + retention_years, last contact
--   = latest of collected_at, orders <= t, clicks <= t), no_loyalty_consent, opt_in, soft_opt_in,
--   not_informed, prospect. It only reads data dated <= t, so it is the same for every report date >= t.
-- Exactness: a campaign seen only in events takes the earliest event of the whole data as its send date; on a
--   report date before a later-collected contact's earlier event, SPEC §7 would take a later one.
create or replace macro int_send_facts(as_of, retention_years, facts_table) as table
select
    facts.campaign_id,
    facts.contact_id,
    facts.collection_source,
    facts.collected_at,
    facts.email_type,
    facts.sent_date,
    case
        when facts.basis_unless_expired is null then null
        when facts.basis_unless_expired = 'objected' then 'objected'
        when retention_years < facts.expired_below_years then 'expired'
        when facts.basis_unless_expired <> 'buyer' then facts.basis_unless_expired
        when coalesce(facts.informed, registry.notice_shown) is distinct from false then 'soft_opt_in'
        else 'not_informed'
    end as basis,
    case when facts.sent_on <= as_of then facts.sent_on end as sent_on,
    facts.first_event_on,
    case when facts.delivered_on <= as_of then facts.delivered_on end as delivered_on,
    case when facts.bounced_on <= as_of then facts.bounced_on end as bounced_on,
    case when facts.opened_on <= as_of then facts.opened_on end as opened_on,
    case when facts.clicked_on <= as_of then facts.clicked_on end as clicked_on,
    case when facts.unsubscribed_on <= as_of then facts.unsubscribed_on end as unsubscribed_on,
    case when facts.complained_on <= as_of then facts.complained_on end as complained_on,
    facts.sends
from query_table(facts_table) as facts
left join stg_registry() as registry using (collection_source)
where facts.collected_at <= as_of and facts.first_event_on <= as_of;
