-- int_cohort_debuts(report_dates, retention_years): the collection sources that had a soft_opt_in marketing send
-- dated on or before each report date (SPEC §8 rule 1: "sent before"), from events or campaign_stats.
-- Grain: one row per report date × collection source with such a send.
create or replace macro int_cohort_debuts(report_dates, retention_years) as table
with

dates as (select unnest(report_dates) as as_of),

-- The first day each source's soft_opt_in send is known, by its `sent` event and by any event: which one
-- applies on a date is the definition of a send (macros/10_send.sql). cohort_debuts holds it per what decides the basis at query time.
firsts as (
    select
        debuts.collection_source,
        min(debuts.by_sent_event) as by_sent_event,
        min(debuts.by_any_event) as by_any_event
    from cohort_debuts as debuts
    left join stg_registry() as registry using (collection_source)
    where retention_years >= debuts.expired_below_years
        and coalesce(debuts.informed, registry.notice_shown) is distinct from false
    group by debuts.collection_source
),

from_events as (
    select dates.as_of, firsts.collection_source
    from dates, firsts, int_send_data_shape() as shape
    where send_known_on(firsts.by_sent_event, firsts.by_any_event, shape.sent_events_from, dates.as_of)
        <= dates.as_of
),

from_stats as (
    select dates.as_of, stats.collection_source
    from stg_campaign_stats(list_max(report_dates)) as stats
    join dates on stats.sent_date <= dates.as_of
    where stats.basis = 'soft_opt_in' and stats.email_type <> 'service'
)

select distinct * from (select * from from_events union all select * from from_stats);
