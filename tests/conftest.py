import os
import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import i18n, ingest, store
from tests.apptest import APP, PAGES
from tests.builders import DataBuilder

# The product speaks French by default (analytics.i18n.DEFAULT_LANGUAGE). Most tests read its English texts and
# formats, so the whole run — this process and every CLI, server and browser test it starts, which inherit the
# environment — speaks English unless a test asks for French (monkeypatch.setenv or i18n.within("fr")). The
# tests of the default itself remove the variable.
os.environ[i18n.ENV_LANGUAGE] = "en"


@pytest.fixture
def data(tmp_path):
    """A fresh DataBuilder writing into this test's temporary folder."""
    return DataBuilder(tmp_path)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A database loaded with the committed demo brand (read-only use)."""
    from analytics import ingest, store

    folder = tmp_path_factory.mktemp("demo")
    con = store.connect(folder / "demo.duckdb")
    ingest.ingest_files(con, sorted((store.PROJECT_ROOT / "data" / "demo").glob("*.csv.gz")))
    yield con
    con.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A database file loaded with the committed demo brand, built once per test module: for tests that only
    read it (a test that writes takes `own_demo`)."""
    path = tmp_path_factory.mktemp("demo_file") / "demo.duckdb"
    connection = store.connect(path)
    ingest.ingest_files(connection, sorted(store.DEMO_DIR.glob("*.csv.gz")))
    connection.close()
    return path


@pytest.fixture
def own_demo(demo_file, tmp_path):
    """This test's own copy of the demo database file, to write into."""
    path = tmp_path / "own.duckdb"
    shutil.copy(demo_file, path)
    return path


@pytest.fixture
def con(tmp_path):
    """A fresh, empty database file for this test."""
    connection = store.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def open_app(monkeypatch):
    """open_app(db_path, page) -> AppTest run on that page; caches are cleared after each test."""

    def start(path, page: str = "health") -> AppTest:
        monkeypatch.setenv(store.ENV_DB_PATH, str(path))
        app = AppTest.from_file(APP, default_timeout=120)
        app.run()
        if page != "health":
            app.switch_page(PAGES[page]).run()
        return app

    yield start
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def spark():
    """The one Spark session of the test run: starting one takes 15–30 s on two cores, so every test that runs
    the Spark engine shares it (spark_engine.session returns the running one), and it stops at the end."""
    from analytics import spark_engine

    session = spark_engine.session("local[2]")
    yield session
    session.stop()
