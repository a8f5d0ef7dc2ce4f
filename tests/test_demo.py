"""The demo brand is a tested path: the committed files are the generator's output, and its report —
one designed action per source — is held by a snapshot so it never drifts silently."""

from __future__ import annotations

import json
import os

import pytest

from analytics import demo, store
from analytics.settings import DEFAULTS
from tests.builders import build_report

DEMO_DIR = store.DEMO_DIR
SNAPSHOT = store.PROJECT_ROOT / "tests" / "snapshots" / "demo_recommendations.json"


def test_committed_demo_files_equal_the_generator_output(tmp_path):
    written = demo.generate(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in DEMO_DIR.glob("*.csv.gz"))
    for path in written:
        assert path.read_bytes() == (DEMO_DIR / path.name).read_bytes(), (
            f"data/demo/{path.name} differs from the generator: run `optout-cohorts demo --out data/demo`"
        )


def test_the_generator_is_deterministic_and_seeded(tmp_path):
    first = [p.read_bytes() for p in demo.generate(tmp_path / "a", seed=7, scale=0.2)]
    second = [p.read_bytes() for p in demo.generate(tmp_path / "b", seed=7, scale=0.2)]
    other = [p.read_bytes() for p in demo.generate(tmp_path / "c", seed=8, scale=0.2)]
    assert first == second
    assert first != other


@pytest.fixture(scope="module")
def demo_report(demo_db):
    return build_report(demo_db, demo.DEMO_AS_OF.isoformat(), DEFAULTS)


def test_each_source_of_the_demo_lands_on_its_designed_action(demo_report):
    actions = {c["collection_source"]: c["recommendation"]["action"] for c in demo_report["cohorts"]}
    assert actions == {
        "web_checkout": "ramp_up",
        "in_store": "hold",
        "call_center": "editorial_only",
        "partner_coreg": "stop",
        "contest": "reduce",
        "mobile_app": "welcome_first",
        "trade_show": "insufficient_data",
        "wifi_hotspot": "no_recent_sends",
        "marketplace": "reintroduce_promos",
        "newsletter_signup": "no_cohort",
    }
    # The deliberate compliance faults of the demo show up in every unlawful basis.
    assert all(count > 0 for count in demo_report["violations"].values())


def test_demo_recommendations_snapshot(demo_report):
    """Actions, reasons, warnings and the figures behind them. To accept a deliberate change:
    UPDATE_SNAPSHOTS=1 pytest tests/test_demo.py (it rewrites the file and fails, so an update never passes
    silently), review the diff of the snapshot file, then run the test again without UPDATE_SNAPSHOTS."""
    current = {
        c["collection_source"]: {
            "recommendation": c["recommendation"],
            "metrics": c["metrics"],
            "eligibility": c["eligibility"],
        }
        for c in demo_report["cohorts"]
    }
    current["(baseline)"] = demo_report["baseline"]
    current["(violations)"] = demo_report["violations"]
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.fail(
            f"snapshot updated, rerun without UPDATE_SNAPSHOTS (review the diff of {SNAPSHOT.name} first)"
        )
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == json.loads(json.dumps(current))


def test_updating_the_snapshot_fails_the_run(demo_report, tmp_path, monkeypatch):
    # With UPDATE_SNAPSHOTS set, the snapshot test writes the file (here a copy in tmp_path, so the committed
    # one is untouched) and then fails, telling to rerun: an update can never pass unnoticed. What it wrote is
    # the current report, which equals the committed snapshot (test_demo_recommendations_snapshot holds that).
    committed = SNAPSHOT
    copy = tmp_path / SNAPSHOT.name
    monkeypatch.setitem(globals(), "SNAPSHOT", copy)
    monkeypatch.setenv("UPDATE_SNAPSHOTS", "1")
    with pytest.raises(pytest.fail.Exception, match="snapshot updated, rerun without UPDATE_SNAPSHOTS"):
        test_demo_recommendations_snapshot(demo_report)
    assert json.loads(copy.read_text(encoding="utf-8")) == json.loads(committed.read_text(encoding="utf-8"))
