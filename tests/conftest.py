import pytest

from analytics import store
from tests.builders import DataBuilder


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


@pytest.fixture
def con(tmp_path):
    """A fresh, empty database file for this test."""
    connection = store.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()
