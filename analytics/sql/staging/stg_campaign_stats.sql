-- stg_campaign_stats(as_of): aggregated per-campaign rows sent on or before the report date.
-- Grain: one row per uploaded campaign_stats row (campaign × source × basis).
-- email_type: the row's own, else the campaign's, else promo.
create or replace macro stg_campaign_stats(as_of) as table
select
    stats.campaign_id,
    cast(stats.sent_at as date) as sent_date,
    stats.collection_source,
    stats.basis,
    coalesce(stats.email_type, campaigns.email_type, 'promo') as email_type,
    stats.sent,
    stats.delivered,
    stats.openers,
    stats.clickers,
    stats.unsubscribers,
    stats.complainers
from campaign_stats as stats
left join campaigns using (campaign_id)
where cast(stats.sent_at as date) <= as_of;
