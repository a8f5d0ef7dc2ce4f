-- int_send_data_shape(): from which report date the data has `sent` events, and `delivered` events (SPEC §7:
-- without them a send is any event, and a delivered send one without a bounce).
-- Grain: one row. sent_events_from: the first date on which a known contact's `sent` event is known (null:
--   never); delivered_events_from likewise. The data "has sent events" on T when sent_events_from <= T.
create or replace macro int_send_data_shape() as table
select
    -- greatest() skips nulls: a pair without such an event must not count.
    min(case when sent_on is not null then greatest(collected_at, sent_on) end) as sent_events_from,
    min(case when delivered_on is not null then greatest(collected_at, delivered_on) end) as delivered_events_from
from send_facts;
