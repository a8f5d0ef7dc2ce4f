"""The database file: created by numbered migrations, reopened without losing data, migrated forward."""

from __future__ import annotations

import shutil

from analytics import store
from analytics.store import sql


def test_a_new_file_gets_every_migration_once_and_keeps_data_on_reopen(tmp_path):
    path = tmp_path / "brand.duckdb"
    con = store.connect(path)
    con.execute("insert into sources (collection_source) values ('web')")
    con.close()
    con = store.connect(path)
    versions = [
        v for (v,) in con.execute("select version from schema_migrations order by version").fetchall()
    ]
    assert versions == [v for v, _ in store.migrations()]
    assert con.execute("select collection_source from sources").fetchall() == [("web",)]


def test_an_older_file_is_migrated_forward_when_a_new_migration_ships(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    store.connect(path).close()  # a file made by the current version
    # A later version of the product ships migration 999; opening the old file applies it, keeping the data.
    package = tmp_path / "package"
    shutil.copytree(sql.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "migrations" / "999_add_note.sql").write_text("alter table sources add column note varchar;")
    monkeypatch.setattr(sql, "PACKAGE_DIR", package)
    con = store.connect(path)
    assert con.execute("select max(version) from schema_migrations").fetchone()[0] == 999
    assert "note" in [d[0] for d in con.execute("select * from sources").description]
