#!/usr/bin/env bash
# Compatibility tests: drive a real roster server with real third-party
# clients (atlassian-python-api 5.0.5 and 4.0.7 from PyPI, each installed
# into its own virtual environment under target/compat/; confluence.js
# 2.1.0 for Cloud v1 and 3.2.0 for Cloud v2's user API, from npm).
#
# usage: tests/compat/run.sh [ROSTER_BINARY]
# The server runs on 127.0.0.1 (a free port) over a throwaway SQLite file and
# is stopped by its PID on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/target/debug/roster}
WORK=$ROOT/target/compat
mkdir -p "$WORK"
[ -x "$BIN" ] || (cd "$ROOT" && echo "== compiling roster (debug build)" && cargo build -p roster)

venv() { # name requirements-file
  local dir=$WORK/venv-$1
  if [ ! -x "$dir/bin/python" ] || ! cmp -s "$2" "$dir/requirements.txt"; then
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check -r "$2"
    cp "$2" "$dir/requirements.txt"
  fi
  echo "$dir/bin/python"
}

TMP=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

TOKEN="rst_compat-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat > "$TMP/seed.jsonl" <<'JSON'
{"kind":"group","id":"0d6f7a52-0000-4000-8000-000000000001","name":"confluence-users","type":"group"}
{"kind":"user","accountId":"compat-user-1","accountType":"atlassian","displayName":"Compat One","email":"one@example.com"}
{"kind":"user","accountId":"compat-user-2","accountType":"atlassian","displayName":"Compat Two","email":"two@example.com"}
{"kind":"user","accountId":"compat-user-3","accountType":"atlassian","displayName":"Compat Three","email":"three@example.com"}
{"kind":"membership","groupId":"0d6f7a52-0000-4000-8000-000000000001","accountId":"compat-user-1"}
{"kind":"membership","groupId":"0d6f7a52-0000-4000-8000-000000000001","accountId":"compat-user-2"}
{"kind":"membership","groupId":"0d6f7a52-0000-4000-8000-000000000001","accountId":"compat-user-3"}
JSON
"$BIN" --db "$TMP/roster.db" import "$TMP/seed.jsonl" >/dev/null

source "$ROOT/tests/serve.sh"
serve_roster "$BIN" "$TMP/roster.db" "$TOKEN" "$TMP/server.log"
export ROSTER_URL="http://$ADDR" ROSTER_TOKEN="$TOKEN"

status=0
for suite in cloud cloud_v2 dc faults; do
  for v in 5 4; do
    script="$HERE/test_${suite}.py"
    [ -f "$script" ] || continue
    # 4.x has no v2 client (ConfluenceCloud and its admin-management methods came with 5.x).
    [ "$suite" = cloud_v2 ] && [ "$v" = 4 ] && continue
    py=$(venv "$v" "$HERE/requirements-$v.txt")
    echo "== atlassian-python-api $("$py" -c 'import importlib.metadata as m; print(m.version("atlassian-python-api"))') / $suite"
    if ! "$py" "$script"; then status=1; fi
  done
done
if command -v npm >/dev/null; then
  echo "== confluence.js 2.1.0 / cloud"
  (cd "$HERE/confluencejs" && { [ -d node_modules/confluence.js ] || npm ci --no-audit --no-fund --silent; } && node test.mjs) || status=1
  # 3.2.0 declares node >= 22; its v2 user API needs nothing Node 20 lacks (fetch).
  echo "== confluence.js 3.2.0 / cloud v2 users"
  (cd "$HERE/confluencejs-v2" && { [ -d node_modules/confluence.js ] || npm ci --no-audit --no-fund --silent; } && node test.mjs) || status=1
else
  echo "FAIL: npm not found (confluence.js compatibility tests)"; status=1
fi

# Both generations' membership paths were really used (the server counts requests by route).
metrics=$(curl -s "$ROSTER_URL/metrics")
for want in 'route="/rest/api/user/{username}/group/{group}",method="PUT",status="204"' \
            'route="/wiki/api/v2/user/access/invite-by-email",method="POST",status="200"' \
            'route="/rest/api/group/{group}/member",method="POST",status="204"' \
            'route="/wiki/rest/api/group/user",method="POST",status="201"'; do
  if echo "$metrics" | grep -qF "$want"; then echo "ok: served $want"; else echo "FAIL: never served $want"; status=1; fi
done

echo "== the documented JavaScript example (examples/node, node:test): fixture seed, reset, diff, journal, a fault"
if ! ROSTER_BIN="$BIN" node --test "$ROOT/examples/node/"; then status=1; fi
# examples/pytest runs through the roster-server wheel's plugin: tests/package/run.sh.
exit $status
