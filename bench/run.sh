#!/usr/bin/env bash
# The benchmark of issue 5, end to end, in one command (loopback only; every
# process it starts is stopped by its PID on exit).
#
#   bench/run.sh            full run: default dataset, 3 reps of 10 s, 64 and 1 connections
#   bench/run.sh --smoke    small dataset, 1 rep of 1 s (for CI: under a minute once built)
#   bench/run.sh --install  also apt-get install wrk/time when missing (done anyway when CI is set)
#
# Steps: dataset (generated once into bench/data/) -> release build -> timed
# `roster import` into a throwaway store -> `roster serve` pinned to CPU 1,
# time to its first answer -> the shared limit-server, also pinned to CPU 1
# (idle while roster is measured, and the other way round) ->
# bench/http_load.sh (wrk pinned to CPU 0) over every workload at each
# connection count, REPS times, each run on roster then on limit-server ->
# one table (bench/table.py).
#
# Environment (defaults in brackets):
#   BENCH_HARNESS   the shared load harness [<repo>/../shared/bench]
#   BENCH_SCALE     dataset scale [default; --smoke: small]
#   BENCH_DATA      dataset directory [bench/data/<scale>]
#   BENCH_STORE     sqlite | postgres [sqlite]; postgres starts a throwaway
#                   PostgreSQL cluster (initdb as user postgres) on a free loopback port
#   PG_BIN          PostgreSQL binaries [/usr/lib/postgresql/15/bin]
#   REPS [3]  DURATION [10] seconds per workload  WARMUP [2]  CONNS_LIST ["64 1"]
#   WORKLOADS       ["memberof group_member user_bulk write_mix write_mix_small"]
#   SERVERS         ["roster limit"]: which servers to drive
#   SERVER_CPU [1]  GEN_CPU [0]
#   OUT             where results.jsonl, logs and table.md go [bench/results/<date>-<scale>]
#   ROSTER_BIN      use this binary instead of building one
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SMOKE=0; INSTALL=0
[ -n "${CI:-}" ] && INSTALL=1
for a in "$@"; do case $a in
  --smoke) SMOKE=1 ;;
  --install) INSTALL=1 ;;
  -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
  *) echo "unknown option $a (try --help)" >&2; exit 2 ;;
esac; done

if [ "$SMOKE" = 1 ]; then
  : "${BENCH_SCALE:=small}" "${REPS:=1}" "${DURATION:=1}" "${WARMUP:=0}"
fi
HARNESS=$(cd "${BENCH_HARNESS:-$ROOT/../shared/bench}" 2>/dev/null && pwd) ||
  { echo "no load harness at ${BENCH_HARNESS:-$ROOT/../shared/bench} (set BENCH_HARNESS)" >&2; exit 1; }
SCALE=${BENCH_SCALE:-default}
DATA=${BENCH_DATA:-$ROOT/bench/data/$SCALE}
STORE=${BENCH_STORE:-sqlite}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
REPS=${REPS:-3}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-2}; CONNS_LIST=${CONNS_LIST:-"64 1"}
WORKLOADS=${WORKLOADS:-"memberof group_member user_bulk write_mix write_mix_small"}
SERVERS=${SERVERS:-"roster limit"}
SERVER_CPU=${SERVER_CPU:-1}; GEN_CPU=${GEN_CPU:-0}
OUT=${OUT:-$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)-$SCALE-$STORE}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
RES="$OUT/results.jsonl"; INFO="$OUT/info.json"; : > "$RES"
WORK=$(mktemp -d /tmp/roster-bench.XXXXXX)
PIDS=(); PG_DATA=""

# ---- cleanup: stop by PID, remove the throwaway store and cluster ------------
cleanup() {
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    local pm; pm=$(head -1 "$PG_DATA/postmaster.pid")
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop > /dev/null 2>&1 ||
      echo "pg_ctl stop failed; stopping the postmaster (PID $pm) directly" >&2
    # The postmaster is ours (its PID file is in our throwaway directory).
    for _ in $(seq 1 50); do kill -0 "$pm" 2>/dev/null || break; kill -QUIT "$pm" 2>/dev/null; sleep 0.2; done
  fi
  rm -rf "$WORK"
}
stop_pid() {
  kill -0 "$1" 2>/dev/null || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[bench $(date +%T)] $*" >&2; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
info() { python3 - "$INFO" "$1" "$2" <<'PY'
import json, os, sys
path, key, val = sys.argv[1:]
d = json.load(open(path)) if os.path.exists(path) else {}
try: d[key] = json.loads(val)
except ValueError: d[key] = val
json.dump(d, open(path, "w"), indent=1)
PY
}

# ---- tools ----------------------------------------------------------------
need=()
command -v wrk > /dev/null || need+=(wrk)
[ -x /usr/bin/time ] || need+=(time)
command -v curl > /dev/null || need+=(curl)
command -v taskset > /dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$INSTALL" = 1 ]; then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" > /dev/null ||
      { apt-get update > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" > /dev/null; }
  else
    echo "missing: ${need[*]}. Install with:  apt-get install -y ${need[*]}   (or run with --install)" >&2
    exit 1
  fi
fi
[ "$(nproc)" -ge 2 ] || log "warning: fewer than 2 CPUs; CPU pinning (server on $SERVER_CPU, wrk on $GEN_CPU) will fail"

# ---- dataset ----------------------------------------------------------------
if [ ! -f "$DATA/workload/write_pairs_small.txt" ] || [ ! -f "$DATA/memberships.jsonl" ]; then
  log "generating the $SCALE dataset into $DATA"
  python3 "$HARNESS/gen_dataset.py" --scale "$SCALE" --no-ldif --out "$DATA" > /dev/null
fi
DATA=$(cd "$DATA" && pwd)

# ---- builds -------------------------------------------------------------------
if [ -z "${ROSTER_BIN:-}" ]; then
  log "building roster (release)"
  (cd "$ROOT" && cargo build --release -q -p roster)
  ROSTER_BIN="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/roster"
fi
LIMIT_TARGET=${LIMIT_TARGET:-$ROOT/target/bench-anchors}
if [[ " $SERVERS " == *" limit "* ]]; then
  log "building limit-server (release, into $LIMIT_TARGET)"
  (cd "$HARNESS" && CARGO_TARGET_DIR="$LIMIT_TARGET" cargo build --release -q -p limit-server)
fi
LIMIT_BIN="$LIMIT_TARGET/release/limit-server"

# ---- the load driver ----------------------------------------------------------------
# The shared harness's wrk scripts send every `wrk -H` header (Authorization
# included) with each request, so http_load.sh is driven as it is.
LOAD="$HARNESS/http_load.sh"

# ---- helpers -------------------------------------------------------------------
wait_answer() { # url [auth] -> prints seconds waited; fails after 120 s
  local t0; t0=$(now)
  local auth=(); [ -n "${2:-}" ] && auth=(-H "$2")
  for _ in $(seq 1 6000); do
    if curl -s -o /dev/null -f "${auth[@]}" "$1"; then
      awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; return 0
    fi
    sleep 0.02
  done
  return 1
}

# The servers under load, filled below: label, URL, PID and auth header each.
LABELS=(); URLS=(); SPIDS=(); AUTHS=()

# Each repetition of each workload runs on every server back to back, so
# that a ratio compares runs seconds apart: the machine's speed drifts by
# more than the differences measured over the minutes a whole pass takes.
drive() {
  for conns in $CONNS_LIST; do for rep in $(seq 1 "$REPS"); do
    local first=1
    for w in $WORKLOADS; do
      local wl=$w pairs=write_pairs.txt
      [ "$w" = write_mix_small ] && { wl=write_mix; pairs=write_pairs_small.txt; }
      local warm=0; [ "$first" = 1 ] && warm=$WARMUP; first=0
      for i in "${!LABELS[@]}"; do
        local label=${LABELS[$i]}
        log "$label c=$conns rep $rep/$REPS: $w"
        WORKLOADS=$wl PAIRS=$pairs WARMUP=$warm CONNS=$conns THREADS=1 DURATION=$DURATION GEN_CPUS=$GEN_CPU \
          SERVER_PID=${SPIDS[$i]} AUTH_HEADER=${AUTHS[$i]} RESULTS="$RES" LABEL="$label|$w|$conns|$rep" \
          "$LOAD" "${URLS[$i]}" "$DATA" >> "$OUT/http_load.log" 2>&1 ||
          log "http_load failed for $label $w (see $OUT/http_load.log)"
      done
    done
  done; done
}

hwm_mib() { awk '/VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

# ---- the store ----------------------------------------------------------------------
DB="$WORK/roster.db"
if [ "$STORE" = postgres ]; then
  [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL at $PG_BIN (apt-get install -y postgresql-15, or set PG_BIN)" >&2; exit 1; }
  PG_DATA="$WORK/pg"; PG_PORT=$(free_port)
  mkdir -p "$PG_DATA"; chown postgres "$WORK" "$PG_DATA"; chmod 700 "$PG_DATA"
  log "initdb + pg_ctl start on 127.0.0.1:$PG_PORT (pinned to CPU $SERVER_CPU)"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 > "$OUT/initdb.log" 2>&1
  runuser -u postgres -- taskset -c "$SERVER_CPU" "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -l "$WORK/pg.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=on -c synchronous_commit=on" start > /dev/null
  runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres roster
  DB="postgres://postgres@127.0.0.1:$PG_PORT/roster"
fi
info commit "\"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\""
info store "$STORE"; info scale "$SCALE"; info reps "$REPS"; info duration "$DURATION"; info conns "\"$CONNS_LIST\""
info started "\"$(date -u +%FT%TZ)\""; info load_before "\"$(cut -d' ' -f1-3 /proc/loadavg)\""

# ---- roster: import, start, load ------------------------------------------------------
if [[ " $SERVERS " == *" roster "* ]]; then
  log "roster import ($SCALE dataset, store $STORE)"
  t0=$(now)
  /usr/bin/time -f "%M" -o "$WORK/import.rss" "$ROSTER_BIN" --db "$DB" import \
    "$DATA/users.jsonl" "$DATA/groups.jsonl" "$DATA/memberships.jsonl" > "$OUT/import.log" 2>&1 ||
    { cat "$OUT/import.log" >&2; exit 1; }
  info import_s "$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}')"
  info import_rss_mib "$(awk '{printf "%.1f", $1/1024}' "$WORK/import.rss")"

  PORT=$(free_port); TOKEN="bench-$(date +%s%N)"
  AUTH="Authorization: Basic $(printf 'admin@example.com:%s' "$TOKEN" | base64 -w0)"
  log "roster serve on 127.0.0.1:$PORT (CPU $SERVER_CPU)"
  t0=$(now)
  ROSTER_ADMIN_TOKEN=$TOKEN taskset -c "$SERVER_CPU" "$ROSTER_BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" \
    > "$OUT/roster.log" 2>&1 &
  RPID=$!; PIDS+=("$RPID")
  wait_answer "http://127.0.0.1:$PORT/wiki/rest/api/user/current" "$AUTH" > /dev/null ||
    { echo "roster did not answer within 120 s:" >&2; tail "$OUT/roster.log" >&2; exit 1; }
  info start_s "$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')"
  info roster_rss_after_start_mib "$(hwm_mib "$RPID")"
  LABELS+=(roster); URLS+=("http://127.0.0.1:$PORT"); SPIDS+=("$RPID"); AUTHS+=("$AUTH")
fi

# ---- limit-server ---------------------------------------------------------------------------
if [[ " $SERVERS " == *" limit "* ]]; then
  PORT=$(free_port)
  log "limit-server on 127.0.0.1:$PORT (CPU $SERVER_CPU)"
  taskset -c "$SERVER_CPU" "$LIMIT_BIN" --addr "127.0.0.1:$PORT" > "$OUT/limit-server.log" 2>&1 &
  LPID=$!; PIDS+=("$LPID")
  wait_answer "http://127.0.0.1:$PORT/wiki/rest/api/user/memberof?accountId=x" > /dev/null ||
    { echo "limit-server did not answer" >&2; exit 1; }
  LABELS+=(limit); URLS+=("http://127.0.0.1:$PORT"); SPIDS+=("$LPID"); AUTHS+=("")
fi

# ---- the load: every workload on every server, interleaved ---------------------------------
drive
for i in "${!LABELS[@]}"; do
  info "${LABELS[$i]}_hwm_mib" "$(hwm_mib "${SPIDS[$i]}")"
  stop_pid "${SPIDS[$i]}"
done

info finished "\"$(date -u +%FT%TZ)\""; info load_after "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
CHECK=(); [ "$SMOKE" = 1 ] && CHECK=(--check)
python3 "$ROOT/bench/table.py" "$RES" "$INFO" "${CHECK[@]}" | tee "$OUT/table.md"
log "results in $OUT"
