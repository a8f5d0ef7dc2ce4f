-- data_quality: what the data lacks or contradicts on the report date, for the warnings the user sees.
-- Grain: one row.
-- Parameters: $as_of.
-- Columns: unknown_contact_events (events dated <= as_of of contact_ids absent from the contacts known on as_of —
--   not in contacts, or collected after as_of: kept, excluded from every metric), unknown_contact_ids,
--   inferred_campaigns (campaigns seen only in events: sent_at = earliest event
--   date, type promo), untyped_campaigns (campaigns without email_type, taken as promo), source_names (the
--   distinct collection sources known on as_of — of contacts collected by then, of campaign_stats rows sent by
--   then, and of the registry — sorted: report/cohorts.py looks for names that differ only by case or look-alike
--   letters, which split one cohort into several).
with

unknown as (
    select
        coalesce(sum(events), 0)::bigint as unknown_contact_events,
        count(distinct contact_id) as unknown_contact_ids
    from orphan_events
    where event_date <= $as_of and (collected_at is null or collected_at > $as_of)
),

campaigns as (
    select
        count(*) filter (where inferred) as inferred_campaigns,
        count(*) filter (where type_missing) as untyped_campaigns
    from stg_campaigns($as_of)
),

source_names as (
    select array_sort(array_agg(distinct collection_source)) as source_names
    from (
        select collection_source from contacts where collected_at <= $as_of
        union all
        select collection_source from campaign_stats where cast(sent_at as date) <= $as_of
        union all
        select collection_source from sources
    )
    where collection_source is not null
)

select * from unknown, campaigns, source_names;
