-- 001: the canonical tables of SPEC §4, the load log, and persisted settings.
-- Vocabulary columns are plain varchar: ingest validates them against analytics/tables.py.

create table contacts (
    contact_id varchar not null,
    collection_source varchar not null,
    consent varchar not null,            -- opt_in | none | objected
    collected_at date not null,
    informed boolean,                    -- null: take it from the source registry
    opted_out_at date,
    loyalty_consent boolean
);

create table orders (
    contact_id varchar not null,
    order_date date not null,
    amount double,
    category varchar
);

create table campaigns (
    campaign_id varchar not null,
    sent_at timestamp not null,
    name varchar,
    email_type varchar                   -- null: taken as promo, and said so
);

create table events (
    campaign_id varchar not null,
    contact_id varchar not null,
    event_type varchar not null,
    occurred_at timestamp not null,
    is_machine_open boolean
);

create table sources (
    collection_source varchar not null,
    channel varchar,
    notice_shown varchar,                -- true | false | unknown
    evidence varchar,
    reviewed_at date
);

create table campaign_stats (
    campaign_id varchar not null,
    sent_at timestamp not null,
    collection_source varchar not null,
    basis varchar not null,
    delivered bigint not null,
    openers bigint not null,
    clickers bigint not null,
    unsubscribers bigint not null,
    complainers bigint not null,
    sent bigint,
    bounces bigint,
    email_type varchar
);

create sequence load_log_id start 1;

create table load_log (
    load_id bigint primary key default nextval('load_log_id'),
    file_name varchar not null,
    sha256 varchar not null,
    table_name varchar not null,
    rows_in_file bigint not null,
    rows_added bigint not null,
    rows_updated bigint not null,
    loaded_at timestamp not null
);

create table settings (
    name varchar primary key,
    value varchar not null,
    updated_at timestamp not null
);
