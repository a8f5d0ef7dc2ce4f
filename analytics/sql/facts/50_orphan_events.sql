-- orphan_events: events that belong to no contact known on some report date, per id and day (SPEC §4: kept,
-- excluded from every metric, reported with their count): events of contact ids absent from contacts
-- (collected_at null), and events dated before their contact's collection (collected_at: that date), which on a
-- report date before the collection belong to no contact known then.
-- Grain: one row per contact id × event day (a contact has one collection date, null when unknown).
insert into orphan_events (contact_id, event_date, events, collected_at)
select
    events.contact_id,
    cast(events.occurred_at as date) as event_date,
    count(*) as events,
    contacts.collected_at
from events
left join contacts using (contact_id)
where contacts.contact_id is null or cast(events.occurred_at as date) < contacts.collected_at
group by all;
