"""scripts/compare_outputs.py, the before/after comparison of every output: what it normalises, and that a
difference between two output trees is reported (the full run is scripts/compare_outputs.sh, minutes long)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_outputs.py"
spec = importlib.util.spec_from_file_location("compare_outputs", SCRIPT)
compare_outputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_outputs)

TODAY = dt.date(2026, 12, 3)


def normalise(text: str, paths: dict[str, str] | None = None) -> str:
    return compare_outputs.normalise(text, paths or {}, [TODAY])


def test_the_run_s_times_and_dates_are_replaced_in_every_form():
    assert normalise("loaded_at 2026-12-03 09:08:54,") == "loaded_at <NOW>,"
    assert normalise("<dd>2026-12-03 09:08:54 UTC</dd>") == "<dd><NOW></dd>"
    assert normalise('"at": "2026-12-03T09:08:54.123+00:00"') == '"at": "<NOW>"'
    assert normalise("loaded on 2026\\-12\\-03 at 09\\:08") == "loaded on <TODAY> at 09\\:08"
    assert normalise("as of 2026-12-03 (retention)") == "as of <TODAY> (retention)"
    assert normalise("as of 03 Dec 2026 and 3 Dec 2026") == "as of <TODAY> and <TODAY>"


def test_the_data_s_own_dates_are_kept():
    text = "window 2026-10-26 – 2026-11-22, sent 2024-06-24 02:00:12, 22 Nov 2026"
    assert normalise(text) == text


def test_temporary_paths_are_replaced_also_when_markdown_escapes_them():
    paths = {"<SCRATCH>": "/tmp/compare-outputs-0yzmry37", "<CHECKOUT>": "/work/main"}
    text = "Your database (/tmp/compare\\-outputs\\-0yzmry37/db/x\\.duckdb); /work/main/analytics/cli.py"
    assert normalise(text, paths) == "Your database (<SCRATCH>/db/x\\.duckdb); <CHECKOUT>/analytics/cli.py"


def test_streamlit_s_random_and_path_dependent_ids_are_replaced():
    text = 'id: "$$ID-4d6ad6889bdcc8872e8fdef978514e97-as_of" deferred_file_id: "1ce5058015844a1c8789d92dfca7999c"'
    assert normalise(text) == 'id: "$$ID-<HASH>-as_of" deferred_file_id: "<DEFERRED>"'
    assert normalise('uuid: "edc4d" "#T_edc4d_row0_col1 {"') == 'uuid: "<UUID>" "#T_<UUID>_row0_col1 {"'


def test_two_trees_compare_identical_then_different(tmp_path, capsys):
    before, after = tmp_path / "before", tmp_path / "after"
    for tree in (before, after):
        (tree / "db").mkdir(parents=True)
        (tree / "db" / "report.json").write_text('{\n  "delivered": 26302\n}\n')
    assert compare_outputs.compare_trees(before, after) == 0
    assert "identical: 1 files" in capsys.readouterr().out

    (after / "db" / "report.json").write_text('{\n  "delivered": 26303\n}\n')
    (after / "db" / "new.txt").write_text("x\n")
    assert compare_outputs.compare_trees(before, after) == 1
    shown = capsys.readouterr().out
    assert (
        "differs: db/report.json" in shown
        and '-  "delivered": 26302' in shown
        and '+  "delivered": 26303' in shown
    )
    assert "only after: db/new.txt" in shown and "DIFFERENT: 2 file(s)" in shown
