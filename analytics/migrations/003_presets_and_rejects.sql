-- 003: saved column mappings (presets) and, in the load log, how many invalid rows a load skipped.
create table presets (
    name varchar primary key,
    spec varchar not null,              -- JSON of analytics.presets.Preset
    saved_at timestamp not null
);

alter table load_log add column rows_rejected bigint default 0;
alter table load_log add column preset varchar;
