-- 002: a log of every change to the data or its interpretation (a batch of files loaded, the source
-- registry edited, settings saved, a reset). Its last id is the data version the dashboard's caches key on,
-- and it tells a reviewer what changed when.
create sequence change_log_id start 1;

create table change_log (
    change_id bigint primary key default nextval('change_log_id'),
    kind varchar not null,              -- ingest | registry | settings | reset
    detail varchar not null,
    changed_at timestamp not null
);
