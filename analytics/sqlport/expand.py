"""Inline the macros of analytics/sql into a query, so that the SQL Spark gets calls none of them.

DuckDB installs `create or replace macro name(args) as expr` in the database; Spark has no macros (`CREATE MACRO`
would be copied through and fail). This pass reads the macro definitions and replaces every call by the macro's
body, each parameter by the call's argument (parenthesised, so precedence is kept), again until no call is left
(a macro calling another one).

Table macros (`as table select …`: the staging and intermediate layers) are expanded by `expand_query` once the
query's own parameters are literals (`bind`): a call in FROM becomes a subquery holding the macro's query, its
parameters replaced by the call's arguments, its CTEs renamed apart (`final` → `final__3`: SQLGlot's Spark SQL
hoists nested CTEs to the top, where two macros' `final` would clash), `query_table('send_facts')` a table.

The real guarantee is a result comparison: tests/test_sql_portability.py runs the original (macros installed)
and the expanded SQL on DuckDB and requires the same rows; tests/spark/ runs the report on both engines.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from analytics.sqlport.lint import (
    MACRO_FOLDER,
    SQL_DIR,
    TABLE_MACRO_FOLDERS,
    is_macro,
    is_table_macro,
    macro_name,
)

MAX_DEPTH = 20  # a macro nesting deeper than this is a cycle


class MacroError(ValueError):
    """A macro cannot be expanded: wrong number of arguments, a cycle, or a table macro."""


@dataclass(frozen=True)
class Macro:
    name: str
    parameters: tuple[str, ...]
    body: exp.Expression | None  # None: a table macro
    query: exp.Expression | None = None  # a table macro's query

    @property
    def is_table(self) -> bool:
        return self.body is None


def parse_macros(text: str) -> dict[str, Macro]:
    """The macros a SQL text defines, by lower-case name."""
    macros = {}
    for statement in sqlglot.parse(text, read="duckdb"):
        if not is_macro(statement):
            continue
        name = macro_name(statement)
        parameters = tuple(p.name.lower() for p in statement.this.expressions)
        if is_table_macro(statement):
            macros[name] = Macro(name, parameters, None, statement.expression)
        else:
            macros[name] = Macro(name, parameters, statement.expression)
    return macros


def domain_macros(folder: Path = SQL_DIR / MACRO_FOLDER) -> dict[str, Macro]:
    """The scalar macros of analytics/sql/macros/*.sql (what install_macros creates first)."""
    macros: dict[str, Macro] = {}
    for path in sorted(folder.glob("*.sql")):
        macros.update(parse_macros(path.read_text(encoding="utf-8")))
    return macros


def domain_table_macros() -> dict[str, Macro]:
    """The table macros of the staging and intermediate layers, by name."""
    macros: dict[str, Macro] = {}
    for folder in TABLE_MACRO_FOLDERS:
        for path in sorted((SQL_DIR / folder).glob("*.sql")):
            macros.update(parse_macros(path.read_text(encoding="utf-8")))
    return macros


def table_macros(text: str) -> list[str]:
    """The names of the table macros a text defines: what this pass cannot expand."""
    return [name for name, macro in parse_macros(text).items() if macro.is_table]


def expand(tree: exp.Expression, macros: dict[str, Macro]) -> exp.Expression:
    """A copy of tree with every call of a scalar macro replaced by its body."""
    return _expand(tree.copy(), macros, depth=0)


def expand_sql(text: str, macros: dict[str, Macro] | None = None) -> str:
    """DuckDB SQL text (one or more statements) with the scalar macros inlined, as DuckDB SQL."""
    macros = domain_macros() if macros is None else macros
    statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    return ";\n".join(expand(s, macros).sql("duckdb", pretty=True) for s in statements)


def macro_calls(tree: exp.Expression, macros: dict[str, Macro]) -> list[str]:
    """The names of the macros tree still calls (empty after expand, table macros aside)."""
    return [call.name.lower() for call in tree.find_all(exp.Anonymous) if call.name.lower() in macros]


def _expand(tree: exp.Expression, macros: dict[str, Macro], depth: int) -> exp.Expression:
    if depth > MAX_DEPTH:
        raise MacroError(f"macros nested more than {MAX_DEPTH} deep (a macro calls itself?)")

    def replace(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Anonymous) or node.name.lower() not in macros:
            return node
        macro = macros[node.name.lower()]
        if macro.is_table:
            if isinstance(node.parent, exp.Table):
                return node  # a table macro in FROM: left as is, the lint reports it
            raise MacroError(f"{macro.name} is a table macro: not expandable")
        arguments = [_expand(argument, macros, depth + 1) for argument in node.expressions]
        if len(arguments) != len(macro.parameters):
            raise MacroError(f"{macro.name} takes {len(macro.parameters)} arguments, got {len(arguments)}")
        body = _substitute(macro.body.copy(), dict(zip(macro.parameters, arguments, strict=True)))
        return exp.Paren(this=_expand(body, macros, depth + 1))

    return tree.transform(replace, copy=False)


def _substitute(
    body: exp.Expression, values: dict[str, exp.Expression], skip_excluded: bool = False
) -> exp.Expression:
    """body with each unqualified column named after a parameter replaced by its argument — except inside a
    lambda that binds the same name (list_transform(…, lambda c: …) in a macro with a parameter c), and, in a
    table macro's query, a column named in `* exclude (…)`."""

    def replace(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Column) or node.table or node.name.lower() not in values:
            return node
        if _bound_by_lambda(node, node.name.lower()):
            return node
        if skip_excluded and isinstance(node.parent, exp.Star):
            return node
        return _wrapped(values[node.name.lower()].copy())

    return body.transform(replace, copy=False)


def _bound_by_lambda(node: exp.Expression, name: str) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.Lambda) and name in {p.name.lower() for p in parent.expressions}:
            return True
        parent = parent.parent
    return False


def _wrapped(argument: exp.Expression) -> exp.Expression:
    """An argument in parentheses unless it is one term (a column, a literal, a parameter, a call)."""
    atomic = (
        exp.Column,
        exp.Literal,
        exp.Placeholder,
        exp.Parameter,
        exp.Func,
        exp.Paren,
        exp.Null,
        exp.Boolean,
    )
    one_term = isinstance(argument, atomic) and not isinstance(argument, exp.Binary)
    return argument if one_term else exp.Paren(this=argument)


# --- parameters as literals, table macros as subqueries ------------------------------------------------------


def literal(value: Any) -> exp.Expression:
    """A Python value as a SQL literal both engines read the same way (a list becomes an array)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("timestamp"))
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    raise MacroError(f"no SQL literal for a {type(value).__name__}")


def bind(tree: exp.Expression, params: dict[str, Any]) -> exp.Expression:
    """A copy of tree with each `$name` replaced by the literal of params[name] (a table macro's arguments must
    be known when it is expanded, so the query's parameters are bound before, as literals)."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder | exp.Parameter):
            name = node.name
            if name not in params:
                raise MacroError(f"no value for the parameter ${name}")
            return literal(params[name])
        return node

    return tree.copy().transform(replace, copy=False)


def expand_query(
    tree: exp.Expression,
    scalars: dict[str, Macro] | None = None,
    tables: dict[str, Macro] | None = None,
    *,
    lenient: bool = False,
) -> exp.Expression:
    """A copy of a (bound) query with every table macro call in FROM replaced by a subquery of its query, then
    every scalar macro inlined: the query as one self-contained SELECT, still in DuckDB's dialect.

    lenient (the portability report, which expands a table macro's own query, its parameters unbound): a
    `query_table(parameter)` reads a table named after the parameter instead of being refused."""
    scalars = domain_macros() if scalars is None else scalars
    tables = domain_table_macros() if tables is None else tables
    expanded = _expand_tables(tree.copy(), tables, itertools.count(1), depth=0, lenient=lenient)
    return expand(expanded, scalars)


def _expand_tables(
    tree: exp.Expression,
    macros: dict[str, Macro],
    counter: itertools.count,
    depth: int,
    lenient: bool = False,
) -> exp.Expression:
    if depth > MAX_DEPTH:
        raise MacroError(f"table macros nested more than {MAX_DEPTH} deep (a macro calls itself?)")

    def replace(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Anonymous):
            return node
        call, alias = node.this, node.args.get("alias")
        name = call.name.lower()
        if name == "query_table":
            (argument,) = call.expressions
            if isinstance(argument, exp.Column) and lenient:
                argument = exp.Literal.string(argument.name)
            if not isinstance(argument, exp.Literal) or not argument.is_string:
                raise MacroError("query_table takes a table name known when the query is expanded")
            return exp.Table(this=exp.to_identifier(argument.this), alias=alias.copy() if alias else None)
        if name not in macros:
            return node
        macro = macros[name]
        if len(call.expressions) != len(macro.parameters):
            raise MacroError(
                f"{macro.name} takes {len(macro.parameters)} arguments, got {len(call.expressions)}"
            )
        query = _substitute(
            macro.query.copy(), dict(zip(macro.parameters, call.expressions, strict=True)), skip_excluded=True
        )
        query = rename_ctes(query, f"__{next(counter)}")
        query = _expand_tables(query, macros, counter, depth + 1, lenient)
        return exp.Subquery(
            this=query, alias=alias.copy() if alias else exp.TableAlias(this=exp.to_identifier(name))
        )

    return tree.transform(replace, copy=False)


def rename_ctes(query: exp.Expression, suffix: str) -> exp.Expression:
    """The query with each of its CTEs renamed name+suffix. A CTE is visible to the CTEs after it and to the
    query's body, never to itself (`contacts as (select … from contacts)` reads the table); a renamed reference
    keeps the old name as its alias, so `facts.sent_date` still resolves."""
    for with_ in list(query.find_all(exp.With)):
        ctes = list(with_.expressions)
        owner = with_.parent
        for index, cte in enumerate(ctes):
            old = cte.alias_or_name.lower()
            new = f"{cte.alias_or_name}{suffix}"
            scopes = [c.this for c in ctes[index + 1 :]]
            scopes += [value for key, value in owner.args.items() if key != "with_" and key != "with"]
            for scope in scopes:
                for item in scope if isinstance(scope, list) else [scope]:
                    if not isinstance(item, exp.Expression):
                        continue
                    for table in list(item.find_all(exp.Table)):
                        if table.db or table.name.lower() != old or isinstance(table.this, exp.Anonymous):
                            continue
                        if not table.args.get("alias"):
                            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
                        table.set("this", exp.to_identifier(new))
            cte.set("alias", exp.TableAlias(this=exp.to_identifier(new)))
    return query
