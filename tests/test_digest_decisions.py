"""The digest and the HTML report carry the meeting's decisions (issue 16): for each source that needed attention
in the reviewed week, what was decided (the entry in force: its summary, who, the note) or that it is pending."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import i18n
from analytics.report import html as html_report
from analytics.report import review
from analytics.report.digest import digest
from analytics.store import decisions
from tests.test_one_pass_decisions import LOOSE, REVIEW_WEEK, three_sources  # noqa: F401  (the fixture)

GENERATED = dt.datetime(2026, 3, 16, 8, 30, tzinfo=dt.UTC)
NBSP = "\u00a0"


@pytest.fixture
def decided(three_sources):  # noqa: F811
    """tests/test_one_pass_decisions.py's three sources: web and shop stop (50% > 40%: they need attention), fair
    does not. shop is decided (followed, then overridden: the correction is in force), web is left pending;
    an entry on web for the week before does not count for this week."""
    con = three_sources
    row = decisions.Row
    decisions.record_many(
        con,
        [row("shop", "stop", "follow")],
        week_end=REVIEW_WEEK,
        decided_by="Bob",
        now=dt.datetime(2026, 3, 16, 8),
    )
    decisions.record_many(
        con,
        [row("shop", "stop", "override", action="editorial_only", note="<b>partner</b>\nasked\x1b[31m")],
        week_end=REVIEW_WEEK,
        decided_by="Anne M.",
        now=dt.datetime(2026, 3, 16, 8, 30),  # 09:30 in Paris (UTC+1 in March before the 29th)
    )
    decisions.record_many(
        con,
        [row("web", "stop", "follow")],
        week_end=dt.date(2026, 3, 8),
        decided_by="Anne M.",
        now=dt.datetime(2026, 3, 9),
    )
    return con


def test_the_digest_lists_what_was_decided_and_what_is_pending(decided):
    result = review.build_review(decided, REVIEW_WEEK, LOOSE)
    text = digest(result, None, decisions.entries(decided))
    lines = text.splitlines()
    start = lines.index("Decisions on the sources that needed attention:")
    assert lines[start + 1 : start + 4] == [
        # the entry in force (the correction), who, and the note with its control characters made visible
        "- shop: decided: override: Editorial only instead of Stop (Anne M.): <b>partner</b>\\x0aasked\\x1b[31m",
        "- web: pending",
        "Still pending: web.",
    ]
    assert "\x1b" not in text and "\r" not in text
    assert all(line.isprintable() for line in lines)


def test_the_digest_without_the_log_says_every_source_needing_attention_is_pending(three_sources):  # noqa: F811
    result = review.build_review(three_sources, REVIEW_WEEK, LOOSE)
    text = digest(result)
    assert "- shop: pending\n- web: pending\nStill pending: shop, web.\n" in text


def test_the_digest_when_everything_is_decided_and_in_french(decided):
    decisions.record_many(
        decided, [decisions.Row("web", "stop", "postpone")], week_end=REVIEW_WEEK, decided_by="Bob"
    )
    decisions.record_many(
        decided, [decisions.Row("web", "stop", "follow")], week_end=REVIEW_WEEK, decided_by="Bob"
    )
    log = decisions.entries(decided)
    text = digest(review.build_review(decided, REVIEW_WEEK, LOOSE), None, log)
    assert (
        "- web: decided: follow: Stop (Bob)\nNothing pending: every source that needed attention has a decision."
        in (text)
    )
    with i18n.within("fr"):
        french = digest(review.build_review(decided, REVIEW_WEEK, LOOSE), None, log)
    assert f"Décisions sur les sources qui requéraient l'attention{NBSP}:" in french
    assert f"- web{NBSP}: décidée{NBSP}: suivie{NBSP}: Arrêter (Bob)" in french


def test_the_report_lists_the_decisions_of_the_sources_that_needed_attention(decided):
    html = html_report.build_html(decided, REVIEW_WEEK, LOOSE, generated_at=GENERATED)
    section = html[html.index('<section id="decisions">') : html.index('<section id="settings">')]
    attention = section[section.index('id="attention-decisions"') : section.index("</table>")]
    # pending first, then decided; the window's rate (2 / (2 + 2) = 50.0%) beside the action
    assert attention.index(">web<") < attention.index(">shop<")
    assert attention.count("50.0%") == 2
    assert '<td class="status">pending</td>' in attention
    assert '<td class="status">decided: override: Editorial only instead of Stop</td>' in attention
    assert '<td class="who">Anne M.</td>' in attention
    assert "&lt;b&gt;partner&lt;/b&gt;" in attention and "<b>partner" not in html  # autoescaped
    assert "\x1b" not in html
    assert "Still pending: web." in section
    # the log's times in the brand's time zone, the header naming it: 08:30 UTC is 09:30 in Paris
    assert "<th>Decided (Europe/Paris)</th>" in section
    assert "<span>09:30</span>" in section
