"""End to end in a real headless Chromium: the server starts, CSV files go through the real file input, the
cohort table appears with the new source's recommendation, and a hostile name opens no dialog.

Needs Debian's `chromium` (scripts/test.sh installs it) or CHROMIUM_PATH pointing at a Chromium binary.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from analytics import store
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_FLAGS, HOSTILE, choose, chromium_path, settled


def write_upload(folder: Path) -> list[Path]:
    """A pop-up store's 600 soft-opt-in clients mailed on 2026-11-20, inside the demo's last window.

    Per send, by hand: 600 delivered, 180 human openers (30%), 40 clickers (6.7%), 3 unsubscribers:
    dissatisfaction 3 / 43 = 7.0% (< 20%), open and click rates above the demo brand's (24% and 4%) → ramp up.
    Plus one contact of a source named with HTML, which must show as text.
    """
    contacts = [["contact_id", "collection_source", "consent", "collected_at"]]
    orders = [["contact_id", "order_date"]]
    events = [["campaign_id", "contact_id", "event_type", "occurred_at"]]
    for i in range(600):
        contact = f"P{i:04d}"
        contacts.append([contact, "popup_store", "none", "2026-06-01"])
        orders.append([contact, "2026-06-01"])
        events.append(["popup-nov", contact, "sent", "2026-11-20T09:00:00"])
        events.append(["popup-nov", contact, "delivered", "2026-11-20T09:00:00"])
        if i < 180:
            events.append(["popup-nov", contact, "open", "2026-11-20T12:00:00"])
        if i < 40:
            events.append(["popup-nov", contact, "click", "2026-11-20T12:05:00"])
        if 100 <= i < 103:
            events.append(["popup-nov", contact, "unsubscribe", "2026-11-20T12:10:00"])
    contacts.append(["H1", HOSTILE, "none", "2026-06-01"])
    files = {
        "popup_contacts.csv": contacts,
        "popup_orders.csv": orders,
        "popup_campaigns.csv": [
            ["campaign_id", "sent_at", "name", "email_type"],
            ["popup-nov", "2026-11-20T09:00:00", "Pop-up store: your VIP evening", "promo"],
        ],
        "popup_events.csv": events,
    }
    paths = []
    for name, rows in files.items():
        path = folder / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        paths.append(path)
    return paths


def test_upload_then_read_the_recommendation(server, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{server}/data", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible(timeout=60_000)

        settled(page)
        page.locator("input[type=file][multiple]").set_input_files([str(p) for p in write_upload(tmp_path)])
        expect(page.get_by_text("popup_events.csv → events")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Load 4 file(s)").click()
        expect(page.get_by_text("Loaded 4 file(s). Every page now shows the new data.")).to_be_visible(
            timeout=60_000
        )

        page.get_by_role("link", name="Cohort health").click()
        expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible(timeout=60_000)
        expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
        choose(page, "Source", "popup_store")
        expect(page.get_by_text("recommended action: Ramp up")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Dissatisfaction rate 7.0% is below 20%")).to_be_visible()

        choose(page, "Source", HOSTILE)
        detail = page.get_by_test_id("stMarkdownContainer").filter(has_text="recommended action")
        expect(detail).to_contain_text(HOSTILE, timeout=30_000)  # shown as text, not turned into an image
        page.screenshot(path=str(ARTIFACTS / "cohort-health-after-upload.png"), full_page=True)
        assert page.locator("img[src='x']").count() == 0
        browser.close()
    assert dialogs == []


def test_weekly_review_records_a_decision_and_downloads_the_report(server, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 2600}, accept_downloads=True)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{server}/review", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Weekly review", exact=True)).to_be_visible(timeout=60_000)
        # the demo's summary for its last week (2026-W47), from the same figures as the digest
        expect(page.get_by_text("Three sources need attention: partner_coreg (Stop")).to_be_visible(
            timeout=60_000
        )
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "weekly-review.png"))

        page.get_by_role("textbox", name="Who decided").fill("Anne M.")
        page.get_by_role("textbox", name="Who decided").press("Enter")
        choose(page, "Decision for partner_coreg", "Follow the recommendation")
        page.get_by_label("Note for partner_coreg").fill(
            "<script>alert(1)</script> partner asked for a last chance"
        )
        page.get_by_role("button", name="Save the decisions").click()
        expect(page.get_by_text("1 decision saved: #1 partner_coreg")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "weekly-review-decision.png"))

        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download the HTML report").click()
        report = tmp_path / "report.html"
        download.value.save_as(report)
        html = report.read_text(encoding="utf-8")
        assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; partner asked" in html
        browser.close()
    assert dialogs == []


def test_the_cli_loads_files_while_the_dashboard_serves_pages(server, tmp_path):
    # The dashboard holds the database only while it reads: a CLI load during page views lands whole, and the
    # next view shows it.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{server}/health", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible(timeout=60_000)
        database = tmp_path / "e2e.duckdb"  # the server fixture's database
        files = write_upload(tmp_path)
        load = subprocess.Popen(
            [sys.executable, "-m", "analytics.cli", "ingest", "--db", str(database), *map(str, files)],
            cwd=store.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while load.poll() is None:  # keep the dashboard reading while the CLI loads
            page.reload(wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible(timeout=60_000)
        out, err = load.communicate()
        assert load.returncode == 0, err
        assert "popup_events.csv → events" in out
        page.reload(wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible(timeout=60_000)
        choose(page, "Source", "popup_store")
        expect(page.get_by_text("recommended action: Ramp up")).to_be_visible(timeout=30_000)
        browser.close()
