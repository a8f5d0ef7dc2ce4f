"""The language a person reads (analytics/i18n.py), how figures are written in it (analytics/formats.py), and
the catalogs (scripts/catalog.py)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
import threading
from pathlib import Path

import pytest

from analytics import formats, i18n
from analytics.errors import UserError

NNBSP, NBSP = (
    "\u202f",
    "\u00a0",
)  # French typography: narrow no-break space between thousands, no-break before %


def _catalog_script():
    path = Path(__file__).parents[1] / "scripts" / "catalog.py"
    spec = importlib.util.spec_from_file_location("catalog_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- formats, by hand ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # 3933 people; 0.125 and 0.691 as rates with one decimal; 0.425 and 0.003 as thresholds (exact, no
        # trailing zero); 1234567.891 with two decimals.
        ("fr", ["3" + NNBSP + "933", "12,5" + NBSP + "%", "69,1" + NBSP + "%", "42,5" + NBSP + "%",
                "0,3" + NBSP + "%", "1" + NNBSP + "234" + NNBSP + "567,89"]),
        ("en", ["3,933", "12.5%", "69.1%", "42.5%", "0.3%", "1,234,567.89"]),
    ],
)  # fmt: skip
def test_numbers_in_each_language(language, expected):
    with i18n.within(language):
        shown = [
            formats.number(3933),
            formats.percent(0.125),
            formats.percent(0.691),
            formats.threshold(0.425),
            formats.threshold(0.003),
            formats.number(1234567.891, 2),
        ]
    assert shown == expected


def test_dates_weeks_and_times_in_each_language():
    day = dt.date(2026, 11, 22)  # a Sunday of ISO week 47
    new_year = dt.date(2027, 1, 1)  # a Friday: ISO week 53 of 2026
    summer = dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC)  # 14:05 in Paris (UTC+2 in summer)
    winter = dt.datetime(2026, 12, 31, 23, 30)  # naive = UTC; 00:30 on 1 January in Paris (UTC+1)
    with i18n.within("fr"):
        assert formats.date_numeric(day) == "22/11/2026"
        assert formats.date_text(day) == "22 nov. 2026"
        assert (formats.week(day), formats.week(new_year)) == ("S47", "S53")
        assert formats.time_of_day(summer) == "14:05"
        assert formats.moment_text(winter) == "1 janv. 2027 00:30"
    with i18n.within("en"):
        assert formats.date_numeric(day) == "2026-11-22"
        assert formats.date_text(day) == "22 Nov 2026"
        assert (formats.week(day), formats.week(new_year)) == ("2026-W47", "2026-W53")
        # the brand's time zone in both languages (default Europe/Paris), the zone said by the column or sentence
        assert formats.time_of_day(summer) == "14:05"
        assert formats.moment_text(winter) == "01 Jan 2027 00:30"


def test_a_missing_figure_is_said_not_zero():
    assert formats.percent(None) == formats.NO_DATA
    assert formats.percent(None, missing=formats.NO_DATA_MARK) == "—"
    assert formats.number(None) == "—"


# --- the language of a context -------------------------------------------------------------------------------


def test_the_environment_chooses_the_language_of_the_cli(monkeypatch):
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "FR ")
    assert i18n.current() == "fr"
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "de")
    with pytest.raises(UserError, match="Unknown language 'de'"):
        i18n.current()
    monkeypatch.delenv(i18n.ENV_LANGUAGE)
    assert i18n.current() == i18n.DEFAULT_LANGUAGE


def test_two_sessions_speak_their_own_language_at_once():
    # One server, two people: each thread (a Streamlit session's script run) sets its own language; neither
    # changes the other's, and nothing is installed process-wide.
    seen: dict[str, list[str]] = {}
    barrier = threading.Barrier(2)

    def session(language: str) -> None:
        i18n.use(language)
        barrier.wait()  # both languages set before either formats
        seen[language] = [i18n.current(), formats.percent(0.5)]

    threads = [threading.Thread(target=session, args=(language,)) for language in ("fr", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"fr": ["fr", "50,0" + NBSP + "%"], "en": ["en", "50.0%"]}
    assert i18n.current() == i18n.from_environment()  # this thread untouched


def test_within_gives_back_the_language_of_before():
    with i18n.within("fr"):
        with i18n.within("en"):
            assert i18n.current() == "en"
        assert i18n.current() == "fr"


# --- the catalogs ---------------------------------------------------------------------------------------------


def test_every_marked_text_has_its_french_translation():
    # scripts/catalog.py check, on the code as it is: a text marked with _() (or N_, ngettext, {% trans %})
    # that the French catalog lacks, leaves fuzzy or translates with other placeholders fails here.
    assert _catalog_script().problems("fr") == []


def test_french_punctuation_is_typeset_with_no_break_spaces():
    # French puts a space before : ; ! ? and inside « » — a no-break one, or the sign starts the next line on
    # a narrow screen ("suivie\n: Arrêter"). Every French text of the catalog holds to it.
    script = _catalog_script()
    catalog = script.read(i18n.catalog_path("fr"), "fr")
    wrong = []
    for message in (m for m in catalog if m.id):  # the header (no id) is not a text anyone reads
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if re.search(r" [:;!?»]|« ", text or ""):
                wrong.append(text)
    assert wrong == []


def test_the_catalog_check_names_what_is_missing(tmp_path, monkeypatch):
    # A copy of the catalogs without their entries: every text the code marks is then reported missing, with
    # where it is marked. (Until texts are marked, one is added to a copy of the code's own catalog.)
    script = _catalog_script()
    marked = [m for m in script.extract() if m.id]
    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALE_DIR, copy)
    target = copy / "fr" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    lines = target.read_text(encoding="utf-8").split("\n\n")
    target.write_text(lines[0] + "\n", encoding="utf-8")  # the header only
    monkeypatch.setattr(i18n, "LOCALE_DIR", copy)
    monkeypatch.setattr(script, "extract", lambda real=script.extract: _with_one_more(real()))
    found = script.problems("fr")
    assert len(found) == len(marked) + 1
    assert any("missing: 'A text nobody translated'" in problem for problem in found)


def _with_one_more(catalog):
    catalog.add("A text nobody translated", locations=[("dashboard/views/example.py", 7)])
    return catalog


def test_action_badges_colour_the_labels_of_the_sessions_language():
    # The badge colour is looked up from the label shown: in French, "Arrêter" (stop) must get stop's colours,
    # as "Stop" does in English; an unknown label none.
    import pandas as pd

    from dashboard import tables

    table = pd.DataFrame({"Action": ["Arrêter", "Maintenir", "Inconnue"]})
    with i18n.within("fr"):
        styles = tables.with_action_badges(table, ["Action"])._compute().ctx
    # palette.ACTION_COLOURS: stop #B03A2E, hold #5D6D7E, both with white bold text.
    assert styles[(0, 0)] == [("background-color", "#B03A2E"), ("color", "#FFFFFF"), ("font-weight", "600")]
    assert styles[(1, 0)] == [("background-color", "#5D6D7E"), ("color", "#FFFFFF"), ("font-weight", "600")]
    assert not styles.get((2, 0))


def test_every_evidence_reason_the_registry_query_writes_is_translated():
    # metrics/source_registry.sql writes the reasons in English; each must be one the vocabulary marks, so that
    # Compliance, the review and the report show it in the reader's language.
    import re

    from analytics.store import sql
    from analytics.vocabulary import EVIDENCE_REASONS, evidence_reason

    written = re.findall(r"then\s+'([^']+)'\s+end", sql.sql_text("sql/metrics/source_registry.sql"))
    assert sorted(written) == sorted(EVIDENCE_REASONS)
    with i18n.within("fr"):
        assert evidence_reason("not in the registry") == "absente du registre"
        assert evidence_reason("oral channel without evidence") == "canal oral sans preuve"
