-- stg_events(as_of): engagement events whose date is on or before the report date.
-- Grain: one row per event. event_date is the calendar date of occurred_at (SPEC §5: a timestamp counts
-- by its date). is_machine_open is false unless explicitly true.
create or replace macro stg_events(as_of) as table
select
    campaign_id,
    contact_id,
    event_type,
    occurred_at,
    cast(occurred_at as date) as event_date,
    coalesce(is_machine_open, false) as is_machine_open
from events
where cast(occurred_at as date) <= as_of;
