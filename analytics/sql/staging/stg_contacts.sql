-- stg_contacts(as_of): the contacts known on the report date, with their effective "informed" flag.
-- Grain: one row per contact collected on or before as_of (SPEC §7: later contacts are ignored).
-- informed: the contact's own value; when empty, the registry's notice_shown (true/false); null when both
--   are unknown, which the rules treat as informed while the source is flagged "evidence missing" (SPEC §4, §6).
-- loyalty_consent: false unless explicitly true.
create or replace macro stg_contacts(as_of) as table
with

contacts as (
    select * from contacts where collected_at <= as_of
),

registry as (from stg_registry()),

final as (
    select
        contacts.contact_id,
        contacts.collection_source,
        contacts.consent,
        contacts.collected_at,
        coalesce(contacts.informed, registry.notice_shown) as informed,
        contacts.opted_out_at,
        coalesce(contacts.loyalty_consent, false) as loyalty_consent
    from contacts
    left join registry using (collection_source)
)

select * from final;
