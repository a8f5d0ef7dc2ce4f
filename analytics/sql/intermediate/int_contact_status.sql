-- int_contact_status(as_of, retention_years, expiring_days): eligibility of every contact on one report date.
-- Grain: one row per contact collected on or before as_of; see int_contact_status_as_of for the rules.
create or replace macro int_contact_status(as_of, retention_years, expiring_days) as table
select
    contact_id,
    collection_source,
    consent,
    collected_at,
    first_order_date,
    opposition_date,
    last_contact_date,
    retention_ends,
    status,
    expiring_soon,
    loyalty_eligible
from int_contact_status_as_of([as_of], retention_years, expiring_days);
