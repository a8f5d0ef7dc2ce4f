-- int_send_data_shape(): from which report date the data has `sent` events, and `delivered` events (SPEC §7:
-- without them a send is any event, and a delivered send one without a bounce).
-- Grain: one row. sent_events_from: the first date on which a known contact's `sent` event is known (null:
--   never); delivered_events_from likewise. The data "has sent events" on T when sent_events_from <= T.
--   Summarised from send_facts at every load (sql/facts/60_summaries.sql).
create or replace macro int_send_data_shape() as table
select * from send_shape;
