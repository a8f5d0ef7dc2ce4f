import pytest

from tests.builders import DataBuilder


@pytest.fixture
def data(tmp_path):
    """A fresh DataBuilder writing into this test's temporary folder."""
    return DataBuilder(tmp_path)
