"""The demo brand (Maison Lumen) in a database of its own, never mixed with a brand's data.

A database for real use starts empty; while it is empty the dashboard shows this one instead, labelled as the
demo. It lives beside the real database (`<name>.demo.duckdb`, in a folder the product may already write) and is
rebuilt when the committed demo files change. A database is marked as the demo in its `database_marks` table, so
the HTML report and the digest made from it say so too.

Databases of earlier versions were seeded with the demo when new; `demo_loads` finds such loads in a real
database so that the dashboard labels them and the Data page offers to empty it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from analytics import formats, ingest
from analytics.i18n import N_, _
from analytics.store.paths import DEMO_DIR

MARK = "demo"
BRAND = N_("Maison Lumen, a fictional brand")  # translated where shown: _(BRAND)


def files() -> list[Path]:
    return sorted(DEMO_DIR.glob("*.csv.gz"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint() -> str:
    """Changes when a committed demo file does."""
    return hashlib.sha256("".join(_sha256(p) for p in files()).encode()).hexdigest()[:16]


def path_beside(database: Path) -> Path:
    return Path(database).with_name(f"{Path(database).stem}.demo.duckdb")


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return (
        con.execute("select count(*) from database_marks where name = $name", {"name": MARK}).fetchone()[0]
        > 0
    )


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Make the database the demo brand's, unless it already holds the current demo files (runs on open)."""
    current = con.execute("select value from database_marks where name = $name", {"name": MARK}).fetchone()
    if current is not None and current[0] == fingerprint():
        return
    ingest.ingest_files(con, files(), replace_all=True)
    con.execute(
        "insert or replace into database_marks values ($name, $value, $at)",
        {"name": MARK, "value": fingerprint(), "at": dt.datetime.now().replace(microsecond=0)},
    )


def demo_loads(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dt.datetime]]:
    """(file name, loaded at) of the demo files loaded into this database (a real one seeded by an earlier
    version holds them beside the brand's own data)."""
    hashes = [_sha256(p) for p in files()]
    return con.execute(
        "select file_name, loaded_at from load_log where list_contains($hashes, sha256) order by load_id",
        {"hashes": hashes},
    ).fetchall()


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """Nothing was ever loaded (or everything was removed): the dashboard shows the demo instead."""
    return con.execute("select count(*) from load_log").fetchone()[0] == 0


def notice(con: duckdb.DuckDBPyConnection) -> str | None:
    """The sentence that labels figures made from demo data, wherever they show (dashboard, HTML report,
    digest, CLI); None for a brand's own data."""
    if is_demo(con):
        return _(
            "These figures are the demo's: {brand}. Load your own exports on the Data page (or with "
            "optout-cohorts ingest) into your database, which starts empty."
        ).format(brand=_(BRAND))
    loads = demo_loads(con)
    if loads:
        return _(
            "This database also holds the demo brand's files ({brand}), loaded on {day} by an earlier version: its "
            "figures mix them with the brand's own. Empty the database (Data page), then load your files again."
        ).format(brand=_(BRAND), day=formats.date_numeric(loads[0][1]))
    return None
