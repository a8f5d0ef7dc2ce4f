"""The demo's HTML report opened from disk in a real headless Chromium with the network cut off: it asks for
nothing but itself, opens no dialog, and its three charts are drawn with a size on screen.

Needs Debian's `chromium` (scripts/test.sh installs it) or CHROMIUM_PATH pointing at a Chromium binary.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Route, expect, sync_playwright

from analytics.report import cohorts as report
from analytics.report import html as html_report
from analytics.report.review import HISTORY_WEEKS
from analytics.settings import DEFAULTS
from tests.e2e.test_browser import ARTIFACTS, CHROMIUM_FLAGS, chromium_path

AS_OF = dt.date(2026, 11, 22)
GENERATED = dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)


def test_demo_report_opens_offline_with_its_charts(demo_db, tmp_path):
    path = tmp_path / "report.html"
    html = html_report.build_html(demo_db, AS_OF, DEFAULTS, generated_at=GENERATED)
    path.write_text(html, encoding="utf-8")
    sources = len(report.build_report(demo_db, AS_OF, DEFAULTS)["cohorts"])  # 10 in the demo brand
    url = path.as_uri()
    blocked: list[str] = []
    requested: list[str] = []
    dialogs: list[str] = []

    def only_the_file(route: Route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.route("**/*", only_the_file)
        page.on("request", lambda request: requested.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url, wait_until="load")

        expect(page.get_by_role("heading", name="Soft-opt-in cohorts: weekly report")).to_be_visible()
        charts = {
            "#chart-dissatisfaction svg": 1,
            "#chart-history svg": 1,
            "#chart-trends svg": sources,  # one small chart per source
        }
        for selector, count in charts.items():
            svgs = page.locator(selector)
            assert svgs.count() == count, selector
            for i in range(count):
                expect(svgs.nth(i)).to_be_visible()
                box = svgs.nth(i).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50, (selector, i, box)
        assert page.locator("#chart-history rect.cell").count() == HISTORY_WEEKS * sources
        assert page.locator("#chart-dissatisfaction g.bar").count() == sources
        page.screenshot(path=str(ARTIFACTS / "html_report.png"), full_page=True)
        browser.close()

    assert blocked == []
    assert requested == [url]  # the file itself, and nothing else
    assert dialogs == []
