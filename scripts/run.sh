#!/usr/bin/env bash
# Set up (once) and start the dashboard on the embedded demo data, or on $OPTOUT_COHORTS_DB. It serves this
# machine only (127.0.0.1); `--address 0.0.0.0` serves the network, which needs login (.streamlit/secrets.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/optout-cohorts dashboard "$@"
