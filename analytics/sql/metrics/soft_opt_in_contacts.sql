-- soft_opt_in_contacts: how many contacts of each of the given sources are soft_opt_in on each report date
-- (SPEC §8 rule 1: welcome_first or no_cohort for a source never sent to).
-- Grain: one row per report date × source with such contacts.
-- Parameters: $report_dates (list of dates), $sources (list of collection sources), $retention_years.
select as_of, collection_source, count(*) as soft_opt_in
from int_contact_status_as_of($report_dates, $retention_years, 0)
where status = 'soft_opt_in' and array_contains($sources, collection_source)
group by all
order by all;
