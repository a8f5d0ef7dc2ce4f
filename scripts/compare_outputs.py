"""Before/after proof that a change of structure changes no output: every report, page and file the product
writes, on the demo and on every test fixture, written to a folder and compared file by file.

    python scripts/compare_outputs.py write OUT_DIR            # the outputs of this checkout
    python scripts/compare_outputs.py compare --before REV     # REV (a git revision) against this checkout
    python scripts/compare_outputs.py compare --before REV --after PATH --keep DIR

Only the product's public entry points are used, so that the script keeps working while modules move: the
`optout-cohorts` console script (its `module:function` is read from the checkout's pyproject.toml) and the
dashboard (`dashboard/app.py`, its pages as `tests/apptest.py` lists them) driven by Streamlit's AppTest. Each
checkout runs in a process of its own whose `sys.path[0]` is that checkout (the venv's editable install of
/work/main is taken off the import path; the imported module's file is checked to be inside the checkout). That
process imports the product once, then forks once per command and per page: each runs as in a fresh process
(its own stdout/stderr, exit code, module state) without paying the imports again.

`compare` extracts REV with `git archive` into a temporary folder (nothing is written to the repository), runs
both sides at once (one process each: two CPUs) and compares the two trees byte for byte; exit code 1 on any
difference. The inputs (tests/fixtures/presets/*, data/demo/*.csv.gz, the arguments each fixture needs) are
copied from the checkout this script lives in, so both sides read the same files at the same paths. What depends
on the clock or the machine is normalised (see `normalise`): the run's dates and times, temporary folders and the
checkout's path, Streamlit's random or path-dependent ids. Both sides run with TZ=UTC, PYTHONHASHSEED=0 and
COLUMNS=100 (argparse's help width).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import filecmp
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]  # the checkout this script lives in: the inputs come from it
COMMAND_TIMEOUT = 300  # seconds for one CLI command or one dashboard page
PAGE_DATABASES = ("demo", "all_presets", "mautic_donotcontact")  # and the empty database (it shows the demo)
MAILCHIMP_ZIP = ("mailchimp_subscribed", "mailchimp_unsubscribed", "mailchimp_cleaned")
BARE_MODE = "missing ScriptRunContext! This warning can be ignored when running in bare mode."
FIXED_DATES = [dt.date(2024, 6, 30), dt.date(2024, 12, 31)]
PSEUDONYM_KEY = "compare-outputs-fixed-key-0123456789abcdef"

# The constants each fixture needs to load on its own, as tests/test_presets.py loads it (`--set`).
FIXTURE_SETS: dict[str, list[str]] = {
    "mailchimp_subscribed": ["collection_source=web_form"],
    "mailchimp_nonsubscribed": ["collection_source=web_checkout"],
    "mailchimp_unsubscribed": ["collection_source=web_form"],
    "mailchimp_cleaned": ["collection_source=web_form"],
    "klaviyo_campaigns": ["basis=soft_opt_in"],
    "generic_campaign_report": ["basis=soft_opt_in"],
    "mautic_contacts": ["collection_source=in_store", "consent=none", "collected_at=2024-06-01"],
}

# A canonical contacts file with two invalid rows, for --skip-invalid and its rejects file.
MESSY_CONTACTS = (
    "contact_id,collection_source,consent,collected_at,opted_out_at\n"
    "a@example.com,web_checkout,none,2024-01-02,\n"
    "b@example.com,web_checkout,none,not a date,\n"
    "c@example.com,in_store,opt_in,2024-02-03,2024-05-06\n"
    "d@example.com,in_store,maybe,2024-02-03,\n"
)
MESSY_ORDERS = "contact_id,order_date\na@example.com,2024-01-02\nc@example.com,2024-03-04\n"


# --- normalisation -------------------------------------------------------------------------------------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Streamlit's placeholder id of a deferred download (a random uuid, new on every run).
DEFERRED_ID = re.compile(r'deferred_file_id: "[0-9a-f]{32}"')
# A widget's id hashes the script's path (a checkout elsewhere gives other ids); its user key follows.
WIDGET_ID = re.compile(r"\$\$ID-[0-9a-f]{32}-")
# pandas Styler's table id (random per run when not set) and the CSS classes made from it.
STYLER_UUID = re.compile(r'uuid: "[0-9a-f]{5}"')
STYLER_CLASS = re.compile(r"#T_[0-9a-f]{5}_")
HEX_PID = re.compile(
    r"\.\d+-[0-9a-f]{8}\.partial"
)  # maintenance's temporary copies: .<name>.<pid>-<uuid>.partial


def date_forms(day: dt.date) -> list[str]:
    """The ways a date is written in the outputs: ISO, '03 Dec 2026', '3 Dec 2026'."""
    month = MONTHS[day.month - 1]
    return [day.isoformat(), f"{day.day:02d} {month} {day.year}", f"{day.day} {month} {day.year}"]


def loose(text: str) -> str:
    """A pattern matching `text` also as Markdown escapes it (a backslash before punctuation: 2026\\-12\\-03),
    and as a page dump's proto text shows that (the backslash doubled)."""
    return "".join(re.escape(c) if c.isalnum() or c == " " else r"(?:\\{1,2})?" + re.escape(c) for c in text)


def run_dates(*moments: dt.datetime) -> list[dt.date]:
    """The local and UTC dates of the given moments (start and end of a run), without repeats."""
    days: list[dt.date] = []
    for moment in moments:
        for day in (moment.date(), moment.astimezone(dt.UTC).date()):
            if day not in days:
                days.append(day)
    return days


def normalise(text: str, paths: dict[str, str], days: Iterable[dt.date]) -> str:
    """The text with what depends on the run, not on the inputs, replaced by a placeholder:

    - the temporary folders and the checkout's path (`paths`: placeholder → path, longest path first);
    - a date and time of the run's days (load times, generation times, backup times), in any of the forms the
      outputs use (2026-12-03 09:08:54, …T09:08:54.123+00:00, … UTC, Markdown-escaped 2026\\-12\\-03 09\\:08…)
      → <NOW>; a date of the run's days alone (a purge dated today, 'loaded on 2026-12-03') → <TODAY>;
    - Streamlit's random id of a deferred download → <DEFERRED>, the path hash in a widget's id → <HASH>, the
      random id pandas gives a styled table → <UUID>; a temporary copy's pid and uuid → <PID>.

    Both sides are written at the same time, so a date of the data that happens to be the run's day (an expiry
    date on the demo) is replaced on both and cannot hide a difference between them."""
    # The escape-aware patterns only where a backslash is (they are slow on the big table dumps).
    escaped = "\\" in text

    def pattern(literal: str) -> str | None:
        if escaped:
            return loose(literal)
        return re.escape(literal) if literal in text else None

    for placeholder, path in sorted(paths.items(), key=lambda item: len(item[1]), reverse=True):
        if path and (found := pattern(path)):
            text = re.sub(found, lambda _, p=placeholder: p, text)
    colon = r"(?:\\{1,2})?:"
    time_of_day = (
        rf"[ T]\d{{2}}(?:{colon}\d{{2}}){{1,2}}(?:\.\d+)?(?: ?(?:UTC|Z|[+-]\d{{2}}(?:{colon}?\d{{2}})?))?"
    )
    for day in days:
        for form in date_forms(day):
            if found := pattern(form):
                text = re.sub(found + time_of_day, "<NOW>", text)
                text = re.sub(found, "<TODAY>", text)
    text = DEFERRED_ID.sub('deferred_file_id: "<DEFERRED>"', text)
    text = WIDGET_ID.sub(r"$$ID-<HASH>-", text)
    text = STYLER_UUID.sub('uuid: "<UUID>"', text)
    text = STYLER_CLASS.sub("#T_<UUID>_", text)
    return HEX_PID.sub(".<PID>.partial", text)


# --- the worker: runs inside one checkout --------------------------------------------------------------------


class Worker:
    """Writes every output of the checkout at `root` into `out`, in the process whose import path starts with
    `root` (see `main_worker`)."""

    def __init__(self, root: Path, out: Path, scratch: Path, inputs: Path, entry: Callable[..., int]):
        self.root, self.out, self.scratch, self.entry = root, out, scratch, entry
        # The inputs are copied into the scratch folder: the same paths on both sides.
        self.inputs = scratch / "inputs"
        shutil.copytree(inputs / "tests" / "fixtures" / "presets", self.inputs / "presets")
        shutil.copytree(inputs / "data" / "demo", self.inputs / "demo")
        self.fixtures = self.inputs / "presets"
        self.started = dt.datetime.now().astimezone()
        self.counter = 0

    def log(self, what: str) -> None:
        if os.environ.get("COMPARE_OUTPUTS_VERBOSE"):
            elapsed = (dt.datetime.now().astimezone() - self.started).total_seconds()
            print(f"[{elapsed:6.1f} s] {self.root.name}: {what}", file=sys.stderr, flush=True)

    # -- running one thing in a forked child ---------------------------------------------------------------

    def fork(self, job: Callable[[], int | None], timeout: float = COMMAND_TIMEOUT) -> tuple[int, str, str]:
        """Run `job` in a forked child with its own stdout and stderr (files): (exit code, stdout, stderr)."""
        self.counter += 1
        out_file = self.scratch / f"fork-{self.counter}.out"
        err_file = self.scratch / f"fork-{self.counter}.err"
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            code = 99
            try:
                out_fd = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                err_fd = os.open(err_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(out_fd, 1)
                os.dup2(err_fd, 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
                try:
                    result = job()
                    code = 0 if result is None else result
                except SystemExit as stop:
                    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
                    if isinstance(stop.code, str):
                        print(stop.code, file=sys.stderr)
                except BaseException:
                    traceback.print_exc()
                    code = 98
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) and 0 <= code < 256 else 97)
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = -1
                break
            time.sleep(0.01)
        code = os.waitstatus_to_exitcode(status) if status != -1 else -999
        read = [f.read_text(encoding="utf-8", errors="backslashreplace") for f in (out_file, err_file)]
        for f in (out_file, err_file):
            f.unlink()
        if code == -999:
            read[1] += f"\n[compare_outputs: killed after {timeout} s]\n"
        return code, read[0], read[1]

    def paths(self) -> dict[str, str]:
        """The run-dependent paths replaced in every output."""
        return {
            "<SCRATCH>": str(self.scratch),
            "<SCRATCH_>": str(self.scratch.resolve()),
            "<CHECKOUT>": str(self.root),
            "<OUT>": str(self.out),
            "<TMPDIR>": tempfile.gettempdir(),
        }

    def days(self) -> list[dt.date]:
        return run_dates(self.started, dt.datetime.now().astimezone())

    def save(self, relative: str, text: str) -> None:
        target = self.out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(normalise(text, self.paths(), self.days()), encoding="utf-8")

    def save_bytes(self, relative: str, data: bytes) -> None:
        """A file the product wrote: text is normalised, gzip is kept as written (deterministic), other binary
        data is kept as is."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            target = self.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        else:
            self.save(relative, text)

    def cli(self, relative: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Run `optout-cohorts argv` and save what it printed and its exit code."""

        def job() -> int | None:
            os.environ.update(env or {})
            sys.argv = ["optout-cohorts", *argv]
            return self.entry(argv)

        code, stdout, stderr = self.fork(job)
        shown = " ".join(argv)
        self.save(
            relative, f"$ optout-cohorts {shown}\nexit: {code}\n--- stderr\n{stderr}--- stdout\n{stdout}"
        )
        return code, stdout, stderr

    # -- the whole run -------------------------------------------------------------------------------------

    def run(self, only: set[str] | None = None) -> None:
        self.help_texts()
        self.demo_files()
        sets = self.database_sets()
        for name, batches in sets.items():
            if only and name not in only:
                continue
            self.log(f"{name}")
            db = self.scratch / "db" / name / f"{name}.duckdb"
            db.parent.mkdir(parents=True)
            env = {"OPTOUT_COHORTS_PSEUDONYM_KEY": PSEUDONYM_KEY} if name == "pseudonymised" else {}
            if name == "pseudonymised":
                self.cli(f"db/{name}/00-pseudonymise.txt", ["pseudonymise", "--db", str(db)], env)
            for index, (files, extra) in enumerate(batches, start=1):
                argv = ["ingest", "--db", str(db), *extra, *map(str, files)]
                self.cli(f"db/{name}/0{index}-ingest.txt", argv, env)
            rejects = self.scratch / "rejects"  # the rows --skip-invalid set aside (the messy set)
            for path in sorted(rejects.rglob("*")) if rejects.exists() else []:
                if path.is_file():
                    shown = normalise(str(path.relative_to(rejects)), {}, self.days())
                    self.save_bytes(f"db/{name}/rejects/{shown}", path.read_bytes())
                    path.unlink()
            self.dump_database(f"db/{name}/contents", db)
            self.log(f"{name}: reports")
            self.reports(f"db/{name}", db, env, full=name in ("demo", "all_presets"))
            if name in PAGE_DATABASES:
                self.log(f"{name}: pages")
                self.pages(f"pages/{name}", db)
        if not only or "empty" in only:
            self.log("empty")
            self.empty_database()
        self.log("done")

    def help_texts(self) -> None:
        self.cli("cli/help/optout-cohorts.txt", ["--help"])
        _, stdout, _ = self.fork(lambda: self.entry(["--help"]))
        commands = re.search(r"\{([a-z,_-]+)\}", stdout)
        for command in commands.group(1).split(",") if commands else []:
            self.cli(f"cli/help/{command}.txt", [command, "--help"])
        self.cli("cli/errors/unknown-command.txt", ["no-such-command"])
        self.cli(
            "cli/errors/bad-date.txt", ["report", "--db", str(self.scratch / "none.duckdb"), "--as-of", "x"]
        )
        self.cli(
            "cli/errors/dashboard-on-the-network.txt",
            ["dashboard", "--db", str(self.scratch / "none.duckdb"), "--address", "0.0.0.0", "--port", "1"],
        )

    def demo_files(self) -> None:
        """`optout-cohorts demo`: the committed demo files, and a small one with another seed."""
        for name, extra in (("default", []), ("small-seed-7", ["--scale", "0.05", "--seed", "7"])):
            folder = self.scratch / "demo-out" / name
            self.cli(f"cli/demo/{name}/stdout.txt", ["demo", "--out", str(folder), *extra])
            for path in sorted(folder.glob("*")) if folder.exists() else []:
                self.save_bytes(f"cli/demo/{name}/{path.name}", path.read_bytes())

    def database_sets(self) -> dict[str, list[tuple[list[Path], list[str]]]]:
        """name → the ingest batches that build it: (files, extra arguments)."""

        def sets(folder: str) -> list[str]:
            return [arg for value in FIXTURE_SETS.get(folder, []) for arg in ("--set", value)]

        def export(folder: str, name: str | None = None) -> Path:
            return self.fixtures / folder / name if name else self.main_export(folder)

        found: dict[str, list[tuple[list[Path], list[str]]]] = {
            "demo": [(sorted((self.inputs / "demo").glob("*.csv.gz")), [])]
        }
        for folder in sorted(p.name for p in self.fixtures.iterdir() if p.is_dir()):
            files = sorted(
                p for p in (self.fixtures / folder).iterdir() if p.suffix in (".csv", ".zip", ".gz")
            )
            for path in files:
                name = folder if path == self.main_export(folder) else f"{folder}__{path.stem}"
                if folder == "mautic_donotcontact":
                    # Alone it is refused (no Mautic contact export loaded before); then after the contacts.
                    found[name] = [
                        ([path], []),
                        ([export("mautic_contacts")], sets("mautic_contacts")),
                        ([path], []),
                    ]
                else:
                    found[name] = [([path], sets(folder))]
        # Every preset in one database, batch after batch, as tests/e2e/test_platform_exports.py loads them.
        archive = self.scratch / "inputs" / "audience_export_5d4c3b2a19.zip"
        archive.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(archive, "w") as zipped:
            for folder in MAILCHIMP_ZIP:
                info = zipfile.ZipInfo(
                    f"audience_export_5d4c3b2a19/{export(folder).name}", (2024, 7, 1, 0, 0, 0)
                )
                zipped.writestr(info, export(folder).read_bytes())
        basis = ["--set", "basis=soft_opt_in"]
        sfmc = sorted(p.name for p in self.fixtures.iterdir() if p.name.startswith("sfmc_"))
        found["all_presets"] = [
            ([archive, export("mailchimp_nonsubscribed")], ["--set", "collection_source=newsletter_form"]),
            ([export("klaviyo_profiles")], []),
            ([export("klaviyo_campaigns")], basis),
            ([export("brevo_contacts"), export("brevo_events")], []),
            ([export("sendgrid_events"), export("sendgrid_activity")], []),
            ([export("mailjet_events")], []),
            ([export(folder) for folder in sfmc], []),
            ([export("mautic_contacts")], sets("mautic_contacts")),
            ([export("mautic_email_stats"), export("mautic_donotcontact")], []),
            (
                [
                    export("generic_campaign_report", "export.csv"),
                    export("generic_campaign_report", "rapport_agence_fr.csv"),
                ],
                basis,
            ),
        ]
        messy = self.scratch / "inputs" / "messy"
        messy.mkdir(parents=True)
        (messy / "contacts.csv").write_text(MESSY_CONTACTS, encoding="utf-8")
        (messy / "orders.csv").write_text(MESSY_ORDERS, encoding="utf-8")
        rejects = self.scratch / "rejects"
        found["messy"] = [
            ([messy / "contacts.csv"], []),  # refused: invalid rows
            ([messy / "contacts.csv", messy / "orders.csv"], ["--skip-invalid", "--rejects", str(rejects)]),
            ([export("brevo_events")], ["--date-order", "dmy"]),
        ]
        found["pseudonymised"] = [([export("brevo_contacts"), export("brevo_events")], [])]
        return found

    def main_export(self, folder: str) -> Path:
        """A fixture folder's export (as tests/test_presets.py picks it): its one CSV that is not a variant."""
        files = sorted((self.fixtures / folder).glob("*.csv"))
        plain = [p for p in files if "cp1252" not in p.name and "_fr" not in p.name]
        return (plain or files)[0]

    def reports(self, folder: str, db: Path, env: dict[str, str], full: bool) -> None:
        """Every report of one database: JSON, CSV and HTML on the latest date and two earlier ones, a longer
        window, a changed setting, the digest, the purge's dry run; for `full` ones also backup, restore, purge
        and compact on a copy."""
        base = ["--db", str(db)]
        code, stdout, _ = self.cli(
            f"{folder}/report-latest.json.txt", ["report", *base, "--format", "json"], env
        )
        latest = None
        if code == 0:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                latest = dt.date.fromisoformat(json.loads(stdout)["as_of"])
        self.cli(f"{folder}/report-latest.csv.txt", ["report", *base, "--format", "csv"], env)
        self.cli(f"{folder}/report-latest.html.txt", ["report", *base, "--format", "html"], env)
        self.cli(f"{folder}/report-latest-8w.json.txt", ["report", *base, "--window-weeks", "8"], env)
        self.cli(f"{folder}/digest-default.txt", ["digest", *base], env)
        self.cli(f"{folder}/purge-dry-run-today.txt", ["purge", *base, "--dry-run"], env)
        if latest is not None:
            argv = ["purge", *base, "--dry-run", "--as-of", latest.isoformat()]
            self.cli(f"{folder}/purge-dry-run-latest.txt", argv, env)
        if full:
            argv = ["report", *base, "--window-weeks", "8", "--format", "html"]
            self.cli(f"{folder}/report-latest-8w.html.txt", argv, env)
            argv = ["report", *base, "--setting", "stop_above=0.3", "--setting", "min_delivered=5"]
            self.cli(f"{folder}/report-latest-setting.json.txt", argv, env)
            self.cli(f"{folder}/digest-8w.txt", ["digest", *base, "--window-weeks", "8"], env)
            self.cli(f"{folder}/presets.txt", ["presets", *base], env)
        # Two earlier dates; a database without sends (events alone) gets two fixed dates of the fixtures' year.
        if latest is not None:
            others = {"minus7d": latest - dt.timedelta(days=7), "minus35d": latest - dt.timedelta(days=35)}
        else:
            others = {str(day): day for day in FIXED_DATES}
        for label, day in others.items():
            for form in ("json", "csv", "html"):
                argv = ["report", *base, "--as-of", day.isoformat(), "--format", form]
                self.cli(f"{folder}/report-{label}.{form}.txt", argv, env)
            self.cli(f"{folder}/digest-{label}.txt", ["digest", *base, "--as-of", day.isoformat()], env)
        if not full:
            return
        out_file = self.scratch / "written" / folder / "report.html"
        out_file.parent.mkdir(parents=True)
        self.cli(
            f"{folder}/report-out-file.txt",
            ["report", *base, "--format", "html", "--out", str(out_file)],
            env,
        )
        if out_file.exists():
            self.save_bytes(f"{folder}/written-report.html", out_file.read_bytes())
        # Backup, restore into a new file, purge and compact a copy: messages, then the restored/purged contents.
        work = self.scratch / "maintenance" / folder
        work.mkdir(parents=True)
        backup, restored = work / "backup.duckdb", work / "restored.duckdb"
        self.cli(f"{folder}/maintenance/01-backup.txt", ["backup", *base, "--out", str(backup)], env)
        self.cli(f"{folder}/maintenance/02-backup-again.txt", ["backup", *base, "--out", str(backup)], env)
        self.cli(f"{folder}/maintenance/03-restore.txt", ["restore", "--db", str(restored), str(backup)], env)
        self.dump_database(f"{folder}/maintenance/restored-contents", restored)
        copy = work / "purged.duckdb"
        shutil.copy(db, copy)
        self.cli(f"{folder}/maintenance/04-purge-today.txt", ["purge", "--db", str(copy)], env)
        self.cli(f"{folder}/maintenance/05-compact.txt", ["compact", "--db", str(copy)], env)
        self.cli(f"{folder}/maintenance/06-report-after-purge.json.txt", ["report", "--db", str(copy)], env)
        self.dump_database(f"{folder}/maintenance/purged-contents", copy)

    def empty_database(self) -> None:
        """An empty database: the CLI's messages, the dashboard (which shows the demo brand from a database of its
        own beside it), then the reports of that demo database, which say they are the demo's."""
        db = self.scratch / "db" / "empty" / "empty.duckdb"
        db.parent.mkdir(parents=True, exist_ok=True)
        self.cli("db/empty/report.txt", ["report", "--db", str(db)])
        self.cli("db/empty/digest.txt", ["digest", "--db", str(db)])
        self.cli(
            "db/empty/purge-dry-run.txt", ["purge", "--db", str(db), "--dry-run", "--as-of", "2026-01-01"]
        )
        self.pages("pages/empty", db)
        beside = sorted(p.name for p in db.parent.iterdir())
        self.save("db/empty/files-beside.txt", "\n".join(beside) + "\n")
        demo_db = self.scratch / "pages" / "empty" / "empty.demo.duckdb"
        if demo_db.exists():
            self.dump_database("db/empty-demo/contents", demo_db)
            self.reports("db/empty-demo", demo_db, {}, full=False)

    # -- the database's contents -----------------------------------------------------------------------------

    def dump_database(self, folder: str, db: Path) -> None:
        """Every table's rows (sorted) and the schema (columns, macros, views, indexes) of a database file, read
        with plain DuckDB in a child (not the product's code)."""

        def job() -> None:
            import duckdb

            con = duckdb.connect(str(db), read_only=True)
            schema = []
            for query in (
                "select table_name, column_name, data_type, column_default, is_nullable from duckdb_columns() "
                "where not internal order by table_name, column_index",
                "select function_name, parameters, macro_definition from duckdb_functions() where not internal "
                "and macro_definition is not null order by function_name, cast(parameters as varchar)",
                "select view_name, sql from duckdb_views() where not internal order by view_name",
                "select index_name, table_name, sql from duckdb_indexes() order by index_name",
                "select table_name, constraint_type, constraint_text from duckdb_constraints() "
                "order by table_name, constraint_text",
                "select sequence_name from duckdb_sequences() order by 1",
            ):
                schema.append(query)
                schema.extend(" | ".join(map(str, row)) for row in con.execute(query).fetchall())
            self.save(f"{folder}/schema.txt", "\n".join(schema) + "\n")
            tables = con.execute(
                "select table_name from duckdb_tables() where not internal and not temporary order by 1"
            ).fetchall()
            for (table,) in tables:
                target = self.scratch / f"dump-{table}.csv"
                con.execute(
                    f"copy (select * from \"{table}\" order by all) to '{target}' (header, delimiter ',')"
                )
                self.save(f"{folder}/{table}.csv", target.read_text(encoding="utf-8"))
                target.unlink()
            con.close()

        code, stdout, stderr = self.fork(job)
        if code or stderr.strip():
            self.save(f"{folder}/dump-error.txt", f"exit: {code}\n{stdout}{stderr}")

    # -- the dashboard ---------------------------------------------------------------------------------------

    def pages(self, folder: str, db: Path) -> None:
        """Every page of the dashboard on a copy of the database, each in a fresh AppTest (as tests/conftest.py
        opens them): every element, in order, as text; the files its download buttons give."""
        work = self.scratch / folder
        work.mkdir(parents=True, exist_ok=True)
        copy = work / db.name
        if db.exists():
            shutil.copy(db, copy)
        try:
            from tests import apptest  # the checkout's list of pages (sys.path[0] is the checkout)

            app_file, pages = Path(apptest.APP), dict(apptest.PAGES)
        except (ImportError, AttributeError):
            app_file = self.root / "dashboard" / "app.py"
            pages = {p.stem: f"views/{p.name}" for p in sorted((app_file.parent / "views").glob("*.py"))}
        for name, script in pages.items():
            code, stdout, stderr = self.fork(
                lambda s=script, n=name: self.page_job(app_file, copy, s, f"{folder}/{n}")
            )
            # Streamlit warns on every AppTest run that it runs without a server ("bare mode"): not the app's.
            stderr = "".join(line for line in stderr.splitlines(keepends=True) if BARE_MODE not in line)
            if code or stdout.strip() or stderr.strip():
                self.save(f"{folder}/{name}.errors.txt", f"exit: {code}\n{stdout}{stderr}")

    def page_job(self, app_file: Path, db: Path, script: str, relative: str) -> None:
        from google.protobuf import text_format
        from streamlit.runtime import media_file_manager as media
        from streamlit.testing.v1 import AppTest
        from streamlit.testing.v1.element_tree import Block

        os.environ["OPTOUT_COHORTS_DB"] = str(db)
        deferred: dict[str, tuple[Callable, str | None]] = {}
        stored: dict[str, tuple[bytes, str | None]] = {}
        add_deferred, add = media.MediaFileManager.add_deferred, media.MediaFileManager.add

        def record_deferred(manager, data_callable, mimetype, coordinates, file_name=None, **kwargs):
            file_id = add_deferred(manager, data_callable, mimetype, coordinates, file_name, **kwargs)
            deferred[file_id] = (data_callable, file_name)
            return file_id

        def record(manager, path_or_data, mimetype, coordinates, file_name=None, *args, **kwargs):
            url = add(manager, path_or_data, mimetype, coordinates, file_name, *args, **kwargs)
            stored[url] = (path_or_data, file_name)
            return url

        media.MediaFileManager.add_deferred = record_deferred
        media.MediaFileManager.add = record
        app = AppTest.from_file(str(app_file), default_timeout=COMMAND_TIMEOUT)
        app.run()
        if Path(script).stem != "health":
            app.switch_page(script).run()
        for module in ("analytics", "dashboard"):
            loaded = sys.modules.get(module)
            origin = Path(getattr(loaded, "__file__", None) or next(iter(getattr(loaded, "__path__", [""]))))
            if loaded is not None and not origin.resolve().is_relative_to(self.root.resolve()):
                raise RuntimeError(f"{module} was imported from {origin}, not from {self.root}")

        lines: list[str] = []
        downloads: list[tuple[str, bytes | str]] = []

        def walk(node, depth: int) -> None:
            pad = "  " * depth
            if isinstance(node, Block):
                proto = getattr(node, "proto", None)
                shown = text_format.MessageToString(proto, as_utf8=True) if proto is not None else ""
                lines.append(f"{pad}[{node.type}] {indent(shown.strip(), pad)}".rstrip())
                for key in sorted(node.children):
                    walk(node.children[key], depth + 1)
                return
            proto = node.proto
            copy = type(proto)()
            copy.CopyFrom(proto)
            extra: list[str] = []
            for described in _arrow_fields(copy):
                extra.append(described)
            if node.type == "plotly_chart" and copy.spec:
                extra.append("figure:\n" + json.dumps(json.loads(copy.spec), indent=1, ensure_ascii=False))
                copy.spec = "<below>"
            if node.type == "download_button":
                if copy.deferred_file_id in deferred:
                    build, file_name = deferred[copy.deferred_file_id]
                    try:
                        data = build()
                    except Exception:
                        data = "error: " + traceback.format_exc()
                    downloads.append((f"{len(downloads) + 1}-{file_name}", data))
                    extra.append(f"download: {relative_name(downloads[-1][0])}")
                elif copy.url in stored:
                    data, file_name = stored[copy.url]
                    downloads.append((f"{len(downloads) + 1}-{file_name}", data))
                    extra.append(f"download: {relative_name(downloads[-1][0])}")
            text = text_format.MessageToString(copy, as_utf8=True).strip()
            lines.append(f"{pad}<{node.type}> {indent(text, pad)}")
            lines.extend(f"{pad}  {line}" for block in extra for line in block.splitlines())

        def relative_name(name: str) -> str:
            return f"{Path(relative).name}.downloads/{name}"

        walk(app._tree, 0)
        self.save(f"{relative}.txt", "\n".join(lines) + "\n")
        for name, data in downloads:
            content = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            self.save_bytes(f"{relative}.downloads/{name}", content)


def indent(text: str, pad: str) -> str:
    return text.replace("\n", "\n" + pad + "    ")


def _arrow_fields(message) -> list[str]:
    """Arrow tables (a dataframe's bytes) inside a proto, as CSV; the bytes are cleared from the message."""
    import pyarrow as pa

    found = []
    for field, value in message.ListFields():
        repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
        if field.type == field.TYPE_MESSAGE:
            for item in value if repeated else [value]:
                found.extend(_arrow_fields(item))
        elif field.type == field.TYPE_BYTES and value and not repeated:
            try:
                table = pa.ipc.open_stream(value).read_all()
                frame = table.to_pandas()
                text = f"{field.name} (arrow, {table.num_rows} rows):\n{table.schema}\n" + frame.to_csv()
            except Exception:
                text = f"{field.name}: {len(value)} bytes, not arrow: {value[:200]!r}"
            found.append(text)
            setattr(message, field.name, b"")
    return found


def main_worker(root: Path, out: Path, inputs: Path, only: set[str] | None) -> int:
    """Inside the checkout's own process: import its product, check where from, write every output."""
    root = root.resolve()
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
    sys.path_hooks[:] = [h for h in sys.path_hooks if "__editable__" not in getattr(h, "__module__", "")]
    sys.path[:] = [str(root), *[p for p in sys.path if p not in ("", str(root), str(HERE / "scripts"))]]
    sys.path_importer_cache.clear()
    os.chdir(root)
    import tomllib
    from importlib import import_module

    target = "analytics.cli:main"
    with contextlib.suppress(OSError, KeyError, tomllib.TOMLDecodeError):
        target = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]["optout-cohorts"]
    module_name, _, function = target.partition(":")
    module = import_module(module_name)
    origin = Path(module.__file__).resolve()
    if not origin.is_relative_to(root):
        print(f"compare_outputs: {module_name} was imported from {origin}, not from {root}", file=sys.stderr)
        return 3
    entry = getattr(module, function)
    print(f"compare_outputs: {target} from {origin}", file=sys.stderr, flush=True)
    # The imports every command and page needs, paid once before the forks (they change no output): the
    # libraries, and every module of the checkout's `analytics` package (commands import some lazily).
    for name in ("duckdb", "pandas", "jinja2", "plotly.graph_objects", "pyarrow", "streamlit.testing.v1"):
        with contextlib.suppress(ImportError):
            import_module(name)
    for path in sorted((root / "analytics").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] != "__main__":
            with contextlib.suppress(Exception):
                import_module(".".join(parts))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compare-outputs-") as scratch:
        os.environ["OPTOUT_COHORTS_WORK"] = str(Path(scratch) / "work")
        worker = Worker(root, out, Path(scratch), inputs, entry)
        worker.run(only)
    return 0


# --- the driver -----------------------------------------------------------------------------------------------


def clean_env(root: Path) -> dict[str, str]:
    """The environment of a checkout's process: none of the user's OPTOUT_COHORTS_* settings; fixed time zone,
    locale, hash seed, terminal width (argparse's help) and the product's language (COMPARE_OUTPUTS_LANGUAGE,
    English by default: the language every revision before the French default spoke), so that both sides run
    alike."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPTOUT_COHORTS_", "STREAMLIT_"))}
    env.update(
        PYTHONPATH=str(root),
        PYTHONHASHSEED="0",
        TZ="UTC",
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        COLUMNS="100",
        PYTHONDONTWRITEBYTECODE="1",
        OPTOUT_COHORTS_LANGUAGE=os.environ.get("COMPARE_OUTPUTS_LANGUAGE", "en"),
    )
    env.pop("PYTHONSTARTUP", None)
    return env


def start_write(root: Path, out: Path, only: list[str] | None = None) -> subprocess.Popen:
    """A process, in `root`, that writes its outputs to `out` (this script's worker, run by this Python)."""
    argv = [sys.executable, "-P", str(Path(__file__).resolve()), "_worker", str(root), str(out), str(HERE)]
    argv += [f"--only={name}" for name in only or []]
    return subprocess.Popen(argv, cwd=root, env=clean_env(root))


def write(out: Path, root: Path = HERE, only: list[str] | None = None) -> int:
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty", file=sys.stderr)
        return 2
    started = time.monotonic()
    code = start_write(root, out, only).wait()
    count = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"wrote {count} files in {time.monotonic() - started:.0f} s to {out}")
    return code


def checkout(rev: str, target: Path) -> None:
    """The files of `rev` in `target` (git archive: read-only for the repository)."""
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(HERE), "archive", "--format=tar", rev], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)


def excerpt(before: Path, after: Path, lines: int = 40) -> str:
    """A unified diff of two files, at most `lines` lines (gzip compared on its contents)."""

    def read(path: Path) -> bytes:
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix == ".gz" else data

    a, b = read(before), read(after)
    if a == b:
        return "  (same contents once decompressed; the gzip bytes differ)\n"
    if len(a) + len(b) > 2_000_000 and shutil.which("diff"):  # difflib is slow on big files
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "a").write_bytes(a)
            (Path(folder) / "b").write_bytes(b)
            result = subprocess.run(
                ["diff", "-u", "a", "b"], cwd=folder, capture_output=True, text=True, errors="replace"
            )
        diff = result.stdout.splitlines(keepends=True)
    else:
        text_a = a.decode("utf-8", errors="replace").splitlines(keepends=True)
        text_b = b.decode("utf-8", errors="replace").splitlines(keepends=True)
        diff = list(difflib.unified_diff(text_a, text_b, "before", "after", n=2))
    shown = "".join(line if line.endswith("\n") else line + "\n" for line in diff[:lines])
    if len(diff) > lines:
        shown += f"  … {len(diff) - lines} more diff line(s)\n"
    return shown


def compare_trees(before: Path, after: Path) -> int:
    """Print each difference; 0 when every file is byte-identical, 1 otherwise."""
    files_a = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    files_b = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    differ = 0
    for path in sorted(files_a - files_b):
        print(f"only before: {path}")
        differ += 1
    for path in sorted(files_b - files_a):
        print(f"only after: {path}")
        differ += 1
    common = sorted(files_a & files_b)
    changed = [p for p in common if not filecmp.cmp(before / p, after / p, shallow=False)]
    for path in changed:
        print(f"differs: {path}")
        print(excerpt(before / path, after / path), end="")
    differ += len(changed)
    if differ:
        print(
            f"DIFFERENT: {differ} file(s) of {len(files_a | files_b)} ({len(common) - len(changed)} identical)"
        )
        return 1
    print(f"identical: {len(common)} files")
    return 0


def compare(before_rev: str, after: Path, keep: Path | None, only: list[str] | None) -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="compare-outputs-") as folder:
        base = keep or Path(folder)
        base.mkdir(parents=True, exist_ok=True)
        source = Path(folder) / "before-checkout"
        checkout(before_rev, source)
        print(f"before: {before_rev} ({_describe(before_rev)}), after: {after}", flush=True)
        outputs = {"before": base / "before", "after": base / "after"}
        for out in outputs.values():
            if out.exists():
                shutil.rmtree(out)
        # Both sides at once: each process is sequential, so two use the two CPUs.
        running = [start_write(source, outputs["before"], only), start_write(after, outputs["after"], only)]
        codes = [process.wait() for process in running]
        print(f"written in {time.monotonic() - started:.0f} s", flush=True)
        if any(codes):
            print(f"a side failed to write its outputs (exit codes {codes})", file=sys.stderr)
            return 2
        result = compare_trees(outputs["before"], outputs["after"])
        print(
            f"compared in {time.monotonic() - started:.0f} s" + (f"; outputs kept in {base}" if keep else "")
        )
        return result


def _describe(rev: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(HERE), "rev-parse", "--short", rev], capture_output=True, text=True
    )
    return done.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write_cmd = commands.add_parser("write", help="write every output of this checkout into OUT_DIR")
    write_cmd.add_argument("out", type=Path)
    write_cmd.add_argument("--root", type=Path, default=HERE, help="the checkout to run (default: this one)")
    compare_cmd = commands.add_parser("compare", help="outputs of a git revision against a checkout's")
    compare_cmd.add_argument("--before", required=True, help="git revision, e.g. HEAD or main~3")
    compare_cmd.add_argument(
        "--after", type=Path, default=HERE, help="checkout (default: this one, as it is)"
    )
    compare_cmd.add_argument("--keep", type=Path, help="keep both output trees in this folder")
    for command in (write_cmd, compare_cmd):
        command.add_argument(
            "--only", action="append", help="only this database set (repeatable; for debugging)"
        )
    worker = commands.add_parser("_worker")  # internal: runs inside a checkout
    worker.add_argument("root", type=Path)
    worker.add_argument("out", type=Path)
    worker.add_argument("inputs", type=Path)
    worker.add_argument("--only", action="append")
    args = parser.parse_args(argv)
    if args.command == "_worker":
        return main_worker(args.root, args.out.resolve(), args.inputs, set(args.only) if args.only else None)
    if args.command == "write":
        return write(args.out.resolve(), args.root.resolve(), args.only)
    return compare(args.before, args.after.resolve(), args.keep and args.keep.resolve(), args.only)


if __name__ == "__main__":
    sys.exit(main())
