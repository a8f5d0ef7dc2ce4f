"""The database file: one DuckDB file, opened here, and everything the product keeps in it.

connection opens it (migrated, with the current macros and facts, locked down); paths says where the files
live, bounds what a connection and a process may do, sql runs the migrations, the macros and the named queries
and keeps the change log; transaction is the one way to begin, commit and roll back; facts are the tables every
load rebuilds; access shares the file between threads and processes; maintenance (with restore_check) backs it
up, restores, purges and compacts it; privacy, registry, settings_store and decisions are what the users keep
in it. The rest of the product uses the names below.
"""

from analytics.store.bounds import ENV_MEMORY_LIMIT, ENV_WAIT_SECONDS, waiting_marker
from analytics.store.connection import connect
from analytics.store.paths import (
    DEMO_DIR,
    ENV_DB_PATH,
    ENV_WORK_DIR,
    PROJECT_ROOT,
    default_db_path,
    open_private,
    private_folder,
    sweep,
    work_dir,
)
from analytics.store.sql import data_version, frame, migrations, sql_text

__all__ = [
    "DEMO_DIR",
    "ENV_DB_PATH",
    "ENV_MEMORY_LIMIT",
    "ENV_WAIT_SECONDS",
    "ENV_WORK_DIR",
    "PROJECT_ROOT",
    "connect",
    "data_version",
    "default_db_path",
    "frame",
    "migrations",
    "open_private",
    "private_folder",
    "sql_text",
    "sweep",
    "waiting_marker",
    "work_dir",
]
