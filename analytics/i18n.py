"""The language a person reads: gettext catalogs managed with Babel, one translation chosen per context.

Texts are written in English in the code and marked: `_("Cohort health")`, `ngettext(singular, plural, n)`
for counts, `N_("…")` for a text declared before anyone reads it (a label in a table of constants), translated
where it is shown. `scripts/catalog.py` extracts the marked texts (Python and the Jinja2 report template) into
`analytics/locales/optout_cohorts.pot` and merges them into each language's `.po` file; the `.po` is read and
compiled in memory when a language is first used, so no compiled file is kept in the repository.

The language is a context variable, never a process-wide `gettext.install`: one dashboard server serves several
people at once, each in their own session and language. The dashboard sets it at the start of every script run
(`use`), the CLI, the digest and the HTML report take it from OPTOUT_COHORTS_LANGUAGE, and code that runs
outside a script run (a download built on click) captures it and runs `within` it.
"""

from __future__ import annotations

import contextlib
import functools
import gettext as gettext_module
import io
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = {"fr": "Français", "en": "English"}  # code → its name in itself, as a language menu shows it
DEFAULT_LANGUAGE = "fr"  # the users are French CRM and emailing teams
ENV_LANGUAGE = "OPTOUT_COHORTS_LANGUAGE"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}  # Babel locale of each language: numbers, dates, month names
DOMAIN = "optout_cohorts"
LOCALE_DIR = Path(__file__).parent / "locales"
SOURCE_LANGUAGE = "en"  # the language the texts are written in: it needs no catalog

_language: ContextVar[str | None] = ContextVar("optout_cohorts_language", default=None)


def checked(language: str) -> str:
    """The language code, or a UserError naming the ones the product speaks."""
    code = (language or "").strip().lower()
    if code not in LANGUAGES:
        from analytics.errors import UserError  # here: errors' own messages are translated (no import cycle)

        known = ", ".join(LANGUAGES)
        raise UserError(f"Unknown language {language!r}: use one of {known}.")
    return code


def from_environment() -> str:
    """The language OPTOUT_COHORTS_LANGUAGE asks for (the CLI, the digest, the report), else the default."""
    value = os.environ.get(ENV_LANGUAGE, "").strip()
    return checked(value) if value else DEFAULT_LANGUAGE


def current() -> str:
    """The language of this context: the one set by `use`/`within`, else the environment's."""
    return _language.get() or from_environment()


def use(language: str) -> None:
    """Speak `language` in this context from now on (a Streamlit script run: its thread's context)."""
    _language.set(checked(language))


@contextlib.contextmanager
def within(language: str) -> Iterator[None]:
    """Speak `language` inside the block, then the language of before."""
    token = _language.set(checked(language))
    try:
        yield
    finally:
        _language.reset(token)


def locale() -> str:
    """The Babel locale of the current language (fr_FR, en_GB)."""
    return LOCALES[current()]


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translation(language: str) -> gettext_module.NullTranslations:
    """The translation of a language, its catalog compiled in memory once per process."""
    if language == SOURCE_LANGUAGE:
        return gettext_module.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(catalog_path(language), "rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def _(message: str) -> str:
    """The message in the current language."""
    return translation(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for `count`, in the current language (French: 0 and 1 are singular)."""
    return translation(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it now: it is translated where it is shown."""
    return message
