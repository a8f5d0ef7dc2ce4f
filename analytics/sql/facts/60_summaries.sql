-- send_shape and cohort_debuts: two small summaries of send_facts that every report reads (int_send_data_shape,
-- int_cohort_debuts). greatest() skips nulls: a pair without such an event must not count.
-- Grain: send_shape one row; cohort_debuts one row per source × informed × expired_below_years.
insert into send_shape
select
    min(case when sent_on is not null then greatest(collected_at, sent_on) end),
    min(case when delivered_on is not null then greatest(collected_at, delivered_on) end)
from send_facts;

insert into cohort_debuts
select
    collection_source,
    informed,
    expired_below_years,
    min(case when sent_on is not null then greatest(collected_at, sent_date, sent_on) end),
    min(greatest(collected_at, sent_date, first_event_on))
from send_facts
where email_type <> 'service' and basis_unless_expired = 'buyer'
group by all;
