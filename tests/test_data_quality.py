"""Every data-quality warning the product emits (analytics/sql/metrics/data_quality.sql, report.data_quality),
each with its exact words and counts computed by hand, and where the user reads them (Cohort health page).

Unless a test says otherwise the report date T is 2025-03-28: events, campaigns and contacts dated after it are
unknown on T and counted in no warning (SPEC §7).
"""

from __future__ import annotations

import datetime as dt

from analytics.report import cohorts as report
from tests.builders import DataBuilder

T = dt.date(2025, 3, 28)
IN_WINDOW = "2025-03-10T09:00:00"
AFTER_T = "2025-03-29T09:00:00"

UNKNOWN = (
    "{events} event(s) of {ids} contact id(s) absent from the contacts known on the report date (not loaded, or "
    "collected later) are kept but excluded from every metric: load the contacts they belong to, or check "
    "their collection dates."
)
INFERRED = (
    "{n} campaign(s) appear in events but not in campaigns: their send date is taken as their earliest event's "
    "date and their type as promo. Load the campaigns file."
)
UNTYPED = "{n} campaign(s) have no email type and are counted as promotions (marketing)."
LOOK_ALIKE = (
    "The sources {listed} differ only by case or look-alike characters: they count as {n} separate cohorts, "
    "each with a part of the sends. Write the source the same way in every file, then load the contacts again: "
    "each contact's row is updated to the source written (campaign-stats rows already loaded keep theirs: empty "
    "the database on the Data page and load every file again)."
)


def client(data: DataBuilder, contact_id: str, source: str = "web", **optional) -> DataBuilder:
    return data.contact(contact_id, source=source, **optional).order(contact_id, "2025-01-10")


def test_clean_data_has_no_warning(data):
    # One known client, one typed campaign, its send: nothing to warn about.
    con = client(data, "c1").campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW, opens=1).load()
    assert report.data_quality(con, T) == []


def test_events_of_unknown_contacts_are_counted_with_their_ids(data):
    # By hand, on T:
    #   ghost1 (absent from contacts): sent, delivered, open on 03-10 → 3 events;
    #   ghost2 (absent): sent, delivered on 03-10 → 2 events, and a click on 03-29 (after T) → not counted;
    #   late (collected 2025-04-02, after T, so unknown on T): sent, delivered on 03-10 → 2 events;
    #   c1 (known): its 2 events are not counted.
    # → 3 + 2 + 2 = 7 events of 3 contact ids. On 2025-04-05 late is known and ghost2's click is dated by then:
    # ghost1 3 + ghost2 3 = 6 events of 2 ids.
    client(data, "c1")
    data.contact("late", collected_at="2025-04-02")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW)
        .send("k1", "ghost1", IN_WINDOW, opens=1)
        .send("k1", "ghost2", IN_WINDOW)
        .send("k1", "late", IN_WINDOW)
        .event("k1", "ghost2", "click", AFTER_T)
        .load()
    )
    assert report.data_quality(con, T) == [UNKNOWN.format(events=7, ids=3)]
    assert report.data_quality(con, dt.date(2025, 4, 5)) == [UNKNOWN.format(events=6, ids=2)]


def test_campaigns_seen_only_in_events_are_counted(data):
    # k1 is declared; k8 and k9 appear only in events of known contacts, their earliest events dated by T;
    # k7 appears only in events dated after T (unknown on T). → 2 inferred campaigns on T, 3 on 2025-03-29.
    for contact in ("c1", "c2", "c3"):
        client(data, contact)
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW)
        .send("k9", "c1", IN_WINDOW)
        .send("k8", "c2", "2025-02-20T09:00:00")
        .send("k7", "c3", AFTER_T)
        .load()
    )
    assert report.data_quality(con, T) == [INFERRED.format(n=2)]
    assert report.data_quality(con, dt.date(2025, 3, 29)) == [INFERRED.format(n=3)]


def test_campaigns_without_email_type_are_counted(data):
    # k1, k2: no email_type, sent by T → counted; k3: promo → not counted; k4: no email_type but sent after T
    # → not known on T. → 2 on T; 3 on 2025-03-29.
    client(data, "c1")
    con = (
        data.campaign("k1", IN_WINDOW, email_type=None)
        .campaign("k2", "2025-01-05T09:00:00", email_type=None)
        .campaign("k3", IN_WINDOW, email_type="promo")
        .campaign("k4", AFTER_T, email_type=None)
        .send("k1", "c1", IN_WINDOW)
        .load()
    )
    assert report.data_quality(con, T) == [UNTYPED.format(n=2)]
    assert report.data_quality(con, dt.date(2025, 3, 29)) == [UNTYPED.format(n=3)]


def test_sources_differing_only_by_case_are_counted_as_separate_cohorts(data):
    # Known on T: 'web' (contact c1), 'Web' (contact c2), 'WEB' (a campaign_stats row sent 03-10) → one group
    # of 3, listed in code-point order ('WEB' < 'Web' < 'web'). 'wEB' (contact collected 2025-04-02) is not
    # known on T; on 2025-04-05 it is → a group of 4. 'store' is alone: no warning.
    client(data, "c1", source="web")
    client(data, "c2", source="Web")
    client(data, "c3", source="store")
    data.contact("c4", source="wEB", collected_at="2025-04-02")
    con = data.stats("k1", IN_WINDOW, "WEB", "soft_opt_in", delivered=5).load()
    assert report.data_quality(con, T) == [LOOK_ALIKE.format(listed="'WEB', 'Web' and 'web'", n=3)]
    assert report.data_quality(con, dt.date(2025, 4, 5)) == [
        LOOK_ALIKE.format(listed="'WEB', 'Web', 'wEB' and 'web'", n=4)
    ]


def every_warning(data: DataBuilder):
    """Data with one of each warning: 2 events of 1 unknown contact (ghost: sent, delivered), 1 inferred
    campaign (k9), 1 untyped campaign (k1), the sources 'Web' and 'web'."""
    client(data, "c1", source="web")
    client(data, "c2", source="Web")
    return (
        data.campaign("k1", IN_WINDOW, email_type=None)
        .send("k1", "c1", IN_WINDOW)
        .send("k1", "ghost", IN_WINDOW)
        .send("k9", "c2", IN_WINDOW)
        .load()
    )


EVERY_WARNING = [
    UNKNOWN.format(events=2, ids=1),
    INFERRED.format(n=1),
    UNTYPED.format(n=1),
    LOOK_ALIKE.format(listed="'Web' and 'web'", n=2),
]


def test_every_warning_at_once_in_a_fixed_order(data):
    assert report.data_quality(every_warning(data), T) == EVERY_WARNING


def test_the_health_page_shows_every_warning(data, open_app):
    con = every_warning(data)
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    app = open_app(path, "health")
    app.date_input(key="as_of").set_value(T).run()
    assert not app.exception, app.exception
    # The page escapes Markdown (backslashes), so read the warnings without them.
    shown = [w.value.replace("\\", "") for w in app.warning]
    assert shown == EVERY_WARNING
