#!/usr/bin/env bash
# Runs every test roster has: unit tests, the HTTP API suite (a real server
# on 127.0.0.1:0 over a fresh SQLite file per test), and the compatibility
# tests with real third-party clients, the OpenAPI check, the browser test
# and the packages (built, installed into a fresh venv and used); the store
# conformance suite and the API suite run on SQLite and on PostgreSQL. This
# is the command .ci/run calls.
#
# It first checks what the suites need (scripts/prerequisites.sh) and says
# what is missing and how to install it. Outside CI a suite whose tools are missing is skipped, and
# every skip is repeated in a banner at the end; under CI=true a missing
# tool is a failure (scripts/ci-setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SKIPPED=$(mktemp)
trap 'rm -f "$SKIPPED"' EXIT
export ROSTER_SKIPPED_FILE=$SKIPPED

scripts/prerequisites.sh
has_pg() { command -v initdb >/dev/null || [ -x /usr/lib/postgresql/15/bin/initdb ]; }

echo "== cargo test (unit, store, API suites); compiling first, which takes minutes after a change"
cargo test --workspace --no-fail-fast

if has_pg; then
  echo "== the HTTP API suite again, over PostgreSQL (a throwaway cluster per test process)"
  ROSTER_TEST_POSTGRES=1 cargo test -p roster --test api --no-fail-fast
else
  echo "API suite over PostgreSQL: PostgreSQL 15 is not installed" >> "$SKIPPED"
fi

echo "== compiling the roster binary the next suites run (debug build)"
cargo build -p roster

echo "== compatibility: atlassian-python-api against a running roster"
tests/compat/run.sh target/debug/roster

echo "== docs: getting-started, README and testing-with-roster run in order on a fresh clone"
tests/docs/run.sh target/debug/roster

echo "== OpenAPI: schemathesis against a running roster, with the description it serves"
tests/schemathesis/run.sh target/debug/roster

echo "== contract: Atlassian's own descriptions (Cloud v1, Cloud v2, DC 9.0.0) against a running roster"
tests/contract/run.sh target/debug/roster

echo "== web console in a real browser (Debian chromium driven by playwright-core)"
tests/browser/run.sh target/debug/roster

echo "== packages: the release build, the roster-server wheel and npm tarballs from it, installed into fresh environments without Rust; examples/pytest through the wheel's pytest plugin, examples/npm through the launcher (ROSTER_PACKAGE_PROFILE=dev packs the debug build instead, for a quick local run)"
tests/package/run.sh

if [ -s "$SKIPPED" ]; then
  echo
  echo "################################################################"
  echo "## SKIPPED: these suites did not run, so this is not a full pass:"
  sed 's/^/##   - /' "$SKIPPED"
  echo "################################################################"
else
  echo "== every suite ran"
fi
