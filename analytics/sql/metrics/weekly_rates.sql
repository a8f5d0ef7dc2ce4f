-- weekly_rates: rates per ISO week of sending, per soft-opt-in cohort and for the baseline, as known on the
-- report date (SPEC §7 weekly trends).
-- Grain: one row per ISO week (by campaign sent date) × series, for the $weeks weeks ending with the week of
--   the report date; series is a collection source (soft_opt_in sends) or null for the baseline (opt_in +
--   soft_opt_in, or opt_in only).
-- Parameters: $as_of, $weeks, $retention_years, $baseline_opt_in_only, $include_complaints.
-- Columns: week_start (Monday), week_end (Sunday), collection_source, delivered, openers, clickers,
--   unsubscribers, complainers, open_rate, click_rate, unsubscribe_rate, complaint_rate, dissatisfaction_rate
--   (fractions, null on a zero denominator).
with

groups as (
    select *, date_trunc('week', sent_date)::date as week_start
    from int_send_groups_as_of(
        [$as_of],
        $retention_years,
        date_diff('day', date_trunc('week', $as_of::date)::date - 7 * ($weeks - 1), $as_of::date) + 1
    )
    where email_type <> 'service'
),

cohorts as (
    select week_start, collection_source, sum(delivered) as delivered, sum(openers) as openers,
        sum(clickers) as clickers, sum(unsubscribers) as unsubscribers, sum(complainers) as complainers
    from groups
    where basis = 'soft_opt_in'
    group by all
),

baseline as (
    select week_start, null::varchar as collection_source, sum(delivered) as delivered, sum(openers) as openers,
        sum(clickers) as clickers, sum(unsubscribers) as unsubscribers, sum(complainers) as complainers
    from groups
    where basis = 'opt_in' or (basis = 'soft_opt_in' and not $baseline_opt_in_only)
    group by all
),

final as (
    select
        week_start,
        week_start + 6 as week_end,
        collection_source,
        delivered::bigint as delivered,
        openers::bigint as openers,
        clickers::bigint as clickers,
        unsubscribers::bigint as unsubscribers,
        complainers::bigint as complainers,
        oc_rate(openers, delivered) as open_rate,
        oc_rate(clickers, delivered) as click_rate,
        oc_rate(unsubscribers, delivered) as unsubscribe_rate,
        oc_rate(complainers, delivered) as complaint_rate,
        oc_dissatisfaction(unsubscribers, clickers, complainers, $include_complaints) as dissatisfaction_rate
    from (select * from cohorts union all select * from baseline)
)

select * from final order by week_start, collection_source nulls first;
