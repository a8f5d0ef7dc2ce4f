-- int_sends(as_of, retention_years, window_days): the sends of the window ending on one report date, with their
-- flags and basis.
-- Grain: one row per campaign × contact send (send_facts); see int_sends_as_of for the rules.
create or replace macro int_sends(as_of, retention_years, window_days) as table
select
    campaign_id,
    contact_id,
    collection_source,
    email_type,
    sent_date,
    basis,
    delivered,
    opened,
    clicked,
    unsubscribed,
    complained
from int_sends_as_of([as_of], retention_years, window_days, 'send_facts');
