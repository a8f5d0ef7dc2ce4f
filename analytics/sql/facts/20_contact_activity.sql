-- contact_activity: every day each known contact ordered or clicked (SPEC §5: what counts as contact; opens
-- never do), sorted by contact for the as-of joins.
-- Grain: one row per contact × day with an order or a click.
insert into contact_activity
select distinct contact_id, activity_date
from (
    select contact_id, order_date as activity_date from orders
    union all
    select contact_id, cast(occurred_at as date) from events where event_type = 'click'
)
semi join contacts using (contact_id)
order by contact_id, activity_date;
