-- What a send is (SPEC §7), in one place: every query that asks whether a campaign × contact pair was a send,
-- or a delivered send, on a report date asks these two macros.

-- send_known_on(sent_on, first_event_on, sent_events_from, as_of): the day from which the pair counts as a send
-- on report date as_of — its `sent` event, or, when the data known on as_of has no `sent` events at all
-- (sent_events_from is null or later: int_send_data_shape), its first event of any kind. Null: not a send.
create or replace macro send_known_on(sent_on, first_event_on, sent_events_from, as_of) as
    case when sent_events_from <= as_of then sent_on else first_event_on end;

-- delivered_on_date(delivered_on, bounced_on, delivered_events_from, as_of): whether the send is delivered on
-- as_of — a `delivered` event by then, or, when the data known on as_of has no `delivered` events at all, no
-- `bounce` event by then.
create or replace macro delivered_on_date(delivered_on, bounced_on, delivered_events_from, as_of) as
    case
        when delivered_events_from <= as_of then coalesce(delivered_on <= as_of, false)
        else not coalesce(bounced_on <= as_of, false)
    end;
