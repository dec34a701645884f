#!/usr/bin/env bash
# The reset benchmark of issue 19 (item 2): POST /rest/roster/1.0/reset on a
# 5,000-user / ~50,000-membership directory, after a typical test's few
# changes and when everything changed (bench/reset_driver.py). Loopback only;
# the server it starts is stopped by its PID on exit.
#
#   bench/reset.sh
#
# Environment (defaults in brackets):
#   BENCH_HARNESS  the shared load harness [<repo>/../shared/bench]
#   BENCH_DATA     dataset directory [bench/data/small]
#   ROUNDS [20]    typical rounds   REPS [3] worst-case repetitions each way
#   ROSTER_BIN     use this binary instead of building one
#   DB             the store [a throwaway SQLite file]; a postgres:// URL works too
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=$(cd "${BENCH_HARNESS:-$ROOT/../shared/bench}" 2>/dev/null && pwd) ||
  { echo "no load harness at ${BENCH_HARNESS:-$ROOT/../shared/bench} (set BENCH_HARNESS)" >&2; exit 1; }
DATA=${BENCH_DATA:-$ROOT/bench/data/small}
WORK=$(mktemp -d /tmp/roster-reset.XXXXXX)
DB=${DB:-$WORK/roster.db}
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

if [ ! -f "$DATA/memberships.jsonl" ]; then
  echo "generating the small dataset into $DATA" >&2
  python3 "$HARNESS/gen_dataset.py" --scale small --no-ldif --out "$DATA" > /dev/null
fi
if [ -z "${ROSTER_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p roster)
  ROSTER_BIN="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/roster"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN="bench-reset-$(date +%s%N)"
ROSTER_ADMIN_TOKEN=$TOKEN "$ROSTER_BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" \
  --seed "$DATA/users.jsonl,$DATA/groups.jsonl,$DATA/memberships.jsonl" > "$WORK/roster.log" 2>&1 &
PID=$!
for _ in $(seq 1 3000); do
  curl -s -o /dev/null -f "http://127.0.0.1:$PORT/readyz" && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/roster.log" >&2; exit 1; }
  sleep 0.02
done
python3 "$ROOT/bench/reset_driver.py" --port "$PORT" --token "$TOKEN" --rounds "${ROUNDS:-20}" --reps "${REPS:-3}"
