-- window_sends: the window's marketing sends per legal basis — the volume behind the headline figures.
-- Grain: one row per basis with sends in the window.
-- Parameters: $as_of, $window_start, $retention_years, $sources (list; empty = all).
-- Columns: basis, sends (sends from events plus each campaign_stats row's `sent`, else `delivered`),
--   delivered.
select basis, sum(send_volume)::bigint as sends, sum(delivered)::bigint as delivered
from int_send_groups_as_of([$as_of], $retention_years, date_diff('day', $window_start::date, $as_of::date) + 1)
where email_type <> 'service'
    and sent_date between $window_start and $as_of
    and (array_length($sources) = 0 or array_contains($sources, collection_source))
group by basis
order by basis;
