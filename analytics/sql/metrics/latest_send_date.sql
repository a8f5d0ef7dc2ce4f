-- latest_send_date: the date of the most recent campaign send in the data — the default report date.
-- Grain: one row. Columns: latest_send_date (null when nothing was sent yet), from campaigns, campaigns seen
-- only in events, and campaign_stats rows.
select max(sent_date) as latest_send_date
from (
    select cast(sent_at as date) as sent_date from campaigns
    union all
    select cast(min(occurred_at) as date) from events group by campaign_id
    union all
    select cast(sent_at as date) from campaign_stats
);
