"""Names that look like links, in a real Chromium (issue 13, finding 8): the page Streamlit renders has no link
to the address a source name holds — not from the Markdown of Source detail (GFM autolinks URLs, www. and
email addresses even when escaped), not from the Plotly charts (which render <a href> in labels) — and the
charts show quotes as quotes, not &quot;.

Needs Debian's `chromium` (scripts/test.sh installs it) or CHROMIUM_PATH pointing at a Chromium binary.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from analytics import store
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_FLAGS, choose, chromium_path

FORMULA = '=HYPERLINK("https://evil.example/f","x")'
WWW = "see www.evil.example/w"
EMAIL = "zoe@evil.example"
TAG = '<a href="https://evil.example/t">click</a>'
QUOTED = 'say "hi"'
NAMES = [FORMULA, WWW, EMAIL, TAG, QUOTED]


def write_files(folder: Path) -> list[Path]:
    """One soft-opt-in client per hostile source name, mailed on 2026-11-20, who clicks (so each source has a
    dissatisfaction rate, 0%, and a bar in the chart)."""
    tables = {
        "contacts.csv": [["contact_id", "collection_source", "consent", "collected_at"]],
        "orders.csv": [["contact_id", "order_date"]],
        "campaigns.csv": [["campaign_id", "sent_at", "email_type"], ["k1", "2026-11-20T09:00:00", "promo"]],
        "events.csv": [["campaign_id", "contact_id", "event_type", "occurred_at"]],
    }
    for i, name in enumerate(NAMES):
        contact = f"h{i}"
        tables["contacts.csv"].append([contact, name, "none", "2026-06-01"])
        tables["orders.csv"].append([contact, "2026-06-01"])
        for event in ("sent", "delivered", "click"):
            tables["events.csv"].append(["k1", contact, event, "2026-11-20T09:00:00"])
    paths = []
    for file_name, rows in tables.items():
        path = folder / file_name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        paths.append(path)
    return paths


def test_no_source_name_becomes_a_link(server, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    database = tmp_path / "e2e.duckdb"  # the server fixture's database
    load = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics.cli",
            "ingest",
            "--db",
            str(database),
            *map(str, write_files(tmp_path)),
        ],
        cwd=store.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert load.returncode == 0, load.stderr
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(server, wait_until="domcontentloaded")  # Cohort health, the main page
        expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible(timeout=60_000)
        chart = page.locator(".js-plotly-plot").first
        expect(chart).to_be_visible(timeout=60_000)
        labels = " ".join(chart.locator("text").all_text_contents())
        assert QUOTED in labels and "&quot;" not in labels, labels  # quotes shown once, as quotes
        assert TAG in labels, labels  # the tag shown as its text
        assert page.locator(".js-plotly-plot a").count() == 0  # Plotly made no link of it (<a xlink:href>)
        for name in (FORMULA, WWW, EMAIL):
            choose(page, "Source", name)
            detail = page.get_by_test_id("stMarkdownContainer").filter(has_text="recommended action")
            expect(detail).to_contain_text(name[:3], timeout=30_000)  # before any word joiner md() puts in
            shown = detail.inner_text().replace("\u2060", "")
            assert name in shown, shown  # the name, to the character
            assert detail.locator("a").count() == 0
        page.screenshot(path=str(ARTIFACTS / "hostile-names.png"), full_page=True)
        links = page.locator("a[href*='evil.example']")
        assert links.count() == 0, [links.nth(i).get_attribute("href") for i in range(links.count())]
        browser.close()
