"""Access control for shared deployments: the allow-list, the configuration, and the gate on every page.

The gate is driven with AppTest: `AppTest.secrets` stands for .streamlit/secrets.toml and `AppTest.user` for
the identity cookie (st.user), so no identity provider is needed. One test goes through a real secrets file
and Streamlit's own st.login, with Authlib (a dependency: pyproject.toml).
"""

from __future__ import annotations

import authlib
import pytest
import streamlit as st
import streamlit.auth_util
import streamlit.user_info
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from analytics import store
from dashboard import auth
from dashboard.text import md

APP = str(store.PROJECT_ROOT / "dashboard" / "app.py")
PAGES = [
    "views/health.py",
    "views/review.py",
    "views/trends.py",
    "views/eligibility.py",
    "views/compliance.py",
    "views/data_files.py",
    "views/settings_view.py",
    "views/guide.py",
]
GOOGLE = "https://accounts.google.com/.well-known/openid-configuration"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "0123456789abcdef" * 4,
    "client_id": "dashboard.apps.example",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": GOOGLE,
}
ALLOWED = ["anne@brand.fr", "@agency.example"]
LOGGED_OUT = {"is_logged_in": False}
REAL_AUTHLIB_CHECK = auth.authlib_installed


def signed_in(email, **claims):
    return {"is_logged_in": True, "email": email, "email_verified": True, **claims}


# --- is_allowed --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    ["anne@brand.fr", "ANNE@Brand.FR", "  anne@brand.fr ", "paul@agency.example", "Zoé.X@AGENCY.example"],
)
def test_listed_addresses_and_domains_are_allowed_in_any_case(email):
    assert auth.is_allowed(email, ALLOWED)


@pytest.mark.parametrize(
    "email",
    [
        "paul@brand.fr",  # the domain is not listed, only anne's address
        "anne@brand.fr.evil.com",
        "x@evilagency.example",
        "x@agency.example.evil.com",
        "x@sub.agency.example",  # a whole domain, not its subdomains
        "x@agency.example@evil.com",
        "agency.example",
        "@agency.example",
        "anne@brand.fr,x@evil.com",
        "",
        None,
        42,
    ],
)
def test_lookalike_and_malformed_addresses_are_refused(email):
    assert not auth.is_allowed(email, ALLOWED)


def test_an_empty_allow_list_allows_nobody():
    assert not auth.is_allowed("anne@brand.fr", [])
    assert not auth.is_allowed("anne@brand.fr", ())


def test_allow_list_entries_are_normalised_and_bad_ones_reported_without_their_value():
    allowed, problems = auth.parse_allowed(" Anne@Brand.fr , @Agency.Example,,@agency.example", "list")
    assert allowed == ("anne@brand.fr", "@agency.example")
    assert problems == ()
    _, problems = auth.parse_allowed(["anne@brand.fr", "brand.fr", "*@x.fr", "a b@x.fr", 3], "list")
    assert [p.split(":")[0] for p in problems] == ["list"] * 4
    assert "entry 2 " in problems[0] and "entry 5 " in problems[3]
    assert not any("brand.fr" in p.split("(")[0] for p in problems)  # entries are not echoed
    assert auth.parse_allowed({"a": 1}, "list")[1]


# --- check_user --------------------------------------------------------------------------------------------


def test_the_verdict_needs_a_verified_listed_email():
    assert auth.check_user(signed_in("Anne@Brand.fr"), ("anne@brand.fr",)) == auth.Verdict(
        True, "anne@brand.fr", "allowed"
    )
    assert auth.check_user(signed_in("anne@brand.fr", email_verified=" TRUE "), ("anne@brand.fr",)).allowed
    assert auth.check_user({"is_logged_in": True}, ("anne@brand.fr",)).reason == "no_email"
    assert auth.check_user({"is_logged_in": True, "email": ""}, ("anne@brand.fr",)).reason == "no_email"
    for flag in (False, "false", "False", 0, 1, "yes", None, ""):
        verdict = auth.check_user(signed_in("anne@brand.fr", email_verified=flag), ("anne@brand.fr",))
        assert verdict == auth.Verdict(False, "anne@brand.fr", "unverified"), flag
    assert auth.check_user(signed_in("anne@brand.fr"), ()).reason == "empty_list"
    assert auth.check_user(signed_in("paul@brand.fr"), ("anne@brand.fr",)).reason == "not_listed"


def test_an_identity_without_the_email_verified_claim_is_refused():
    """Issue 13: a multi-tenant provider lets anyone show someone else's address; only email_verified says the
    provider checked it, so its absence (Entra ID sends none) is a refusal, even for a listed address."""
    verdict = auth.check_user({"is_logged_in": True, "email": "anne@brand.fr"}, ("anne@brand.fr",))
    assert verdict == auth.Verdict(False, "anne@brand.fr", "unverified")


# --- read_config -------------------------------------------------------------------------------------------


def test_no_secrets_and_no_variables_means_no_login():
    config = auth.read_config({}, {})
    assert config == auth.AccessConfig(require_login=False)


def test_an_auth_section_turns_login_on_and_names_its_provider():
    config = auth.read_config({"auth": AUTH, "optout_cohorts": {"allowed_users": ALLOWED}}, {})
    assert config.require_login and config.problems == ()
    assert config.allowed == ("anne@brand.fr", "@agency.example")
    assert config.providers == (None,)


def test_an_auth_section_keeps_login_on_even_when_told_otherwise():
    secrets = {"auth": AUTH, "optout_cohorts": {"require_login": False}}
    assert auth.read_config(secrets, {}).require_login
    assert auth.read_config(secrets, {auth.ENV_REQUIRE_LOGIN: "false"}).require_login


def test_environment_variables_override_the_secrets():
    secrets = {"auth": AUTH, "optout_cohorts": {"require_login": False, "allowed_users": ["anne@brand.fr"]}}
    config = auth.read_config(secrets, {auth.ENV_ALLOWED_USERS: "paul@brand.fr, @other.example"})
    assert config.allowed == ("paul@brand.fr", "@other.example")
    # blank variables count as unset
    assert auth.read_config(secrets, {auth.ENV_ALLOWED_USERS: "  "}).allowed == ("anne@brand.fr",)
    assert not auth.read_config(
        {"optout_cohorts": {"require_login": True}}, {auth.ENV_REQUIRE_LOGIN: "no"}
    ).require_login
    assert auth.read_config({}, {auth.ENV_REQUIRE_LOGIN: "  "}) == auth.AccessConfig(require_login=False)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on"])
def test_login_required_without_auth_section_fails_closed(value):
    config = auth.read_config({}, {auth.ENV_REQUIRE_LOGIN: value})
    assert config.require_login
    assert any("no [auth] section" in problem for problem in config.problems)


def test_require_login_in_the_secrets_without_auth_fails_closed():
    config = auth.read_config({"optout_cohorts": {"require_login": True, "allowed_users": ALLOWED}}, {})
    assert config.require_login and config.problems


def test_an_allow_list_alone_turns_login_on_and_fails_closed_without_auth():
    for secrets, env in [
        ({"optout_cohorts": {"allowed_users": ["anne@brand.fr"], "require_login": False}}, {}),
        ({}, {auth.ENV_ALLOWED_USERS: "@brand.fr"}),
        ({"optout_cohorts": "require_login"}, {}),  # a section that is not one
        ({"optout_cohorts": {"allowed_users": "brand.fr"}}, {}),  # an entry that is not one
    ]:
        config = auth.read_config(secrets, env)
        assert config.require_login and config.problems, secrets


def test_an_unreadable_switch_fails_closed():
    config = auth.read_config({"auth": AUTH}, {auth.ENV_REQUIRE_LOGIN: "maybe"})
    assert config.require_login
    assert config.problems == (f"{auth.ENV_REQUIRE_LOGIN} must be true or false.",)
    config = auth.read_config({"optout_cohorts": {"require_login": "sometimes"}}, {})
    assert config.require_login and "require_login must be true or false." in config.problems[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"redirect_uri": None}, "[auth] has no redirect_uri."),
        (
            {"redirect_uri": "localhost:8501/oauth2callback"},
            "redirect_uri must be the app's absolute address",
        ),
        ({"redirect_uri": "https://dash.example.org/"}, "ending in /oauth2callback"),
        ({"cookie_secret": None}, "[auth] has no cookie_secret."),
        ({"cookie_secret": "xxx"}, "cookie_secret is too short"),
        ({"client_secret": None}, "[auth] is missing client_secret."),
        (
            {"client_id": " ", "server_metadata_url": None},
            "[auth] is missing client_id, server_metadata_url.",
        ),
        ({"server_metadata_url": "accounts.google.com"}, "server_metadata_url must be an absolute"),
    ],
)
def test_an_incomplete_auth_section_is_a_configuration_problem(change, expected):
    section = {key: value for key, value in ({**AUTH, **change}).items() if value is not None}
    config = auth.read_config({"auth": section, "optout_cohorts": {"allowed_users": ALLOWED}}, {})
    assert config.require_login
    assert any(expected in problem for problem in config.problems), config.problems
    assert not any(
        str(value) in " ".join(config.problems) for value in change.values() if value and value.strip()
    ), "values are never echoed"


def test_named_providers_are_offered_and_checked_one_by_one():
    section = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "client_kwargs": {"prompt": "login"},  # a setting of the default provider, not a provider
        "microsoft": {
            "client_id": "a",
            "client_secret": "b",
            "server_metadata_url": "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration",
        },
        "okta": {
            "client_id": "a",
            "server_metadata_url": "https://x.okta.com/.well-known/openid-configuration",
        },
        "my_idp": {"client_id": "a", "client_secret": "b", "server_metadata_url": GOOGLE},
    }
    providers, problems = auth.auth_problems(section)
    assert providers == ("microsoft", "okta", "my_idp")
    assert problems == (
        "[auth.okta] is missing client_secret.",
        "[auth.my_idp]: Streamlit does not accept an underscore in a provider name.",
    )
    assert auth.auth_problems({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]})[
        1
    ] == ("[auth] names no identity provider: add client_id, client_secret and server_metadata_url.",)


def test_an_empty_allow_list_is_not_a_configuration_problem_but_lets_nobody_in():
    config = auth.read_config({"auth": AUTH}, {})
    assert config.require_login and config.problems == () and config.allowed == ()


# --- the gate in the app -----------------------------------------------------------------------------------


@pytest.fixture
def no_real_secrets(monkeypatch, tmp_path):
    """Neither this machine's secrets files nor the access variables reach the test: st.secrets reads
    only tmp_path/secrets.toml (absent unless a test writes it), which stands for the installation's; the
    server listens on 127.0.0.1 as the project's config.toml says, whatever folder pytest runs from."""
    for name in (auth.ENV_REQUIRE_LOGIN, auth.ENV_ALLOWED_USERS, auth.ENV_SECRETS, auth.ENV_ALLOW_NO_LOGIN):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(auth, "INSTALLED_SECRETS", tmp_path / "secrets.toml")
    fresh = Secrets()
    monkeypatch.setattr(st, "secrets", fresh)
    monkeypatch.setattr(streamlit.auth_util, "secrets_singleton", fresh)  # what st.login and st.user read
    options = {"secrets.files": [str(tmp_path / "secrets.toml")], "server.address": "127.0.0.1"}
    with patch_config_options(options):
        yield tmp_path / "secrets.toml"


@pytest.fixture
def open_app(monkeypatch, demo_file, no_real_secrets):
    """open_app(secrets=None, user=None, page=None) -> AppTest run on the demo (optionally on a page)."""
    monkeypatch.setenv(store.ENV_DB_PATH, str(demo_file))
    monkeypatch.setattr(auth, "authlib_installed", lambda: True)  # the tests need no Authlib

    def start(secrets=None, user=None, page=None) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=120)
        if secrets:
            app.secrets = secrets
        if user is not None:
            app.user = user
        app.run()
        if page:
            app.switch_page(page).run()
        return app

    yield start
    st.cache_data.clear()
    st.cache_resource.clear()


def element_types(app) -> dict[str, list[str]]:
    """Every element drawn, by area ("main", "sidebar"), as its type name."""

    def walk(node):
        children = getattr(node, "children", None)
        if children is None:
            return [node.type]
        return [kind for child in children.values() for kind in walk(child)]

    return {"main": walk(app.main), "sidebar": walk(app.sidebar)}


def assert_shows_no_data(app):
    drawn = element_types(app)
    assert drawn["sidebar"] == [], drawn
    assert set(drawn["main"]) <= {"title", "markdown", "error", "info", "button"}, drawn
    assert not app.dataframe and not app.metric and not app.table
    assert not app.get("plotly_chart") and not app.get("download_button")
    assert not app.exception, app.exception


def assert_login_page(app):
    assert_shows_no_data(app)
    assert [b.label for b in app.button] == ["Log in"]
    assert [t.value for t in app.title] == ["optout-cohorts"]
    assert not app.error


def configured(allowed=ALLOWED):
    return {"auth": AUTH, "optout_cohorts": {"allowed_users": list(allowed)}}


def test_without_configuration_the_app_opens_as_before(open_app):
    app = open_app()
    assert not app.exception and not app.error
    assert app.title[0].value == "Cohort health"
    assert len(app.dataframe[0].value) == 11 and app.metric
    assert app.date_input(key="as_of").value  # the sidebar is there
    assert "Log in" not in [b.label for b in app.button]
    assert auth.USER_KEY in app.session_state and app.session_state[auth.USER_KEY] is None


def test_logged_out_sees_only_the_login_button(open_app):
    assert_login_page(open_app(configured(), LOGGED_OUT))
    # a user dict without is_logged_in (AppTest's default) is not a login either
    assert_login_page(open_app(configured()))
    # [auth] alone turns login on (no [optout_cohorts] section, so an empty allow-list): still only the login
    assert_login_page(open_app({"auth": AUTH, "other": {"x": 1}}, LOGGED_OUT))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_only_the_login_once_logged_out(open_app, page):
    # A session on the page as an allowed user, who then is logged out: the page's next run shows nothing.
    app = open_app(configured(), signed_in("anne@brand.fr"), page=page)
    assert not app.exception and app.title[0].value != "optout-cohorts"
    assert app.sidebar.date_input(key="as_of")
    app.user = dict(LOGGED_OUT)
    app.run()
    assert_login_page(app)
    # ... or signed in with an address that is not allowed
    app.user = signed_in("paul@brand.fr")
    app.run()
    assert_shows_no_data(app)
    assert md("paul@brand.fr") in app.error[0].value


def test_an_address_not_allowed_is_refused_and_shown_as_text(open_app):
    hostile = "**Bold**[link](javascript:alert(1))_x_@Brand.fr"  # a valid address full of Markdown
    app = open_app(configured(), signed_in(hostile))
    assert_shows_no_data(app)
    email = hostile.lower()
    refusal = app.error[0].value
    assert f"Your account {md(email)} is not allowed" in refusal
    assert "**" not in refusal and "[link](" not in refusal
    assert [b.label for b in app.button] == ["Log out"]
    assert app.session_state[auth.USER_KEY] is None


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({"is_logged_in": True, "name": "Anne"}, "did not give a usable email address"),
        (signed_in("anne@brand.fr", email_verified=False), "does not confirm that this address is verified"),
        ({"is_logged_in": True, "email": "anne@brand.fr"}, "does not confirm that this address is verified"),
        (signed_in("x@brand.fr.evil.com"), "is not allowed to open this dashboard"),
    ],
)
def test_missing_unverified_or_lookalike_emails_are_refused(open_app, user, message):
    app = open_app(configured(), user)
    assert_shows_no_data(app)
    assert message in app.error[0].value


def test_an_empty_allow_list_lets_nobody_in_and_tells_the_admin(open_app):
    app = open_app({"auth": AUTH}, signed_in("anne@brand.fr"))
    assert_shows_no_data(app)
    assert "not allowed" in app.error[0].value
    assert "allow\\-list is empty" in app.info[0].value


def test_an_allowed_user_sees_cohort_health_and_can_log_out(open_app):
    app = open_app(configured(["@BRAND.fr"]), signed_in("Anne@brand.fr", name="Anne"))
    assert not app.exception and not app.error
    assert app.title[0].value == "Cohort health"
    assert len(app.dataframe[0].value) == 11  # ten sources and the baseline
    assert app.session_state[auth.USER_KEY] == "anne@brand.fr"
    assert f"Signed in as {md('anne@brand.fr')}" in app.sidebar.caption[0].value
    app.button(key="auth_logout").click().run()
    assert_login_page(app)
    assert app.user == LOGGED_OUT


def test_the_allow_list_variable_replaces_the_secrets_list(open_app, monkeypatch):
    monkeypatch.setenv(auth.ENV_ALLOWED_USERS, "paul@brand.fr")
    assert_shows_no_data(open_app(configured(), signed_in("anne@brand.fr")))
    assert open_app(configured(), signed_in("paul@brand.fr")).dataframe


@pytest.mark.parametrize(
    ("secrets", "env", "message"),
    [
        (None, "true", "no \\[auth\\] section"),
        (
            {"optout_cohorts": {"require_login": True, "allowed_users": ALLOWED}},
            None,
            "no \\[auth\\] section",
        ),
        ({"auth": {**AUTH, "cookie_secret": "short"}}, None, "cookie\\_secret is too short"),
        ({"auth": {k: v for k, v in AUTH.items() if k != "client_id"}}, None, "missing client\\_id"),
        ({"auth": AUTH, "optout_cohorts": {"allowed_users": ["brand.fr"]}}, None, "entry 1 is neither"),
    ],
)
def test_a_misconfigured_login_stops_with_a_configuration_error(open_app, monkeypatch, secrets, env, message):
    if env:
        monkeypatch.setenv(auth.ENV_REQUIRE_LOGIN, env)
    for user in (LOGGED_OUT, signed_in("anne@brand.fr")):  # even a signed-in, listed user sees no data
        app = open_app(secrets, user)
        assert_shows_no_data(app)
        assert not app.button
        assert "access control is not set up correctly" in app.error[0].value
        assert message in app.error[0].value


def test_login_without_authlib_is_a_configuration_error(open_app, monkeypatch):
    app = open_app(configured(), LOGGED_OUT)
    monkeypatch.setattr(auth, "authlib_installed", lambda: False)
    app.run()
    assert_shows_no_data(app)
    assert "Authlib" in app.error[0].value and not app.button


def test_an_unreadable_secrets_file_fails_closed(open_app, no_real_secrets):
    no_real_secrets.write_text('[auth\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    assert auth.load_secrets()[1] == (
        "The secrets file (.streamlit/secrets.toml) cannot be read: check its TOML syntax."
    )
    app = open_app(user=signed_in("anne@brand.fr"))
    assert_shows_no_data(app)
    assert "cannot be read" in app.error[0].value


def test_no_secrets_file_is_local_use(no_real_secrets):
    assert auth.load_secrets() == ({}, None)


def write_secrets(path, allowed=("anne@brand.fr",)):
    """A secrets file that turns login on: the [auth] section above and this allow-list."""
    lines = ["[auth]", *(f'{key} = "{value}"' for key, value in AUTH.items())]
    lines += ["", "[optout_cohorts]", f"allowed_users = {list(allowed)!r}".replace("'", '"')]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_real_secrets_file_and_streamlits_own_login(open_app, no_real_secrets, monkeypatch):
    """Through .streamlit/secrets.toml as Streamlit reads it: st.user says logged out, and the button calls
    st.login, which checks the same [auth] section and builds the provider's redirect."""
    # Authlib is a dependency (pyproject.toml), imported above: never skipped; the product's own check finds it.
    assert authlib.__version__ and REAL_AUTHLIB_CHECK()
    monkeypatch.setattr(auth, "authlib_installed", REAL_AUTHLIB_CHECK)
    write_secrets(no_real_secrets)
    redirects = []
    real = streamlit.user_info.generate_login_redirect_url
    monkeypatch.setattr(
        streamlit.user_info,
        "generate_login_redirect_url",
        lambda p: redirects.append(real(p)) or redirects[-1],
    )
    app = open_app(user={})  # no claims at all: st.user adds is_logged_in = False since [auth] exists
    assert_login_page(app)
    app.button(key="auth_login").click().run()
    assert not app.exception, app.exception
    assert len(redirects) == 1 and redirects[0].startswith("/auth/login?provider=")


def test_the_example_secrets_file_fails_closed_until_filled_in_then_works():
    import tomllib

    text = (store.PROJECT_ROOT / ".streamlit" / "secrets.toml.example").read_text()
    config = auth.read_config(tomllib.loads(text), {})
    assert config.require_login
    assert any("cookie_secret is too short" in problem for problem in config.problems)
    assert any("names no identity provider" in problem for problem in config.problems)
    google = text.replace('"REPLACE-ME"', '"' + "9f" * 32 + '"')
    google = google.replace('# client_id = "1234567890', 'client_id = "1234567890')
    google = google.replace('# client_secret = "GOCSPX', 'client_secret = "GOCSPX')
    google = google.replace(
        '# server_metadata_url = "https://accounts.google',
        'server_metadata_url = "https://accounts.google',
        1,
    )
    config = auth.read_config(tomllib.loads(google), {})
    assert config.problems == () and config.providers == (None,)
    assert config.allowed == ("anne@brand.fr", "@brand.fr")


# --- where the dashboard is served from (issue 13, findings 1 and 2) --------------------------------------------


def test_the_secrets_files_do_not_depend_on_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert auth.INSTALLED_SECRETS == store.PROJECT_ROOT / ".streamlit" / "secrets.toml"
    home = tmp_path / "home" / ".streamlit" / "secrets.toml"
    assert auth.secrets_files({}) == (home, auth.INSTALLED_SECRETS)
    # the variable's file comes last (it wins), relative to the folder it was given in
    assert auth.secrets_files({auth.ENV_SECRETS: " conf/s.toml "}) == (
        home,
        auth.INSTALLED_SECRETS,
        tmp_path / "conf" / "s.toml",
    )
    assert auth.secrets_files({auth.ENV_SECRETS: "  "}) == (home, auth.INSTALLED_SECRETS)


def test_the_command_line_merges_the_secrets_as_streamlit_does(tmp_path):
    first = tmp_path / "a.toml"
    first.write_text('[auth]\nclient_id = "a"\n[optout_cohorts]\nrequire_login = true\n')
    second = tmp_path / "b.toml"
    second.write_text('[auth]\nclient_secret = "b"\n')
    # a later file's section replaces the earlier one's whole (Streamlit's dict.update); a missing file is skipped
    assert auth.read_secrets_files([first, tmp_path / "absent.toml", second]) == {
        "auth": {"client_secret": "b"},
        "optout_cohorts": {"require_login": True},
    }
    second.write_text("[auth\n")
    with pytest.raises(ValueError, match=r"b\.toml is not valid TOML"):
        auth.read_secrets_files([first, second])


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        (" ::1 ", True),
        ("[::1]", True),
        ("LocalHost", True),
        (None, False),  # Streamlit's default: every interface
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.2", False),
        ("10.0.0.1", False),
        ("cohorts.brand.fr", False),
        ("localhost.evil.example", False),
    ],
)
def test_only_loopback_addresses_keep_the_dashboard_on_this_machine(address, loopback):
    assert auth.is_loopback(address) is loopback


def test_the_network_without_login_is_refused_unless_the_operator_says_so():
    no_login = auth.read_config({}, {})
    login = auth.read_config({"auth": AUTH}, {})
    assert auth.network_problem("127.0.0.1", no_login, {}) is None
    assert auth.network_problem("0.0.0.0", login, {}) is None
    refusal = auth.network_problem("0.0.0.0", no_login, {})
    assert refusal.startswith("The dashboard would be served on every network interface with no login")
    assert "127.0.0.1" in refusal and "OPTOUT_COHORTS_ALLOW_NO_LOGIN=1" in refusal
    assert "--no-login-on-network" in refusal
    assert "the network address 192.0.2.2 with no login" in auth.network_problem("192.0.2.2", no_login, {})
    assert auth.network_problem(None, no_login, {}).startswith("The dashboard would be served on every")
    for value in ("1", "true", " YES "):
        assert auth.network_problem("0.0.0.0", no_login, {auth.ENV_ALLOW_NO_LOGIN: value}) is None
    assert auth.network_problem("0.0.0.0", no_login, {auth.ENV_ALLOW_NO_LOGIN: "0"}) == refusal
    assert auth.network_problem("0.0.0.0", no_login, {auth.ENV_ALLOW_NO_LOGIN: " "}) == refusal
    assert auth.network_problem("0.0.0.0", no_login, {auth.ENV_ALLOW_NO_LOGIN: "maybe"}) == (
        f"{auth.ENV_ALLOW_NO_LOGIN} must be true or false."
    )


@pytest.mark.parametrize("address", ["0.0.0.0", "192.0.2.2", None])
def test_a_server_on_the_network_without_login_shows_no_data(open_app, monkeypatch, address):
    """`streamlit run` by hand with --server.address (or from a folder without the project's config.toml)."""
    with patch_config_options({"server.address": address}):
        app = open_app(user=signed_in("anne@brand.fr"))
        assert_shows_no_data(app)
        assert "access control is not set up correctly" in app.error[0].value
        assert "with no login" in app.error[0].value
        # login turns it into the login page; the operator's explicit opt-out into the dashboard
        assert_login_page(open_app(configured(), LOGGED_OUT))
        monkeypatch.setenv(auth.ENV_ALLOW_NO_LOGIN, "1")
        assert open_app().title[0].value == "Cohort health"


@pytest.mark.parametrize("which", ["installation", "variable"])
def test_secrets_that_streamlit_does_not_read_fail_closed(open_app, no_real_secrets, monkeypatch, which):
    """Finding 1: started from another folder, Streamlit reads no secrets (here: secrets.files names only an
    absent file) although the installation, or $OPTOUT_COHORTS_SECRETS, has one that turns login on. The
    gate used to take that for local use and show every page; now it stops with a configuration error."""
    elsewhere = write_secrets(no_real_secrets.parent / "elsewhere" / "secrets.toml")
    if which == "installation":
        monkeypatch.setattr(auth, "INSTALLED_SECRETS", elsewhere)
    else:
        monkeypatch.setenv(auth.ENV_SECRETS, str(elsewhere))
    assert not no_real_secrets.exists() and auth.load_secrets() == ({}, None)
    for user in (LOGGED_OUT, signed_in("anne@brand.fr")):
        app = open_app(user=user)
        assert_shows_no_data(app)
        assert "does not read the dashboard's secrets file" in app.error[0].value
        assert str(elsewhere.parent) not in app.error[0].value  # no server path on the page


def test_a_secrets_variable_naming_no_file_fails_closed(open_app, no_real_secrets, monkeypatch):
    monkeypatch.setenv(auth.ENV_SECRETS, str(no_real_secrets.parent / "typo.toml"))
    app = open_app()
    assert_shows_no_data(app)
    assert "names a file that does not exist" in app.error[0].value


def test_the_secrets_streamlit_reads_are_enough(open_app, no_real_secrets, monkeypatch):
    """The same secrets file, once Streamlit reads it (as `optout-cohorts dashboard` makes it), is the login."""
    write_secrets(no_real_secrets)
    monkeypatch.setenv(auth.ENV_SECRETS, str(no_real_secrets))
    assert_login_page(open_app(user=LOGGED_OUT))
