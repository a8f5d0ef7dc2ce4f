from tests.builders import build_report, cohort, send_bases


def test_one_soft_opt_in_send_is_counted_for_its_source(data):
    # c1: consent none, bought on 2025-01-10, informed by default → soft_opt_in when mailed on 2025-03-01.
    con = (
        data.contact("c1", source="web")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", opens=1, clicks=2)
        .load()
    )
    assert send_bases(con, "2025-03-10") == {("k1", "c1"): "soft_opt_in"}
    web = cohort(build_report(con, "2025-03-10"), "web")["metrics"]
    # one delivered send, one opener, one clicker (two clicks count once)
    assert (web["delivered"], web["openers"], web["clickers"]) == (1, 1, 1)
