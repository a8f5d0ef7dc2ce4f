-- cohort_metrics: the window's figures of every soft-opt-in cohort and of the baseline (SPEC §7), for one
-- or several report dates at once (the report needs its date and the previous window's last day; the
-- history needs one per week).
-- Grain: one row per report date × collection source (row_kind 'cohort': every source seen in contacts or
--   campaign_stats on that date), plus one row per report date with row_kind 'baseline' and a null source.
-- Parameters: $report_dates (list of dates T), $window_days (7N: the window is T − 7N + 1 … T),
--   $retention_years, $baseline_opt_in_only (true: baseline is opt_in sends only; false: opt_in +
--   soft_opt_in), $include_complaints (true: complainers added to the dissatisfaction numerator and
--   denominator).
-- Columns: as_of, row_kind, collection_source, ever_sent (a soft_opt_in marketing send of this source dated
--   <= T exists), send_rows (sends in the window, campaign_stats rows counting one each), delivered /
--   openers / clickers / unsubscribers / complainers (counts), open_rate / click_rate / unsubscribe_rate /
--   complaint_rate (÷ delivered), dissatisfaction_rate (unsubscribers ÷ (clickers + unsubscribers)),
--   open_ratio / click_ratio (cohort rate ÷ baseline rate). Rates and ratios are fractions, null when their
--   denominator is 0 or null.
with

window_groups as (
    select * from int_send_groups_as_of($report_dates, $retention_years, $window_days)
    where email_type <> 'service'
),

dates as (select unnest($report_dates) as as_of),

universe as (
    select distinct dates.as_of, contacts.collection_source
    from contacts join dates on contacts.collected_at <= dates.as_of
    union
    select distinct dates.as_of, stats.collection_source
    from campaign_stats as stats join dates on cast(stats.sent_at as date) <= dates.as_of
),

ever_sent as (from int_cohort_debuts($report_dates, $retention_years)),

cohort_counts as (
    select
        universe.as_of,
        universe.collection_source,
        coalesce(sum(w.send_rows), 0)::bigint as send_rows,
        coalesce(sum(w.delivered), 0)::bigint as delivered,
        coalesce(sum(w.openers), 0)::bigint as openers,
        coalesce(sum(w.clickers), 0)::bigint as clickers,
        coalesce(sum(w.unsubscribers), 0)::bigint as unsubscribers,
        coalesce(sum(w.complainers), 0)::bigint as complainers
    from universe
    left join window_groups as w
        on w.as_of = universe.as_of
        and w.collection_source = universe.collection_source
        and w.basis = 'soft_opt_in'
    group by universe.as_of, universe.collection_source
),

baseline_counts as (
    select
        dates.as_of,
        coalesce(sum(w.send_rows), 0)::bigint as send_rows,
        coalesce(sum(w.delivered), 0)::bigint as delivered,
        coalesce(sum(w.openers), 0)::bigint as openers,
        coalesce(sum(w.clickers), 0)::bigint as clickers,
        coalesce(sum(w.unsubscribers), 0)::bigint as unsubscribers,
        coalesce(sum(w.complainers), 0)::bigint as complainers
    from dates
    left join window_groups as w
        on w.as_of = dates.as_of
        and (w.basis = 'opt_in' or (w.basis = 'soft_opt_in' and not $baseline_opt_in_only))
    group by dates.as_of
),

all_counts as (
    select
        as_of, 'baseline' as row_kind, null::varchar as collection_source, true as ever_sent,
        send_rows, delivered, openers, clickers, unsubscribers, complainers
    from baseline_counts
    union all
    select
        cohort_counts.as_of,
        'cohort' as row_kind,
        cohort_counts.collection_source,
        ever_sent.collection_source is not null as ever_sent,
        cohort_counts.send_rows,
        cohort_counts.delivered,
        cohort_counts.openers,
        cohort_counts.clickers,
        cohort_counts.unsubscribers,
        cohort_counts.complainers
    from cohort_counts
    left join ever_sent using (as_of, collection_source)
),

with_rates as (
    select
        *,
        oc_rate(openers, delivered) as open_rate,
        oc_rate(clickers, delivered) as click_rate,
        oc_rate(unsubscribers, delivered) as unsubscribe_rate,
        oc_rate(complainers, delivered) as complaint_rate,
        oc_dissatisfaction(unsubscribers, clickers, complainers, $include_complaints) as dissatisfaction_rate
    from all_counts
),

final as (
    select
        cohort.*,
        oc_rate(cohort.open_rate, baseline.open_rate) as open_ratio,
        oc_rate(cohort.click_rate, baseline.click_rate) as click_ratio
    from with_rates as cohort
    join (select * from with_rates where row_kind = 'baseline') as baseline using (as_of)
)

select * from final
order by as_of, row_kind = 'cohort', collection_source;
