"""DuckDB SQL → Spark SQL: the macros expanded, the text written by SQLGlot, every function checked against Spark 4.

SQLGlot copies a function it does not know through unchanged (`TO_YEARS(…)`, `LIST_EXTRACT(…)`), which Spark
then refuses at run time; the check reads the Spark SQL back and lists every called name that is not a Spark 4
built-in (spark_functions.txt, taken from Spark's own function registry). A clean transpile is necessary, not
sufficient: some constructs transpile cleanly and give another result (lint.py), which only running both
engines on the same data shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

from analytics.sqlport import expand, lint

SPARK_FUNCTIONS = Path(__file__).with_name("spark_functions.txt")
# Written like calls, but Spark SQL syntax rather than registered functions.
SPARK_SYNTAX = frozenset({"cast", "try_cast", "extract", "in", "exists", "if", "case", "trim", "position"})
CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


@cache
def spark_functions() -> frozenset[str]:
    lines = SPARK_FUNCTIONS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def to_spark(text: str, macros: dict[str, expand.Macro] | None = None) -> list[str]:
    """Spark SQL for each statement of a DuckDB SQL text, its macros (scalar and table) expanded first. Of a
    table macro (`create macro … as table select …`, which Spark cannot create) the query it is made of, its
    parameters left as columns: what the Spark engine runs inside every query that calls it."""
    macros = expand.domain_macros() if macros is None else macros
    tables = expand.domain_table_macros()
    statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    queries = [s.expression if lint.is_table_macro(s) else s for s in statements]
    return [spark_sql(expand.expand_query(q, macros, tables, lenient=True)) for q in queries]


def spark_sql(tree: exp.Expression) -> str:
    """A self-contained DuckDB query (parameters bound, macros expanded) as the Spark SQL the Spark engine runs.
    `[NOT] MATERIALIZED` on a CTE is a hint to DuckDB's planner that Spark has no syntax for: dropped."""
    tree = tree.copy()
    for cte in tree.find_all(exp.CTE):
        cte.set("materialized", None)
    return tree.sql(dialect="spark", pretty=True, comments=False)


def called_functions(spark_sql: str) -> set[str]:
    """The lower-case names of the functions a Spark SQL text calls (table functions in FROM included). Raises
    ParseError when SQLGlot cannot read back the Spark SQL it wrote (then Spark cannot either)."""
    names = set()
    for node in sqlglot.parse_one(spark_sql, read="spark", error_level=ErrorLevel.RAISE).walk():
        if isinstance(node, exp.Anonymous):
            names.add(node.name.lower())
        elif isinstance(node, exp.Func):
            match = CALL.match(node.sql(dialect="spark"))
            if match:
                names.add(match.group(1).lower())
    return names


def unknown_functions(spark_sql: str) -> list[str]:
    """The functions a Spark SQL text calls that Spark 4 does not have, sorted."""
    return sorted(called_functions(spark_sql) - spark_functions() - SPARK_SYNTAX)


@dataclass
class FileReport:
    """What stands between one domain SQL file and Spark."""

    file: str
    findings: list[lint.Finding] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    error: str | None = None  # SQLGlot could not parse or write it

    @property
    def clean(self) -> bool:
        return not self.findings and not self.unknown and self.error is None

    @property
    def status(self) -> str:
        if self.error:
            return "fails to transpile"
        return "transpiles cleanly" if self.clean else "not portable yet"


def report_file(relative: str, macros: dict[str, expand.Macro] | None = None) -> FileReport:
    """Lint one file of analytics/sql, transpile it and check its functions."""
    report = FileReport(relative, findings=lint.lint_file(relative))
    text = (lint.SQL_DIR / relative).read_text(encoding="utf-8")
    try:
        unknown: set[str] = set()
        for spark_sql in to_spark(text, macros):
            unknown.update(unknown_functions(spark_sql))
        report.unknown = sorted(unknown)
    except (ParseError, TokenError, expand.MacroError) as error:
        report.error = f"the Spark SQL SQLGlot writes does not parse: {str(error).splitlines()[0][:100]}"
    return report


REPORTED_FOLDERS = ("staging", "facts", "intermediate", "metrics")


def report_all(folders: tuple[str, ...] = REPORTED_FOLDERS) -> list[FileReport]:
    macros = expand.domain_macros()
    return [report_file(relative, macros) for relative in lint.domain_files(folders)]


def portability_findings() -> list[lint.Finding]:
    """Everything between the domain SQL and Spark, as findings: the lint of every folder (macros included:
    their bodies end up in the queries), then per file of the reported folders each function Spark 4 lacks
    and a Spark SQL text that does not parse. What the ratchet (known_exceptions.json) counts."""
    findings = lint.lint_all()
    for report in report_all():
        findings += [
            lint.Finding(report.file, "unknown_spark_function", None, f"{name}()") for name in report.unknown
        ]
        if report.error:
            findings.append(lint.Finding(report.file, "spark_sql_unreadable", None, report.error))
    return findings
