"""The portable subset of the domain SQL: every construct outside it, by file, rule and line.

Each rule is a DuckDB construct that Spark reads differently with no error, or copies through and then fails on
(issue 17, measured on DuckDB 2.0 vs Spark 4.3 with SQLGlot 30.x). Rules on a function name read the tokens (exact
lines, comments skipped); rules on the shape of a query read the tree SQLGlot parses (read="duckdb"). The
findings of today's files are listed in known_exceptions.json (the to-do list of the Spark port): a test fails on
a finding not listed there, and on a listed one that went away, so the list only shrinks.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
FOLDERS = ("macros", "staging", "facts", "intermediate", "metrics")
MACRO_FOLDER = "macros"
# The folders whose table macros analytics/sqlport/expand.py expands into the queries that call them.
TABLE_MACRO_FOLDERS = ("staging", "intermediate")
KNOWN_EXCEPTIONS = Path(__file__).with_name("known_exceptions.json")

# What each rule means for Spark: the ratchet file and the report print these.
RULES = {
    "parse_error": "SQLGlot cannot parse it (read='duckdb'): it cannot be transpiled",
    "macro_outside_macros": "CREATE MACRO outside analytics/sql/macros/: copied through, Spark has no macros",
    "table_macro": "table macro (CREATE MACRO … AS TABLE) outside staging/ and intermediate/: not expanded by "
    "analytics.sqlport.expand",
    "table_function_call": "a DuckDB table function in FROM (read_csv, range…), or a table macro the expansion "
    "does not know (the staging and intermediate ones and query_table('…') are expanded)",
    "qualify": "QUALIFY: with ORDER BY … LIMIT the limit moves before the filter; with GROUP BY invalid SQL",
    "asof_join": "ASOF JOIN: copied through, Spark has none",
    "union_by_name": "UNION [ALL] BY NAME: copied through, Spark has none",
    "date_diff_unit": "date_diff/datediff in years, quarters or months: DuckDB counts boundaries, Spark whole units",
    "day_of_week": "isodow / dayofweek / dow / weekday: numbered differently (rotated) in Spark",
    "strftime": "strftime / strptime / try_strptime: DuckDB format codes, copied through or mistranslated",
    "yearweek": "yearweek / isoyear: DuckDB-only ISO week helpers",
    "interval_helper": "to_years, to_months, to_days…: DuckDB-only interval constructors, copied through",
    "duckdb_list_function": "list_* and other DuckDB-only list functions (len, unnest, list…)",
    "regexp_match": "regexp_matches / regexp_full_match: DuckDB-only (Spark: rlike, regexp_like with ^…$)",
    "duckdb_type_cast": "a cast to a DuckDB-only type (HUGEINT, unsigned integers, UUID, JSON…)",
    "integer_division": "integer division //: DuckDB-only operator",
    "unguarded_division": "/ whose denominator may be 0: Spark in ANSI mode raises (guard it with nullif(…, 0))",
    "star_exclude": "SELECT * EXCLUDE (…): SQLGlot writes * EXCEPT (…), which open-source Spark does not parse "
    "(tobymao/sqlglot#3082; apache/spark#43843 and #50536 closed unmerged)",
    "list_comprehension": "[x for x in list if …]: written as ARRAY(x FOR x IN …), not Spark SQL "
    "(use filter/transform)",
    "date_subtraction": "date − date: DuckDB gives a number of days, Spark an interval (use datediff(end, start))",
    # Found by analytics.sqlport.transpile once the file is expanded and written as Spark SQL:
    "unknown_spark_function": "the Spark SQL calls a function Spark 4 does not have (copied through by SQLGlot)",
    "spark_sql_unreadable": "the Spark SQL SQLGlot writes does not parse (SQLGlot writes invalid Spark SQL)",
}

# DuckDB list functions SQLGlot writes as Spark functions of the same meaning (nulls skipped by both): the
# cross-engine tests (tests/test_spark_engine.py) run them. unnest in a select list becomes explode (one row per
# element on both engines); in FROM it is flagged.
PORTED_LIST_FUNCTIONS = {"list_max": "array_max", "list_min": "array_min"}
DATE_DIFF_FUNCTIONS = {"date_diff", "datediff", "date_sub", "datesub"}
DATE_DIFF_UNITS = {"year", "years", "yr", "y", "quarter", "quarters", "month", "months", "mon", "mons"}
DAY_OF_WEEK_PARTS = {"isodow", "dayofweek", "dow", "weekday"}
DATE_PART_FUNCTIONS = {"date_part", "datepart", "extract", "date_trunc", "datetrunc"}
NAME_RULES = {
    "day_of_week": DAY_OF_WEEK_PARTS,
    "strftime": {"strftime", "strptime", "try_strptime"},
    "yearweek": {"yearweek", "isoyear"},
    "interval_helper": {
        "to_years", "to_quarters", "to_months", "to_weeks", "to_days", "to_hours", "to_minutes", "to_seconds",
        "to_milliseconds", "to_microseconds", "to_decades", "to_centuries", "to_millennia",
    },
    # array_length is not listed: SQLGlot writes Spark's size(), the same count for a list (null for a null list
    # in ANSI mode, Spark 4's default); len, its DuckDB alias, becomes length(), which takes strings only.
    "duckdb_list_function": {
        "len", "list", "generate_series", "array_extract", "array_slice",
        "array_to_string", "array_filter", "array_transform", "array_apply", "array_reduce", "array_has",
        "array_has_all", "array_has_any", "array_concat", "array_cat", "array_value", "string_split",
        "string_split_regex", "str_split", "regexp_split_to_array",
    },
    "regexp_match": {"regexp_matches", "regexp_full_match"},
}  # fmt: skip
DUCKDB_ONLY_TYPES = {
    exp.DataType.Type.INT128, exp.DataType.Type.UINT128, exp.DataType.Type.UTINYINT,
    exp.DataType.Type.USMALLINT, exp.DataType.Type.UINT, exp.DataType.Type.UBIGINT, exp.DataType.Type.UUID,
    exp.DataType.Type.JSON, exp.DataType.Type.TIMESTAMP_S, exp.DataType.Type.TIMESTAMP_MS,
    exp.DataType.Type.TIMESTAMP_NS, exp.DataType.Type.TIMETZ, exp.DataType.Type.ENUM, exp.DataType.Type.UNION,
    exp.DataType.Type.BIT,
}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One construct outside the portable subset: where (file relative to analytics/sql, line) and which rule."""

    file: str
    rule: str
    line: int | None
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.rule} ({self.detail})"


def domain_files(folders: tuple[str, ...] = FOLDERS) -> list[str]:
    """The domain SQL files, relative to analytics/sql (e.g. 'metrics/cohort_metrics.sql'), folder by folder."""
    return [
        f"{folder}/{path.name}" for folder in folders for path in sorted((SQL_DIR / folder).glob("*.sql"))
    ]


def lint_file(relative: str) -> list[Finding]:
    return lint_sql((SQL_DIR / relative).read_text(encoding="utf-8"), relative)


def lint_all(folders: tuple[str, ...] = FOLDERS) -> list[Finding]:
    return [finding for relative in domain_files(folders) for finding in lint_file(relative)]


def lint_sql(text: str, file: str = "<sql>") -> list[Finding]:
    """Every construct of text outside the portable subset. file says where it lives: scalar macros are allowed
    in macros/ only (they are expanded before transpiling)."""
    try:
        tokens = sqlglot.tokenize(text, read="duckdb")
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except (ParseError, TokenError) as error:
        return [Finding(file, "parse_error", _error_line(error), str(error).splitlines()[0][:120])]
    findings = _token_findings(tokens, file)
    for statement in statements:
        findings += _tree_findings(statement, file)
    return sorted(findings, key=lambda f: (f.line or 0, f.rule, f.detail))


def _error_line(error: Exception) -> int | None:
    details = getattr(error, "errors", None) or [{}]
    return details[0].get("line")


def _token_findings(tokens: list, file: str) -> list[Finding]:
    """Rules on a function's name (and, for date parts, its first argument): a name followed by '('."""
    findings = []
    for index, token in enumerate(tokens[:-1]):
        if tokens[index + 1].token_type != TokenType.L_PAREN or token.token_type == TokenType.STRING:
            continue
        name = token.text.lower()
        first_argument = tokens[index + 2].text.lower() if index + 2 < len(tokens) else ""
        if name in DATE_DIFF_FUNCTIONS and first_argument in DATE_DIFF_UNITS:
            findings.append(Finding(file, "date_diff_unit", token.line, f"{name}('{first_argument}', …)"))
        if name in DATE_PART_FUNCTIONS and first_argument in DAY_OF_WEEK_PARTS:
            findings.append(Finding(file, "day_of_week", token.line, f"{name}({first_argument} …)"))
        for rule, names in NAME_RULES.items():
            if name in names:
                findings.append(Finding(file, rule, token.line, f"{name}()"))
        if name.startswith("list_") and name not in PORTED_LIST_FUNCTIONS:
            findings.append(Finding(file, "duckdb_list_function", token.line, f"{name}()"))
    return findings


def _tree_findings(statement: exp.Expression, file: str) -> list[Finding]:
    """Rules on the shape of a statement."""
    findings = []

    def add(rule: str, node: exp.Expression, detail: str) -> None:
        findings.append(Finding(file, rule, line_of(node), detail))

    if is_macro(statement):
        name = macro_name(statement)
        if is_table_macro(statement):
            if file.split("/")[0] not in TABLE_MACRO_FOLDERS:
                add("table_macro", statement, name)
        elif not file.startswith(f"{MACRO_FOLDER}/"):
            add("macro_outside_macros", statement, name)
    for node in statement.walk():
        if isinstance(node, exp.Qualify):
            add("qualify", node, "QUALIFY")
        elif isinstance(node, exp.Join) and (node.args.get("method") or "").upper() == "ASOF":
            add("asof_join", node, "ASOF JOIN")
        elif isinstance(node, exp.Union) and node.args.get("by_name"):
            add("union_by_name", node, "UNION BY NAME")
        elif isinstance(node, exp.IntDiv):
            add("integer_division", node, node.sql("duckdb")[:60])
        elif isinstance(node, exp.Div) and not _guarded(node):
            add("unguarded_division", node, node.sql("duckdb")[:60])
        elif isinstance(node, exp.Cast) and node.to.this in DUCKDB_ONLY_TYPES:
            add("duckdb_type_cast", node, f"cast to {node.to.sql('duckdb')}")
        elif isinstance(node, exp.Star) and node.args.get("except_"):
            add("star_exclude", node.parent or node, "* EXCLUDE (…)")
        elif isinstance(node, exp.Unnest) and isinstance(node.parent, exp.From | exp.Join):
            add("duckdb_list_function", node, "unnest in FROM")
        elif isinstance(node, exp.Comprehension):
            add("list_comprehension", node, "[… for … in …]")
        elif isinstance(node, exp.Sub) and _is_date(node.this) and _is_date(node.expression):
            add("date_subtraction", node, node.sql("duckdb")[:60])
        elif (
            isinstance(node, exp.Table)
            and isinstance(node.this, exp.Func)
            and _function_name(node.this).lower() not in expanded_table_macros()
        ):
            add("table_function_call", node, f"{_function_name(node.this)}()")
    return findings


@cache
def expanded_table_macros() -> frozenset[str]:
    """The table functions the expansion replaces: the table macros of TABLE_MACRO_FOLDERS and query_table."""
    names = {"query_table"}
    for folder in TABLE_MACRO_FOLDERS:
        for path in (SQL_DIR / folder).glob("*.sql"):
            for statement in sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb"):
                if statement is not None and is_table_macro(statement):
                    names.add(macro_name(statement))
    return frozenset(names)


def macro_name(create: exp.Create) -> str:
    signature = create.this
    return signature.this.name.lower() if isinstance(signature, exp.UserDefinedFunction) else signature.name


def is_macro(statement: exp.Expression) -> bool:
    return isinstance(statement, exp.Create) and (statement.args.get("kind") or "").upper() == "MACRO"


def is_table_macro(create: exp.Expression) -> bool:
    """A `create macro … as table` (a scalar macro's body is an expression, a table macro's a query)."""
    if not is_macro(create):
        return False
    properties = create.args.get("properties")
    returns_table = any(
        isinstance(p, exp.ReturnsProperty) and p.args.get("is_table")
        for p in (properties.expressions if properties else [])
    )
    return returns_table or isinstance(create.expression, exp.Query)


def _function_name(function: exp.Func) -> str:
    return function.name if isinstance(function, exp.Anonymous) else function.sql_name().lower()


def _guarded(division: exp.Div) -> bool:
    """A denominator that cannot be 0: a non-zero number, nullif(…, 0), or one a CASE tests first (> 0, <> 0)."""
    denominator = division.expression
    while isinstance(denominator, exp.Paren):
        denominator = denominator.this
    if isinstance(denominator, exp.Literal) and not denominator.is_string:
        return float(denominator.this) != 0
    if isinstance(denominator, exp.Nullif) and _is_zero(denominator.expression):
        return True
    node: exp.Expression = division
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.If) and node is parent.args.get("true"):
            condition = parent.this
            tests_denominator = isinstance(condition, exp.GT | exp.NEQ) and condition.this == denominator
            if tests_denominator and _is_zero(condition.expression):
                return True
        node = parent
    return False


def _is_date(node: exp.Expression) -> bool:
    """A term written as a date (a cast to DATE, DATE '…', current_date, such a date ± days): the lint sees
    no column types, so a date column minus another is not caught."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.DATE
    if isinstance(node, exp.Add | exp.Sub):  # a date plus or minus a number of days is a date
        return _is_date(node.this) and not _is_date(node.expression)
    return isinstance(node, exp.CurrentDate)


def _is_zero(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and float(node.this) == 0


def line_of(node: exp.Expression) -> int | None:
    """The line of the first token SQLGlot kept a position for, inside node (None when it kept none)."""
    for inner in node.walk():
        line = inner.meta.get("line") if inner.meta else None
        if line:
            return line
    return None


# --- the ratchet --------------------------------------------------------------------------------------------


def counts(findings: list[Finding]) -> Counter:
    """How many findings of each rule in each file: what the ratchet compares."""
    return Counter((finding.file, finding.rule) for finding in findings)


def known_exceptions(path: Path = KNOWN_EXCEPTIONS) -> Counter:
    listed = json.loads(path.read_text(encoding="utf-8"))["exceptions"]
    return Counter({(entry["file"], entry["rule"]): entry["count"] for entry in listed})


def ratchet(findings: list[Finding], listed: Counter) -> tuple[list[str], list[str]]:
    """(new, gone): findings beyond the listed count of their file and rule — a new non-portable construct —
    and listed entries that occur fewer times than listed (remove them: the list only shrinks)."""
    found = counts(findings)
    new = [
        f"{file}: {rule} ×{count - listed[file, rule]} beyond the {listed[file, rule]} listed — "
        + "; ".join(str(f) for f in findings if (f.file, f.rule) == (file, rule))
        for (file, rule), count in sorted(found.items())
        if count > listed[file, rule]
    ]
    gone = [
        f"{file}: {rule} listed ×{count}, found ×{found[file, rule]}: lower the count in {KNOWN_EXCEPTIONS.name}"
        for (file, rule), count in sorted(listed.items())
        if found[file, rule] < count
    ]
    return new, gone


def write_known_exceptions(findings: list[Finding], path: Path = KNOWN_EXCEPTIONS) -> None:
    """Write today's findings as the list of known exceptions (by hand, once, when the ratchet is created)."""
    document = {
        "about": [
            "The to-do list of the Spark port (issue 17): every construct of the domain SQL (analytics/sql) outside",
            "the portable subset that analytics/sqlport/lint.py checks, counted per file and rule. The test suite",
            "fails on a finding not listed here (a new non-portable construct: write it portably instead) and on",
            "a listed one that no longer occurs (lower its count or remove its entry): this list only shrinks.",
            "Rules: see RULES in analytics/sqlport/lint.py; per-file details: python scripts/sql_portability.py.",
        ],
    }
    entries = [
        json.dumps({"file": file, "rule": rule, "count": count}, ensure_ascii=False)
        for (file, rule), count in sorted(counts(findings).items())
    ]
    head = json.dumps(document, indent=1, ensure_ascii=False)[:-2]  # one entry a line: reviewable diffs
    path.write_text(head + ',\n "exceptions": [\n  ' + ",\n  ".join(entries) + "\n ]\n}\n", encoding="utf-8")
