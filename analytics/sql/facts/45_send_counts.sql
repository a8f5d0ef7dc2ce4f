-- send_counts: send_facts grouped by everything the window metrics read (see migration 006).
-- Grain: one row per distinct combination of the grouped columns, with `sends` pairs in it.
insert into send_counts
select
    campaign_id,
    null as contact_id,
    collection_source,
    greatest(collected_at, sent_date) as collected_at,
    informed,
    email_type,
    sent_date,
    basis_unless_expired,
    expired_below_years,
    sent_on,
    first_event_on,
    delivered_on,
    bounced_on,
    opened_on,
    clicked_on,
    unsubscribed_on,
    complained_on,
    count(*) as sends
from send_facts
group by all
order by sent_date;
