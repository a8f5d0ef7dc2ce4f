"""The benchmark of issue 7: the product at 10 M and 50 M events against independent peers, in one command.

For each size: the demo brand as plain CSV and Parquet (cached, bench/datasets.py); the product's ingest and
report as whole processes under /usr/bin/time -v (wall time, peak RSS); the report warm, in process
(bench/product.py); the SPEC §7 window metrics written by hand with DuckDB, pandas and polars, each engine in
its own process (bench/peers.py), next to the raw floors (reading the CSV bytes, scanning the Parquet); every
peer's figures checked against the product's report (the run stops on the first disagreement, with the
diff); and the dashboard reruns (bench/dashboard_rerun.py) on the same database. Ratios are peer time ÷ the
product's warm report time: above 1, the product is faster.

Writes a text report to standard output, and bench/results/<events>.json and .md.

    .venv/bin/python -m bench.harness --events 10M --events 50M --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from analytics import demo
from bench import datasets, peers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CLI = [sys.executable, "-m", "analytics.cli"]
TIME = "/usr/bin/time"
ENGINE_ORDER = (
    "floor_csv",
    "floor_parquet",
    "duckdb_csv",
    "duckdb_parquet",
    "pandas",
    "polars",
    "polars_memory",
    "polars_csv",
)


class Failed(SystemExit):
    """A step failed or a peer disagreed: stop with the reason (exit code 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


# ----------------------------------------------------------------------------------------------------------
# Processes


def module(name: str) -> list[str]:
    return [sys.executable, "-m", name]


def run_process(command: list[str]) -> dict:
    """Run a whole process under /usr/bin/time -v: wall seconds, peak RSS (MiB), stdout, stderr."""
    if not Path(TIME).is_file():
        raise Failed(f"{TIME} is missing: install GNU time (apt-get install time)")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        done = subprocess.run(
            [TIME, "-v", "-o", report.name, *command], cwd=ROOT, capture_output=True, text=True
        )
        text = report.read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if done.returncode != 0 or not wall or not rss:
        signal = re.search(r"Command terminated by signal (\d+)", text)
        killed = f"killed by signal {signal.group(1)} (out of memory?)" if signal else ""
        raise Failed(_failure(command, done.returncode, done.stderr or ("" if signal else text), killed))
    hours, minutes, secs = wall.groups()
    return {
        "seconds": int(hours or 0) * 3600 + int(minutes) * 60 + float(secs),
        "peak_rss_mib": int(rss.group(1)) / 1024,
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


def _failure(command: list[str], code: int, stderr: str, note: str = "") -> str:
    tail = "\n".join([note, *stderr.strip().splitlines()[-15:]]).strip()
    return f"failed (exit code {code}): {shlex.join(command)}\n{tail}"


def run_json(command: list[str]) -> dict:
    """A benchmark subprocess that prints one JSON object. Started through /usr/bin/time too: Linux carries
    a process's peak RSS across fork and exec, so a child started straight from this (large) process would
    report this process's peak as its own."""
    return json.loads(run_process(command)["stdout"])


# ----------------------------------------------------------------------------------------------------------
# Figures


def summary(times: list[float]) -> dict:
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times)}


def seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def spread(stats: dict) -> str:
    return f"{seconds(stats['min'])} – {seconds(stats['max'])}"


def line(stats: dict) -> str:
    return f"median {seconds(stats['median'])} ({spread(stats)}); peak RSS {stats['peak_rss_mib']:,.0f} MiB"


def same_figures(cold: dict, warm: dict) -> bool:
    """The CLI's JSON file and the in-process dict carry the same baseline and cohorts (dates as text)."""
    pick = {k: warm[k] for k in ("baseline", "cohorts")}
    return {k: cold[k] for k in pick} == json.loads(json.dumps(pick, default=str))


# ----------------------------------------------------------------------------------------------------------
# One size


class Size:
    """The measurements of one dataset, printed as they come and kept for the result files."""

    def __init__(self, events: int, args: argparse.Namespace, say) -> None:
        self.args, self.say = args, say
        self.as_of = args.as_of.isoformat()
        self.base: dict = {}  # the product's warm report: what the peers are compared with
        self.info = self._dataset(events)
        self.result: dict = {
            "events_target": events,
            "dataset": self.info,
            "as_of": self.as_of,
            "measurements": [],
            "failures": [],
        }

    def _dataset(self, events: int) -> dict:
        generate = not datasets.cached(events, self.args.seed)
        if generate:  # in its own process, so that its memory is given back before anything is measured
            self.say(f"generating the demo brand for {events:,} events (python -m bench.datasets) …")
            command = [*module("bench.datasets"), "--events", str(events), "--seed", str(self.args.seed)]
            subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        info = {**datasets.ensure(events, self.args.seed, log=self.say), "cached": not generate}
        self.say(datasets.describe(info))
        return info

    def record(self, key: str, label: str, times: list[float], peak: float, **extra) -> dict:
        entry = {"key": key, "label": label, **summary(times), "times": times, "peak_rss_mib": peak, **extra}
        self.result["measurements"].append(entry)
        return entry

    def processes(self, key: str, label: str, command: list[str], runs: int, before=None) -> dict:
        """`runs` whole processes under /usr/bin/time; peak RSS is the highest of them."""
        times, peaks = [], []
        for _ in range(runs):
            if before:
                before()
            done = run_process(command)
            times.append(done["seconds"])
            peaks.append(done["peak_rss_mib"])
        return self.record(key, label, times, max(peaks))

    def run(self) -> dict:
        work = Path(tempfile.mkdtemp(prefix="work-", dir=datasets.data_root()))
        try:
            db = work / "bench.duckdb"
            self.ingest(db)
            product = self.report(db, work / "report.json")
            self.peers(product)
            if not self.args.no_dashboard:
                self.dashboard(db)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return self.result

    def ingest(self, db: Path) -> None:
        files = datasets.csv_files(self.info)
        wal = db.with_name(db.name + ".wal")

        def fresh() -> None:
            db.unlink(missing_ok=True)
            wal.unlink(missing_ok=True)

        command = [*CLI, "ingest", "--db", str(db), *map(str, files)]
        label = "product ingest (CLI, fresh database)"
        entry = self.processes("ingest", label, command, self.args.ingest_runs or self.args.runs, fresh)
        entry["mb_per_s"] = sum(self.info["csv_bytes"].values()) / 1e6 / entry["median"]
        entry["rows_per_s"] = sum(self.info["rows"].values()) / entry["median"]
        self.result["database_bytes"] = db.stat().st_size + (wal.stat().st_size if wal.is_file() else 0)
        self.say(
            f"{label}: median {seconds(entry['median'])} ({spread(entry)}); {entry['mb_per_s']:,.1f} MB/s, "
            f"{entry['rows_per_s']:,.0f} rows/s; peak RSS {entry['peak_rss_mib']:,.0f} MiB"
        )
        self.say(f"database on disk (file + wal): {self.result['database_bytes'] / 1e6:,.1f} MB")

    def report(self, db: Path, out: Path) -> dict:
        """Cold CLI runs, then warm in-process runs; returns the §9 report (the reference for the peers)."""
        command = [*CLI, "report", "--db", str(db), "--as-of", self.as_of, "--format", "json"]
        label = "product report, cold (CLI process, JSON)"
        cold = self.processes("report_cold", label, [*command, "--out", str(out)], self.args.runs)
        self.say(f"{cold['label']}: {line(cold)}")
        warm = run_json(
            [*module("bench.product"), "--db", str(db), "--as-of", self.as_of, "--runs", str(self.args.runs)]
        )
        product = warm["report"]
        if not same_figures(json.loads(out.read_text()), product):
            raise Failed("the CLI's JSON report and build_report in process give different figures")
        label = "product report, warm (build_report in process)"
        self.base = self.record("report_warm", label, warm["times"], warm["peak_rss_mib"])
        self.say(f"{label}: {line(self.base)}")
        return product

    def peers(self, product: dict) -> None:
        """Each engine in its own process; every computing engine must agree with the product exactly."""
        self.say(
            f"peers: the §7 window metrics as of {self.as_of}, each engine in its own process after 1 warm-up "
            "run; ratio = peer ÷ product warm report (> 1: the product is faster)"
        )
        data = self.info["folder"]
        checked = []
        for engine in self.args.engines:
            command = [*module("bench.peers"), engine, "--data", data, "--as-of", self.as_of]
            try:
                outcome = run_json([*command, "--runs", str(self.args.runs)])
            except Failed as failure:  # e.g. out of memory at 50 M: note it, and measure the others
                self.result["failures"].append({"engine": engine, "error": str(failure)})
                self.say(f"  {engine}: FAILED, {failure}")
                continue
            if engine in peers.CHECKED:
                found = peers.differences(product, outcome["result"])
                if found:
                    raise Failed(
                        f"{engine} disagrees with the product's report as of {self.as_of} "
                        f"({shlex.join(command)}):\n  " + "\n  ".join(found)
                    )
                checked.append(engine)
            for label, times in outcome["measurements"].items():
                ratio = statistics.median(times) / self.base["median"]
                entry = self.record(
                    f"peer:{engine}", label, times, outcome["peak_rss_mib"], ratio_to_product=ratio
                )
                self.say(
                    f"  {label:42} median {seconds(entry['median']):>8} ({spread(entry)})  ×{ratio:6.2f}  "
                    f"peak RSS {entry['peak_rss_mib']:,.0f} MiB"
                )
        with_sends = sum(1 for c in product["cohorts"] if c["metrics"]["delivered"])
        self.result["agreement"] = {"engines": checked, "cohorts_with_deliveries": with_sends}
        if checked:
            self.say(
                f"agreement: {', '.join(checked)} return exactly the product's baseline and cohorts "
                f"({with_sends} cohorts with deliveries)"
            )

    def dashboard(self, db: Path) -> None:
        done = run_process(
            [sys.executable, "bench/dashboard_rerun.py", "--db", str(db), "--runs", str(self.args.runs)]
        )
        lines = done["stdout"].strip().splitlines()
        self.result["dashboard"] = {
            "lines": lines,
            "seconds": done["seconds"],
            "peak_rss_mib": done["peak_rss_mib"],
        }
        self.say(
            f"dashboard reruns (Streamlit AppTest; whole script {seconds(done['seconds'])}, "
            f"peak RSS {done['peak_rss_mib']:,.0f} MiB):"
        )
        for text in lines:
            self.say(f"  {text}")


# ----------------------------------------------------------------------------------------------------------
# Machine and files


def machine() -> dict:
    def first(path: str, pattern: str) -> str | None:
        try:
            found = re.search(pattern, Path(path).read_text(), re.MULTILINE)
        except OSError:
            return None
        return found.group(1).strip() if found else None

    memory = first("/proc/meminfo", r"^MemTotal:\s+(\d+) kB")
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gib": round(int(memory) / 1024**2, 1) if memory else None,
        "cpu": first("/proc/cpuinfo", r"^model name\s*:\s*(.+)$"),
        "os": platform.platform(),
    }


def versions() -> dict:
    import duckdb
    import pandas
    import polars
    import pyarrow

    return {
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "polars": polars.__version__,
        "pyarrow": pyarrow.__version__,
    }


def markdown(result: dict) -> str:
    info, env = result["dataset"], result["environment"]
    lines = [
        f"# Benchmark: {result['label']} events",
        "",
        f"- command: `{env['command']}`",
        f"- date: {env['date']}",
        f"- machine: {env['machine']['nproc']} CPUs ({env['machine']['cpu']}), {env['machine']['ram_gib']} GiB RAM",
        "- versions: " + ", ".join(f"{name} {version}" for name, version in env["versions"].items()),
        f"- data: demo brand at scale {info['scale']:g} (seed {info['seed']}): {info['contacts']:,} contacts, "
        f"{info['events']:,} events, {sum(info['csv_bytes'].values()) / 1e6:,.1f} MB of CSV, "
        f"{sum(info['parquet_bytes'].values()) / 1e6:,.1f} MB of Parquet; report as of {result['as_of']}",
        f"- product database on disk: {result['database_bytes'] / 1e6:,.1f} MB",
        "- product: whole processes under /usr/bin/time -v (ingest into a fresh database; cold report), and "
        "build_report in process after one warm-up (warm); DuckDB memory capped by $OPTOUT_COHORTS_MEMORY "
        "(default 3.5GB)",
        "- peers: the §7 window metrics for the report date, written independently (bench/peers.py), each "
        "engine in its own process after one warm-up run, no memory cap; the floors only read the files",
        "- ratio: time ÷ the product's warm report (> 1: the product is faster)",
        "",
        "| measurement | median | min – max | peak RSS | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for entry in result["measurements"]:
        ratio = f"{entry['ratio_to_product']:.2f}" if "ratio_to_product" in entry else ""
        label = entry["label"]
        if entry["key"] == "ingest":
            label += f" — {entry['mb_per_s']:,.1f} MB/s, {entry['rows_per_s']:,.0f} rows/s"
        lines.append(
            f"| {label} | {seconds(entry['median'])} | {spread(entry)} | {entry['peak_rss_mib']:,.0f} MiB | {ratio} |"
        )
    for failure in result["failures"]:
        lines.append(f"| {failure['engine']}: failed | | | | |")
    if result["failures"]:
        failed = [" — ".join(f["error"].splitlines()[:2]) for f in result["failures"]]
        lines += ["", "Failures:", ""] + [
            f"- {f['engine']}: {text}" for f, text in zip(result["failures"], failed, strict=True)
        ]
    if "dashboard" in result:
        lines += ["", "Dashboard reruns (Streamlit AppTest on the same database):", ""]
        lines += [f"- {line}" for line in result["dashboard"]["lines"]]
    agreement = result.get("agreement", {})
    if agreement.get("engines"):
        lines += [
            "",
            f"Agreement: {', '.join(agreement['engines'])} return exactly the product's baseline and cohort "
            "counts (rates within 1e-9).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events", type=datasets.parse_count, action="append", required=True, help="e.g. 10M (repeatable)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measurement (default 5)")
    parser.add_argument("--ingest-runs", type=int, default=None, help="runs of the ingest (default: --runs)")
    parser.add_argument("--seed", type=int, default=datasets.DEFAULT_SEED)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=demo.DEMO_AS_OF)
    parser.add_argument(
        "--engines",
        type=lambda text: [e.strip() for e in text.split(",") if e.strip()],
        default=list(ENGINE_ORDER),
        help=f"comma-separated peers (default: {','.join(ENGINE_ORDER)})",
    )
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard reruns")
    args = parser.parse_args()
    unknown = sorted(set(args.engines) - set(peers.ENGINES))
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(ENGINE_ORDER)}")

    environment = {
        "command": shlex.join([".venv/bin/python", "-m", "bench.harness", *sys.argv[1:]]),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
    }
    described = environment["machine"]
    print(
        f"machine: {described['nproc']} CPUs ({described['cpu']}), {described['ram_gib']} GiB RAM; "
        + ", ".join(f"{k} {v}" for k, v in environment["versions"].items()),
        flush=True,
    )
    print(
        "note: the product caps DuckDB's memory at $OPTOUT_COHORTS_MEMORY (default 3.5GB); the peers run "
        "without a cap.",
        flush=True,
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    for events in args.events:
        name = datasets.label(events)
        print(f"\n== {name} events ==", flush=True)
        try:
            result = Size(events, args, lambda text: print(text, flush=True)).run()
        except Failed as failure:
            print(f"\nSTOPPED: {failure}", file=sys.stderr)
            raise SystemExit(1) from None
        result = {"label": name, **result, "environment": environment}
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        (RESULTS / f"{name}.md").write_text(markdown(result))
        print(f"written: {RESULTS / f'{name}.json'}, {RESULTS / f'{name}.md'}", flush=True)


if __name__ == "__main__":
    main()
