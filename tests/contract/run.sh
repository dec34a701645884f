#!/usr/bin/env bash
# Contract test against Atlassian's own OpenAPI descriptions (vendored in
# tests/contract/specs/): every in-scope operation of Cloud v1, Cloud v2 and
# DC 9.0.0 (scope.py) is called by schemathesis with generated requests and
# once by hand (valid_calls.py), as the site admin, over a seeded directory.
# Each answer must not be a 5xx, must have a documented status and media
# type, and a body valid against Atlassian's schema for that status
# (contract.py). A failure passes only when waivers.toml names its operation,
# check and status, with the reason and the evidence; a waiver nothing in the
# run needed is an error (stale), so a waiver goes once roster or the
# description no longer needs it.
#
# usage: tests/contract/run.sh [ROSTER_BINARY]
# Reuses tests/schemathesis's virtual environment (target/schemathesis/venv,
# the same requirements.txt) and seed. Bounded and seeded:
# CONTRACT_MAX_EXAMPLES (default 40 per operation) and CONTRACT_SEED.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/target/debug/roster}
WORK=$ROOT/target/contract
REQS=$ROOT/tests/schemathesis/requirements.txt
mkdir -p "$WORK"
[ -x "$BIN" ] || (cd "$ROOT" && echo "== compiling roster (debug build)" && cargo build -p roster)

VENV=$ROOT/target/schemathesis/venv
if [ ! -x "$VENV/bin/schemathesis" ] || ! cmp -s "$REQS" "$VENV/requirements.txt"; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQS"
  cp "$REQS" "$VENV/requirements.txt"
fi

# The vendored copies are what runs; say so when the reference beside the
# repository has moved on.
SIBLING=$ROOT/../shared/reference/specs
if [ -d "$SIBLING" ]; then
  for f in "$HERE"/specs/*.json; do
    cmp -s "$f" "$SIBLING/$(basename "$f")" || echo "note: $(basename "$f") differs from $SIBLING; refresh tests/contract/specs/"
  done
fi

TMP=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

TOKEN="rst_contract-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BIN" --db "$TMP/roster.db" import "$ROOT/tests/schemathesis/seed.jsonl" >/dev/null
source "$ROOT/tests/serve.sh"
serve_roster "$BIN" "$TMP/roster.db" "$TOKEN" "$TMP/server.log"
URL="http://$ADDR"

export NO_PROXY='*' no_proxy='*'
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export ROSTER_URL=$URL ROSTER_TOKEN=$TOKEN
export PYTHONPATH=$HERE:$ROOT/tests/schemathesis SCHEMATHESIS_HOOKS=contract_hooks
export CONTRACT_LEDGER=$WORK/ledger.jsonl
rm -f "$CONTRACT_LEDGER"
SPECS=$WORK/specs
"$VENV/bin/python" "$HERE/scope.py" "$SPECS" "$URL" >/dev/null

cd "$WORK" # schemathesis keeps its cache in the working directory
status=0
for spec in cloud-v1:"" cloud-v2:/wiki/api/v2 dc:/confluence; do
  name=${spec%%:*}
  echo "== contract: $name (schemathesis, generated requests)"
  # One worker: hypothesis's lambda descriptions are not thread-safe on
  # Python 3.11 (an AST recursion-depth error in the coverage phase).
  "$VENV/bin/schemathesis" run "$SPECS/$name.json" \
    --url "$URL${spec#*:}" \
    --auth "admin:$TOKEN" \
    --header "X-Atlassian-Token: no-check" \
    --checks contract_check \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-40}" \
    --seed "${CONTRACT_SEED:-20261205}" \
    --phases examples,coverage,fuzzing \
    --workers 1 \
    --request-timeout 10 \
    --no-color \
    --report junit --report-junit-path "$WORK/report/$name.xml" > "$WORK/$name.log" 2>&1 || {
      status=1
      sed -n '/= FAILURES =/,$p;/= ERRORS =/,$p' "$WORK/$name.log" | head -150
    }
  grep -E "^Test cases:|generated|[0-9]+ (passed|failed)" "$WORK/$name.log" | tail -2 || true
done

echo "== contract: one hand-written valid call per operation, and each waiver's probe"
"$VENV/bin/python" "$HERE/valid_calls.py" "$SPECS" "$URL" "$TOKEN" || status=1

echo "== contract: verdict"
"$VENV/bin/python" "$HERE/verdict.py" "$CONTRACT_LEDGER" || status=1

if grep -q "panicked\|internal error" "$TMP/server.log"; then
  echo "the server logged a panic or an internal error:" >&2
  grep -n "panicked\|internal error" "$TMP/server.log" | head -20 >&2
  status=1
fi
exit $status
