"""The domain SQL on another engine: keep it in a portable subset, expand its macros, transpile it to Spark SQL.

The domain is written once, in DuckDB-dialect SQL files (analytics/sql); a Spark engine runs them transpiled by
SQLGlot (pinned in pyproject.toml: a new SQLGlot may transpile differently). Some DuckDB constructs give a
different result on Spark with no error, others are copied through and fail there (issue 17): `lint` finds them,
`expand` inlines the scalar macros Spark does not have, `transpile` writes Spark SQL and checks that every
function it calls exists in Spark 4. What is not portable yet is listed in known_exceptions.json, the to-do list
of the Spark port, which may only shrink (tests/test_sql_portability.py).
"""
