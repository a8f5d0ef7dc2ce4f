-- violations: the window's marketing sends under an unlawful basis (SPEC §5, §9).
-- Grain: one row per campaign × collection source × basis, for bases objected, expired, no_loyalty_consent,
--   not_informed and prospect.
-- Parameters: $as_of, $window_start, $retention_years.
-- Columns: campaign_id, campaign_name (null for a campaign known only from events or campaign_stats),
--   collection_source, basis, email_type, sent_date, sends (sends from events, plus each campaign_stats
--   row's `sent`, else its `delivered`).
select
    groups.campaign_id,
    campaigns.name as campaign_name,
    groups.collection_source,
    basis,
    email_type,
    sent_date,
    groups.send_volume as sends
from int_send_groups_as_of([$as_of], $retention_years, date_diff('day', $window_start::date, $as_of::date) + 1) as groups
left join (select campaign_id, any_value(name) as name from campaigns group by campaign_id) as campaigns
    using (campaign_id)
where email_type <> 'service'
    and basis not in ('opt_in', 'soft_opt_in')
    and sent_date between $window_start and $as_of
order by sent_date, groups.campaign_id, collection_source, basis;
