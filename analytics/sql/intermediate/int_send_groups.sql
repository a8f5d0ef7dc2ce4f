-- int_send_groups(as_of, retention_years): sends from events and campaign_stats rows at one grain.
-- Grain: one row per campaign × collection source × basis (SPEC §7: campaign_stats rows add their counts
--   to the same grain).
-- send_rows: sends from events plus one per campaign_stats row (what "a send of this source and basis"
--   means for SPEC §8). send_volume: sends from events plus each stats row's `sent`, else its `delivered`
--   (what the violation counts of SPEC §9 add up).
-- Counts: delivered, openers, clickers, unsubscribers, complainers (people, counted once per send).
create or replace macro int_send_groups(as_of, retention_years) as table
with

from_events as (
    select
        campaign_id,
        collection_source,
        basis,
        email_type,
        sent_date,
        count(*) as send_rows,
        count(*) as send_volume,
        count(*) filter (where delivered) as delivered,
        count(*) filter (where opened) as openers,
        count(*) filter (where clicked) as clickers,
        count(*) filter (where unsubscribed) as unsubscribers,
        count(*) filter (where complained) as complainers
    from int_sends(as_of, retention_years)
    group by all
),

from_stats as (
    select
        campaign_id,
        collection_source,
        basis,
        email_type,
        sent_date,
        count(*) as send_rows,
        sum(coalesce(sent, delivered)) as send_volume,
        sum(delivered) as delivered,
        sum(openers) as openers,
        sum(clickers) as clickers,
        sum(unsubscribers) as unsubscribers,
        sum(complainers) as complainers
    from stg_campaign_stats(as_of)
    where email_type <> 'service'
    group by all
),

final as (
    select
        campaign_id, collection_source, basis, email_type, sent_date,
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
