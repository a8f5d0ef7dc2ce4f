"""Every built-in preset's real-format export dropped on the Data page in a real headless Chromium, as a
marketer does: the files go through the browser's file input (the Mailchimp audience as the zip Mailchimp
delivers), the page's form is filled where it asks (a collection source, a legal basis, Mautic's missing
fields), Load is pressed; then the rows each file loaded and one figure per file are checked, computed by hand
from the fixtures (tests/fixtures/presets/*/SOURCE.md say where each header comes from). No exception box at
any step.

One server and one browser for the whole walk; the batches follow each other on the same database, so each
figure is read right after its batch.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from analytics import store
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_FLAGS, chromium_path, settled

FIXTURES = Path(__file__).parents[1] / "fixtures" / "presets"
SOURCE = "Collection source of every contact in this file"
MAILCHIMP_ZIP = ("mailchimp_subscribed", "mailchimp_unsubscribed", "mailchimp_cleaned")
BASIS = "Legal basis of the recipients of this report"


def fixture(folder: str, name: str | None = None) -> Path:
    return FIXTURES / folder / name if name else next((FIXTURES / folder).glob("*.csv"))


def no_exception(page: Page) -> None:
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()


def upload(page: Page, url: str, files: list[Path], names: list[str]) -> None:
    """A new visit of the Data page (an empty uploader), the files chosen, each one's preview shown."""
    page.goto(f"{url}/data", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible(timeout=60_000)
    settled(page)
    # The page has two uploaders (the files, and a backup to restore); only the first takes several files.
    page.locator("input[type=file][multiple]").set_input_files([str(f) for f in files])
    for name in names:
        expect(page.get_by_text(name).first).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stForm']")).to_have_count(
        len(files) + extra_forms(files), timeout=60_000
    )
    settled(page)
    no_exception(page)


def extra_forms(files: list[Path]) -> int:
    """A zip brings one form per CSV inside it, in place of its own."""
    return sum(len(zipfile.ZipFile(f).namelist()) - 1 for f in files if f.suffix == ".zip")


def form(page: Page, index: int):
    """The index-th file's form (forms come in file order)."""
    return page.locator("[data-testid='stForm']").nth(index)


def apply(page: Page, index: int, shows: str) -> None:
    """Apply one file's form and wait for what the rerun must show."""
    form(page, index).get_by_role("button", name="Apply").click()
    settled(page)
    expect(page.get_by_text(shows).first).to_be_visible(timeout=60_000)
    no_exception(page)


def load(page: Page, count: int, lines: list[str]) -> None:
    """Press Load; every file's result line (its rows, computed by hand) shows."""
    page.get_by_role("button", name=f"Load {count} file(s)").click()
    settled(page)
    expect(page.get_by_text(f"Loaded {count} file(s)")).to_be_visible(timeout=120_000)
    for line in lines:
        expect(page.get_by_text(line).first).to_be_visible(timeout=10_000)
    no_exception(page)


def figure(database: Path, sql: str):
    """One figure of the database the page loaded into (opened beside the server, as the CLI would)."""
    con = store.connect(database)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_preset_through_the_data_page(server, tmp_path):
    database = tmp_path / "e2e.duckdb"  # the server fixture's database
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    archive = tmp_path / "audience_export_5d4c3b2a19.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for folder in MAILCHIMP_ZIP:
            zipped.write(fixture(folder), f"audience_export_5d4c3b2a19/{fixture(folder).name}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 4000})

        # 1. Mailchimp: the audience zip (subscribed, unsubscribed, cleaned) and the non-subscribed file. Each asks
        #    for its collection source.
        members = [f"audience_export_5d4c3b2a19.zip/{fixture(f).name}" for f in MAILCHIMP_ZIP]
        members.append(fixture("mailchimp_nonsubscribed").name)
        upload(
            page, server, [archive, fixture("mailchimp_nonsubscribed")], ["preset mailchimp_nonsubscribed"]
        )
        for index, name in enumerate(members):
            form(page, index).get_by_label(SOURCE, exact=True).fill("newsletter_form")
            apply(page, index, f"{name} → contacts")
        load(
            page,
            4,
            [
                "/subscribed_email_audience_export_5d4c3b2a19.csv → contacts (preset mailchimp_subscribed): 6 row(s)",
                "/unsubscribed_email_audience_export_5d4c3b2a19.csv → contacts (preset mailchimp_unsubscribed)",
                "cleaned_email_audience_export_5d4c3b2a19.csv → contacts (preset mailchimp_cleaned): 5 row(s), 5 new",
                "nonsubscribed_email_audience_export_5d4c3b2a19.csv → contacts (preset mailchimp_nonsubscribed)",
            ],
        )
        # subscribed and cleaned: opt_in (11); unsubscribed: opt_in with an opposition date (5); non-subscribed:
        # consent none (3).
        assert figure(
            database, "select consent, count(*), count(opted_out_at) from contacts group by 1 order by 1"
        ) == [
            ("none", 3, 0),
            ("opt_in", 16, 5),
        ]
        page.screenshot(path=str(ARTIFACTS / "data-page-mailchimp.png"))

        # 2. Klaviyo: the profile export (nothing to ask) and the campaign report (its legal basis).
        upload(
            page,
            server,
            [fixture("klaviyo_profiles"), fixture("klaviyo_campaigns")],
            ["preset klaviyo_profiles"],
        )
        choose_nth(page, BASIS, 1, "Soft opt-in")
        apply(page, 1, "export.csv → campaign_stats")
        load(
            page,
            2,
            [
                "export.csv → contacts (preset klaviyo_profiles): 7 row(s)",
                "→ campaign_stats (preset klaviyo_campaigns): 5 row(s), 5 new",
            ],
        )
        # Source "Shopify": Zoé, Camille, Jérôme; delivered over the 5 rows: 18226 + 9538 + 18221 + 11869 + 636.
        assert figure(database, "select count(*) from contacts where collection_source = 'Shopify'") == [(3,)]
        assert figure(database, "select sum(delivered) from campaign_stats") == [(58490,)]

        # 3. Brevo: contacts (a French account's export, ';' and day-first dates) and marketing events.
        upload(page, server, [fixture("brevo_contacts"), fixture("brevo_events")], ["preset brevo_events"])
        load(
            page,
            2,
            [
                "→ contacts (preset brevo_contacts): 8 row(s)",
                "→ events (preset brevo_events): 11 row(s), 11 new",
            ],
        )
        # call_center: François and Chloé; campaign 27: one spam report (Maëlle) → a complaint.
        assert figure(database, "select count(*) from contacts where collection_source = 'call_center'") == [
            (2,)
        ]
        assert figure(
            database, "select count(*) from events where campaign_id = '27' and event_type = 'complaint'"
        ) == [(1,)]

        # 4. SendGrid: the Event Webhook CSV and the Email Activity export.
        upload(
            page,
            server,
            [fixture("sendgrid_events"), fixture("sendgrid_activity")],
            ["preset sendgrid_activity"],
        )
        load(
            page,
            2,
            [
                "→ events (preset sendgrid_events): 12 row(s), 12 new",
                "→ events (preset sendgrid_activity): 16 row(s), 16 new",
            ],
        )
        # Activity, campaign 8841203: Agnès's bounce and Léa's drop (refused before sending) are bounces.
        assert figure(
            database, "select count(*) from events where campaign_id = '8841203' and event_type = 'bounce'"
        ) == [(2,)]

        # 5. Mailjet: `sent` means accepted by the receiving server — 3 deliveries (Zoé, Noël, Maëlle).
        upload(page, server, [fixture("mailjet_events")], ["preset mailjet_events"])
        load(page, 1, ["→ events (preset mailjet_events): 9 row(s), 9 new"])
        assert figure(
            database,
            "select event_type, count(*) from events where campaign_id = '7702417' group by 1 order by 1",
        ) == [
            ("bounce", 2),
            ("click", 1),
            ("complaint", 1),
            ("delivered", 3),
            ("open", 1),
            ("unsubscribe", 1),
        ]

        # 6. Salesforce Marketing Cloud: the Sent and Unsubs extracts (one preset for the whole family).
        upload(page, server, [fixture("sfmc_sent"), fixture("sfmc_unsubs")], ["preset sfmc_tracking"])
        load(
            page,
            2,
            [
                "→ events (preset sfmc_tracking): 9 row(s), 9 new",
                "→ events (preset sfmc_tracking): 5 row(s), 5 new",
            ],
        )
        assert figure(
            database,
            "select count(*) from events where contact_id like 'CRM-%' and event_type = 'unsubscribe'",
        ) == [(5,)]

        # 7. Mautic: the contact export asks for source, consent and collection date; the email statistics; the
        #    do-not-contact table, resolved through the contact export's lead ids in the same batch.
        upload(
            page,
            server,
            [fixture("mautic_contacts"), fixture("mautic_email_stats"), fixture("mautic_donotcontact")],
            ["preset mautic_donotcontact"],
        )
        form(page, 0).get_by_label(SOURCE, exact=True).fill("in_store")
        form(page, 0).get_by_label("Collection date of every contact in this file", exact=True).fill(
            "2024-06-01"
        )
        choose_nth(page, "Consent of every contact in this file", 0, "No explicit consent")
        apply(page, 0, "export.csv → contacts")
        load(
            page,
            3,
            [
                "→ contacts (preset mautic_contacts): 6 row(s)",
                "→ events (preset mautic_email_stats): 10 row(s), 10 new",
                "lead_donotcontact.csv → oppositions (preset mautic_donotcontact): 3 row(s), 3 new",
            ],
        )
        # Noël and Maëlle (reason 1) and Léa (reason 3, manual); François's bounce and Hélène's SMS STOP are not.
        assert figure(database, "select contact_id from oppositions order by 1") == [
            ("lea.roux@example.com",),
            ("maelle.petit@example.com",),
            ("noel.dubois@example.com",),
        ]

        # 8. Campaign reports in a spreadsheet: the English one and a French agency's (cp1252, ';', "18 420").
        upload(
            page,
            server,
            [
                fixture("generic_campaign_report", "export.csv"),
                fixture("generic_campaign_report", "rapport_agence_fr.csv"),
            ],
            ["rapport_agence_fr.csv"],
        )
        for index, name in enumerate(("export.csv", "rapport_agence_fr.csv")):
            choose_nth(page, BASIS, index, "Soft opt-in")
            apply(page, index, f"{name} → campaign_stats")
        # The French report's three rows are three of the English one's, written "18 420", "24/06/2024", in
        # cp1252: read alike, they are the same rows, loaded once.
        load(
            page,
            2,
            [
                "export.csv → campaign_stats (preset generic_campaign_report): 6 row(s), 6 new",
                "rapport_agence_fr.csv → campaign_stats (preset generic_campaign_report): 3 row(s), 0 new",
            ],
        )
        assert figure(
            database,
            "select sent, delivered from campaign_stats where collection_source = 'in_store' "
            "and cast(sent_at as date) = '2024-06-24'",
        ) == [(18420, 18226)]

        # The pages now show the brand's data: no demo label.
        page.goto(f"{server}/health", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible(timeout=60_000)
        assert page.get_by_text("Demo data").count() == 0
        no_exception(page)
        page.screenshot(path=str(ARTIFACTS / "cohort-health-after-every-preset.png"), full_page=True)
        browser.close()


def choose_nth(page: Page, label: str, index: int, option: str) -> None:
    """Pick an option of the select box so labelled in the index-th file's form."""
    settled(page)
    box = form(page, index).get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()
