-- 005: privacy choices of the database. 'pseudonymise' holds a fingerprint of the secret key (an HMAC of a
-- fixed text), never the key: it tells every later load that email ids must be pseudonymised, and with which
-- key, so the same person keeps the same id week after week.
create table privacy (
    name varchar primary key,
    value varchar not null,
    set_at timestamp not null
);
