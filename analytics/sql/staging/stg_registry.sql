-- stg_registry(): what the source registry says of each collection source's notice (SPEC §6).
-- Grain: one row per registered source. notice_shown: true / false; null when the registry says unknown.
create or replace macro stg_registry() as table
select
    collection_source,
    case notice_shown when 'true' then true when 'false' then false end as notice_shown
from sources;
