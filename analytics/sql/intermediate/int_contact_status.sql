-- int_contact_status(as_of, retention_years, expiring_days): eligibility of every contact on one report date.
-- Grain: one row per contact collected on or before as_of; see int_contact_status_as_of for the rules.
create or replace macro int_contact_status(as_of, retention_years, expiring_days) as table
select * exclude (as_of) from int_contact_status_as_of([as_of], retention_years, expiring_days);
