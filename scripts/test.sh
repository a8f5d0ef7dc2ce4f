#!/usr/bin/env bash
# Set up (once) and run the whole test suite, linter first. CI runs exactly this.
# The browser test drives Debian's Chromium and the Spark engine's tests a local Spark on Java 17; both are
# installed here when missing (needs apt-get, as root or with sudo), or point CHROMIUM_PATH at a Chromium binary.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing Chromium for the browser test (apt-get)…"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "Chromium is needed for the browser test: install it, or set CHROMIUM_PATH." >&2
  fi
fi
# The Spark engine's tests run a local Spark, which needs a Java 17 runtime: installed the same way when missing.
if ! command -v java >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing a Java 17 runtime for the Spark engine's tests (apt-get)…"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  else
    echo "A Java 17 runtime is needed for the Spark engine's tests: install one (e.g. openjdk-17-jre-headless)." >&2
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Known advisories in the installed packages (PyPI's vulnerability data). A package the index cannot describe is
# counted as skipped, not failed; a known vulnerability fails the run. SKIP_AUDIT=1 skips it (offline).
if [ -z "${SKIP_AUDIT:-}" ]; then
  audit="$(mktemp)"
  if ! .venv/bin/pip-audit --skip-editable --progress-spinner off >"$audit" 2>&1; then
    cat "$audit" >&2; rm -f "$audit"; echo "pip-audit: a dependency has a known vulnerability (above)." >&2; exit 1
  fi
  echo "pip-audit: $(head -n 1 "$audit"); $(grep -c 'could not be audited' "$audit" || true) package(s) skipped"
  rm -f "$audit"
fi
exec .venv/bin/python -m pytest "$@"
