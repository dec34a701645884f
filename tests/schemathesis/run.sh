#!/usr/bin/env bash
# Schemathesis against a running roster, with the OpenAPI 3.1 description
# roster serves itself (GET /rest/roster/1.0/openapi.json): every described
# operation of every dialect is called with generated valid and invalid
# input, as the site admin, and no answer may be a 5xx or contradict the
# description (status, content type, headers, body schema). One operation is
# left out: adding fault rules (addFaults), whose generated rules would drop
# or delay every later request of the run; tests/api cover it.
#
# usage: tests/schemathesis/run.sh [ROSTER_BINARY]
# schemathesis (pinned in requirements.txt) is installed into a virtual
# environment under target/schemathesis/. The server runs on 127.0.0.1 (a
# free port) over a throwaway SQLite file seeded with a few users and groups,
# and is stopped by its PID on exit. The run is bounded (examples per
# operation) and seeded, so it is repeatable; SCHEMATHESIS_MAX_EXAMPLES and
# SCHEMATHESIS_SEED override the defaults.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/target/debug/roster}
WORK=$ROOT/target/schemathesis
mkdir -p "$WORK"
[ -x "$BIN" ] || (cd "$ROOT" && echo "== compiling roster (debug build)" && cargo build -p roster)

VENV=$WORK/venv
if [ ! -x "$VENV/bin/schemathesis" ] || ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.txt"; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$VENV/requirements.txt"
fi

TMP=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

TOKEN="rst_schema-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BIN" --db "$TMP/roster.db" import "$HERE/seed.jsonl" >/dev/null

source "$ROOT/tests/serve.sh"
serve_roster "$BIN" "$TMP/roster.db" "$TOKEN" "$TMP/server.log"
URL="http://$ADDR"

# Loopback only: no proxy, whatever the environment says.
export NO_PROXY='*' no_proxy='*'
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export ROSTER_URL=$URL ROSTER_TOKEN=$TOKEN PYTHONPATH=$HERE SCHEMATHESIS_HOOKS=hooks
cd "$WORK" # schemathesis keeps its cache in the working directory
status=0
"$VENV/bin/schemathesis" run "$URL/rest/roster/1.0/openapi.json" \
  --url "$URL" \
  --auth "admin:$TOKEN" \
  --exclude-operation-id addFaults \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-40}" \
  --seed "${SCHEMATHESIS_SEED:-20240601}" \
  --phases examples,coverage,fuzzing \
  --workers 2 \
  --request-timeout 10 \
  --no-color \
  --report junit --report-dir "$WORK/report" --report-junit-path "$WORK/report/junit.xml" || status=$?
# One closing line per operation tested: 'N passed, N failed'.
python3 - "$WORK/report/junit.xml" <<'PY' || status=1
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
failed = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
total = sum(1 for _ in ET.parse(sys.argv[1]).getroot().iter("testcase"))
print(f"schemathesis operations: {total - failed} passed, {failed} failed")
sys.exit(1 if failed or not total else 0)
PY
if grep -q "panicked\|internal error" "$TMP/server.log"; then
  echo "the server logged a panic or an internal error:" >&2
  grep -n "panicked\|internal error" "$TMP/server.log" | head -20 >&2
  status=1
fi
exit $status
