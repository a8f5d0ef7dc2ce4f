"""Inline the scalar macros of analytics/sql/macros into a query, so that the SQL Spark gets calls none of them.

DuckDB installs `create or replace macro name(args) as expr` in the database; Spark has no macros (`CREATE MACRO`
would be copied through and fail). This pass reads the macro definitions and replaces every call by the macro's
body, each parameter by the call's argument (parenthesised, so precedence is kept), again until no call is left
(a macro calling another one). Table macros (`as table select …`) are not expanded: they are reported
(unsupported) and stay listed in known_exceptions.json until the layers they build are written another way.
The real guarantee is a result comparison: tests/test_sql_portability.py runs the original (macros installed)
and the expanded SQL on DuckDB and requires the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

from analytics.sqlport.lint import MACRO_FOLDER, SQL_DIR, is_macro, is_table_macro, macro_name

MAX_DEPTH = 20  # a macro nesting deeper than this is a cycle


class MacroError(ValueError):
    """A macro cannot be expanded: wrong number of arguments, a cycle, or a table macro."""


@dataclass(frozen=True)
class Macro:
    name: str
    parameters: tuple[str, ...]
    body: exp.Expression | None  # None: a table macro (not expandable)

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
        body = None if is_table_macro(statement) else statement.expression
        macros[name] = Macro(name, parameters, body)
    return macros


def domain_macros(folder: Path = SQL_DIR / MACRO_FOLDER) -> dict[str, Macro]:
    """The scalar macros of analytics/sql/macros/*.sql (what install_macros creates first)."""
    macros: dict[str, Macro] = {}
    for path in sorted(folder.glob("*.sql")):
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


def _substitute(body: exp.Expression, values: dict[str, exp.Expression]) -> exp.Expression:
    """body with each unqualified column named after a parameter replaced by its argument — except inside a
    lambda that binds the same name (list_transform(…, lambda c: …) in a macro with a parameter c)."""

    def replace(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Column) or node.table or node.name.lower() not in values:
            return node
        if _bound_by_lambda(node, node.name.lower()):
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
