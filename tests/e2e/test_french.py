"""The dashboard in French in a real headless Chromium, as a French team opens it: a server started without
OPTOUT_COHORTS_LANGUAGE (French is the default), the demo brand, every page visited in the French navigation,
French headings and figures written the French way; and the language menu turning a French session English
without touching another session.

Screenshots of every page land in tests/artifacts/fr-<page>.png, to be looked at.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import ARTIFACTS, CHROMIUM_FLAGS, chromium_path, serving, settled

NNBSP, NBSP = "\u202f", "\u00a0"

# The navigation label and the page's own heading, per page (dashboard/app.py and each view's title).
PAGES = [
    ("health", "Santé des cohortes", "Santé des cohortes"),
    ("review", "Revue et décisions", "Revue hebdomadaire"),
    ("trends", "Tendances", "Tendances"),
    ("eligibility", "Éligibilité et conservation", "Éligibilité et conservation"),
    ("compliance", "Conformité", "Conformité"),
    ("data", "Données", "Données"),
    ("settings", "Paramètres", "Paramètres"),
    ("guide", "Guide", "Guide"),
]


def no_exception(page: Page) -> None:
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()


def test_every_page_in_french_then_english_from_the_menu(tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    # The server as a French team starts it, with no language asked for: French is the default (the test run's
    # OPTOUT_COHORTS_LANGUAGE=en emptied for it).
    with serving(tmp_path, OPTOUT_COHORTS_LANGUAGE="") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
        page.goto(url, wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Santé des cohortes", exact=True)).to_be_visible(
            timeout=120_000
        )
        settled(page)
        for path, nav_label, heading in PAGES:
            page.get_by_role("link", name=nav_label, exact=True).click()
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=120_000)
            settled(page)
            no_exception(page)
            expect(page.get_by_text("Données de démonstration").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"fr-{path}.png"), full_page=True)
        # The demo's headline on Cohort health (tests/test_french_health_trends.py works it out: 3 933 lawful
        # contacts, 69,1 % of them soft opt-in), written the French way whatever the browser's locale (en-US).
        page.get_by_role("link", name="Santé des cohortes", exact=True).click()
        settled(page)
        metrics = page.locator("[data-testid='stMetricValue']")
        expect(metrics.filter(has_text=f"3{NNBSP}933").first).to_be_visible()
        expect(metrics.filter(has_text=f"69,1{NBSP}%").first).to_be_visible()
        # A second person, in English by the menu of their own session, while the first stays French.
        other = browser.new_page(viewport={"width": 1280, "height": 900})
        other.goto(url, wait_until="domcontentloaded")
        expect(other.get_by_role("heading", name="Santé des cohortes", exact=True)).to_be_visible(
            timeout=120_000
        )
        settled(other)
        menu = other.get_by_role("combobox", name="Langue · Language", exact=True)
        menu.click()
        other.get_by_role("option", name="English", exact=True).click()
        expect(other.get_by_role("heading", name="Cohort health", exact=True)).to_be_visible(timeout=120_000)
        settled(other)
        expect(other.locator("[data-testid='stMetricValue']").filter(has_text="3,933").first).to_be_visible()
        # The first session, run again after the second switched, is still French.
        page.get_by_role("link", name="Tendances", exact=True).click()
        expect(page.get_by_role("heading", name="Tendances", exact=True)).to_be_visible(timeout=120_000)
        browser.close()
