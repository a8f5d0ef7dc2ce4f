"""`optout-cohorts`: load CSV exports, print the cohort report (from a database or a lake), export a lake, write the
demo data, start the dashboard.

A thin layer over analytics: it parses arguments, calls the domain, prints. A user error ends with a plain
paragraph on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import NoReturn

from analytics import formats, i18n, ingest, lake, store
from analytics.demo import database as demo_database
from analytics.errors import UserError, spark_missing
from analytics.i18n import _, ngettext
from analytics.ingest import mapping
from analytics.report import cohorts, digest, export, frozen, review
from analytics.settings import Settings, from_mapping
from analytics.store import decisions, maintenance, privacy, settings_store
from analytics.tables import TABLES
from analytics.text import CONTROL, visible


def _date(text: str) -> dt.date:
    """A date argument, in the years a send or a purchase can have (ingest's): 0001-01-01 would crash the
    window arithmetic, and no report, digest or purge means anything there."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date such as 2026-03-15").format(text=repr(text))
        ) from None
    if not ingest.FIRST_YEAR <= day.year <= ingest.LAST_YEAR:
        raise argparse.ArgumentTypeError(
            _("{text} is out of range: give a date from {first} to {last}").format(
                text=repr(text), first=f"{ingest.FIRST_YEAR}-01-01", last=f"{ingest.LAST_YEAR}-12-31"
            )
        )
    return day


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(
            _("{text} is not NAME=VALUE, e.g. stop_above=0.45").format(text=repr(text))
        )
    return name.strip(), value.strip()


# The engines `report` can run on: DuckDB on this machine (a database or a lake), or Apache Spark over a lake or
# a catalog's tables (analytics/spark_engine.py: the same SQL, transpiled).
ENGINES = ("duckdb", "spark")


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one plain line, like the command's own (the usage is behind --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2, _("{prog}: {message} (see {prog} --help)").format(prog=self.prog, message=message) + "\n"
        )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="optout-cohorts",
        description=_("Health of non-opt-in (soft opt-in) email cohorts, source by source."),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    load = commands.add_parser("ingest", help=_("load CSV exports (canonical or a known ESP/CRM export)"))
    load.add_argument(
        "--db",
        type=Path,
        default=None,
        help=_("database file (default: $OPTOUT_COHORTS_DB or data/optout-cohorts.duckdb)"),
    )
    load.add_argument(
        "--table",
        choices=sorted(TABLES),
        help=_("the table of every file (default: recognised from the columns)"),
    )
    load.add_argument(
        "--preset",
        default=None,
        help=_(
            "read every file with this preset (built-in or saved; see "
            "`optout-cohorts presets`); default: the preset the header matches, if any"
        ),
    )
    load.add_argument(
        "--set",
        dest="constants",
        type=_setting,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=_("a value for a whole file, e.g. --set collection_source=in_store (repeatable)"),
    )
    load.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        default=None,
        help=_(
            "how to read dates like 03/04/2026: dmy (day first) or mdy; default: what the dates "
            "prove, else day-first for ';' files"
        ),
    )
    load.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_("load the valid rows and set the invalid ones aside (default: refuse the file)"),
    )
    load.add_argument(
        "--rejects",
        type=Path,
        default=None,
        help=_("folder for the set-aside rows with --skip-invalid (default: the current folder)"),
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")

    commands.add_parser("presets", help=_("list the built-in and saved presets")).add_argument(
        "--db", type=Path, default=None
    )

    rep = commands.add_parser("report", help=_("the cohort report as of a date (SPEC §9)"))
    data = rep.add_mutually_exclusive_group()
    data.add_argument("--db", type=Path, default=None)
    data.add_argument(
        "--lake",
        type=Path,
        default=None,
        metavar="DIR",
        help=_(
            "read the data from this lake instead of a database: a folder of one Parquet dataset per table, "
            "as `optout-cohorts export-lake` writes it (settings: the defaults and --setting)"
        ),
    )
    data.add_argument(
        "--catalog",
        default=None,
        metavar="NAME",
        help=_(
            "with --engine spark: read the canonical tables from this Spark catalog or schema (NAME.contacts, "
            "NAME.events…) instead of a lake"
        ),
    )
    rep.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help=_("the engine that computes the report (default duckdb; spark: needs --lake or --catalog)"),
    )
    where = rep.add_mutually_exclusive_group()
    where.add_argument(
        "--spark-master",
        default=None,
        metavar="URL",
        help=_("with --engine spark: where Spark runs (default local[*], this machine's cores)"),
    )
    where.add_argument(
        "--spark-remote",
        default=None,
        metavar="sc://HOST:PORT",
        help=_("with --engine spark: a Spark Connect server to run on instead"),
    )
    rep.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help=_("report date YYYY-MM-DD (default: the latest send date in the data)"),
    )
    rep.add_argument("--window-weeks", type=int, default=None, help=_("window length in weeks (default 4)"))
    rep.add_argument(
        "--setting",
        type=_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=_(
            "override a setting for this report, e.g. --setting stop_above=0.45 (repeatable); the others "
            "are those saved on the dashboard's Settings page, else the defaults"
        ),
    )
    rep.add_argument(
        "--format",
        choices=("json", "csv", "spreadsheet", "html"),
        default="json",
        help=_(
            "json: the §9 report; csv: the cohort table (codes, fractions); spreadsheet: the cohort table for a "
            "spreadsheet, in $OPTOUT_COHORTS_LANGUAGE (French: ';', decimal commas, UTF-8 with BOM); html: the "
            "self-contained weekly report to share"
        ),
    )
    rep.add_argument(
        "--out", type=Path, default=None, help=_("write to this file instead of standard output")
    )

    dig = commands.add_parser("digest", help=_("the weekly review in plain text, for an email or a chat"))
    dig.add_argument("--db", type=Path, default=None)
    dig.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help=_("last day of the week reviewed (default: the last complete ISO week of the data, a Sunday)"),
    )
    dig.add_argument("--window-weeks", type=int, default=None, help=_("window length in weeks (default 4)"))
    dig.add_argument(
        "--out", type=Path, default=None, help=_("write to this file instead of standard output")
    )

    lake_export = commands.add_parser(
        "export-lake",
        help=_(
            "write the database's canonical tables as a lake: one Parquet dataset per table, events by month "
            "(the input of `report --lake`, and of engines such as Spark)"
        ),
    )
    lake_export.add_argument("--db", type=Path, default=None)
    lake_export.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help=_("the folder to write (new, or empty)")
    )

    pseudo = commands.add_parser(
        "pseudonymise",
        help=_(
            "from now on, store email ids as HMAC-SHA-256 pseudonyms (key: $OPTOUT_COHORTS_PSEUDONYM_KEY)"
        ),
    )
    pseudo.add_argument("--db", type=Path, default=None)

    backup = commands.add_parser("backup", help=_("write a consistent copy of the whole database to a file"))
    backup.add_argument("--db", type=Path, default=None)
    backup.add_argument("--out", type=Path, required=True, help=_("the backup file to write (a DuckDB file)"))
    backup.add_argument("--overwrite", action="store_true", help=_("replace --out when it exists"))

    restore = commands.add_parser(
        "restore", help=_("replace the database with a backup (close the dashboard and other commands first)")
    )
    restore.add_argument("--db", type=Path, default=None)
    restore.add_argument(
        "backup", type=Path, metavar="BACKUP", help=_("a file written by `optout-cohorts backup`")
    )

    purge = commands.add_parser(
        "purge",
        help=_(
            "delete the contacts past the retention limit (expired, SPEC §5) with their orders and events, "
            "then rewrite the file so that their data leaves it"
        ),
    )
    purge.add_argument("--db", type=Path, default=None)
    purge.add_argument("--as-of", type=_date, default=None, help=_("purge date (default: today)"))
    purge.add_argument(
        "--dry-run", action="store_true", help=_("count what would be deleted; change nothing")
    )
    purge.add_argument(
        "--no-compact",
        action="store_true",
        help=_(
            "skip rewriting the file now (the deleted rows' bytes stay in it until the rewrite, which is "
            "recorded and done the next time the database is opened, or by `optout-cohorts compact`)"
        ),
    )

    compact = commands.add_parser(
        "compact",
        help=_(
            "rewrite the database file so that the bytes of deleted rows leave it (finishes a purge's rewrite)"
        ),
    )
    compact.add_argument("--db", type=Path, default=None)

    demo = commands.add_parser("demo", help=_("write the demo brand's CSV files (deterministic)"))
    demo.add_argument("--out", type=Path, default=store.PROJECT_ROOT / "data" / "demo")
    demo.add_argument("--scale", type=float, default=1.0, help=_("size multiplier (benchmarks use larger)"))
    demo.add_argument("--seed", type=int, default=None)

    ui = commands.add_parser("dashboard", help=_("start the dashboard (Streamlit)"))
    ui.add_argument("--db", type=Path, default=None)
    ui.add_argument("--port", type=int, default=8501)
    ui.add_argument(
        "--address",
        default="127.0.0.1",
        help=_(
            "the address to serve on (default 127.0.0.1: this machine only); another one, e.g. 0.0.0.0 for "
            "every interface, needs login (.streamlit/secrets.toml) or --no-login-on-network"
        ),
    )
    ui.add_argument(
        "--no-login-on-network",
        action="store_true",
        help=_(
            "serve a network address without login, because something else controls who gets in (a proxy "
            "that authenticates); same as $OPTOUT_COHORTS_ALLOW_NO_LOGIN=1"
        ),
    )
    ui.add_argument(
        "--demo",
        action="store_true",
        help=_(
            "show the demo brand, labelled, whatever the database holds (the demo has a database of its own; "
            "without --demo it shows while your database is empty)"
        ),
    )
    return parser


def _ingest(args: argparse.Namespace) -> int:
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise UserError(
            _("File(s) not found: {files}. Check the path and try again.").format(files=", ".join(missing))
        )
    options = ingest.Options(
        table=args.table,
        preset=args.preset,
        constants=dict(args.constants),
        date_order=args.date_order,
        on_invalid="skip" if args.skip_invalid else "fail",
    )
    rejects = (args.rejects or Path.cwd()) if args.skip_invalid else None
    if rejects is not None:
        rejects.mkdir(parents=True, exist_ok=True)
    con = store.connect(args.db, readable=[*args.files, *([rejects] if rejects else [])])
    try:
        for result in ingest.ingest_files(con, args.files, options=options, rejects_dir=rejects):
            print(result.describe())
            if result.rejects_csv is not None:
                print(
                    "  "
                    + ngettext(
                        "the {count} skipped row(s) and their values: {path}",
                        "the {count} skipped row(s) and their values: {path}",
                        result.rows_rejected,
                    ).format(count=result.rows_rejected, path=result.rejects_csv)
                )
    finally:
        con.close()
    return 0


def _presets(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    try:
        for preset in mapping.all_presets(con):
            needs = (
                " — " + _("needs {fields} (--set)").format(fields=", ".join(preset.needs))
                if preset.needs
                else ""
            )
            print(f"{preset.name:28} {preset.table:15} {preset.title}{needs}")
    finally:
        con.close()
    return 0


def _settings(con, overrides: dict[str, object]) -> Settings:
    """The settings saved on the dashboard's Settings page (else the defaults), with these overrides."""
    return _given_settings({**settings_store.load(con).as_dict(), **overrides})


def _given_settings(overrides: dict[str, object]) -> Settings:
    """The defaults with these overrides (a lake or a catalog carries no saved settings)."""
    try:
        return from_mapping(overrides)
    except ValueError as error:
        raise UserError(_("Invalid setting: {error}.").format(error=error)) from None


def _no_sends() -> UserError:
    return UserError(
        _(
            "The database holds no sends yet: load campaigns and events (or campaign_stats) first, or give --as-of."
        )
    )


def _write(text: str, out: Path | None) -> None:
    """The output, to a file or the terminal, without a raw control character (its line breaks and tabs kept):
    a source name holding an ESC sequence from an old database would clear or retitle the terminal."""
    text = visible(text, keep="\n\t")
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _json(result: dict) -> str:
    """The JSON report; json already writes C0 control characters inside strings as \\u001b (the line breaks
    left are its indentation), the others (DEL, C1, bidirectional overrides) are escaped the same way here, so
    the text stays valid JSON with the same values."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    return CONTROL.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text) + "\n"


def _report_connection(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """What the report reads: the database, a temporary one holding the lake (--lake), or the Spark engine over
    the lake or the catalog (--engine spark)."""
    if args.engine == "spark":
        if args.lake is None and args.catalog is None:
            raise UserError(
                _(
                    "The Spark engine reads a lake or a catalog, not a database file: give --lake DIR (write one "
                    "with optout-cohorts export-lake --db PATH --out DIR) or --catalog NAME."
                )
            )
        try:
            from analytics import spark_engine  # SQLGlot and pyspark: the spark extra
        except ImportError:
            raise spark_missing() from None
        return spark_engine.opened(
            lake_dir=args.lake, catalog=args.catalog, master=args.spark_master, remote=args.spark_remote
        )
    if args.catalog is not None or args.spark_master is not None or args.spark_remote is not None:
        raise UserError(_("--catalog, --spark-master and --spark-remote go with --engine spark."))
    if args.lake is not None:
        return lake.opened(args.lake)
    return contextlib.closing(store.connect(args.db))


def _report(args: argparse.Namespace) -> int:
    overrides = dict(args.setting)
    if args.window_weeks is not None:
        overrides["window_weeks"] = args.window_weeks
    with _report_connection(args) as con:
        settings = _settings(con, overrides) if args.engine == "duckdb" else _given_settings(overrides)
        as_of = args.as_of or cohorts.latest_send_date(con)
        if as_of is None:
            raise _no_sends()
        if args.format == "html":
            from analytics.report import html

            text = html.build_html(con, as_of, settings)
        else:
            # The machine forms (JSON of SPEC §9, the machine CSV) read the same in every language: their
            # sentences (reasons, warnings) in the language the texts are written in.
            machine = args.format in ("json", "csv")
            with i18n.within(i18n.SOURCE_LANGUAGE) if machine else contextlib.nullcontext():
                result = cohorts.build_report(con, as_of, settings)
            if args.format == "json":
                text = _json(result)
            else:  # csv: the machine form, byte for byte as always; spreadsheet: for a person, in their language
                chosen = export.dialect(
                    export.SPREADSHEET if args.format == "spreadsheet" else export.MACHINE
                )
                text = cohorts.report_csv(result, chosen)
        for warning in cohorts.data_quality(con, as_of):
            print(_("warning: {warning}").format(warning=visible(warning)), file=sys.stderr)
        if args.engine == "duckdb" and (demo := demo_database.notice(con)) is not None:
            print(_("warning: demo data. {notice}").format(notice=visible(demo)), file=sys.stderr)
    _write(text, args.out)
    return 0


def _export_lake(args: argparse.Namespace) -> int:
    out = args.out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    con = store.connect(args.db, readable=[out.parent])  # the lake is written beside --out, then renamed
    try:
        counts = lake.export(con, out)
    finally:
        con.close()
    print(_("Lake written to {path}:").format(path=out))
    for table, rows in counts.items():
        print(
            "  "
            + ngettext("{table}: {count} row", "{table}: {count} rows", rows).format(
                table=table, count=formats.number(rows)
            )
        )
    months = len(lake.partitions(out))
    if months:
        print(
            "  "
            + ngettext(
                "events in {count} monthly partition (occurred_month=YYYY-MM)",
                "events in {count} monthly partitions (occurred_month=YYYY-MM)",
                months,
            ).format(count=formats.number(months))
        )
    return 0


def _digest(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    try:
        settings = _settings(con, {} if args.window_weeks is None else {"window_weeks": args.window_weeks})
        latest = cohorts.latest_send_date(con)
        if args.as_of is None and latest is None:
            raise _no_sends()
        week_end = args.as_of or review.last_complete_week_end(latest, dt.date.today())
        # The week as the meeting saw it when it was closed (frozen), else computed with today's settings.
        shown = frozen.meeting_review(con, week_end, settings)
        notices = (
            frozen.week_closure_notice(con, week_end, settings),
            frozen.defaults_notice(settings),
        )
        text = digest.digest(
            shown,
            demo_database.notice(con),
            decisions.entries(con, week_end),
            notices=[notice for notice in notices if notice],
        )
    finally:
        con.close()
    _write(text, args.out)
    return 0


def _pseudonymise(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    try:
        privacy.enable(con, privacy.current_key())
    finally:
        con.close()
    print(
        _(
            "Email ids will be pseudonymised on every load into this database. Keep the key: without it nothing "
            "can be loaded or shown, and a different key would give every person a new id."
        )
    )
    return 0


def _backup(args: argparse.Namespace) -> int:
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    con = store.connect(args.db, readable=[out.parent])
    try:
        result = maintenance.backup(con, out, overwrite=args.overwrite)
    finally:
        con.close()
    print(result["message"])
    return 0


def _restore(args: argparse.Namespace) -> int:
    result = maintenance.restore(args.backup, args.db or store.default_db_path())
    print(result["message"])
    return 0


def _purge(args: argparse.Namespace) -> int:
    db = args.db or store.default_db_path()
    con = store.connect(db)
    try:
        retention_years = _settings(con, {}).retention_years
        result = maintenance.purge_expired(
            con, args.as_of or dt.date.today(), retention_years, dry_run=args.dry_run
        )
    finally:
        con.close()
    print(result["message"])
    if args.dry_run or not result["owed"]:
        return 0
    if args.no_compact:
        print(
            ngettext(
                "File rewritten: not yet (--no-compact): the bytes of {count} purged contact(s) stay in it "
                "until the rewrite, which is recorded and done the next time the database is opened, or by "
                "`optout-cohorts compact`.",
                "File rewritten: not yet (--no-compact): the bytes of {count} purged contact(s) stay in it "
                "until the rewrite, which is recorded and done the next time the database is opened, or by "
                "`optout-cohorts compact`.",
                result["owed"],
            ).format(count=formats.number(result["owed"]))
        )
        return 0
    done = maintenance.finish_rewrite(db, result["owed"])
    if not done["rewritten"]:
        raise UserError(done["message"])  # exit code 2: the purge is not complete yet
    print(done["message"])
    return 0


def _compact(args: argparse.Namespace) -> int:
    print(maintenance.compact(args.db or store.default_db_path())["message"])
    return 0


def _demo(args: argparse.Namespace) -> int:
    from analytics import demo

    args.out.mkdir(parents=True, exist_ok=True)
    kwargs = {"scale": args.scale} | ({"seed": args.seed} if args.seed is not None else {})
    for path in demo.generate(args.out, **kwargs):
        print(path)
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    """Start Streamlit from the project folder, so that its .streamlit/config.toml applies (loopback, no error
    details, no usage statistics) and its secrets are read, whatever folder this command runs from; refuse to
    serve the network without login unless told to."""
    import os

    from dashboard import auth  # Streamlit's; the other commands do without it

    env = dict(os.environ)
    for name in (store.ENV_DB_PATH, store.ENV_WORK_DIR, auth.ENV_SECRETS):
        if env.get(name, "").strip():  # relative to this command's folder, not the server's
            env[name] = os.path.abspath(os.path.expanduser(env[name].strip()))
    if args.db:
        env[store.ENV_DB_PATH] = str(args.db.resolve())
    if args.demo:
        env["OPTOUT_COHORTS_DEMO"] = "1"
    if args.no_login_on_network:
        env[auth.ENV_ALLOW_NO_LOGIN] = "1"
    files = auth.secrets_files(env)
    problems = auth.secrets_problems(env, [str(path) for path in files])
    if problems:
        raise UserError(" ".join(problems))
    try:
        secrets = auth.read_secrets_files(files)
    except ValueError as error:
        raise UserError(str(error)) from None
    exposed = auth.network_problem(args.address, auth.read_config(secrets, env), env)
    if exposed:
        raise UserError(exposed)
    app = store.PROJECT_ROOT / "dashboard" / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port)]
    command += ["--server.address", args.address]
    for path in files:
        command += ["--secrets.files", str(path)]
    return subprocess.call(command, env=env, cwd=store.PROJECT_ROOT)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "ingest": _ingest,
        "presets": _presets,
        "report": _report,
        "digest": _digest,
        "export-lake": _export_lake,
        "pseudonymise": _pseudonymise,
        "backup": _backup,
        "restore": _restore,
        "purge": _purge,
        "compact": _compact,
        "demo": _demo,
        "dashboard": _dashboard,
    }[args.command]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", maintenance.RewriteOwed)
            try:
                return handler(args)
            finally:
                _show_warnings(args.command, caught)
    except UserError as error:
        print(f"optout-cohorts {args.command}: {visible(str(error), keep=chr(10))}", file=sys.stderr)
        return 2


def _show_warnings(command: str, caught: list[warnings.WarningMessage]) -> None:
    """A rewrite a purge still owes (maintenance.RewriteOwed), in one plain line; other warnings as usual."""
    for warning in caught:
        if issubclass(warning.category, maintenance.RewriteOwed):
            message = _("warning: {warning}").format(warning=visible(str(warning.message)))
            print(f"optout-cohorts {command}: {message}", file=sys.stderr)
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno, warning.file
            )


if __name__ == "__main__":
    sys.exit(main())
