"""One file made ready to load, nothing written yet: its mapping resolved, then its rows staged and checked.

A large clean export goes the fast way: read, mapped and converted in one pass, without row numbers, and kept
when every check passes. Any other file goes the detailed way: staged with row numbers, its date order decided,
converted, checked, its problems collected.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

import duckdb

from analytics.errors import InvalidFile, Problem, UserError, is_disk_full
from analytics.i18n import _
from analytics.ingest import checks, mapping, staging
from analytics.ingest.files import CsvFile
from analytics.ingest.mapping import Mapping
from analytics.presets import Preset
from analytics.tables import DATE, LOAD_ORDER, TIMESTAMP

ON_INVALID = ("fail", "skip")


@dataclass
class Options:
    """How a file is to be read: all optional; without them the table or preset is recognised."""

    table: str | None = None
    preset: str | None = None
    constants: MappingType[str, str] = field(default_factory=dict)
    date_order: str | None = None  # 'dmy' or 'mdy'; detected from the data when it proves it
    on_invalid: str = "fail"
    custom: Preset | None = None  # a mapping made on the Data page for this file


@dataclass
class Prepared:
    file: CsvFile
    mapping: Mapping
    stage: str
    rows: int
    date_order: str
    problems: list[Problem]


def _fast_path_fits(m: Mapping) -> bool:
    """Tables without a key, one event per row: what a large export is (events, orders, campaign stats)."""
    return (
        m.table.key is None
        and not m.event_branches
        and m.orders_from is None
        and not m.aliases
        and not m.contact_alias
    )


def _stage_clean(con: duckdb.DuckDBPyConnection, file: CsvFile, m: Mapping, stage: str) -> int | None:
    """The fast path of a large file: read, map and convert it in one pass, straight into <stage>_typed,
    without row numbers. It holds only when every row passes every check and no date is written day/month
    with an order still to decide; then it returns the row count. Otherwise it returns None, having kept
    nothing, and the file goes the detailed way (row numbers, problems, date order)."""
    params = staging.read_params(file)
    typed = f"{stage}_typed"
    try:
        con.execute(
            f"create or replace temp table {typed} as select "
            f"{', '.join(staging.converted(m, m.date_order or 'dmy') + staging.extra_names(m))} "
            f"from (select {', '.join([staging.selected(m, c, params) for c in m.fields] + staging.extras(m))} "
            f"from {staging.READ_CSV} where {staging.filled(file)} and {staging.rows_of_export(m, params)}) "
            f"where {staging.kept(m, m.fields)}",
            params,
        )
    except duckdb.Error as error:
        if is_disk_full(error) or isinstance(error, duckdb.OutOfMemoryException):
            raise
        con.execute(f"drop table if exists {typed}")
        return None  # the detailed way says what is wrong, with the row
    # Separate counts, not one OR of the checks: DuckDB evaluates them much faster so.
    doubts = [cond for column in staging.present(m) for cond, _, _, _ in checks.column_checks(column)]
    if (lost := checks.opposition_check(m)) is not None:
        doubts.append(lost[2])
    if not m.date_order:
        doubts += [
            staging.day_month(f"raw_{c.name}") for c in staging.present(m) if c.kind in (DATE, TIMESTAMP)
        ]
    counts = con.execute(
        f"select count(*), {', '.join(f'count(*) filter (where {d})' for d in doubts) or '0'} from {typed}"
    ).fetchone()
    if any(counts[1:]):
        con.execute(f"drop table {typed}")
        return None
    return counts[0]


def prepare(
    con: duckdb.DuckDBPyConnection,
    file: CsvFile,
    options: Options,
    stage: str,
    presets: list[Preset] | None = None,
    *,
    detailed: bool = False,
) -> Prepared:
    """Map, stage and check one file without writing to the canonical tables; problems are collected.
    detailed: always keep the staged text with its row numbers (<stage>), as a preview shows it."""
    if options.table is not None and options.table not in {t for t in LOAD_ORDER}:
        raise UserError(
            _("Unknown table {table}; the tables are {tables}.").format(
                table=repr(options.table), tables=", ".join(LOAD_ORDER)
            )
        )
    if options.on_invalid not in ON_INVALID:
        raise UserError(_("on_invalid must be one of {values}.").format(values=", ".join(ON_INVALID)))
    available = presets if presets is not None else mapping.all_presets(con)
    preset_name = options.preset
    if options.custom is not None:
        available, preset_name = [*available, options.custom], options.custom.name
    m = mapping.resolve(
        file,
        available,
        table_name=options.table,
        preset_name=preset_name,
        constants=options.constants,
        date_order=options.date_order,
    )
    if not detailed and _fast_path_fits(m):
        rows = _stage_clean(con, file, m, stage)
        if rows is not None:
            return Prepared(file, m, stage, rows, m.date_order or "dmy", [])
    rows = staging.stage(con, file, m, stage)
    order, order_problems = checks.decide_date_order(con, file, m, stage)
    if order_problems:
        if staging.renumber(con, file, [stage]):
            order, order_problems = checks.decide_date_order(con, file, m, stage)
        raise InvalidFile(file.display_name, order_problems, m.table.name)
    staging.convert(con, m, stage, order)
    problems, bad = checks.problems(con, m, stage, order)
    if problems and staging.renumber(con, file, [stage, f"{stage}_typed"]):
        problems, bad = checks.problems(con, m, stage, order)
    if options.on_invalid == "skip" and any(not p.blocking for p in problems):
        lost = checks.oppositions_set_aside(con, m, stage, bad)
        if lost is not None:
            problems.append(lost)
    return Prepared(file, m, stage, rows, order, problems)


def refused(p: Prepared, options: Options) -> bool:
    """A file with problems is refused, unless its invalid rows are to be set aside and none blocks it."""
    return any(problem.blocking for problem in p.problems) or bool(
        p.problems and options.on_invalid == "fail"
    )
