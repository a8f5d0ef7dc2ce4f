-- cohort_metrics: the window's figures of every soft-opt-in cohort and of the baseline (SPEC §7).
-- Grain: one row per collection source (row_kind 'cohort': every source seen in contacts or campaign_stats
--   on the report date, sorted by name), plus one row with row_kind 'baseline' and a null source.
-- Parameters: $as_of (date T), $window_start (date T - 7N + 1), $retention_years, $baseline_opt_in_only
--   (true: baseline is opt_in sends only; false: opt_in + soft_opt_in), $include_complaints (true: complainers
--   added to the dissatisfaction numerator and denominator).
-- Columns: send_rows (sends in the window, campaign_stats rows counting one each), ever_sent (a soft_opt_in
--   marketing send of this source dated <= T exists), delivered / openers / clickers / unsubscribers /
--   complainers (counts), open_rate / click_rate / unsubscribe_rate / complaint_rate (÷ delivered),
--   dissatisfaction_rate (unsubscribers ÷ (clickers + unsubscribers)), open_ratio / click_ratio (cohort rate ÷
--   baseline rate). Every rate and ratio is a fraction, null when its denominator is 0 or null.
with

groups as materialized (
    select * from int_send_groups($as_of, $retention_years) where email_type <> 'service'
),

universe as (
    select distinct collection_source from stg_contacts($as_of)
    union
    select distinct collection_source from stg_campaign_stats($as_of)
),

ever_sent as (
    select distinct collection_source from groups where basis = 'soft_opt_in'
),

window_groups as (
    select * from groups where sent_date between $window_start and $as_of
),

cohort_counts as (
    select
        universe.collection_source,
        coalesce(sum(w.send_rows), 0)::bigint as send_rows,
        coalesce(sum(w.delivered), 0)::bigint as delivered,
        coalesce(sum(w.openers), 0)::bigint as openers,
        coalesce(sum(w.clickers), 0)::bigint as clickers,
        coalesce(sum(w.unsubscribers), 0)::bigint as unsubscribers,
        coalesce(sum(w.complainers), 0)::bigint as complainers
    from universe
    left join window_groups as w
        on w.collection_source = universe.collection_source and w.basis = 'soft_opt_in'
    group by universe.collection_source
),

baseline_counts as (
    select
        coalesce(sum(send_rows), 0)::bigint as send_rows,
        coalesce(sum(delivered), 0)::bigint as delivered,
        coalesce(sum(openers), 0)::bigint as openers,
        coalesce(sum(clickers), 0)::bigint as clickers,
        coalesce(sum(unsubscribers), 0)::bigint as unsubscribers,
        coalesce(sum(complainers), 0)::bigint as complainers
    from window_groups
    where basis = 'opt_in' or (basis = 'soft_opt_in' and not $baseline_opt_in_only)
),

all_counts as (
    select 'baseline' as row_kind, null::varchar as collection_source, true as ever_sent, * from baseline_counts
    union all
    select
        'cohort' as row_kind,
        cohort_counts.collection_source,
        ever_sent.collection_source is not null as ever_sent,
        cohort_counts.* exclude (collection_source)
    from cohort_counts
    left join ever_sent using (collection_source)
),

with_rates as (
    select
        *,
        oc_rate(openers, delivered) as open_rate,
        oc_rate(clickers, delivered) as click_rate,
        oc_rate(unsubscribers, delivered) as unsubscribe_rate,
        oc_rate(complainers, delivered) as complaint_rate,
        case
            when $include_complaints
                then oc_rate(unsubscribers + complainers, clickers + unsubscribers + complainers)
            else oc_rate(unsubscribers, clickers + unsubscribers)
        end as dissatisfaction_rate
    from all_counts
),

final as (
    select
        cohort.*,
        oc_rate(cohort.open_rate, baseline.open_rate) as open_ratio,
        oc_rate(cohort.click_rate, baseline.click_rate) as click_ratio
    from with_rates as cohort
    cross join (select * from with_rates where row_kind = 'baseline') as baseline
)

select * from final
order by row_kind = 'cohort', collection_source;
