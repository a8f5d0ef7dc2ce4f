"""Who may open the dashboard: Streamlit's OIDC login (st.login, st.user, st.logout) and an allow-list.

Local use needs nothing: without configuration the dashboard opens with no login. On a shared server, login
is required as soon as `.streamlit/secrets.toml` has an `[auth]` section (Streamlit's OIDC settings), or
`require_login` is true, or an allow-list is given; then only the addresses and whole domains of
`allowed_users` get in:

    [optout_cohorts]
    require_login = true
    allowed_users = ["anne@brand.fr", "@agency.example"]

`OPTOUT_COHORTS_REQUIRE_LOGIN` (true/false) and `OPTOUT_COHORTS_ALLOWED_USERS` (comma-separated) override
these two settings. Every doubt fails closed: a login required without a complete `[auth]` section, a
secrets file that cannot be read, an allow-list entry that is neither an address nor a domain — each stops
the app with a configuration error, never with the data. `gate()` runs on every page, before the sidebar
and the page.

Where the secrets live does not depend on the folder the server is started from (Streamlit's default): the
installation's `.streamlit/secrets.toml` and the file `OPTOUT_COHORTS_SECRETS` names (`secrets_files`), which
`optout-cohorts dashboard` hands to Streamlit. A server that does not read them (e.g. `streamlit run` by hand
from another folder) stops with a configuration error instead of opening without login. So does a server
reachable from the network with no login, unless the operator says so (`OPTOUT_COHORTS_ALLOW_NO_LOGIN`).

The pure pieces (`read_config`, `auth_problems`, `is_allowed`, `check_user`, `secrets_files`,
`network_problem`) take plain values and are tested without Streamlit; `optout-cohorts dashboard` applies the
same ones before it starts the server. `gate()` is the only part that draws.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import streamlit as st

from analytics import store
from analytics.i18n import _
from dashboard.text import md

SECTION = "optout_cohorts"
ENV_REQUIRE_LOGIN = "OPTOUT_COHORTS_REQUIRE_LOGIN"
ENV_ALLOWED_USERS = "OPTOUT_COHORTS_ALLOWED_USERS"
ENV_SECRETS = "OPTOUT_COHORTS_SECRETS"  # a secrets file elsewhere than the installation's
ENV_ALLOW_NO_LOGIN = "OPTOUT_COHORTS_ALLOW_NO_LOGIN"  # serve the network without login: the operator's choice
INSTALLED_SECRETS = store.PROJECT_ROOT / ".streamlit" / "secrets.toml"
USER_KEY = "auth_signed_in_email"  # session state: the signed-in user's address (None without login)

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
MIN_COOKIE_SECRET = 32  # characters; the identity cookie is signed with it, so a short one can be forged
CALLBACK_PATH = "/oauth2callback"  # Streamlit's OIDC callback route

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
# One address or one domain: no spaces, no second @, a dotted domain of letters, digits and hyphens.
_DOMAIN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
_ADDRESS_RE = re.compile(rf"[^@\s,;<>\"']+@{_DOMAIN}")
_DOMAIN_RE = re.compile(rf"@{_DOMAIN}")

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessConfig:
    """What the gate enforces. `problems` non-empty means: stop with a configuration error."""

    require_login: bool
    allowed: tuple[str, ...] = ()  # normalised entries: "anne@brand.fr" or "@brand.fr"
    providers: tuple[str | None, ...] = ()  # None: the [auth] section's own provider; else a named one
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    email: str | None
    reason: str  # "allowed", "no_email", "unverified", "empty_list", "not_listed"


# --- pure pieces -------------------------------------------------------------------------------------------


def parse_bool(value: object, name: str) -> bool:
    """A boolean setting: a TOML bool, or true/false, 1/0, yes/no, on/off in any case."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("{name} must be true or false.").format(name=name))


def normalise_email(email: object) -> str | None:
    """The address in lower case without surrounding spaces; None when it is not one address."""
    if not isinstance(email, str):
        return None
    text = email.strip().lower()
    return text if _ADDRESS_RE.fullmatch(text) else None


def parse_allowed(entries: object, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(normalised entries, problems) from a list of strings or a comma-separated string."""
    if entries is None:
        return (), ()
    if isinstance(entries, str):
        items: list[object] = list(entries.split(","))
    elif isinstance(entries, list | tuple):
        items = list(entries)
    else:
        return (), (_("{name} must be a list of addresses or @domains.").format(name=name),)
    allowed: list[str] = []
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        text = item.strip().lower() if isinstance(item, str) else None
        if text == "":
            continue
        # No wildcards: "*@brand.fr" would be taken as a literal address, so it is refused; "@brand.fr" says it.
        if (
            text is not None
            and "*" not in text
            and (_ADDRESS_RE.fullmatch(text) or _DOMAIN_RE.fullmatch(text))
        ):
            if text not in allowed:
                allowed.append(text)
        else:
            # The entry itself is not echoed: configuration errors show to visitors who are not logged in.
            problems.append(
                _(
                    "{name}: entry {number} is neither an address (anne@brand.fr) nor a whole domain "
                    "(@brand.fr)."
                ).format(name=name, number=number)
            )
    return tuple(allowed), tuple(problems)


def is_allowed(email: object, allowed: tuple[str, ...] | list[str]) -> bool:
    """Whether this address is on the allow-list: the exact address, or its whole domain (`@brand.fr`),
    without regard to case. `@brand.fr` matches neither `x@evilbrand.fr`, `x@brand.fr.evil.com` nor
    `x@sub.brand.fr`. An empty list allows nobody."""
    address = normalise_email(email)
    if address is None:
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    entries = {entry.strip().lower() for entry in allowed if isinstance(entry, str)}
    return address in entries or domain in entries


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value.strip())
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc)


def auth_problems(auth: object) -> tuple[tuple[str | None, ...], tuple[str, ...]]:
    """(providers, problems) of Streamlit's `[auth]` section, checked as `st.login` will need it.

    Key names are named, values never: configuration errors show to visitors who are not logged in."""
    if auth is None:
        return (), (
            _(
                "Login is required but .streamlit/secrets.toml has no [auth] section (Streamlit's OIDC "
                "settings: redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url)."
            ),
        )
    if not isinstance(auth, Mapping):
        return (), (_("[auth] in .streamlit/secrets.toml must be a section."),)
    problems: list[str] = []
    redirect_uri = auth.get("redirect_uri")
    if _blank(redirect_uri):
        problems.append(_("[auth] has no redirect_uri."))
    elif not _absolute_url(redirect_uri) or not str(redirect_uri).strip().rstrip("/").endswith(CALLBACK_PATH):
        problems.append(
            _(
                "[auth] redirect_uri must be the app's absolute address ending in /oauth2callback, "
                "e.g. https://cohorts.brand.fr/oauth2callback."
            )
        )
    cookie_secret = auth.get("cookie_secret")
    if _blank(cookie_secret):
        problems.append(_("[auth] has no cookie_secret."))
    elif len(str(cookie_secret).strip()) < MIN_COOKIE_SECRET:
        problems.append(
            _(
                "[auth] cookie_secret is too short: use a random string of at least {length} characters "
                '(python -c "import secrets; print(secrets.token_hex(32))").'
            ).format(length=MIN_COOKIE_SECRET)
        )

    sections: list[tuple[str | None, Mapping[str, Any]]] = []
    if any(key in auth for key in PROVIDER_KEYS):
        sections.append((None, auth))
    for name, value in auth.items():
        if isinstance(value, Mapping) and name != "client_kwargs":
            sections.append((str(name), value))
    if not sections:
        problems.append(
            _("[auth] names no identity provider: add client_id, client_secret and server_metadata_url.")
        )
    for name, section in sections:
        where = "[auth]" if name is None else f"[auth.{name}]"
        if name is not None and "_" in name:
            problems.append(
                _("{section}: Streamlit does not accept an underscore in a provider name.").format(
                    section=where
                )
            )
        missing = [key for key in PROVIDER_KEYS if _blank(section.get(key))]
        if missing:
            problems.append(_("{section} is missing {keys}.").format(section=where, keys=", ".join(missing)))
        elif not _absolute_url(section.get("server_metadata_url")):
            problems.append(
                _("{section} server_metadata_url must be an absolute http(s) address.").format(section=where)
            )
    return tuple(name for name, _section in sections), tuple(problems)


def read_config(secrets: Mapping[str, Any], environ: Mapping[str, str]) -> AccessConfig:
    """The access settings from the secrets (a plain mapping) and the environment, which overrides them
    (a blank variable counts as unset).

    Anything that speaks of access control turns login on: an [auth] section, require_login = true, an
    allow-list, or a setting that cannot be read. So login is off only when none is there — local use, e.g.
    no secrets file and no variables — and require_login = false cannot switch off what the others ask for."""
    problems: list[str] = []
    section = secrets.get(SECTION) or {}
    if not isinstance(section, Mapping):
        problems.append(
            _("[{section}] in .streamlit/secrets.toml must be a section.").format(section=SECTION)
        )
        section = {}

    require_login = False
    try:
        if not _blank(environ.get(ENV_REQUIRE_LOGIN)):
            require_login = parse_bool(environ[ENV_REQUIRE_LOGIN], ENV_REQUIRE_LOGIN)
        elif section.get("require_login") is not None:
            require_login = parse_bool(section["require_login"], f"[{SECTION}] require_login")
    except ValueError as error:
        problems.append(str(error))

    if not _blank(environ.get(ENV_ALLOWED_USERS)):
        allowed, allowed_problems = parse_allowed(environ[ENV_ALLOWED_USERS], ENV_ALLOWED_USERS)
    else:
        allowed, allowed_problems = parse_allowed(section.get("allowed_users"), f"[{SECTION}] allowed_users")
    problems += allowed_problems

    auth = secrets.get("auth")
    if not (require_login or auth is not None or allowed or problems):
        return AccessConfig(require_login=False)
    providers, provider_problems = auth_problems(auth)
    return AccessConfig(
        require_login=True,
        allowed=allowed,
        providers=providers,
        problems=(*problems, *provider_problems),
    )


def check_user(user: Mapping[str, Any], allowed: tuple[str, ...]) -> Verdict:
    """The verdict on a logged-in user's claims: an email claim the provider says is verified
    (`email_verified` true) and the allow-list names.

    A missing `email_verified` is refused like a false one: on a multi-tenant provider anyone can create an
    account showing someone else's address, and only this claim says the provider checked it. Microsoft
    Entra ID never sends it, so its accounts are refused."""
    email = normalise_email(user.get("email"))
    if email is None:
        return Verdict(False, None, "no_email")
    verified = user.get("email_verified")
    # JSON true; some providers send the string "true".
    if not (verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")):
        return Verdict(False, email, "unverified")
    if not allowed:
        return Verdict(False, email, "empty_list")
    if not is_allowed(email, allowed):
        return Verdict(False, email, "not_listed")
    return Verdict(True, email, "allowed")


# --- where the dashboard is served from --------------------------------------------------------------------


def secrets_files(environ: Mapping[str, str]) -> tuple[Path, ...]:
    """The secrets files the dashboard reads, a later one's sections replacing an earlier one's: Streamlit's
    per-user file, the installation's .streamlit/secrets.toml, then the file OPTOUT_COHORTS_SECRETS names.
    Never the working directory's: started by cron or a service manager from another folder, the dashboard
    must keep its login."""
    files = [Path.home() / ".streamlit" / "secrets.toml", INSTALLED_SECRETS]
    if not _blank(environ.get(ENV_SECRETS)):
        files.append(Path(environ[ENV_SECRETS].strip()).expanduser().absolute())
    return tuple(files)


def secrets_problems(environ: Mapping[str, str], loaded: Iterable[str]) -> tuple[str, ...]:
    """Why the secrets Streamlit read (`loaded`, its secrets.files) cannot be trusted to say whether login is
    on: OPTOUT_COHORTS_SECRETS names no file, or a secrets file of this installation is not among them. Files
    are named by role, not path: configuration errors show to visitors who are not logged in."""
    named = not _blank(environ.get(ENV_SECRETS))
    expected = secrets_files(environ)[1:]
    if named and not expected[-1].is_file():
        return (_("{variable} names a file that does not exist.").format(variable=ENV_SECRETS),)
    read = {os.path.realpath(path) for path in loaded}
    if any(path.is_file() and os.path.realpath(path) not in read for path in expected):
        return (
            _(
                "This server does not read the dashboard's secrets file (.streamlit/secrets.toml of the "
                "installation, or {variable}), so its login settings would be lost: start it with "
                "`optout-cohorts dashboard`, which reads them whatever folder it is started from."
            ).format(variable=ENV_SECRETS),
        )
    return ()


def read_secrets_files(paths: Iterable[Path]) -> dict[str, Any]:
    """The secrets as Streamlit merges these files (a later file's top-level keys replace an earlier one's),
    for the command line, which decides before Streamlit starts. ValueError names a file that is not TOML."""
    merged: dict[str, Any] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        try:
            merged.update(tomllib.loads(text))
        except tomllib.TOMLDecodeError as error:
            raise ValueError(
                _("The secrets file {path} is not valid TOML ({error}): fix it.").format(
                    path=path, error=error
                )
            ) from None
    return merged


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to this address is reachable from this machine only (127.0.0.0/8, ::1,
    localhost). Blank is Streamlit's default, every interface; a host name is taken as the network's."""
    text = (address or "").strip().lower().removeprefix("[").removesuffix("]")
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def network_problem(address: str | None, config: AccessConfig, environ: Mapping[str, str]) -> str | None:
    """Why the dashboard must not serve: reachable from other machines with no login, so anyone on the
    network could download the purge and suppression lists, restore or purge. Serving the network without
    login is only ever the operator's explicit choice (OPTOUT_COHORTS_ALLOW_NO_LOGIN, e.g. behind a proxy
    that authenticates)."""
    if config.require_login or is_loopback(address):
        return None
    if not _blank(environ.get(ENV_ALLOW_NO_LOGIN)):
        try:
            if parse_bool(environ[ENV_ALLOW_NO_LOGIN], ENV_ALLOW_NO_LOGIN):
                return None
        except ValueError as error:
            return str(error)
    where = (
        _("every network interface")
        if _blank(address) or str(address).strip() in {"0.0.0.0", "::"}
        else _("the network address {address}").format(address=str(address).strip())
    )
    return _(
        "The dashboard would be served on {where} with no login: anyone on the network could open it and "
        "download the purge and suppression lists. Turn on login (.streamlit/secrets.toml, see "
        ".streamlit/secrets.toml.example), or serve on this machine only (address 127.0.0.1, the default), "
        "or, if something else controls who gets in, say so: {variable}=1 "
        "(optout-cohorts dashboard --no-login-on-network)."
    ).format(where=where, variable=ENV_ALLOW_NO_LOGIN)


# --- Streamlit ---------------------------------------------------------------------------------------------


def _option(name: str) -> Any:
    from streamlit import config

    return config.get_option(name)


def _secret_files_exist() -> bool:
    return any(os.path.exists(path) for path in _option("secrets.files"))


def load_secrets() -> tuple[dict[str, Any], str | None]:
    """(secrets as a plain dict, problem). No secrets file: ({}, None). A file that exists but cannot be
    read (bad TOML): ({}, problem), so the gate fails closed instead of opening without login."""
    try:
        return st.secrets.to_dict(), None
    except FileNotFoundError:  # StreamlitSecretNotFoundError: no file, or one that does not parse
        if _secret_files_exist():
            return {}, _("The secrets file (.streamlit/secrets.toml) cannot be read: check its TOML syntax.")
        return {}, None


def current_user() -> dict[str, Any]:
    """The claims of the signed-in user (st.user), with is_logged_in; {} outside a script run."""
    return dict(st.user.to_dict())


def authlib_installed() -> bool:
    try:
        from streamlit.auth_util import is_authlib_installed
    except ImportError:  # pragma: no cover - a Streamlit without OIDC login
        return False
    return is_authlib_installed()


def signed_in_email() -> str | None:
    """The signed-in user's address for this run (e.g. the default 'Decided by'); None without login."""
    return st.session_state.get(USER_KEY)


def _config_error(problems: tuple[str, ...]) -> None:
    st.title("optout-cohorts")
    st.error(
        md(
            _(
                "The dashboard's access control is not set up correctly, so nothing is shown. Whoever runs "
                "this server should fix:"
            )
        )
        + "\n\n"
        + "\n".join(f"- {md(problem)}" for problem in problems),
        icon=":material/lock:",
    )


def _login_page(providers: tuple[str | None, ...]) -> None:
    st.title("optout-cohorts")
    st.write(_("Log in with your work account to see the cohort dashboard."))
    if len(providers) <= 1:
        provider = providers[0] if providers else None
        st.button(_("Log in"), key="auth_login", type="primary", on_click=st.login, args=(provider,))
    else:
        for name in providers:
            label = (
                _("Log in")
                if name is None
                else _("Log in with {provider}").format(provider=name.capitalize())
            )
            st.button(label, key=f"auth_login_{name or 'default'}", on_click=st.login, args=(name,))


def _refusal_page(verdict: Verdict) -> None:
    st.title("optout-cohorts")
    if verdict.reason == "no_email":
        st.error(
            _(
                "Your account did not give a usable email address, so it cannot be checked against the "
                "allow-list."
            )
        )
    elif verdict.reason == "unverified":
        st.error(
            _(
                "Your account {email} is not allowed: your identity provider does not confirm that this "
                "address is verified (no email_verified claim set to true)."
            ).format(email=md(verdict.email))
        )
    else:
        st.error(
            _(
                "Your account {email} is not allowed to open this dashboard. Ask whoever runs it to add your "
                "address or your domain to the allow-list, or log out and use another account."
            ).format(email=md(verdict.email))
        )
    if verdict.reason == "empty_list":
        st.info(
            md(
                _(
                    "The allow-list is empty, so no one can get in. Whoever runs this server: add addresses or "
                    "@domains to allowed_users in the [{section}] section of .streamlit/secrets.toml, or to "
                    "{variable}."
                ).format(section=SECTION, variable=ENV_ALLOWED_USERS)
            ),
            icon=":material/info:",
        )
    st.button(_("Log out"), key="auth_logout", on_click=st.logout)


def gate() -> str | None:
    """Let the run go on only for an allowed user; else draw the login, refusal or configuration page and
    stop the run. Returns the signed-in user's address, or None when no login is required."""
    secrets, problem = load_secrets()
    config = read_config(secrets, os.environ)
    problems = (
        *([problem] if problem is not None else []),
        *secrets_problems(os.environ, _option("secrets.files")),
    )
    if not problems and (exposed := network_problem(_option("server.address"), config, os.environ)):
        problems = (exposed,)
    if problems:
        config = AccessConfig(require_login=True, problems=(*problems, *config.problems))
    st.session_state[USER_KEY] = None
    if not config.require_login:
        return None
    problems = config.problems
    if not problems and not authlib_installed():
        problems = (_("Login needs Authlib 1.3.2 or newer: pip install 'streamlit[auth]'."),)
    if problems:
        _LOG.error("Access control misconfigured: %s", " ".join(problems))
        _config_error(problems)
        st.stop()
    user = current_user()
    if user.get("is_logged_in") is not True:
        _login_page(config.providers)
        st.stop()
    verdict = check_user(user, config.allowed)
    if not verdict.allowed:
        if verdict.reason == "empty_list":
            _LOG.warning("Login refused: the allow-list is empty, so no one can get in.")
        _refusal_page(verdict)
        st.stop()
    st.session_state[USER_KEY] = verdict.email
    st.sidebar.caption(_("Signed in as {email}").format(email=md(verdict.email)))
    st.sidebar.button(_("Log out"), key="auth_logout", on_click=st.logout)
    return verdict.email
