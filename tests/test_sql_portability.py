"""The domain SQL stays portable to Spark (issue 17): the lint and its ratchet, the macro expansion (checked by
running both forms on DuckDB), the Spark transpile and its function-existence check, the SQLGlot pin."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter

import duckdb
import pytest
import sqlglot

from analytics.sqlport import expand, lint, transpile
from analytics.store import sql
from analytics.store.paths import PROJECT_ROOT

# --- the ratchet: today's findings are the to-do list of the Spark port, which only shrinks -----------------


def test_no_finding_beyond_the_known_exceptions_and_none_listed_that_went_away():
    new, gone = lint.ratchet(transpile.portability_findings(), lint.known_exceptions())
    assert not new, "a construct outside the portable subset (write it portably):\n" + "\n".join(new)
    assert not gone, "fixed — remove it from analytics/sqlport/known_exceptions.json:\n" + "\n".join(gone)


def test_the_ratchet_reports_a_new_finding_and_a_listed_one_that_went_away():
    found = [lint.Finding("metrics/x.sql", "qualify", 3, "QUALIFY")]
    listed = Counter({("metrics/x.sql", "qualify"): 1, ("metrics/y.sql", "asof_join"): 1})
    # x: found once, listed once → fine; y: listed, not found → gone; a second QUALIFY in x → new.
    new, gone = lint.ratchet(found, listed)
    assert new == [] and len(gone) == 1
    new, gone = lint.ratchet([*found, lint.Finding("metrics/x.sql", "qualify", 9, "QUALIFY")], listed)
    assert len(new) == 1 and new[0].startswith("metrics/x.sql: qualify ×1 beyond the 1 listed")
    assert len(gone) == 1 and gone[0].startswith("metrics/y.sql: asof_join listed ×1, found ×0")


def test_every_rule_of_the_known_exceptions_is_a_rule_of_the_lint():
    assert {rule for _, rule in lint.known_exceptions()} <= set(lint.RULES)


# --- the lint: each trap of issue 17 on a tiny snippet --------------------------------------------------------

TRAPS = [
    ("date_diff_unit", "select date_diff('year', born, today) from people"),
    ("date_diff_unit", "select datediff('month', a, b) from t"),
    ("day_of_week", "select extract(isodow from d) from t"),
    ("day_of_week", "select date_part('isodow', d) from t"),
    ("day_of_week", "select isodow(d), dayofweek(d) from t"),
    ("qualify", "select a from t qualify row_number() over (order by a) = 1 order by a limit 5"),
    ("qualify", "select a, count(*) as n from t group by a qualify rank() over (order by count(*)) = 1"),
    ("macro_outside_macros", "create or replace macro twice(x) as x * 2"),
    ("table_macro", "create macro recent(d) as table select * from t where day >= d"),
    ("interval_helper", "select d + to_years(3) from t"),
    ("strftime", "select try_strptime(s, '%d/%m/%Y') from t"),
    ("strftime", "select strftime(d, '%G-W%V') from t"),
    ("yearweek", "select yearweek(d) from t"),
    ("asof_join", "select * from a asof join b on a.id = b.id and a.t >= b.t"),
    ("union_by_name", "select 1 as a union all by name select 2 as a"),
    ("unguarded_division", "select clicks / delivered from t"),
    ("integer_division", "select a // b from t"),
    ("regexp_match", "select regexp_matches(s, '^a') from t"),
    ("regexp_match", "select regexp_full_match(s, 'a+') from t"),
    ("duckdb_list_function", "select list_extract(l, 1), len(l) from t"),
    ("duckdb_type_cast", "select x::hugeint, y::ubigint from t"),
    ("table_function_call", "select * from read_csv('contacts.csv')"),
    ("star_exclude", "select * exclude (as_of) from t"),
    ("list_comprehension", "select [r for r in reasons if r is not null] from t"),
    ("date_subtraction", "select $as_of::date - $window_start::date + 1"),
    ("parse_error", "select (1 from"),
]


@pytest.mark.parametrize(("rule", "snippet"), TRAPS, ids=[f"{rule}-{i}" for i, (rule, _) in enumerate(TRAPS)])
def test_the_lint_flags_each_trap(rule, snippet):
    findings = lint.lint_sql(snippet, "metrics/snippet.sql")
    assert rule in {f.rule for f in findings}, findings


def test_the_lint_gives_the_line_of_a_finding():
    snippet = "select a,\n    b\nfrom t\nqualify row_number() over (order by a) = 1"
    (finding,) = lint.lint_sql(snippet, "metrics/snippet.sql")
    assert (finding.rule, finding.line) == ("qualify", 4)


@pytest.mark.parametrize(
    "snippet",
    [
        "select clicks / nullif(delivered, 0) from t",
        "select case when delivered > 0 then clicks / delivered end from t",
        "select total / 100.0 from t",
        "select date_diff('day', a, b), extract(year from d) from t",
        # comments are not code: the lint reads tokens and the tree, never the text
        "-- date_diff('year', …) counts boundaries; isodow; QUALIFY\nselect 1",
    ],
)
def test_the_portable_forms_are_not_flagged(snippet):
    assert lint.lint_sql(snippet, "metrics/snippet.sql") == []


def test_a_scalar_macro_is_allowed_in_the_macros_folder_only():
    text = "create or replace macro twice(x) as x * 2"
    assert lint.lint_sql(text, "macros/99_test.sql") == []
    assert [f.rule for f in lint.lint_sql(text, "metrics/x.sql")] == ["macro_outside_macros"]


# --- the macro expansion -----------------------------------------------------------------------------------

SMALL_MACROS = """
create or replace macro twice(x) as x * 2;
create or replace macro outer_sum(a, b) as twice(a + b) - 1;
create or replace macro safe_rate(n, d) as case when d > 0 then n::double / d end;
create or replace macro plus_each(l, c) as list_transform(l, lambda c: c + 1);
create or replace macro recent(d) as table select 1 as x;
"""


@pytest.fixture
def small():
    con = duckdb.connect(":memory:")
    con.execute(SMALL_MACROS)
    yield con, expand.parse_macros(SMALL_MACROS)
    con.close()


def test_a_macro_calling_another_one_is_expanded_with_its_arguments_in_parentheses(small):
    con, macros = small
    query = "select outer_sum(1, 2) * 10 as v, twice(3 - 1) as w, safe_rate(1, 0) as r, safe_rate(1, 4) as s"
    expanded = expand.expand_sql(query, macros)
    assert expand.macro_calls(sqlglot.parse_one(expanded, read="duckdb"), macros) == []
    # outer_sum(1, 2) = twice(1 + 2) - 1 = 5, × 10 = 50 (without parentheses: 1 + 2 * 2 - 1 = 4 → 40);
    # twice(3 - 1) = 4 (not 3 - 1 * 2 = 1); safe_rate(1, 0) is null; safe_rate(1, 4) = 0.25
    assert con.execute(expanded).fetchall() == con.execute(query).fetchall() == [(50, 4, None, 0.25)]


def test_a_lambda_parameter_named_like_a_macro_parameter_is_left_alone(small):
    con, macros = small
    query = "select plus_each([1, 2], 100) as v"
    expanded = expand.expand_sql(query, macros)
    # c inside `lambda c: c + 1` is the lambda's own: [2, 3], never [101, 101]
    assert con.execute(expanded).fetchall() == con.execute(query).fetchall() == [([2, 3],)]


def test_a_scalar_expansion_leaves_table_macros_and_a_wrong_call_is_an_error(small):
    _, macros = small
    assert expand.table_macros(SMALL_MACROS) == ["recent"]
    assert "RECENT(" in expand.expand_sql("select * from recent(current_date)", macros).upper()
    with pytest.raises(expand.MacroError, match="takes 1 arguments, got 2"):
        expand.expand_sql("select twice(1, 2)", macros)
    with pytest.raises(expand.MacroError, match="a macro calls itself"):
        expand.expand_sql("select loop(1)", expand.parse_macros("create macro loop(x) as loop(x) + 1"))


TABLE_MACROS = """
create table t as select * from (values (1, 10), (2, 20), (3, 30)) as v(k, amount);
create table facts_a as select 5 as k;
create macro above(m) as table
    with t as (select * from t where amount > m), final as (select k from t)
    select * from final;
create macro both_above(m) as table
    with final as (select a.k from above(m) as a join above(m - 15) as b using (k))
    select * from final;
create macro read_named(name) as table select * from query_table(name);
"""


def test_a_table_macro_becomes_a_subquery_with_its_ctes_renamed_apart():
    con = duckdb.connect(":memory:")
    con.execute(TABLE_MACROS)
    tables = expand.parse_macros(TABLE_MACROS)
    query = "select * from both_above($m) as x order by k"
    bound = expand.bind(sqlglot.parse_one(query, read="duckdb"), {"m": 15})
    expanded = expand.expand_query(bound, {}, tables).sql("duckdb")
    assert "above(" not in expanded.lower() and "$m" not in expanded
    # Three expansions, three suffixes: above's `final` and both_above's `final` no longer collide in Spark
    # (which hoists nested CTEs), and `t as (select … from t)` still reads the table t, not itself.
    assert {"final__1", "final__2", "final__3", "t__2", "t__3"} <= set(re.findall(r"\b\w+__\d\b", expanded))
    # above(15) = {2, 3}, above(0) = {1, 2, 3}: both = {2, 3}
    assert con.execute(expanded).fetchall() == con.execute(query, {"m": 15}).fetchall() == [(2,), (3,)]
    named = expand.expand_query(
        sqlglot.parse_one("select * from read_named('facts_a')", read="duckdb"), {}, tables
    )
    assert con.execute(named.sql("duckdb")).fetchall() == [(5,)]
    with pytest.raises(expand.MacroError, match="takes 1 arguments, got 2"):
        expand.expand_query(sqlglot.parse_one("select * from above(1, 2)", read="duckdb"), {}, tables)
    with pytest.raises(expand.MacroError, match="no value for the parameter"):
        expand.bind(sqlglot.parse_one("select $missing", read="duckdb"), {})
    con.close()


def _report_queries(latest: dt.date) -> dict[str, dict]:
    """Every metrics query with parameters the report and the pages give it (a 4-week window, 3 years)."""
    start, dates = latest - dt.timedelta(days=27), [latest - dt.timedelta(days=28), latest]
    rates = {"retention_years": 3, "baseline_opt_in_only": False, "include_complaints": True}
    sources = ["web_checkout", "partner_coreg", "store_pos"]
    return {
        "cohort_metrics": {"report_dates": dates, "window_days": 28, **rates},
        "weekly_rates": {"as_of": latest, "weeks": 12, **rates},
        "eligibility": {"report_dates": dates, "retention_years": 3, "expiring_days": 90},
        "violations": {"as_of": latest, "window_start": start, "retention_years": 3},
        "violation_sends": {"as_of": latest, "window_start": start, "retention_years": 3, "sources": sources},
        "window_sends": {"as_of": latest, "window_start": start, "retention_years": 3, "sources": sources},
        "soft_opt_in_contacts": {"report_dates": dates, "retention_years": 3, "sources": sources},
        "contact_lists": {
            "as_of": latest, "retention_years": 3, "expiring_days": 90, "sources": sources, "status": "soft_opt_in",
        },
        "expiring": {"as_of": latest, "retention_years": 3},
        "purge_expired": {"as_of": latest, "retention_years": 3, "until": latest},
        "retention_changes": {"as_of": latest, "previous": start, "retention_years": 3, "expiring_days": 90},
        "data_quality": {"as_of": latest},
        "latest_send_date": {},
        "source_registry": {},
    }  # fmt: skip


def test_every_metrics_query_fully_expanded_gives_the_same_rows_on_the_demo_brand(demo_db):
    """What the Spark engine runs (parameters as literals, every macro expanded), run back on DuckDB: the same
    rows as the query with its macros installed — the expansion itself is right before Spark is involved."""
    latest = _demo_dates(demo_db)[0]
    queries = _report_queries(latest)
    assert set(queries) == {path.stem for path in (lint.SQL_DIR / "metrics").glob("*.sql")}
    for name, params in queries.items():
        original = sql.records(demo_db, f"metrics/{name}", **params)
        tree = expand.bind(sqlglot.parse_one(sql.query_text(f"metrics/{name}"), read="duckdb"), params)
        expanded = expand.expand_query(tree)
        assert expand.macro_calls(expanded, {**expand.domain_macros(), **expand.domain_table_macros()}) == []
        cursor = demo_db.execute(expanded.sql("duckdb"))
        columns = [d[0] for d in cursor.description]
        assert [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()] == original, name
        assert name in ("latest_send_date", "source_registry", "purge_expired") or original, name


def test_every_scalar_macro_of_the_domain_expands_to_sql_without_macro_calls():
    macros = expand.domain_macros()
    assert "send_known_on" in macros and "oc_rate" in macros
    for name, macro in macros.items():
        arguments = ", ".join(f"c{i}" for i in range(len(macro.parameters)))
        expanded = expand.expand(
            sqlglot.parse_one(f"select {name}({arguments}) from t", read="duckdb"), macros
        )
        assert expand.macro_calls(expanded, macros) == [], name


def _rows(con, text: str, params: dict) -> list[tuple]:
    return con.execute(text, params).fetchall()


def _demo_dates(con) -> list[dt.date]:
    latest = sql.records(con, "metrics/latest_send_date")[0]["latest_send_date"]
    return [latest - dt.timedelta(days=7 * weeks) for weeks in (0, 1, 5, 13)]


@pytest.mark.parametrize("include_complaints", [False, True])
def test_the_expanded_cohort_metrics_give_the_same_rows_on_the_demo_brand(demo_db, include_complaints):
    original = sql.query_text("metrics/cohort_metrics")
    expanded = expand.expand_sql(original)
    assert "oc_rate" in original and "oc_rate" not in expanded.lower()
    params = {
        "report_dates": _demo_dates(demo_db),
        "window_days": 28,
        "retention_years": 3,
        "baseline_opt_in_only": False,
        "include_complaints": include_complaints,
    }
    rows = _rows(demo_db, original, params)
    assert len(rows) > 4 and any(row[-1] is not None for row in rows)  # ratios computed, not all null
    assert _rows(demo_db, expanded, params) == rows


def test_the_expanded_weekly_rates_give_the_same_rows_on_the_demo_brand(demo_db):
    original = sql.query_text("metrics/weekly_rates")
    params = {
        "as_of": _demo_dates(demo_db)[0],
        "weeks": 12,
        "retention_years": 3,
        "baseline_opt_in_only": True,
        "include_complaints": False,
    }
    rows = _rows(demo_db, original, params)
    assert rows
    assert _rows(demo_db, expand.expand_sql(original), params) == rows


def test_the_sends_with_the_send_macros_expanded_are_the_same_sends(demo_db):
    # int_sends_as_of asks send_known_on and delivered_on_date (macros/10_send.sql) what a send is: the same
    # table macro with both expanded must give the same rows.
    create = sqlglot.parse_one(sql.sql_text("sql/intermediate/int_sends_as_of.sql"), read="duckdb")
    expanded = expand.expand(create, expand.domain_macros())
    assert expand.macro_calls(expanded, expand.domain_macros()) == []
    expanded.this.this.set("this", sqlglot.exp.to_identifier("int_sends_as_of_expanded"))
    text = expanded.sql("duckdb", comments=False)
    assert "send_known_on" not in text.lower() and "int_sends_as_of_expanded" in text
    demo_db.execute(re.sub(r"(?i)^create or replace macro", "create or replace temp macro", text))
    query = "select * from {}($dates, 3, 28, 'send_facts') order by all"
    params = {"dates": _demo_dates(demo_db)}
    rows = _rows(demo_db, query.format("int_sends_as_of"), params)
    assert len(rows) > 100 and {row[7] for row in rows} == {True, False}  # delivered and undelivered sends
    assert _rows(demo_db, query.format("int_sends_as_of_expanded"), params) == rows


# --- the transpile to Spark and the function-existence check ------------------------------------------------


def test_a_duckdb_only_function_is_flagged_after_transpiling():
    (spark_sql,) = transpile.to_spark("select nfc_normalize(name), d + to_years(3), upper(name) from t", {})
    assert transpile.unknown_functions(spark_sql) == ["nfc_normalize", "to_years"]


def test_functions_sqlglot_renames_for_spark_are_known():
    # list_contains → array_contains, regexp_replace stays, epoch_ms → timestamp_millis: all Spark built-ins
    text = (
        "select list_contains(l, 1), regexp_replace(s, 'a', 'b'), epoch_ms(3), count(*) from t group by all"
    )
    (spark_sql,) = transpile.to_spark(text, {})
    assert "ARRAY_CONTAINS" in spark_sql
    assert transpile.unknown_functions(spark_sql) == []


def test_a_macro_call_is_expanded_before_transpiling():
    (spark_sql,) = transpile.to_spark("select oc_rate(clicks, delivered) as r from t")
    assert "oc_rate" not in spark_sql.lower() and "CASE WHEN" in " ".join(spark_sql.split())
    assert transpile.unknown_functions(spark_sql) == []


def test_the_spark_function_list_is_spark_4():
    names = transpile.spark_functions()
    # try_divide (3.2), any_value (3.4), array_append (3.4), try_parse_json and collation (4.0) are there
    assert {"try_divide", "any_value", "array_append", "try_parse_json", "collation", "date_trunc"} <= names
    assert not {"to_years", "list_extract", "nfc_normalize", "getvariable", "strptime"} & names


def test_a_fact_build_step_transpiles_cleanly():
    report = transpile.report_file("facts/30_contact_facts.sql")
    assert report.status == "transpiles cleanly", report


# --- the pin ------------------------------------------------------------------------------------------------


def test_sqlglot_is_the_pinned_version():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {
        requirement.split("==")[1]
        for extra in ("test", "spark")
        for requirement in project["optional-dependencies"][extra]
        if requirement.startswith("sqlglot==")
    }
    assert pins == {sqlglot.__version__}
