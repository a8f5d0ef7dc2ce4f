-- source_registry: the collection-source registry of SPEC §6 beside the sources seen in the data, with the
-- reasons a source's proof is missing.
-- Grain: one row per collection source in the registry, in contacts or in campaign_stats, sorted by name.
-- Columns: collection_source, in_registry, channel, notice_shown (true/false/unknown), evidence, reviewed_at,
--   contacts (how many contacts carry this source), first_seen (the earliest collected_at of its contacts or
--   sent_at of its campaign_stats rows; null for a source only in the registry), evidence_missing (true when: seen in the data but absent
--   from the registry; notice_shown unknown — contacts are then treated as informed; or an oral channel —
--   phone, in_store — without an evidence entry), missing_reasons (list of short reasons).
with

registry as (select * from sources),

seen as (
    select collection_source, count(*) as contacts, min(collected_at) as first_seen
    from contacts
    group by collection_source
    union all
    select collection_source, 0, min(cast(sent_at as date)) from campaign_stats group by collection_source
),

universe as (
    select collection_source, sum(contacts)::bigint as contacts, min(first_seen) as first_seen
    from (select collection_source, 0 as contacts, null::date as first_seen from registry union all from seen)
    group by collection_source
),

joined as (
    select
        universe.collection_source,
        registry.collection_source is not null as in_registry,
        registry.channel,
        coalesce(registry.notice_shown, 'unknown') as notice_shown,
        oc_blank(registry.evidence) as evidence,
        registry.reviewed_at,
        universe.contacts,
        universe.first_seen
    from universe
    left join registry using (collection_source)
),

final as (
    select
        *,
        filter([
            case when not in_registry then 'not in the registry' end,
            case when in_registry and notice_shown = 'unknown' then 'notice shown unknown' end,
            case when channel in ('phone', 'in_store') and evidence is null
                then 'oral channel without evidence' end
        ], lambda reason: reason is not null) as missing_reasons
    from joined
)

select *, array_length(missing_reasons) > 0 as evidence_missing from final order by collection_source;
