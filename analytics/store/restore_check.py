"""What a backup must be before `maintenance.restore` swaps it in: the whole of it is judged, not its table
names, because a restore puts into the database whatever the file holds, and the product builds SQL from some
of it (a saved mapping's date order) and decides from the rest (settings, vocabularies, the decision log).

A backup passes when:
- its schema is exactly the one this program's migrations build at its version (tables, columns, types,
  defaults, constraints, sequences, indexes; no view, no other schema), and none of its macros is named like a
  built-in function: a column default, a view or a macro that replaces `trim` could run any SQL;
- every vocabulary column holds only its words (SPEC §4, §6; the decision log's decisions and actions);
- its saved settings pass the settings' own check (analytics.settings.from_mapping);
- its saved mappings pass the mappings' own check (analytics.presets.check_saved);
- its decision log's chain verifies with the key of the database it replaces (analytics.decisions);
- every closed week's frozen settings and review read back (analytics.report.frozen).
The schema is judged first: the content is read only from tables known to be plain tables.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb

from analytics.policy import ACTIONS
from analytics.presets import check_saved
from analytics.store import decisions, settings_store, sql, week_closures
from analytics.tables import TABLES
from analytics.text import clip

# (table, column, words) of every column limited to a vocabulary, besides the canonical tables' (tables.py).
OTHER_VOCABULARIES = (
    ("decision_log", "decision", tuple(decisions.DECISIONS)),
    ("decision_log", "recommended_action", tuple(ACTIONS)),
    ("decision_log", "action", tuple(ACTIONS)),
    ("week_closure_log", "event", week_closures.EVENTS),
)
MOST_PROBLEMS = 10  # a message names at most this many


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _entries(count: int) -> str:
    return f"{count:,} entr{'y' if count == 1 else 'ies'}"


def _tables(version: int) -> set[str]:
    """The tables a database holds at this migration version."""
    return {row[1] for row in reference_schema(version)["column"]}


def _schema(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, set[tuple]]:
    """Every object of one attached database that a restore copies, by kind, as comparable rows."""
    queries = {
        "column": "select c.schema_name, c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default "
        "from duckdb_columns() as c join duckdb_tables() as t using (database_name, schema_name, table_name) "
        "where database_name = $catalog",
        "constraint": "select schema_name, table_name, constraint_type, constraint_text from duckdb_constraints() "
        "where database_name = $catalog",
        "sequence": "select schema_name, sequence_name, increment_by, min_value, max_value, cycle "
        "from duckdb_sequences() where database_name = $catalog",
        "view": "select schema_name, view_name from duckdb_views() where database_name = $catalog and not internal",
        "index": "select schema_name, index_name, sql from duckdb_indexes() where database_name = $catalog",
        "schema": "select schema_name from duckdb_schemas() where database_name = $catalog and not internal",
        "type": "select schema_name, type_name from duckdb_types() where database_name = $catalog and not internal",
    }
    return {kind: set(con.execute(query, {"catalog": catalog}).fetchall()) for kind, query in queries.items()}


@functools.cache
def reference_schema(version: int) -> dict[str, set[tuple]]:
    """The schema of a new, empty database at this migration version, built by the product's own migrations."""
    latest = duckdb.connect(":memory:")
    try:
        sql.migrate(latest)
        bookkeeping = latest.execute(
            "select sql from duckdb_tables() where database_name = current_database() "
            "and table_name = 'schema_migrations'"
        ).fetchone()[0]
    finally:
        latest.close()
    con = duckdb.connect(":memory:")
    try:
        con.execute(bookkeeping)
        for number, relative in sql.migrations():
            if number <= version:
                con.execute(sql.sql_text(relative))
        return _schema(con, "memory")
    finally:
        con.close()


def _schema_problems(con: duckdb.DuckDBPyConnection, alias: str, version: int) -> list[str]:
    applied = {
        v for (v,) in con.execute(f"select version from {_quoted(alias)}.main.schema_migrations").fetchall()
    }
    expected_versions = {v for v, _ in sql.migrations() if v <= version}
    problems = []
    if applied != expected_versions:
        problems.append(
            f"its migration record lists versions {sorted(applied)}, not {sorted(expected_versions)}"
        )
    # A macro named like a built-in function replaces it in every query on the restored file (trim, read_csv…);
    # any other macro is never called by the product (its own are recreated on every open).
    for (name,) in con.execute(
        "select distinct function_name from duckdb_functions() where database_name = $catalog and not internal "
        "and function_name in (select function_name from duckdb_functions() where internal) order by all",
        {"catalog": alias},
    ).fetchall():
        problems.append(
            f"it holds a macro named like the built-in function {clip(name)}, which would replace it"
        )
    expected, found = reference_schema(version), _schema(con, alias)
    for kind in expected:
        for row in sorted(found[kind] - expected[kind], key=repr):
            problems.append(f"it holds {_described(kind, row)}, which this program never creates")
        for row in sorted(expected[kind] - found[kind], key=repr):
            problems.append(f"it lacks {_described(kind, row)}")
    return problems


def _described(kind: str, row: tuple) -> str:
    """One object of _schema in words, e.g. "the column settings.value (VARCHAR, not null)"."""
    schema, name = row[0], ".".join(map(str, row[1:3] if kind == "column" else row[1:2]))
    where = name if schema == "main" else f"{schema}.{name}"
    if kind == "column":
        data_type, nullable, default = row[3:]
        extra = ("" if nullable else ", not null") + (f", default {default}" if default is not None else "")
        where += f" ({data_type}{extra})"
    elif kind == "constraint":
        where += f" {row[3]}"
    elif kind == "schema":
        where = schema
    return f"the {kind} {clip(where)}"


def _vocabulary_problems(con: duckdb.DuckDBPyConnection, alias: str, version: int) -> list[str]:
    tables = _tables(version)
    checked = [
        (table.name, column.name, column.vocabulary)
        for table in TABLES.values()
        for column in table.columns
        if column.vocabulary
    ]
    problems = []
    for table, column, words in [*checked, *OTHER_VOCABULARIES]:
        if table not in tables:
            continue
        count, example = con.execute(
            f"select count(*), min({_quoted(column)}) from {_quoted(alias)}.main.{_quoted(table)} "
            f"where {_quoted(column)} is not null and not list_contains($words, {_quoted(column)})",
            {"words": list(words)},
        ).fetchone()
        if count:
            problems.append(
                f"{table}.{column} holds {count:,} value(s) outside its vocabulary ({', '.join(words)}), "
                f"e.g. {clip(repr(example))}"
            )
    return problems


def _settings_problems(con: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    rows = con.execute(f"select name, value from {_quoted(alias)}.main.settings order by name").fetchall()
    try:
        settings_store.parse(rows)
    except ValueError as error:
        return [f"its saved settings are not valid: {error}"]
    return []


def _mapping_problems(con: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    problems = []
    for name, spec in con.execute(
        f"select name, spec from {_quoted(alias)}.main.presets order by name"
    ).fetchall():
        try:
            check_saved(name, spec)
        except ValueError as error:
            problems.append(f"its saved mapping {clip(repr(name))} is not valid: {error}")
    return problems


def _log_problems(con: duckdb.DuckDBPyConnection, alias: str, target: Path) -> list[str]:
    log = decisions.entries(con, catalog=alias)
    path = decisions.key_path(target)
    key = decisions.read_key(path)
    broken = decisions.check_chain(log, key)
    if not broken:
        return []
    if key is not None and not decisions.check_chain(log, None):
        return [
            f"its decision log was written before the log had a key, and this database's log is keyed ({path}): "
            f"to restore it anyway, move {path.name} out of the folder first (the restored log is keyed anew at "
            "its next decision)"
        ]
    where = (
        f"it was changed outside the product, or keyed with another key than this database's ({path})"
        if key is not None
        else "it was changed outside the product; or, if its log was keyed where the backup was taken, put that "
        f"database's key file at {path} first"
    )
    return [f"its decision log does not verify ({_entries(len(broken))} do not match their hash): {where}"]


def problems(con: duckdb.DuckDBPyConnection, alias: str, version: int, target: Path) -> list[str]:
    """What is wrong with the optout-cohorts database attached (read-only) as `alias`, at schema `version`, to
    replace the database file `target`: empty when it may be restored."""
    found = _schema_problems(con, alias, version)
    if found:
        return found  # its content is not read: a view or a default could run anything
    tables = _tables(version)
    return [
        *_vocabulary_problems(con, alias, version),
        *_settings_problems(con, alias),
        *(_mapping_problems(con, alias) if "presets" in tables else []),
        *(_log_problems(con, alias, target) if "decision_log" in tables else []),
        *(_closure_problems(con, alias) if "week_closures" in tables else []),
    ]


def _closure_problems(con: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    """Closed weeks whose frozen settings or review the product could not read back (analytics.report.frozen):
    the Review page and the report would fail on them."""
    from analytics.report import frozen  # imported here: analytics.report imports the store

    problems = []
    for week_end, settings, review in con.execute(
        f"select week_end, settings, review from {_quoted(alias)}.main.week_closures order by week_end"
    ).fetchall():
        try:
            frozen.check_plain(settings, review)
        except (ValueError, TypeError, KeyError, AttributeError, StopIteration) as error:
            problems.append(f"its closed week ending {week_end} cannot be read back ({clip(str(error))})")
    return problems


def log_change(con: duckdb.DuckDBPyConnection, alias: str, live: str | None) -> str:
    """The sentence a restore says about the decision log: whether the backup's replaces the current one, with
    their numbers of entries (live: the alias of the database replaced, None when there is none to read)."""

    def state(catalog: str | None) -> tuple[int, str | None]:
        held = (
            catalog is not None
            and con.execute(
                "select count(*) from duckdb_tables() where database_name = $catalog and schema_name = 'main' "
                "and table_name = 'decision_log'",
                {"catalog": catalog},
            ).fetchone()[0]
        )
        if not held:
            return 0, None
        return con.execute(
            f"select count(*), arg_max(entry_hash, decision_id) from {_quoted(catalog)}.main.decision_log"
        ).fetchone()

    before, after = state(live), state(alias)
    if live is None:
        return f"The decision log is the backup's ({_entries(after[0])})."
    if before == after:
        return f"The decision log is unchanged ({_entries(after[0])})."
    return f"The decision log ({_entries(before[0])}) is replaced by the backup's ({_entries(after[0])})."
