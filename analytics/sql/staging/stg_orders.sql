-- stg_orders(as_of): purchases dated on or before the report date.
-- Grain: one row per order.
create or replace macro stg_orders(as_of) as table
select contact_id, order_date from orders where order_date <= as_of;
