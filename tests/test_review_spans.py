"""Figures quoted with their span (issue 16): an action is quoted with its window's dissatisfaction (the rate it
was decided on), a week's rate is labelled as the week's; times in the brand's time zone."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest

from analytics import formats, i18n, store
from analytics.errors import UserError
from analytics.report import review
from analytics.store import decisions
from tests.apptest import table
from tests.test_review import LOOSE, WEEK_END, weeks  # noqa: F401  (weeks: the fixture of the review's tests)

NBSP = "\u00a0"
STOPS = LOOSE.replace(stop_above=0.2, ramp_up_below=0.1)


def test_the_summary_quotes_the_window_rate_beside_the_action_and_labels_the_weeks(weeks):  # noqa: F811
    # tests/test_review.py's fixture. web over the 4 weeks to 2026-03-15 (campaigns C, A, B): unsubscribers a2, b4
    # = 2, clickers k1, a1, b1-b3 = 5 → 2 / 7 = 28.6% > 20% → stop. The week alone (B): 1 / (3 + 1) = 25.0%.
    result = review.build_review(weeks, WEEK_END, STOPS)
    assert result.summary.startswith(
        "One source needs attention: web (Stop: dissatisfaction 28.6% over the last 4 weeks, 25.0% this week)."
    )
    with i18n.within("fr"):
        french = review.build_review(weeks, WEEK_END, STOPS)
    assert french.summary.startswith(
        f"Une source requiert l'attention{NBSP}: web (Arrêter{NBSP}: insatisfaction 28,6{NBSP}% sur 4 semaines, "
        f"25,0{NBSP}% cette semaine)."
    )


def test_a_shorter_window_is_named_in_the_summary(weeks):  # noqa: F811
    # window_weeks 1: the window is the week itself, 25.0% both; "1 week" in words
    result = review.build_review(weeks, WEEK_END, STOPS.replace(window_weeks=1))
    web = next(s for s in result.sources if s.collection_source == "web")
    assert web.window_dissatisfaction == pytest.approx(0.25)
    assert "web (Stop: dissatisfaction 25.0% over the last 1 week, 25.0% this week)" in result.summary


# --- the Review page ------------------------------------------------------------------------------------


def test_the_review_table_shows_both_spans_and_says_why(demo_file, tmp_path, open_app):
    db = tmp_path / "own.duckdb"
    shutil.copy(demo_file, db)
    con = store.connect(db)
    decisions.record(
        con,
        week_end=dt.date(2026, 11, 22),
        collection_source="contest",
        recommended_action="reduce",
        decision="follow",
        decided_by="Anne M.",
        now=dt.datetime(2026, 11, 23, 8, 0),  # 08:00 UTC is 09:00 in Paris (UTC+1 in November)
    )
    con.close()
    app = open_app(db, "review")
    rows = table(app, 0).set_index("Source")
    columns = list(rows.columns)
    # the window's rate beside the action; the week's rates labelled as the week's
    assert columns[:3] == ["Action", "Dissatisfaction over 4 weeks", "Last week"]
    assert "Dissatisfaction this week" in columns and "Dissatisfaction" not in columns
    # call_center: 28.9% on the 4-week window (as Cohort health shows it), 29.3% in the week alone
    assert rows.loc["call_center", "Dissatisfaction over 4 weeks"] == "28.9%"
    assert rows.loc["call_center", "Dissatisfaction this week"] == "29.3%"
    caption = " ".join(c.value for c in app.caption)
    assert "Two spans." in caption and "come from the last 4 weeks to the week's last day" in caption
    # the log's time in the brand's time zone, the header naming it
    log = table(app, -1)
    assert log.loc[0, "Recorded (Europe/Paris)"] == pd.Timestamp(2026, 11, 23, 9, 0)


# --- the brand's time zone ------------------------------------------------------------------------------


def test_times_of_day_read_in_the_brands_time_zone_in_both_languages(monkeypatch):
    moment = dt.datetime(2026, 11, 23, 8, 0)  # naive = UTC
    monkeypatch.delenv(formats.ENV_TIME_ZONE, raising=False)
    assert formats.time_zone_name() == "Europe/Paris"
    for language in ("en", "fr"):
        with i18n.within(language):
            assert formats.time_of_day(moment) == "09:00"  # Paris is UTC+1 in November
    with i18n.within("fr"):
        assert formats.moment_text(moment) == "23 nov. 2026 09:00"
    monkeypatch.setenv(formats.ENV_TIME_ZONE, "America/New_York")
    assert formats.time_of_day(moment) == "03:00"  # UTC-5 in November
    assert formats.local_moment(moment).date() == dt.date(2026, 11, 23)


@pytest.mark.parametrize("bad", ["Europe/Pariss", "../etc/passwd", "UTC+1"])
def test_a_bad_time_zone_name_is_a_user_error_naming_it(monkeypatch, bad):
    monkeypatch.setenv(formats.ENV_TIME_ZONE, bad)
    with pytest.raises(UserError, match=re.escape(f"Unknown time zone '{bad}' in OPTOUT_COHORTS_TIME_ZONE")):
        formats.time_of_day(dt.datetime(2026, 11, 23, 8, 0))
