-- int_sends_as_of(report_dates, retention_years): the sends known on each report date, with their flags.
-- Grain: one row per report date × campaign × contact send (SPEC §7). report_dates is a list of dates; the
--   facts are read once, as of the latest of them, and each date sees only what was known on it: contacts
--   collected by then, campaigns sent by then, events dated by then.
-- A send is a pair with a `sent` event, or with any event when the data known on that date has no `sent`
--   events. Flags (booleans, per send, so five clicks make one clicker): delivered (a `delivered` event; when
--   the data has no `delivered` events, no `bounce` event), and opened (non-machine open) / clicked /
--   unsubscribed / complained, each only on a delivered send.
-- Exactness: identical to computing each date on its own, except for a campaign seen only in events whose
--   earliest event belongs to a contact collected after that event (its inferred send date then comes from
--   the latest report date's data).
create or replace macro int_sends_as_of(report_dates, retention_years) as table
with

facts as materialized (from int_send_facts(list_max(report_dates), retention_years)),

dates as (select unnest(report_dates) as as_of),

visible as (
    select dates.as_of, facts.*
    from facts
    join dates on facts.collected_at <= dates.as_of and facts.sent_date <= dates.as_of
),

data_shape as (
    select
        dates.as_of,
        coalesce(bool_or(facts.sent_on <= dates.as_of), false) as has_sent_events,
        coalesce(bool_or(facts.delivered_on <= dates.as_of), false) as has_delivered_events
    from dates
    left join facts on facts.collected_at <= dates.as_of
    group by dates.as_of
),

sends as (
    select
        visible.*,
        case
            when data_shape.has_delivered_events then coalesce(visible.delivered_on <= visible.as_of, false)
            else not coalesce(visible.bounced_on <= visible.as_of, false)
        end as delivered
    from visible
    join data_shape using (as_of)
    where case
        when data_shape.has_sent_events then visible.sent_on <= visible.as_of
        else visible.first_event_on <= visible.as_of
    end
),

final as (
    select
        as_of,
        campaign_id,
        contact_id,
        collection_source,
        email_type,
        sent_date,
        basis,
        delivered,
        delivered and coalesce(opened_on <= as_of, false) as opened,
        delivered and coalesce(clicked_on <= as_of, false) as clicked,
        delivered and coalesce(unsubscribed_on <= as_of, false) as unsubscribed,
        delivered and coalesce(complained_on <= as_of, false) as complained
    from sends
)

select * from final;
