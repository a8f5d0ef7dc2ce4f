-- data_quality: what the data lacks or contradicts on the report date, for the warnings the user sees.
-- Grain: one row.
-- Parameters: $as_of.
-- Columns: unknown_contact_events (events dated <= as_of of contact_ids absent from the contacts known on as_of —
--   not in contacts, or collected after as_of: kept, excluded from every metric), unknown_contact_ids,
--   inferred_campaigns (campaigns seen only in events: sent_at = earliest event
--   date, type promo), untyped_campaigns (campaigns without email_type, taken as promo).
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
)

select * from unknown, campaigns;
