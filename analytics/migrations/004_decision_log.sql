-- 004: the decision log of the weekly review. Append-only: the product only ever inserts; a correction is a
-- new entry naming the one it corrects. Each entry carries the SHA-256 of the previous entry's hash and its
-- own fields, so an edit in place (outside the product) breaks the chain and the Review page says so.
create sequence decision_log_id start 1;

create table decision_log (
    decision_id bigint primary key default nextval('decision_log_id'),
    decided_at timestamp not null,       -- UTC
    week_end date not null,              -- last day of the review week the decision answers
    collection_source varchar not null,
    recommended_action varchar not null, -- the recommendation of that week, as shown in the meeting
    decision varchar not null,           -- follow | override | postpone
    action varchar,                      -- the action the team applies; null when postponed
    note varchar not null,
    decided_by varchar not null,
    corrects bigint,                     -- decision_id of the entry this one corrects
    entry_hash varchar not null
);
