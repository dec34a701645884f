#!/usr/bin/env bash
# Checks what scripts/test.sh's suites need and says what is missing, with
# how to install it. Exits 1 when something is missing and CI is set (where
# scripts/ci-setup.sh should have installed everything), 0 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
has_pg() { command -v initdb >/dev/null || [ -x /usr/lib/postgresql/15/bin/initdb ]; }
command -v python3 >/dev/null || missing+=("python3 (apt-get install -y python3)")
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=("python3-venv (apt-get install -y python3-venv)")
command -v node >/dev/null && command -v npm >/dev/null || missing+=("node and npm, version 20 (apt-get install -y nodejs npm)")
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=("chromium (apt-get install -y chromium, or tests/browser/run.sh --install)")
has_pg || missing+=("PostgreSQL 15 (apt-get install -y postgresql)")
# The first run installs Python and npm packages into target/ (compat/, and
# package/: maturin and the package test's wheelhouse) and
# tests/*/node_modules; later runs need no network. (ROSTER_SKIP_NETWORK_CHECK
# is for the test of this script, which must not leave the machine.)
if [ -z "${ROSTER_SKIP_NETWORK_CHECK:-}" ] && { [ ! -d target/compat ] || [ ! -d tests/browser/node_modules ] || [ ! -d target/package/wheelhouse ]; }; then
  python3 - <<'PY' 2>/dev/null || missing+=("network access to pypi.org and registry.npmjs.org (the first run installs client libraries)")
import urllib.request
for url in ("https://pypi.org/simple/pip/", "https://registry.npmjs.org/"):
    urllib.request.urlopen(url, timeout=10).close()
PY
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== missing prerequisites:"
  printf '   - %s\n' "${missing[@]}"
  if [ -n "${CI:-}" ]; then
    echo "CI is set: a missing prerequisite is a failure (scripts/ci-setup.sh installs them)"
    exit 1
  fi
  echo "   the suites that need them will be skipped or fail; see the summary at the end"
else
  echo "== prerequisites: all present"
fi

