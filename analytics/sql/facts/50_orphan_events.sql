-- orphan_events: events of contact ids absent from contacts, per id and day (SPEC §4: kept, excluded from every
-- metric, reported with their count).
insert into orphan_events
select contact_id, cast(occurred_at as date) as event_date, count(*) as events
from events
anti join contacts using (contact_id)
group by all;
