#!/usr/bin/env bash
# End-to-end test of the web console in a real browser: Debian's chromium,
# headless, driven by playwright-core (installed with `npm ci` from the
# committed lock file; no browser is downloaded).
#
# usage: tests/browser/run.sh [--install] [ROSTER_BINARY]
# chromium is installed with apt-get only when it is missing and CI is set
# or --install is given. Outside CI a missing chromium (or node) skips the
# test loudly with exit 0; inside CI it is a failure.
# The server runs on 127.0.0.1 (a free port) over a throwaway SQLite file
# and is stopped by its PID on exit. Screenshots of every step are kept in
# $ROSTER_SCREENSHOTS (default: target/browser-screenshots, or under
# $CARGO_TARGET_DIR), a test artefact; the run ends by naming it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
INSTALL=
if [ "${1:-}" = "--install" ]; then INSTALL=1; shift; fi
BIN=${1:-$ROOT/target/debug/roster}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip() { # reason
  if [ -n "${CI:-}" ]; then
    echo "browser test: FAILED: $1" >&2
    exit 1
  fi
  echo "browser test: SKIPPED: $1 (run tests/browser/run.sh --install to set it up)" >&2
  # scripts/test.sh repeats every skip at the end of its run.
  [ -n "${ROSTER_SKIPPED_FILE:-}" ] && echo "browser test: $1" >> "$ROSTER_SKIPPED_FILE"
  exit 0
}

if [ ! -x "$CHROMIUM" ]; then
  if [ -n "${CI:-}" ] || [ -n "$INSTALL" ]; then
    echo "== installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [ -x "$CHROMIUM" ] || skip "chromium is not installed ($CHROMIUM)"
fi
command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are needed"

# playwright-core from the lock file; reinstalled only when the lock changes.
if ! cmp -s "$HERE/package-lock.json" "$HERE/node_modules/.package-lock.json.installed" 2>/dev/null; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$HERE/package-lock.json" "$HERE/node_modules/.package-lock.json.installed"
fi

[ -x "$BIN" ] || (cd "$ROOT" && echo "== compiling roster (debug build)" && cargo build -p roster)

TMP=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# Seed: the access group, the user the test adds to a group, a group with
# more than one page (25) of members, and a crowd of 5,000 members whose
# pages the console must reach without loading them all.
USERS=0d6f7a52-0000-4000-8000-0000000000b1
BIG=0d6f7a52-0000-4000-8000-0000000000b2
CROWD=0d6f7a52-0000-4000-8000-0000000000b3
BIG_COUNT=32
CROWD_COUNT=5000
{
  echo "{\"kind\":\"group\",\"id\":\"$USERS\",\"name\":\"confluence-users\",\"type\":\"group\"}"
  echo "{\"kind\":\"group\",\"id\":\"$BIG\",\"name\":\"console-big-group\",\"type\":\"group\"}"
  echo '{"kind":"user","accountId":"console-ada","accountType":"atlassian","displayName":"Ada Lovelace","email":"ada@example.com"}'
  echo "{\"kind\":\"membership\",\"groupId\":\"$USERS\",\"accountId\":\"console-ada\"}"
  for i in $(seq -w 1 $BIG_COUNT); do
    echo "{\"kind\":\"user\",\"accountId\":\"console-seed-$i\",\"accountType\":\"atlassian\",\"displayName\":\"Seed Person $i\",\"email\":\"seed$i@example.com\"}"
    echo "{\"kind\":\"membership\",\"groupId\":\"$USERS\",\"accountId\":\"console-seed-$i\"}"
    echo "{\"kind\":\"membership\",\"groupId\":\"$BIG\",\"accountId\":\"console-seed-$i\"}"
  done
  echo "{\"kind\":\"group\",\"id\":\"$CROWD\",\"name\":\"console-crowd\",\"type\":\"group\"}"
  seq -w 1 $CROWD_COUNT | awk -v g="$CROWD" '{
    printf "{\"kind\":\"user\",\"accountId\":\"console-crowd-%s\",\"accountType\":\"atlassian\",\"displayName\":\"Crowd Member %s\",\"email\":\"crowd%s@example.com\"}\n", $1, $1, $1
    printf "{\"kind\":\"membership\",\"groupId\":\"%s\",\"accountId\":\"console-crowd-%s\"}\n", g, $1
  }'
} > "$TMP/seed.jsonl"
"$BIN" --db "$TMP/roster.db" import "$TMP/seed.jsonl" >/dev/null
PLAIN_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ROSTER_PASSWORD=$PLAIN_PASSWORD "$BIN" --db "$TMP/roster.db" user create --display-name "Pat Plain" \
  --email pat@example.com --username pat >/dev/null
PLAIN_TOKEN=$("$BIN" --db "$TMP/roster.db" token create pat@example.com --label browser-test)

ADMIN_TOKEN="rst_browser-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
source "$ROOT/tests/serve.sh"
serve_roster "$BIN" "$TMP/roster.db" "$ADMIN_TOKEN" "$TMP/server.log"

echo "== web console in $("$CHROMIUM" --version 2>/dev/null || echo chromium) against http://$ADDR"
export ROSTER_URL="http://$ADDR" CHROMIUM
export ROSTER_ADMIN_LOGIN=admin@example.com ROSTER_ADMIN_TOKEN=$ADMIN_TOKEN
export ROSTER_PLAIN_LOGIN=pat@example.com ROSTER_PLAIN_TOKEN=$PLAIN_TOKEN
export ROSTER_PLAIN_USERNAME=pat ROSTER_PLAIN_PASSWORD=$PLAIN_PASSWORD
export ROSTER_MEMBER_NAME="Ada Lovelace" ROSTER_BIG_GROUP=console-big-group ROSTER_BIG_COUNT=$BIG_COUNT
export ROSTER_CROWD_GROUP=console-crowd ROSTER_CROWD_COUNT=$CROWD_COUNT
SHOTS=${ROSTER_SCREENSHOTS:-${CARGO_TARGET_DIR:-$ROOT/target}/browser-screenshots}
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
export ROSTER_SCREENSHOTS=$(cd "$SHOTS" && pwd)
cd "$HERE"
if ! node --test --test-concurrency=1 console.test.mjs; then
  echo "== server log" >&2
  tail -n 50 "$TMP/server.log" >&2
  echo "== screenshots (up to the failure): $ROSTER_SCREENSHOTS" >&2
  exit 1
fi
echo "== screenshots: $ROSTER_SCREENSHOTS ($(ls "$ROSTER_SCREENSHOTS" | wc -l) files)"

