#!/usr/bin/env bash
# Set up (once) and run the performance benchmark of the README: the product against DuckDB, pandas and polars
# peers at 10 M and 50 M events. Arguments go to bench/harness.py (e.g. --events 10M --runs 3).
# Needs GNU time (/usr/bin/time), about 8 GB of free disk (the 50 M data set, its database and DuckDB's
# spill), and 24 GB of RAM for the pandas and polars peers at 50 M (the product itself stays under 4 GiB). Generated data is cached in bench/.data/ (or $OPTOUT_BENCH_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq time >/dev/null
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
if [ "$#" -eq 0 ]; then set -- --events 10M --events 50M --runs 5; fi
exec .venv/bin/python -m bench.harness "$@"
