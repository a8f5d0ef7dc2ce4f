-- int_sends_as_of(report_dates, retention_years, window_days, facts_table): the sends of each report date's
-- window, as known on that date, with their flags.
-- Grain: one row per report date T × row of facts_table ('send_facts': one campaign × contact send;
--   'send_counts': `sends` sends alike, contact_id null) whose campaign was sent in the window_days days ending
--   on T (T − window_days + 1 … T) (SPEC §7). report_dates is a list of dates; each date sees only what
--   was known on it: contacts collected by then, campaigns sent by then, events dated by then.
-- A send and a delivered send are what macros/10_send.sql says (send_known_on, delivered_on_date). Flags
--   (booleans, per send, so five clicks make one clicker): delivered, and opened (non-machine open) / clicked
--   / unsubscribed / complained, each only on a delivered send.
create or replace macro int_sends_as_of(report_dates, retention_years, window_days, facts_table) as table
with

-- send_facts is sorted by send date: this range skips every row group outside the windows.
facts as (
    from int_send_facts(list_max(report_dates), retention_years, facts_table)
    where sent_date > list_min(report_dates) - cast(window_days as integer) and sent_date <= list_max(report_dates)
),

dates as (select unnest(report_dates) as as_of),

visible as (
    select dates.as_of, facts.*
    from facts
    join dates
        on facts.sent_date > dates.as_of - cast(window_days as integer)
        and facts.sent_date <= dates.as_of
        and facts.collected_at <= dates.as_of
),

sends as (
    select
        visible.*,
        delivered_on_date(visible.delivered_on, visible.bounced_on, shape.delivered_events_from, visible.as_of)
            as delivered
    from visible, int_send_data_shape() as shape
    where send_known_on(visible.sent_on, visible.first_event_on, shape.sent_events_from, visible.as_of)
        <= visible.as_of
),

final as (
    select
        as_of,
        campaign_id,
        contact_id,
        collection_source,
        email_type,
        sent_date,
        basis,
        delivered,
        delivered and coalesce(opened_on <= as_of, false) as opened,
        delivered and coalesce(clicked_on <= as_of, false) as clicked,
        delivered and coalesce(unsubscribed_on <= as_of, false) as unsubscribed,
        delivered and coalesce(complained_on <= as_of, false) as complained,
        sends
    from sends
)

select * from final;
