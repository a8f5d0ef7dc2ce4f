"""The self-contained HTML weekly report: nothing executable or external in it, every text from the data shown
as text, the decision log with its corrections, chart geometry computed by hand, and the same bytes for the
same data apart from the generation timestamp."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from analytics.policy import ACTIONS
from analytics.report import cohorts as report
from analytics.report import html as html_report
from analytics.report.review import RateChange, build_review
from analytics.settings import DEFAULTS
from analytics.store import decisions

DEMO_AS_OF = dt.date(2026, 11, 22)
GENERATED = dt.datetime(2026, 11, 23, 8, 30, 0, tzinfo=dt.UTC)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
# Elements that would load something or run something; the report needs none of them.
ACTIVE_TAGS = {"script", "img", "link", "iframe", "object", "embed", "frame", "audio", "video", "source"}


class Tags(HTMLParser):
    """Every start tag of a document with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    """No element that loads or runs anything, no event-handler attribute, no external address."""
    tags = Tags(html).tags
    assert {tag for tag, _ in tags} & ACTIVE_TAGS == set()
    assert [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")] == []
    loads = [(tag, name) for tag, attrs in tags for name in attrs if name in {"src", "srcset", "xlink:href"}]
    assert loads == []
    links = [attrs["href"] for _, attrs in tags if "href" in attrs]
    assert [href for href in links if not href.startswith("#")] == []  # only links within the page
    assert "url(" not in html and "@import" not in html


@pytest.fixture(scope="module")
def demo_html(demo_db):
    return html_report.build_html(demo_db, DEMO_AS_OF, DEFAULTS, generated_at=GENERATED)


# ---------------------------------------------------------------------------------------------- demo brand


def test_demo_report_is_inert_and_self_contained(demo_html):
    assert "<script" not in demo_html.lower()
    assert "http://" not in demo_html and "https://" not in demo_html
    assert re.search(r"\son\w+\s*=", demo_html) is None
    assert_inert(demo_html)
    assert demo_html.startswith("<!DOCTYPE html>")
    assert "<style>" in demo_html


def test_demo_report_names_every_source_action_and_the_summary(demo_db, demo_html):
    cohort_report = report.build_report(demo_db, DEMO_AS_OF, DEFAULTS)
    for cohort in cohort_report["cohorts"]:
        assert f">{escape(cohort['collection_source'])}<" in demo_html
        assert f">{ACTIONS[cohort['recommendation']['action']].label}<" in demo_html
    summary = build_review(demo_db, DEMO_AS_OF, DEFAULTS).summary
    assert str(escape(summary)) in demo_html
    # the header: report date, window, reviewed week (2026-11-22 is the Sunday ending ISO week 47)
    assert "2026-10-26 – 2026-11-22" in demo_html
    assert "2026-W47: 2026-11-16 – 2026-11-22" in demo_html
    assert "Generated</dt><dd>2026-11-23 08:30:00 UTC</dd>" in demo_html


def test_sections_come_in_order(demo_html):
    assert re.findall(r'<section id="([\w-]+)"', demo_html) == [
        "summary",
        "changes",
        "cohorts",
        "charts",
        "compliance",
        "retention",
        "decisions",
        "settings",
        "data-quality",
    ]
    for chart in ("chart-dissatisfaction", "chart-history", "chart-trends"):
        assert f'id="{chart}"' in demo_html
    assert demo_html.count('role="img"') == 2 + 10  # bar chart, heatmap, one panel per demo source (10)


def test_same_data_same_bytes(demo_db, demo_html):
    assert html_report.build_html(demo_db, DEMO_AS_OF, DEFAULTS, generated_at=GENERATED) == demo_html


def test_only_the_timestamp_varies(demo_db, demo_html):
    later = dt.datetime(2026, 11, 30, 17, 5, 9, tzinfo=dt.UTC)
    other = html_report.build_html(demo_db, DEMO_AS_OF, DEFAULTS, generated_at=later)
    assert other != demo_html
    assert demo_html.count("2026-11-23 08:30:00 UTC") == 1
    assert other.replace("2026-11-30 17:05:09 UTC", "TIME") == demo_html.replace(
        "2026-11-23 08:30:00 UTC", "TIME"
    )


def test_timestamp_is_shown_in_utc():
    paris = dt.timezone(dt.timedelta(hours=1))
    assert (
        html_report.format_timestamp(dt.datetime(2026, 11, 23, 9, 30, tzinfo=paris))
        == "2026-11-23 08:30:00 UTC"
    )
    assert html_report.format_timestamp(dt.datetime(2026, 11, 23, 9, 30)) == "2026-11-23 09:30:00 UTC"


def test_heatmap_has_twelve_weeks_per_source(demo_html):
    # 10 demo sources × 12 ISO weeks, 2026-W36 (week ending 2026-09-06) … 2026-W47
    heatmap = demo_html[demo_html.index('id="chart-history"') : demo_html.index('id="chart-trends"')]
    assert heatmap.count('<rect class="cell"') == 10 * 12
    assert re.findall(r">(\d{4}-W\d\d)</text>", heatmap) == [f"2026-W{w}" for w in range(36, 48)]


# ------------------------------------------------------------------------------------------- hostile text


def hostile_data(data):
    """A prospect (consent none, no order) of a source named like an image tag, mailed on 2025-03-27 by a
    campaign named like a script: one unlawful `prospect` send in the week 2025-03-22 … 2025-03-28."""
    data.contact("h1", source=IMG)
    data.contact("c1", source="web").order("c1", "2025-01-10")
    data.campaign("k1", "2025-03-27T09:00:00", name=SCRIPT)
    data.send("k1", "h1", "2025-03-27T09:00:00").send("k1", "c1", "2025-03-27T09:00:00", clicks=1)
    return data.load()


def test_hostile_names_show_as_text(data):
    con = hostile_data(data)
    as_of = dt.date(2025, 3, 28)
    violations = build_review(con, as_of, DEFAULTS).violations
    assert [(v["campaign_name"], v["collection_source"], v["basis"]) for v in violations] == [
        (SCRIPT, IMG, "prospect")
    ]
    html = html_report.build_html(con, as_of, DEFAULTS, generated_at=GENERATED)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert SCRIPT not in html and IMG not in html
    assert "<script" not in html.lower()
    assert_inert(html)


def test_decisions_of_the_window_with_their_corrections(data):
    # Window of 2025-03-28: 2025-03-01 … 2025-03-28. Entry 1 (week ending 2025-03-28) is corrected by entry 2;
    # entry 3 answers a week before the window and is left out.
    con = hostile_data(data)
    as_of = dt.date(2025, 3, 28)
    common = {
        "collection_source": IMG,
        "recommended_action": "insufficient_data",
        "now": dt.datetime(2025, 3, 31),
    }
    first = decisions.record(
        con, week_end=as_of, decision="follow", note="<b>x</b>", decided_by="<i>Anne</i>", **common
    )
    second = decisions.record(
        con,
        week_end=as_of,
        decision="override",
        action="stop",
        note="prospects: stop now",
        decided_by="Anne",
        corrects=first.decision_id,
        **common,
    )
    decisions.record(
        con, week_end=dt.date(2025, 2, 9), decision="postpone", note="old week", decided_by="B", **common
    )
    html = html_report.build_html(con, as_of, DEFAULTS, generated_at=GENERATED)
    section = html[html.index('<section id="decisions">') : html.index('<section id="settings">')]
    assert "&lt;b&gt;x&lt;/b&gt;" in section and "<b>x</b>" not in html
    assert "&lt;i&gt;Anne&lt;/i&gt;" in section
    assert "old week" not in html
    rows = re.findall(r"<tr( class=\"corrected\")?>\s*<td class=\"num\">#(\d+)</td>", section)
    assert rows == [(' class="corrected"', str(first.decision_id)), ("", str(second.decision_id))]
    assert f"corrected by #{second.decision_id}" in section
    assert f"override: Stop instead of Insufficient data (corrects #{first.decision_id})" in section
    assert section.count("in force") == 1


def test_no_decision_says_so(data):
    html = html_report.build_html(hostile_data(data), dt.date(2025, 3, 28), DEFAULTS, generated_at=GENERATED)
    assert "No decision was recorded for the weeks of this window." in html


# ------------------------------------------------------------------------------------------ chart geometry


def test_axis_runs_past_the_stop_band_in_whole_tenths():
    # default stop band 40–50% → the axis shows at least 60%; 62.9% + 2 points = 64.9% → 70%
    assert html_report.axis_top([0.25, None], DEFAULTS) == 0.6
    assert html_report.axis_top([], DEFAULTS) == 0.6
    assert html_report.axis_top([0.629], DEFAULTS) == 0.7
    assert html_report.axis_top([0.99], DEFAULTS) == 1.0  # never past 100%
    # stop_above 55%: 55% + 10 points = 65% → 70%
    assert html_report.axis_top([0.1], DEFAULTS.replace(stop_above=0.55)) == 0.7


def test_bar_chart_geometry():
    # axis 0–60% over 520 px, starting 170 px from the left:
    #   0.25 → 25/60 × 520 = 216.67 px; bands 0–20%, 20–40%, 40–50%, 50–60% → 173.33, 173.33, 86.67, 86.67 px
    chart = html_report.bar_chart([("web", 0.25, "hold"), ("shop", None, "insufficient_data")], DEFAULTS)
    web, shop = chart["bars"]
    assert web["length"] == pytest.approx(520 * 25 / 60, abs=0.005)
    assert web["value"] == "25.0%"
    assert web["colour"] == "#5D6D7E"  # hold
    assert shop["length"] is None and shop["value"] == "no data"
    assert [(b["label"], b["x"], b["width"]) for b in chart["bands"]] == [
        ("satisfied", 170.0, 173.33),
        ("starting", 343.33, 173.34),  # 170 + 346.67 − 343.33: rounding of each edge, not of each width
        ("stop band", 516.67, 86.66),
        ("beyond", 603.33, 86.67),
    ]
    assert [t["label"] for t in chart["ticks"]] == ["0%", "10%", "20%", "30%", "40%", "50%", "60%"]
    assert chart["ticks"][-1]["x"] == 170 + 520
    assert chart["thresholds"] == [343.33, 516.67]  # 20% and 40%
    # two rows of 26 px under a 30 px head, 30 px for the ticks
    assert (chart["bottom"], chart["height"]) == (30 + 2 * 26, 30 + 2 * 26 + 30)


def test_heatmap_geometry():
    # 2 sources × 3 weeks; "new" did not exist in the first week → a white cell
    weeks = (dt.date(2026, 11, 8), dt.date(2026, 11, 15), dt.date(2026, 11, 22))
    history = (
        {"week_end": weeks[0], "collection_source": "old", "action": "stop"},
        {"week_end": weeks[1], "collection_source": "old", "action": "hold"},
        {"week_end": weeks[1], "collection_source": "new", "action": "welcome_first"},
        {"week_end": weeks[2], "collection_source": "old", "action": "hold"},
        {"week_end": weeks[2], "collection_source": "new", "action": "welcome_first"},
    )
    chart = html_report.history_heatmap(history, weeks, ["new", "old"])
    assert [c["label"] for c in chart["columns"]] == ["2026-W45", "2026-W46", "2026-W47"]
    new, old = chart["rows"]
    assert [c["colour"] for c in new["cells"]] == ["#FFFFFF", "#2F6F8F", "#2F6F8F"]
    assert [c["colour"] for c in old["cells"]] == ["#B03A2E", "#5D6D7E", "#5D6D7E"]
    assert [c["x"] for c in old["cells"]] == [170, 170 + 58, 170 + 2 * 58]
    assert (new["y"], old["y"]) == (30, 30 + 22)
    assert new["cells"][0]["title"] == "new, 2026-W45: no data"
    assert [a["label"] for a in chart["legend"]] == ["Stop", "Hold", "Welcome first"]  # the policy's order


def test_sparkline_breaks_at_null_weeks():
    # 3 weeks over a 198 px plot (240 − 34 − 8): x = 34, 133, 232. y axis 0–60% over 92 px (120 − 8 − 20),
    # bottom at y = 100: 10% → 100 − 92/6 = 84.67; 30% → 100 − 46 = 54; 20% → 69.33.
    chart = html_report.sparkline([0.1, None, 0.3], [0.2, 0.2, 0.2], 0.6, DEFAULTS)
    assert chart["lines"] == ["34.00,84.67", "232.00,54.00"]
    assert chart["baseline"] == ["34.00,69.33 133.00,69.33 232.00,69.33"]
    assert chart["dots"] == [{"x": 34.0, "y": 84.67}, {"x": 232.0, "y": 54.0}]
    assert not chart["empty"]
    assert html_report.sparkline([None, None], [None, None], 0.6, DEFAULTS)["empty"]


def test_week_on_week_arrows():
    # dissatisfaction 25% → 30%: +5.0 points, worse; open rate the same move is better; complaint 2 decimals
    change = RateChange(current=0.30, previous=0.25, trailing=0.2)
    assert html_report.delta("dissatisfaction_rate", change) == {
        "arrow": "▲",
        "text": "+5.0 pt",
        "tone": "worse",
    }
    assert html_report.delta("open_rate", change) == {"arrow": "▲", "text": "+5.0 pt", "tone": "better"}
    assert html_report.delta("complaint_rate", RateChange(0.0010, 0.0015, None)) == {
        "arrow": "▼",
        "text": "-0.05 pt",
        "tone": "better",
    }
    # +0.001 point shows as 0.0: "=" rather than an arrow for a move nobody can see
    assert html_report.delta("click_rate", RateChange(0.04001, 0.04, None))["arrow"] == "="
    assert html_report.delta("click_rate", RateChange(0.04, None, None))["arrow"] == ""


def test_empty_database_still_gives_a_report(con):
    # no source at all: empty tables and charts, the sections still there and saying so
    html = html_report.build_html(con, dt.date(2026, 11, 22), DEFAULTS, generated_at=GENERATED)
    assert_inert(html)
    assert "Every marketing send this week had a lawful basis." in html
    assert "No decision was recorded for the weeks of this window." in html
    assert html.count('<rect class="cell"') == 0


def test_the_change_table_quotes_each_actions_window_rate(demo_db, demo_html):
    # Beside each action of the week's change table, the dissatisfaction it was decided on: the 4-week window
    # ending 2026-11-22 (call_center 28.9%, the Cohort health figure), not the week's (29.3%).
    reviewed = build_review(demo_db, DEMO_AS_OF, DEFAULTS)
    call_center = next(s for s in reviewed.sources if s.collection_source == "call_center")
    assert round(call_center.window_dissatisfaction, 3) == 0.289
    assert round(call_center.rates["dissatisfaction_rate"].current, 3) == 0.293
    assert '<span class="avg">dissatisfaction 28.9% over 4 weeks</span>' in demo_html
    assert "Each action is decided on the window (4 weeks) ending with the reviewed week" in demo_html
