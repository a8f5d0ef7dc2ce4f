-- int_send_groups_as_of(report_dates, retention_years, window_days): sends from events and campaign_stats rows
-- at one grain, as known on each report date, for the campaigns sent in the window_days days ending on it.
-- Grain: one row per report date × campaign × collection source × basis (SPEC §7: campaign_stats rows add
--   their counts to the same grain). Service emails included (basis null for event sends).
-- send_rows: sends from events plus one per campaign_stats row (what "a send of this source and basis"
--   means for SPEC §8). send_volume: sends from events plus each stats row's `sent`, else its `delivered`
--   (what the violation counts of SPEC §9 add up).
-- Counts: delivered, openers, clickers, unsubscribers, complainers (people, counted once per send).
create or replace macro int_send_groups_as_of(report_dates, retention_years, window_days) as table
with

from_events as (
    select
        as_of,
        campaign_id,
        collection_source,
        basis,
        email_type,
        sent_date,
        sum(sends) as send_rows,
        sum(sends) as send_volume,
        coalesce(sum(sends) filter (where delivered), 0) as delivered,
        coalesce(sum(sends) filter (where opened), 0) as openers,
        coalesce(sum(sends) filter (where clicked), 0) as clickers,
        coalesce(sum(sends) filter (where unsubscribed), 0) as unsubscribers,
        coalesce(sum(sends) filter (where complained), 0) as complainers
    from int_sends_as_of(report_dates, retention_years, window_days, 'send_counts')
    group by all
),

from_stats as (
    select
        dates.as_of,
        stats.campaign_id,
        stats.collection_source,
        stats.basis,
        stats.email_type,
        stats.sent_date,
        count(*) as send_rows,
        sum(coalesce(stats.sent, stats.delivered)) as send_volume,
        sum(stats.delivered) as delivered,
        sum(stats.openers) as openers,
        sum(stats.clickers) as clickers,
        sum(stats.unsubscribers) as unsubscribers,
        sum(stats.complainers) as complainers
    from stg_campaign_stats(list_max(report_dates)) as stats
    join (select unnest(report_dates) as as_of) as dates
        on stats.sent_date <= dates.as_of and stats.sent_date > dates.as_of - cast(window_days as integer)
    group by all
),

final as (
    select
        as_of, campaign_id, collection_source, basis, email_type, sent_date,
        sum(send_rows)::bigint as send_rows,
        sum(send_volume)::bigint as send_volume,
        sum(delivered)::bigint as delivered,
        sum(openers)::bigint as openers,
        sum(clickers)::bigint as clickers,
        sum(unsubscribers)::bigint as unsubscribers,
        sum(complainers)::bigint as complainers
    from (select * from from_events union all select * from from_stats)
    group by all
)

select * from final;
