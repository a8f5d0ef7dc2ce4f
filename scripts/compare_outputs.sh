#!/usr/bin/env bash
# Before/after proof that a change of structure changes no output (scripts/compare_outputs.py). Without arguments:
# the outputs of the last commit against this working tree. Exit code 1 when any file differs.
#   scripts/compare_outputs.sh                          # compare --before HEAD
#   scripts/compare_outputs.sh compare --before main~3 --keep /tmp/outputs
#   scripts/compare_outputs.sh write /tmp/outputs
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then set -- compare --before HEAD; fi
exec .venv/bin/python scripts/compare_outputs.py "$@"
