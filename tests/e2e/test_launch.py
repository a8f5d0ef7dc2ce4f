"""`optout-cohorts dashboard` started the way a service manager or cron starts it: from `/`. Issue 13: it used to
lose the installation's .streamlit/secrets.toml (every page opened without login) and config.toml (error
details on the page, usage statistics sent), and listened on every network interface.

The installation is a copy of the project's code and .streamlit/ in a temporary folder, so that its secrets file
can turn login on without touching the project's own.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NewSession_pb2 import Config

from analytics import store
from dashboard import auth
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path, free_port
from tests.test_auth import write_secrets


def network_address() -> str:
    """This machine's address on its default route (a UDP connect sends nothing; it only picks the route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            pytest.fail("This test needs a network interface besides loopback.")
        address = probe.getsockname()[0]
    assert not ipaddress.ip_address(address).is_loopback
    return address


def test_started_from_root_the_dashboard_keeps_its_login_and_its_config(tmp_path):
    installed = tmp_path / "installed"
    for folder in ("analytics", "dashboard", ".streamlit"):
        shutil.copytree(
            store.PROJECT_ROOT / folder,
            installed / folder,
            ignore=shutil.ignore_patterns("__pycache__", "secrets.toml"),
        )
    write_secrets(installed / ".streamlit" / "secrets.toml", allowed=["anne@brand.fr"])
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {auth.ENV_REQUIRE_LOGIN, auth.ENV_ALLOWED_USERS, auth.ENV_SECRETS, auth.ENV_ALLOW_NO_LOGIN}
        and not key.startswith("STREAMLIT_")
    }
    env |= {
        "PYTHONPATH": str(installed),  # the copy's analytics and dashboard, not the project's
        "HOME": str(tmp_path / "home"),  # no per-user Streamlit file of this machine
        store.ENV_DB_PATH: str(tmp_path / "brand.duckdb"),
    }
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    started = time.monotonic()
    # The command runs Streamlit as its child: a session of their own ends both.
    process = subprocess.Popen(
        [sys.executable, "-m", "analytics.cli", "dashboard", "--port", str(port)],
        cwd="/",
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = started + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(
                        f"the dashboard did not start: {(tmp_path / 'server.log').read_text()[-2000:]}"
                    )
                time.sleep(0.3)

        # Finding 2: loopback only. The same port on this machine's network address is closed.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((network_address(), port), timeout=5).close()

        frames: list[bytes] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.on(
                "websocket",
                lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)),
            )
            page.goto(url)
            # Finding 1: the installation's secrets.toml is read, so the page is the login and nothing else.
            expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Log in with your work account")).to_be_visible()
            assert page.get_by_text("Cohort health").count() == 0
            assert page.get_by_text("Demo data").count() == 0
            browser.close()

        # Finding 1 (config) and 11 (error details): the session's configuration is the project's
        # config.toml's, which sets these two away from Streamlit's defaults (usage statistics on, toolbar
        # "auto") in the same file as showErrorDetails = "none".
        sessions = []
        for payload in frames:
            if isinstance(payload, bytes):
                message = ForwardMsg()
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "new_session":
                    sessions.append(message.new_session.config)
        assert sessions, "no session started"
        assert sessions[0].gather_usage_stats is False
        assert sessions[0].toolbar_mode == Config.ToolbarMode.VIEWER
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()
