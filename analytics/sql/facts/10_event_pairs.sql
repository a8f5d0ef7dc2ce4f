-- event_pairs (temporary): the first event of each kind of every campaign × contact pair, for contacts known
-- to the contacts table (SPEC §4: other contacts' events change no figure). A timestamp counts by its date.
-- Grain: one row per campaign × contact pair with at least one event.
create or replace temp table event_pairs as
select
    campaign_id,
    contact_id,
    min(event_date) filter (where event_type = 'sent') as sent_on,
    min(event_date) as first_event_on,
    min(event_date) filter (where event_type = 'delivered') as delivered_on,
    min(event_date) filter (where event_type = 'bounce') as bounced_on,
    min(event_date) filter (where event_type = 'open' and not coalesce(is_machine_open, false)) as opened_on,
    min(event_date) filter (where event_type = 'click') as clicked_on,
    min(event_date) filter (where event_type = 'unsubscribe') as unsubscribed_on,
    min(event_date) filter (where event_type = 'complaint') as complained_on
from (select *, cast(occurred_at as date) as event_date from events) as events
semi join contacts using (contact_id)
group by campaign_id, contact_id;
