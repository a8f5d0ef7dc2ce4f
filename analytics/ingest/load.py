"""A batch of files written into the canonical tables in one transaction: every file lands, or none does.

Files are written in dependency order (tables.LOAD_ORDER). Keyed tables (contacts, campaigns, sources) update
the row of a known id, never undoing an opposition; the others skip rows already present with the same values
in every column, so re-loading a file changes nothing. Rows set aside are counted in the load log, the change
is noted in the change log, and the fact tables are rebuilt in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics import formats, i18n
from analytics.errors import InvalidFile, Problem, is_disk_full
from analytics.i18n import _, ngettext
from analytics.ingest import checks, files, mapping, staging
from analytics.ingest.files import disk_full
from analytics.ingest.preparation import Options, Prepared, prepare, refused
from analytics.store import facts, privacy
from analytics.store.paths import work_dir
from analytics.store.sql import record_change
from analytics.store.transaction import transaction
from analytics.tables import LOAD_ORDER
from analytics.text import clip, visible


@dataclass
class LoadResult:
    file_name: str
    table: str
    rows_in_file: int
    rows_added: int
    rows_updated: int
    ignored_columns: list[str] = field(default_factory=list)
    rows_rejected: int = 0
    preset: str | None = None
    rejects_csv: Path | None = None  # the rows set aside, with the reason (on_invalid="skip")
    orders_added: int = 0

    def describe(self) -> str:
        via = _(" (preset {preset})").format(preset=self.preset) if self.preset else ""
        text = ngettext(
            "{file} → {table}{via}: {rows} row(s), {added} new",
            "{file} → {table}{via}: {rows} row(s), {added} new",
            self.rows_in_file,
        ).format(
            file=self.file_name,
            table=self.table,
            via=via,
            rows=formats.number(self.rows_in_file),
            added=formats.number(self.rows_added),
        )
        if self.rows_updated:
            text += _(", {count} updated").format(count=formats.number(self.rows_updated))
        if self.rows_in_file and not self.rows_added and not self.rows_updated and not self.rows_rejected:
            text += _(" (already loaded: nothing changed)")
        if self.orders_added:
            text += ngettext(
                ", {count} purchase(s) from its purchase-date column",
                ", {count} purchase(s) from its purchase-date column",
                self.orders_added,
            ).format(count=formats.number(self.orders_added))
        if self.rows_rejected:
            text += ngettext(
                "; {count} invalid row(s) skipped", "; {count} invalid row(s) skipped", self.rows_rejected
            ).format(count=formats.number(self.rows_rejected))
        if self.ignored_columns:
            shown = (visible(clip(" ".join(c.splitlines()))) for c in self.ignored_columns)
            text += _("; columns not kept: {columns}").format(columns=", ".join(shown))
        return text


def _merged(table: str, column: str, in_file: bool) -> str:
    """A keyed row's column after a later file: the file's value where it has the field, but an opposition
    already stored is never undone (SPEC §5: opposition time is the earliest one)."""
    if not in_file:
        return f"old.{column}"
    if (table, column) == ("contacts", "opted_out_at"):
        return "least(new.opted_out_at, old.opted_out_at)"
    if (table, column) == ("contacts", "consent"):
        return "case when old.consent = 'objected' then 'objected' else new.consent end"
    return f"new.{column}"


def _resolve_aliases(con: duckdb.DuckDBPyConnection, p: Prepared) -> None:
    """A file that names people by a platform's own id (Mautic's lead id): their contact ids, from the aliases
    loaded before or earlier in this batch. An id nobody loaded refuses the batch: its opposition would be lost."""
    typed, resolved = f"{p.stage}_typed", f"{p.stage}_resolved"
    platform = p.mapping.contact_alias
    con.execute(
        f"create or replace temp table {resolved} as select typed.* replace (aliases.contact_id as contact_id), "
        f"typed.contact_id as _platform_id from {typed} as typed left join contact_aliases as aliases "
        "on aliases.platform = $platform and aliases.external_id = typed.contact_id",
        {"platform": platform},
    )
    unknown = con.execute(
        f"select count(*), list(_row order by _row)[1:{checks.SAMPLE_ROWS}], "
        f"list(_platform_id order by _row)[1:{checks.SAMPLE_ROWS}] from {resolved} where contact_id is null"
    ).fetchone()
    if unknown[0]:
        raise InvalidFile(
            p.file.display_name,
            [
                Problem(
                    "contact_id",
                    _(
                        "names people by their {platform} id, and these ids belong to no contact loaded so far or "
                        "in this batch, so their oppositions could not be kept"
                    ).format(platform=platform),
                    _(
                        "load the {platform} contact export (it holds each person's id and email address) in the "
                        "same batch, or before this file"
                    ).format(platform=platform),
                    unknown[1],
                    [clip(v) for v in unknown[2]],
                    unknown[0],
                    True,
                )
            ],
            p.mapping.table.name,
            p.mapping.preset,
        )
    con.execute(f"drop table {typed}")
    con.execute(f"alter table {resolved} rename to {typed}")


def _record_aliases(con: duckdb.DuckDBPyConnection, p: Prepared) -> None:
    """Keep the platforms' own ids of the people of this file (the latest row of an id wins)."""
    for k, platform in enumerate(p.mapping.aliases):
        con.execute(
            "insert or replace into contact_aliases "
            f"select $platform, oc_text(_alias_{k}), arg_max(contact_id, _row) from {p.stage}_typed "
            f"where oc_text(_alias_{k}) is not null and contact_id is not null group by oc_text(_alias_{k})",
            {"platform": platform},
        )


def _write(con: duckdb.DuckDBPyConnection, p: Prepared) -> tuple[int, int, int]:
    """Merge the staged rows into the table; returns (rows added, rows updated, purchases added)."""
    m, stage = p.mapping, p.stage
    table = m.table
    typed = f"{stage}_typed"
    if m.contact_alias:
        _resolve_aliases(con, p)
    if m.aliases:
        _record_aliases(con, p)
    orders_added = 0
    if m.orders_from is not None:
        before = con.execute("select count(*) from orders").fetchone()[0]
        con.execute(
            f"insert into orders select distinct contact_id, _order_date, null::double, null::varchar "
            f"from {typed} where _order_date is not null "
            "except select contact_id, order_date, amount, category from orders"
        )
        orders_added = con.execute("select count(*) from orders").fetchone()[0] - before
    columns = ", ".join(table.column_names)
    if table.key is None:
        before = con.execute(f"select count(*) from {table.name}").fetchone()[0]
        # A row already stored is not added again. Only stored rows of the same dates can be equal: the range
        # lets DuckDB skip the rest of a large table, and an empty table needs no comparison at all.
        new, params = f"select distinct {columns} from {typed}", {}
        if before:
            stored = f"select {columns} from {table.name}"
            if table.dedup_range is not None:
                bounds = f"select min({table.dedup_range}), max({table.dedup_range}) from {typed}"
                params = dict(zip(("low", "high"), con.execute(bounds).fetchone(), strict=True))
                stored += f" where {table.dedup_range} between $low and $high"
            new += f" except {stored}"
        con.execute(f"insert into {table.name} {new}", params)
        return con.execute(f"select count(*) from {table.name}").fetchone()[0] - before, 0, orders_added
    key = ", ".join(table.key)
    # Within a file the last row of an id wins; a field the file lacks keeps the value already stored. An
    # opposition is never undone: the earliest opted_out_at stays, and consent objected stays objected.
    latest = f"{stage}_latest"
    sticky = ""
    if table.name == "contacts":
        sticky = (
            " replace (min(opted_out_at) over same_id as opted_out_at, case when bool_or(consent = 'objected') "
            "over same_id then 'objected' else consent end as consent)"
        )
    con.execute(
        f"create or replace temp table {latest} as select {columns} from (select *{sticky} from {typed} "
        f"window same_id as (partition by {key}) "
        f"qualify row_number() over (partition by {key} order by _row desc) = 1)"
    )
    old = f"{stage}_old"
    con.execute(
        f"create or replace temp table {old} as select * from {table.name} where ({key}) in "
        f"(select ({key}) from {latest})"
    )
    updated = con.execute(f"select count(*) from {old}").fetchone()[0]
    merged = ", ".join(_merged(table.name, c, c in m.fields) for c in table.column_names)
    con.execute(f"delete from {table.name} where ({key}) in (select ({key}) from {latest})")
    con.execute(
        f"insert into {table.name} select {merged} from {latest} as new left join {old} as old using ({key})"
    )
    total = con.execute(f"select count(*) from {latest}").fetchone()[0]
    return total - updated, updated, orders_added


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    table_name: str | None = None,
    display_names: Sequence[str] | None = None,
    *,
    options: Options | Sequence[Options] | None = None,
    replace_all: bool = False,
    rejects_dir: Path | None = None,
) -> list[LoadResult]:
    """Read, map and check every file, then load them all in one transaction (tables in dependency order).

    options: one Options for every file, or one per file (a .zip counts as one file). replace_all: empty every
    data table and the load log first, in the same transaction (reset to the demo). rejects_dir: where the
    rows skipped with on_invalid="skip" are written. Raises InvalidFile (nothing written) when a file is
    invalid and its rows are not to be skipped.
    """
    privacy.prepare_load(con)  # pseudonymised databases: check the key before reading anything
    names = list(display_names) if display_names else [Path(p).name for p in paths]
    if options is None or isinstance(options, Options):
        per_file = [options or Options(table=table_name)] * len(names)
    else:
        per_file = list(options)
    stages: list[str] = []
    batch = (
        ", ".join(names)
        if len(names) <= 3
        else ngettext(
            "{files} and {count} more file(s)", "{files} and {count} more file(s)", len(names) - 3
        ).format(files=", ".join(names[:3]), count=len(names) - 3)
    )
    try:
        with tempfile.TemporaryDirectory(prefix="optout-ingest-", dir=work_dir()) as folder:
            work = Path(folder)
            try:
                results = _ingest(con, paths, names, per_file, stages, work, replace_all, rejects_dir)
            except BaseException:
                with contextlib.suppress(duckdb.Error):  # the database may refuse any statement now
                    staging.drop_stages(con, stages)
                raise
            staging.drop_stages(con, stages)
    except (duckdb.Error, OSError) as error:
        # No room to stage, write or commit (the disk, a quota or the file-size limit), or no memory: the
        # transaction is undone (a failed commit or checkpoint undoes it too), so the batch is not loaded and
        # what was loaded before stays as it was.
        if is_disk_full(error):
            raise disk_full(batch, error, restart=not staging.usable(con)) from None
        if isinstance(error, duckdb.OutOfMemoryException):
            raise staging.out_of_memory(batch) from None
        raise
    return results


def _ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    names: list[str],
    per_file: list[Options],
    stages: list[str],
    work: Path,
    replace_all: bool,
    rejects_dir: Path | None,
) -> list[LoadResult]:
    """The body of ingest_files: prepare every file, then write them all in one transaction."""
    presets = mapping.all_presets(con)
    prepared: list[tuple[Prepared, Options]] = []
    for path, name, opts in zip(paths, names, per_file, strict=True):
        for member, member_name in files.expand([Path(path)], [name], work):
            stage = f"stage_{len(stages)}"
            stages.append(stage)
            file = files.read(member, member_name, work)
            prepared.append((prepare(con, file, opts, stage, presets), opts))
    blocked = [(p, o) for p, o in prepared if refused(p, o)]
    if blocked:
        first, _options = blocked[0]
        raise InvalidFile(
            first.file.display_name, first.problems, first.mapping.table.name, first.mapping.preset
        )
    prepared.sort(key=lambda item: LOAD_ORDER.index(item[0].mapping.table.name))
    results = []
    with transaction(con):
        if replace_all:
            for table in (*LOAD_ORDER, "contact_aliases", "load_log"):
                con.execute(f"delete from {table}")
        for item, _options in prepared:
            rejected, rejects = 0, None
            if item.problems:
                _problems, bad = checks.problems(con, item.mapping, item.stage)
                rejected, rejects = checks.set_aside(
                    con, item.file, item.mapping, item.stage, bad, rejects_dir or work
                )
            added, updated, orders = _write(con, item)
            con.execute(
                "insert into load_log (file_name, sha256, table_name, rows_in_file, rows_added, "
                "rows_updated, loaded_at, rows_rejected, preset) values ($file_name, $sha256, "
                "$table_name, $rows, $added, $updated, $loaded_at, $rejected, $preset)",
                {
                    "file_name": item.file.display_name,
                    "sha256": _sha256(item.file.original),
                    "table_name": item.mapping.table.name,
                    "rows": item.rows,
                    "added": added,
                    "updated": updated,
                    "loaded_at": dt.datetime.now().replace(microsecond=0),
                    "rejected": rejected,
                    "preset": item.mapping.preset,
                },
            )
            results.append(
                LoadResult(
                    item.file.display_name,
                    item.mapping.table.name,
                    item.rows,
                    added,
                    updated,
                    list(item.mapping.ignored),
                    rejected,
                    item.mapping.preset,
                    rejects if rejects_dir else None,
                    orders,
                )
            )
        with i18n.within(i18n.SOURCE_LANGUAGE):  # the change log reads the same whoever loaded the files
            detail = "; ".join(r.describe() for r in results) or "every loaded file's data removed"
        record_change(con, "reset" if replace_all else "ingest", detail)
        facts.rebuild(con)
    return results


def empty_database(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every loaded file's data, the source registry and the load log, in one transaction; settings,
    saved mappings and the decision log stay."""
    ingest_files(con, [], replace_all=True)
