"""How far the domain SQL is from Spark: per file, whether it transpiles cleanly, the functions Spark 4 lacks and
the constructs outside the portable subset (analytics/sqlport, issue 17).

    python scripts/sql_portability.py            # the table, then the counts per folder
    python scripts/sql_portability.py --details  # every finding with its line
    python scripts/sql_portability.py --spark metrics/weekly_rates.sql   # the Spark SQL of one file

tests/test_sql_portability.py holds the same findings to analytics/sqlport/known_exceptions.json.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.sqlport import lint, transpile  # noqa: E402  (the checkout's own, whatever is installed)


def table(reports: list[transpile.FileReport]) -> list[str]:
    width = max(len(r.file) for r in reports)
    lines = [f"{'file':<{width}}  {'status':<18}  {'lint':>4}  unknown Spark functions / rules"]
    for report in reports:
        rules = ", ".join(
            f"{rule}×{n}" for rule, n in sorted(Counter(f.rule for f in report.findings).items())
        )
        unknown = ", ".join(report.unknown)
        notes = "; ".join(
            part for part in (report.error or "", unknown and f"unknown: {unknown}", rules) if part
        )
        lines.append(f"{report.file:<{width}}  {report.status:<18}  {len(report.findings):>4}  {notes}")
    return lines


def summary(reports: list[transpile.FileReport], macro_findings: list[lint.Finding]) -> list[str]:
    lines = ["", "per folder: files, transpiling cleanly, lint findings, unknown Spark functions, unreadable"]
    for folder in transpile.REPORTED_FOLDERS:
        mine = [r for r in reports if r.file.startswith(f"{folder}/")]
        lines.append(
            f"  {folder:<13} {len(mine):>3} files  {sum(r.clean for r in mine):>3} clean  "
            f"{sum(len(r.findings) for r in mine):>3} findings  {sum(len(r.unknown) for r in mine):>3} unknown  "
            f"{sum(r.error is not None for r in mine):>2} unreadable"
        )
    lines.append(f"  {'macros':<13} lint findings in the scalar macros' bodies: {len(macro_findings)}")
    by_rule = Counter(f.rule for r in reports for f in r.findings) + Counter(f.rule for f in macro_findings)
    lines.append("findings by rule: " + ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="every finding with its line")
    parser.add_argument(
        "--spark", metavar="FILE", help="print the Spark SQL of one file (relative to analytics/sql)"
    )
    args = parser.parse_args(argv)
    if args.spark:
        print(";\n\n".join(transpile.to_spark((lint.SQL_DIR / args.spark).read_text(encoding="utf-8"))))
        return 0
    reports = transpile.report_all()
    macro_findings = lint.lint_all(("macros",))
    print("\n".join(table(reports) + summary(reports, macro_findings)))
    if args.details:
        print()
        for finding in macro_findings + [f for r in reports for f in r.findings]:
            print(f"  {finding}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
