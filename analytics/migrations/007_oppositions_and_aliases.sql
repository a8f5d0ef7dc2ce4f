-- 007: oppositions recorded apart from the contact, and the ids platforms give people.
-- oppositions: a do-not-contact list (Mautic's lead_donotcontact, a suppression list) names people who objected,
-- by id and date, whether or not they are among the contacts yet: a contact's opposition date is the earliest of
-- its opted_out_at, its first unsubscribe or complaint event and its oppositions here (SPEC §5).
create table oppositions (
    contact_id varchar not null,
    opposed_at date not null,
    reason varchar                       -- e.g. unsubscribed, manual, complaint
);

-- contact_aliases: a platform's own id of a person (Mautic's lead id) and the contact id the product keeps
-- (the email address), recorded from files that hold both, so a file that holds only the platform id can be
-- resolved. Purged with the contact.
create table contact_aliases (
    platform varchar not null,
    external_id varchar not null,
    contact_id varchar not null,
    primary key (platform, external_id)
);

-- orphan_events also holds the events dated before their contact's collection (collected_at: the contact's
-- collection date, null when the contact is absent): on a report date between the two, those events belong to no
-- contact known that day, and the data-quality warning counts them (README: "unknown contacts").
alter table orphan_events add column collected_at date;
delete from facts_state;  -- rebuilt on the next open, with the new column and the oppositions

-- database_marks: what a database is, e.g. 'demo' (the fictional demo brand, never a brand's data; its value is
-- the fingerprint of the demo files it was built from).
create table database_marks (
    name varchar primary key,
    value varchar not null,
    set_at timestamp not null
);
