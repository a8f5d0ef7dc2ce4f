"""DuckDB is locked down on every connection the product opens: no file outside the database's folder, the
work folder, the demo and the paths it was opened for; no extension installed or loaded; no configuration
change — so a statement built from user input could not reach the machine."""

from __future__ import annotations

import duckdb
import pytest

from analytics import store


@pytest.mark.parametrize(
    "statement",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "select * from sniff_csv('/etc/passwd')",  # GHSA-w2gf-jxc9-pf2q bypassed the setting before 1.1.0
        "copy (select 1) to '/etc/optout-cohorts-test.csv'",
        "attach '/etc/optout-cohorts-test.duckdb'",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        "set lock_configuration = false",
        "set allowed_directories = ['/']",
    ],
)
def test_the_connection_refuses_to_leave_its_folders(con, statement):
    with pytest.raises(duckdb.Error, match=r"Permission Error|Cannot change configuration|disabled"):
        con.execute(statement)


def test_the_paths_it_was_opened_for_stay_readable(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    export = outside / "contacts.csv"
    export.write_text("contact_id\nc1\n")
    con = store.connect(tmp_path / "db" / "x.duckdb", readable=[export])
    assert con.execute("select count(*) from read_csv($p)", {"p": str(export)}).fetchone()[0] == 1
    # a sibling of that file is not
    (outside / "other.csv").write_text("a\n1\n")
    with pytest.raises(duckdb.Error, match="Permission Error"):
        con.execute("select * from read_csv($p)", {"p": str(outside / "other.csv")})
    con.close()
