-- latest_send_date: the date of the most recent campaign send in the data — the default report date.
-- Grain: one row. Columns: latest_send_date (null when nothing was sent yet), from campaigns, campaigns seen
-- only in events of known contacts (send_facts), and campaign_stats rows.
select max(sent_date) as latest_send_date
from (
    select cast(sent_at as date) as sent_date from campaigns
    union all
    select max(sent_date) from send_facts
    union all
    select cast(sent_at as date) from campaign_stats
);
