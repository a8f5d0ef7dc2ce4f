-- 006: fact tables derived from the canonical ones, rebuilt in the transaction of every data change
-- (analytics/store/facts.py), so that a report reads one row per send and per contact instead of every event.
-- They hold only what does not depend on a setting or on the source registry: the basis of a send is stored
-- as what it would be if the contact were not expired, with the retention (in whole years) below which it is
-- expired; "informed" is the contact's own value, the registry filling it at query time.

create table send_facts (
    campaign_id varchar not null,
    contact_id varchar not null,
    collection_source varchar not null,
    collected_at date not null,
    informed boolean,                    -- the contact's own value (null: take the registry's)
    email_type varchar not null,         -- promo when the campaign has none, or is known only from events
    sent_date date not null,             -- the campaign's sent_at date (inferred: its earliest event's date)
    basis_unless_expired varchar,        -- objected | no_loyalty_consent | opt_in | buyer | prospect; null: service
    expired_below_years integer not null, -- the send is 'expired' when retention_years < this
    sent_on date,                        -- the pair's first event of each kind (null: none)
    first_event_on date not null,
    delivered_on date,
    bounced_on date,
    opened_on date,                      -- non-machine opens only
    clicked_on date,
    unsubscribed_on date,
    complained_on date,
    sends bigint not null                -- 1: the grain of send_counts, so the same macros read both
);

-- send_facts counted: one row per campaign × source × what decides the basis × event dates, with the number of
-- sends alike (tens of thousands of rows for millions of sends). The window metrics read it; the lists of
-- sends read send_facts. contact_id is null, and collected_at is the later of the contact's collection and the
-- send date: a row is visible on T when both are <= T, which is all a window asks.
create table send_counts as select * from send_facts with no data;  -- its columns, without NOT NULL

create table contact_facts (
    contact_id varchar not null,
    collection_source varchar not null,
    consent varchar not null,
    collected_at date not null,
    informed boolean,
    opted_out_at date,
    loyalty_consent boolean not null,
    first_order_date date,
    first_objection_on date,             -- first unsubscribe or complaint event
    last_activity_on date                -- latest order or click (null: none)
);

-- Every day a contact made contact (an order or a click): the as-of joins of "last contact at t" read it.
create table contact_activity (
    contact_id varchar not null,
    activity_date date not null
);

-- Events of contact ids absent from contacts, per id and day: kept out of every figure, counted as a warning.
create table orphan_events (
    contact_id varchar not null,
    event_date date not null,
    events bigint not null
);

-- The change (change_log.change_id) the fact tables were built after.
create table facts_state (
    built_after_change bigint not null,
    built_at timestamp not null
);

-- From which date the data has `sent` and `delivered` events (one row; see int_send_data_shape).
create table send_shape (
    sent_events_from date,
    delivered_events_from date
);

-- The first day each source's would-be soft-opt-in marketing send is known, per the facts that decide whether
-- it is one (see int_cohort_debuts): a handful of rows.
create table cohort_debuts (
    collection_source varchar not null,
    informed boolean,
    expired_below_years integer not null,
    by_sent_event date,
    by_any_event date not null
);
