-- contact_lists: the contacts of one eligibility status on the report date — the purge list (expired:
-- delete or anonymise) and the suppression list (objected: never mail, keep to honour the objection).
-- Grain: one row per contact with that status, sorted by source then id.
-- Parameters: $as_of, $retention_years, $expiring_days, $status ('expired' or 'objected'), $sources (list of
--   collection sources to include; an empty list means all).
-- Columns: contact_id, collection_source, consent, collected_at, last_contact_date, retention_ends,
--   opposition_date (dates; null when none).
select
    contact_id,
    collection_source,
    consent,
    collected_at,
    last_contact_date,
    retention_ends,
    opposition_date
from int_contact_status($as_of, $retention_years, $expiring_days)
where status = $status
    and (array_length($sources) = 0 or array_contains($sources, collection_source))
order by collection_source, contact_id;
