-- stg_events(as_of): the engagement events the rules and metrics read on the report date.
-- Grain: one row per event dated on or before as_of of a contact known on as_of (stg_contacts).
-- Events of contact_ids absent from contacts stay in the table but are excluded here, so they change no
-- figure — not even whether "the data has sent/delivered events" (SPEC §4); metrics/data_quality counts them.
-- event_date is the calendar date of occurred_at (SPEC §5: a timestamp counts by its date).
-- is_machine_open is false unless explicitly true.
create or replace macro stg_events(as_of) as table
select
    events.campaign_id,
    events.contact_id,
    events.event_type,
    events.occurred_at,
    cast(events.occurred_at as date) as event_date,
    coalesce(events.is_machine_open, false) as is_machine_open
from events
semi join stg_contacts(as_of) as known using (contact_id)
where cast(events.occurred_at as date) <= as_of;
