"""What the browser tests share: the Chromium to drive, the dashboard server on a new database, the way a
person picks an option."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from analytics import store
from analytics.demo import database as demo_database

ARTIFACTS = store.PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = "<img src=x onerror=alert(1)>"


def chromium_path() -> str:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate:
            return candidate
    pytest.fail("No Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def _demo_brand() -> Path:
    """The demo brand's database, built once per test run, as the dashboard builds it on first open (its folder
    removed when the run ends)."""
    folder = Path(tempfile.mkdtemp(prefix="optout-e2e-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = demo_database.path_beside(folder / "e2e.duckdb")
    con = store.connect(path)
    try:
        demo_database.ensure(con)
    finally:
        con.close()
    return path


@contextlib.contextmanager
def serving(tmp_path, **environment: str):
    """The dashboard on a new database (it opens on the demo brand), served on a free local port, with these
    environment variables besides the test run's.

    The demo brand's database is put beside the new one ready-built (a copy of one built once per run): the
    dashboard would build it on its first page (a few seconds of work), during which a busy two-core machine
    answered the browser too slowly and Streamlit's page showed "Connection error" (seen once in CI). Building
    it on first open is tested by tests/test_data_page.py."""
    port = free_port()
    database = tmp_path / "e2e.duckdb"
    shutil.copy(_demo_brand(), demo_database.path_beside(database))
    env = {**os.environ, store.ENV_DB_PATH: str(database), **environment}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(store.PROJECT_ROOT / "dashboard" / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=store.PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"the dashboard did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def server(tmp_path):
    """The dashboard on a new database, in the test run's language."""
    with serving(tmp_path) as url:
        yield url


def settled(page: Page) -> None:
    """Wait until the app has finished its run: a select box opened while the script still runs is drawn again
    when it ends, which closes the list under the click (seen on a busy two-core machine)."""
    page.wait_for_timeout(200)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=120_000)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a select box the way a person does: open it, type to filter, choose."""
    settled(page)
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()
