-- 009: what the meeting saw, kept as it was. A closed week keeps the settings and the review it was shown
-- (week_closures, one row per closed week: the state); every close and reopen is appended to
-- week_closure_log (who, when, why), and every saved setting that changed to settings_log. The product only
-- inserts into the two logs; reopening a week deletes its week_closures row, and the log says so.
create sequence week_closure_log_id start 1;
create sequence settings_log_id start 1;

create table week_closures (
    week_end date primary key,           -- last day of the review week closed
    closed_at timestamp not null,        -- UTC
    closed_by varchar not null,
    settings varchar not null,           -- JSON: every setting's value, as the meeting used them
    review varchar not null              -- JSON: the review as shown, per language (analytics.report.frozen)
);

create table week_closure_log (
    entry_id bigint primary key default nextval('week_closure_log_id'),
    logged_at timestamp not null,        -- UTC
    week_end date not null,
    event varchar not null,              -- close | reopen
    logged_by varchar not null,
    reason varchar not null              -- why a week was reopened ('' for a close)
);

create table settings_log (
    entry_id bigint primary key default nextval('settings_log_id'),
    changed_at timestamp not null,       -- UTC
    name varchar not null,               -- the setting's name (analytics.settings.REGISTRY)
    old_value varchar not null,
    new_value varchar not null,
    changed_by varchar not null
);
