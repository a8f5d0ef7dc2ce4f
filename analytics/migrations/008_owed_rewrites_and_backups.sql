-- 008: what a purge leaves to do, and the copies of the database this program wrote.

-- compaction_owed: a purge deleted rows whose bytes stay readable in the file until it is rewritten
-- (maintenance.compact). The row is inserted in the purge's own transaction, so a purge that is committed always
-- records its debt (a kill or a full disk right after cannot lose it); a rewrite writes the fresh file without
-- these rows, so the debt ends exactly when the file is swapped. Counts only: no contact id.
create table compaction_owed (
    purged_at timestamp not null,
    contacts bigint not null            -- contacts deleted by that purge
);

-- backups_written: every backup file written from this database (maintenance.backup), so that a purge can name
-- the copies, written before it, that may still hold the people it deleted.
create table backups_written (
    path varchar primary key,           -- absolute path of the backup file
    written_at timestamp not null
);
