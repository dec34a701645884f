#!/usr/bin/env bash
# Runs every test roster has: unit tests, the HTTP API suite (a real server
# on 127.0.0.1:0 over a fresh SQLite file per test), and the compatibility
# tests with real third-party clients, the OpenAPI check and the browser
# test; the store conformance suite and the API suite run on SQLite and on
# PostgreSQL. This is the command .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (unit, store, API suites)"
cargo test --workspace --no-fail-fast

echo "== the HTTP API suite again, over PostgreSQL (a throwaway cluster per test process)"
ROSTER_TEST_POSTGRES=1 cargo test -p roster --test api --no-fail-fast

echo "== compatibility: atlassian-python-api against a running roster"
cargo build -q -p roster
tests/compat/run.sh target/debug/roster

echo "== OpenAPI: schemathesis against a running roster, with the description it serves"
tests/schemathesis/run.sh target/debug/roster

echo "== web console in a real browser (Debian chromium driven by playwright-core)"
tests/browser/run.sh target/debug/roster
