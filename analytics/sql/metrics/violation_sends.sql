-- violation_sends: the list of the window's unlawful marketing sends from events (SPEC §5), for the
-- compliance page and its download. campaign_stats rows carry no contacts and are counted in violations.
-- Grain: one row per campaign × contact send, sorted by date, campaign, contact.
-- Parameters: $as_of, $window_start, $retention_years, $sources (list; empty = all).
-- Columns: sent_date, campaign_id, campaign_name, email_type, contact_id, collection_source, basis.
select
    sends.sent_date,
    sends.campaign_id,
    campaigns.name as campaign_name,
    sends.email_type,
    sends.contact_id,
    sends.collection_source,
    sends.basis
from int_sends($as_of, $retention_years, date_diff('day', $window_start::date, $as_of::date) + 1) as sends
left join campaigns using (campaign_id)
where sends.email_type <> 'service'
    and sends.basis not in ('opt_in', 'soft_opt_in')
    and sends.sent_date between $window_start and $as_of
    and (array_length($sources) = 0 or array_contains($sources, sends.collection_source))
order by sends.sent_date, sends.campaign_id, sends.contact_id;
