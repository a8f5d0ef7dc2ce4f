"""What a file would load as, shown before loading (the Data page): its table, rows, mapping, or its problems,
read from the start of a large file; and the most frequent values of one column, to map them by hand.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.errors import AmbiguousPreset, InvalidFile, Problem, UserError, is_disk_full
from analytics.ingest import checks, files, mapping, staging
from analytics.ingest.checks import SAMPLE_ROWS
from analytics.ingest.files import disk_full
from analytics.ingest.preparation import Options, prepare, refused
from analytics.store.paths import work_dir


@dataclass
class Inspection:
    """What a file would load as, shown before loading: its table, rows, mapping, or its problems."""

    file_name: str
    table: str | None
    rows: int
    ignored_columns: list[str]
    problems: list[Problem]
    sample: list[dict]  # the first rows, as text, of the fields that would be kept
    message: str | None = None  # the whole error, when the file cannot be loaded as it is
    preset: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # canonical field -> where it comes from, in words
    header: list[str] = field(default_factory=list)
    date_order: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header column feeding it
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # value translations of the mapping
    needs: dict[str, str] = field(default_factory=dict)  # fields the user must supply -> why
    candidates: list[str] = field(default_factory=list)  # presets the header matches equally (a tie)
    sampled: bool = False  # only the start of a large file was read (files.preview); Load reads it whole
    date_form: str | None = None  # the day/month order its dates are written in ('dmy', 'mdy'), None for ISO

    @property
    def ok(self) -> bool:
        return self.message is None


def inspect(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display_name: str | None = None,
    options: Options | None = None,
) -> Inspection:
    """Read, map and check one file without writing anything; never raises for a bad file. A large file is
    previewed from its start (`sampled`): rows and problems are those of its first rows."""
    options = options or Options()
    name = display_name or Path(path).name
    stage = "inspect_0"
    file = None
    with tempfile.TemporaryDirectory(prefix="optout-inspect-", dir=work_dir()) as folder:
        try:
            source, sampled = files.preview(Path(path), name, Path(folder))
            file = files.read(source, name, Path(folder))
            item = prepare(con, file, options, stage, detailed=True)
            m = item.mapping
            cursor = con.execute(
                f"select columns(lambda c: not starts_with(c, '_')) from {stage} order by _row limit {SAMPLE_ROWS}"
            )
            names = [d[0] for d in cursor.description]
            sample = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            message = None
            if refused(item, options):
                message = str(InvalidFile(name, item.problems, m.table.name, m.preset))
            return Inspection(
                name,
                m.table.name,
                item.rows,
                list(m.ignored),
                item.problems,
                sample,
                message,
                m.preset,
                mapping.describe(m, file),
                file.header,
                item.date_order,
                file.encoding,
                file.delimiter,
                columns=mapping.source_columns(m, file),
                constants=dict(m.constants),
                values={k: dict(v) for k, v in m.values.items()},
                sampled=sampled,
                date_form=checks.written_order(con, m, stage, item.date_order),
            )
        except InvalidFile as error:
            return Inspection(
                name,
                error.table,
                0,
                [],
                error.problems,
                [],
                str(error),
                preset=error.preset,
                header=file.header if file else [],
                encoding=file.encoding if file else None,
                delimiter=file.delimiter if file else None,
                columns=dict(getattr(error, "found", {})),
                needs=dict(getattr(error, "needs", {})),
            )
        except AmbiguousPreset as error:
            header = file.header if file else []
            return Inspection(
                name, None, 0, [], [], [], str(error), header=header, candidates=error.candidates
            )
        except UserError as error:
            return Inspection(name, None, 0, [], [], [], str(error), header=file.header if file else [])
        except (duckdb.Error, OSError) as error:
            if is_disk_full(error):
                message = str(disk_full(name, error, restart=not staging.usable(con)))
            elif isinstance(error, duckdb.OutOfMemoryException):
                message = str(staging.out_of_memory(name))
            else:
                raise
            return Inspection(name, None, 0, [], [], [], message, header=file.header if file else [])
        finally:
            with contextlib.suppress(duckdb.Error):  # after a fatal error DuckDB refuses any statement
                staging.drop_stages(con, [stage])


def distinct_values(
    con: duckdb.DuckDBPyConnection, path: Path, header_name: str, limit: int = 20
) -> list[tuple[str, int]]:
    """The most frequent values of one column of a file, with their counts (for mapping values by hand)."""
    with tempfile.TemporaryDirectory(prefix="optout-values-", dir=work_dir()) as folder:
        file = files.read(Path(path), Path(path).name, Path(folder))
        index = file.header.index(header_name)
        return con.execute(
            f"select trim(c{index}) as value, count(*) as n "
            "from read_csv($path, auto_detect = false, header = false, skip = 1, columns = $columns, "
            "delim = $delim, quote = '\"', escape = '\"', compression = $compression, strict_mode = false) "
            "where oc_blank(value) is not null group by value order by n desc, value limit $limit",
            {
                "path": str(file.path),
                "delim": file.delimiter,
                "compression": file.compression,
                "columns": {f"c{i}": "VARCHAR" for i in range(len(file.columns))},
                "limit": limit,
            },
        ).fetchall()
