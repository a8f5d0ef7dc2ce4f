"""Errors that carry what the user must fix. The CLI and the dashboard catch `UserError` at one boundary."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field

from analytics.i18n import _, ngettext

DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


# DuckDB's IO errors quote the system's message (strerror) of those errors.
DISK_FULL_WORDS = ("No space left on device", "File too large", "Disk quota exceeded")


class UserError(Exception):
    """Something the user can fix: the message says what is wrong, where, and how to fix it."""


def spark_missing() -> UserError:
    """The Spark engine asked for where its optional packages (the spark extra) are not installed."""
    return UserError(
        _(
            "The Spark engine needs pyspark and a Java 17 runtime: pip install 'optout-cohorts[spark]' "
            "(and, on Debian, apt-get install openjdk-17-jre-headless), then try again."
        )
    )


@dataclass
class Problem:
    """One kind of problem in one column of a file, with the first offending rows."""

    column: str | None
    message: str
    fix: str
    rows: list[int] = field(default_factory=list)  # spreadsheet row numbers (the header is row 1)
    values: list[str] = field(default_factory=list)
    count: int = 0
    blocking: bool = False  # the file cannot load even with its invalid rows set aside (an opposition)

    def describe(self) -> str:
        where = _("column '{column}'").format(column=self.column) if self.column else _("the header")
        text = _("{where}: {message}").format(where=where, message=self.message)
        if self.count:
            shown = ", ".join(
                _("row {row} ({value})").format(row=r, value=repr(v))
                if v is not None
                else _("row {row}").format(row=r)
                for r, v in zip(self.rows, self.values, strict=False)
            )
            more = ""
            if self.count > len(self.rows):
                others = self.count - len(self.rows)
                more = ngettext(" and {count} more", " and {count} more", others).format(count=others)
            text += ngettext(
                " — {count} row(s): {rows}{more}", " — {count} row(s): {rows}{more}", self.count
            ).format(count=self.count, rows=shown, more=more)
        return _("{text}. Fix: {fix}").format(text=text, fix=self.fix)


class InvalidFile(UserError):
    """A file that cannot be loaded; nothing of it was written. table and preset: what it was read as."""

    def __init__(
        self, file_name: str, problems: list[Problem], table: str | None = None, preset: str | None = None
    ):
        self.file_name = file_name
        self.problems = problems
        self.table = table
        self.preset = preset
        what = _(" as {table}").format(table=table) if table else ""
        what += _(" (preset {preset})").format(preset=preset) if preset else ""
        lines = [
            _("{file} was not loaded{what}; nothing from it was written:").format(file=file_name, what=what)
        ]
        lines += [f"  - {p.describe()}" for p in problems]
        super().__init__("\n".join(lines))


class DatabaseBusy(UserError):
    """Another process holds the database file."""


class MappingIncomplete(InvalidFile):
    """A recognised export (or a mapping) that lacks fields the user must supply: `needs` says which and why,
    `found` which header column already feeds each field, so a form can ask for the rest."""

    def __init__(
        self,
        file_name: str,
        problems: list[Problem],
        table: str,
        preset: str | None,
        needs: dict[str, str],
        found: dict[str, str],
    ):
        super().__init__(file_name, problems, table, preset)
        self.needs = needs
        self.found = found


class AmbiguousPreset(UserError):
    """A header that several export presets match equally: the product never picks one silently."""

    def __init__(self, file_name: str, candidates: list[tuple[str, str]], hint: str = ""):
        self.file_name = file_name
        self.candidates = [name for name, _title in candidates]
        listed = "; ".join(f"{name} ({title})" for name, title in candidates)
        super().__init__(
            _(
                "{file} was not loaded; nothing from it was written: its columns match several exports "
                "equally — {listed}.{hint} Say which one it is: --preset NAME on the command line, or choose it "
                "on the Data page."
            ).format(file=file_name, listed=listed, hint=" " + hint if hint else "")
        )


class DiskFull(UserError):
    """The disk (or the file-size limit) left no room to write: nothing of the batch was loaded."""


def is_disk_full(error: BaseException) -> bool:
    """True for an error that means no room was left to write a file (ENOSPC, EFBIG, a quota), whether raised
    by Python (OSError) or by DuckDB (its message quotes the system's words)."""
    if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
        return True
    text = str(error)
    return any(words in text for words in DISK_FULL_WORDS)


def disk_full_reason(error: BaseException) -> str:
    """The system's words for a full disk in an error (see is_disk_full), for a one-line message."""
    return next((words for words in DISK_FULL_WORDS if words in str(error)), _("no room left"))
