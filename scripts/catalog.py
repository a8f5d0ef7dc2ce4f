"""The message catalogs: extract the marked texts, merge them into each language's catalog, check them.

    python scripts/catalog.py update   # analytics/locales/optout_cohorts.pot, then each .po merged with it
    python scripts/catalog.py check    # exit 1 when a language lacks a translation or mangles a placeholder

After `update`, translate the new entries of analytics/locales/<language>/LC_MESSAGES/optout_cohorts.po (an
entry Babel guessed from a similar one is marked fuzzy: check it and remove the flag). tests/test_catalog.py runs
`check`'s rules on every test run.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics import i18n  # noqa: E402  (the checkout's own, whatever is installed)

TEMPLATE = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
METHODS = [
    ("analytics/**.py", "python"),
    ("dashboard/**.py", "python"),
    ("analytics/report/templates/**.j2", "jinja2.ext:babel_extract"),
]
OPTIONS = {"analytics/report/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]|%[sd]")


def extract() -> Catalog:
    """Every marked text of analytics/ and dashboard/ (Python and the report template), with where it is."""
    catalog = Catalog(domain=i18n.DOMAIN, project="optout-cohorts", charset="utf-8")
    for folder in ("analytics", "dashboard"):
        found = extract_from_dir(
            ROOT / folder,
            method_map=[
                (pattern.removeprefix(f"{folder}/"), method)
                for pattern, method in METHODS
                if pattern.startswith(f"{folder}/")
            ],
            options_map={key.removeprefix(f"{folder}/"): value for key, value in OPTIONS.items()},
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            where = f"{folder}/{filename}"
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return catalog


def read(path: Path, language: str | None = None) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=i18n.LOCALES[language] if language else None, domain=i18n.DOMAIN)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=110, sort_output=False, include_previous=True)


def update() -> None:
    template = extract()
    write(TEMPLATE, template)
    for language in i18n.LANGUAGES:
        if language == i18n.SOURCE_LANGUAGE:
            continue
        path = i18n.catalog_path(language)
        if path.exists():
            catalog = read(path, language)
            catalog.update(template, update_header_comment=False)
            catalog.obsolete.clear()  # a text the code no longer marks: its translation stays in git's history
        else:
            catalog = Catalog(locale=i18n.LOCALES[language], domain=i18n.DOMAIN, project="optout-cohorts")
            catalog.update(template)
        write(path, catalog)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages", file=sys.stderr)


def problems(language: str) -> list[str]:
    """What the language's catalog lacks for the texts the code marks today."""
    catalog = read(i18n.catalog_path(language), language)
    found = []
    for message in extract():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
        if entry is None:
            found.append(f"missing: {message.id!r} ({where}): run scripts/catalog.py update and translate it")
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            found.append(f"untranslated or fuzzy: {message.id!r} ({where})")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                found.append(f"placeholders differ: {message.id!r} → {string!r} ({where})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("update", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
        return 0
    failed = 0
    for language in i18n.LANGUAGES:
        if language != i18n.SOURCE_LANGUAGE:
            for problem in problems(language):
                print(f"{language}: {problem}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
