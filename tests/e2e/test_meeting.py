"""The Monday meeting end to end in a real headless Chromium (issue 16), on the demo brand's week 2026-W47:
the sources that need attention pending, two decisions taken in one pass and saved once, the week closed; then
a settings change shows its banner on every page but leaves the closed week as the meeting saw it; reopening
needs a confirmation and a reason, is logged, and computes the week again with today's settings.

The expected summaries come from analytics.report.review on the committed demo data (the dashboard shows the
same figures: the demo brand, week ending 2026-11-22, default settings, then stop_above = 0.7).
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect, sync_playwright

from analytics.report import review
from analytics.settings import DEFAULTS
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_FLAGS, HOSTILE, choose, chromium_path, settled

WEEK_END = dt.date(2026, 11, 22)


def go(page: Page, link: str, heading: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=120_000)
    settled(page)


def test_decide_in_one_pass_close_change_settings_reopen(server, demo_db):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    before = review.build_review(demo_db, WEEK_END, DEFAULTS)
    after = review.build_review(demo_db, WEEK_END, DEFAULTS.replace(stop_above=0.7))
    attention = [s.collection_source for s in before.sources if s.needs_attention]
    assert attention  # the demo week has sources to decide on (partner_coreg, call_center, contest)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{server}/review", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Weekly review", exact=True)).to_be_visible(timeout=120_000)
        settled(page)
        expect(page.get_by_text(before.summary, exact=True)).to_be_visible()
        pending = page.get_by_text("Still pending among the sources that need attention:")
        for source in attention:
            expect(pending).to_contain_text(source)
        page.screenshot(path=str(ARTIFACTS / "meeting-review.png"))

        # One pass: a name typed once, two rows decided, one save.
        page.get_by_role("textbox", name="Who decided").fill("Anne M.")
        page.get_by_role("textbox", name="Who decided").press("Enter")
        settled(page)
        first, second = attention[0], attention[1]
        choose(page, f"Decision for {first}", "Follow the recommendation")
        choose(page, f"Decision for {second}", "Override with another action")
        choose(page, f"Action instead for {second}", "Hold")
        page.get_by_label(f"Note for {second}").fill(f"{HOSTILE} partner asked for a last chance")
        page.get_by_role("button", name="Save the decisions").click()
        settled(page)
        expect(page.get_by_text("2 decisions saved:")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("textbox", name="Who decided")).to_have_value(
            "Anne M."
        )  # kept for the session
        rest = [s for s in attention if s not in (first, second)]
        if rest:
            expect(pending).to_contain_text(", ".join(rest))
            expect(pending).not_to_contain_text(first)
        page.screenshot(path=str(ARTIFACTS / "meeting-decided.png"))

        # Close the week: what the meeting saw is kept.
        page.get_by_role("button", name="Close this week").click()
        settled(page)
        expect(page.get_by_text("by Anne M.: what the meeting saw is shown.").first).to_be_visible()

        # A settings change after the meeting: a banner on every page …
        go(page, "Settings", "Settings")
        stop = page.get_by_role("spinbutton", name="Stop above", exact=True)
        stop.fill("0.7")
        page.get_by_role("button", name="Save settings").click()
        settled(page)
        banner = "Settings differ from the guidance defaults: stop above 70% (default 40%)"
        expect(page.get_by_text(banner, exact=False).first).to_be_visible(timeout=60_000)
        go(page, "Cohort health", "Cohort health")
        expect(page.get_by_text(banner, exact=False).first).to_be_visible()
        # … and the closed week still shows what the meeting saw, saying with which settings.
        go(page, "Review & decisions", "Weekly review")
        expect(page.get_by_text(before.summary, exact=True)).to_be_visible()
        expect(page.get_by_text("with the settings of then: stop above 40% (now 70%).").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "meeting-closed-after-settings.png"))

        # Reopen: refused without the confirmation; with it and a reason, logged and computed again.
        page.get_by_label("Why reopen it").fill("thresholds revised with the partner")
        page.get_by_role("button", name="Reopen this week").click()
        settled(page)
        expect(page.get_by_text("Tick the confirmation to reopen the week.")).to_be_visible()
        page.get_by_label("Why reopen it").fill("thresholds revised with the partner")
        page.get_by_text("I understand that the week will be computed again with today's settings").click()
        page.get_by_role("button", name="Reopen this week").click()
        settled(page)
        expect(page.get_by_role("button", name="Close this week")).to_be_visible(timeout=60_000)
        expect(page.get_by_text(after.summary, exact=True)).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "meeting-reopened.png"), full_page=True)
        browser.close()
    assert dialogs == []  # the hostile note opened nothing
    assert before.summary != after.summary  # the reopening did change what the page shows
