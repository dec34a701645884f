#!/usr/bin/env bash
# tests/package/npm.sh [OUTDIR]
#
# Installs the npm tarballs npm/pack.sh wrote to OUTDIR (default: dist) the way a user
# would, into a fresh npm project in a temporary directory, with no Rust on the PATH, next
# to confluence.js, and runs examples/npm there: the package's launcher starts roster
# with a seed fixture, confluence.js drives it (members, a membership added, the diff,
# the journal, a reset, a 429 fault), and the launcher stops it. Then it checks that the
# types are sound, that the `roster` command runs the packaged binary, that a roster
# left running is stopped when Node exits or is interrupted, and that no roster this
# script started is left (by PID).
#
# Needs node 18.17+ and npm, and the npm registry (confluence.js, typescript,
# @types/node: the versions examples/npm/package.json pins; npm's cache makes it fast).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUTDIR=${1:-$ROOT/dist}
EXAMPLE=$ROOT/examples/npm
started=$(date +%s)
step() { echo "== npm package: $* ($(( $(date +%s) - started ))s)"; }
fail() { echo "FAIL: npm package: $*" >&2; exit 1; }

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  if [ "${CI:-}" = true ]; then fail "node and npm are needed"; fi
  echo "npm package test: node or npm is not installed" >> "${ROSTER_SKIPPED_FILE:-/dev/null}"
  echo "SKIP: npm package test (node or npm is not installed)"
  exit 0
fi
[ -d "$OUTDIR" ] || fail "no directory $OUTDIR (make the tarballs first: npm/pack.sh BINARY $OUTDIR)"
OUTDIR=$(cd "$OUTDIR" && pwd)

# The tarballs: the launcher, and this machine's platform package of the same version.
shopt -s nullglob
mains=("$OUTDIR"/roster-server-[0-9]*.tgz)
shopt -u nullglob
[ ${#mains[@]} -eq 1 ] || fail "want exactly one roster-server-VERSION.tgz in $OUTDIR, found ${#mains[@]}"
MAIN=${mains[0]}
VERSION=$(basename "$MAIN" .tgz)
VERSION=${VERSION#roster-server-}
PLATFORM=$(node -p 'process.platform + "-" + process.arch')
PLAT=$OUTDIR/roster-server-$PLATFORM-$VERSION.tgz
[ -f "$PLAT" ] || fail "no $PLAT next to $(basename "$MAIN")"

# No Rust: every PATH entry holding cargo or rustc is left out, so nothing can build roster.
clean_path=
IFS=: read -r -a entries <<< "$PATH"
for d in "${entries[@]}"; do
  [ -n "$d" ] || continue
  if [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ]; then continue; fi
  clean_path=${clean_path:+$clean_path:}$d
done
export PATH=$clean_path
if command -v cargo >/dev/null || command -v rustc >/dev/null; then fail "Rust is still on the PATH"; fi
command -v npm >/dev/null || fail "npm is where Rust is ($(dirname "$(command -v npm)")): cannot take Rust off the PATH"
unset ROSTER_BIN ROSTER_ADMIN_TOKEN ROSTER_ADMIN_TOKEN_FILE CARGO_TARGET_DIR

WORK=$(mktemp -d "${TMPDIR:-/tmp}/roster-npm.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)
PIDS=" " # what this script started (node and roster), by PID; a string for bash 3.2
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

step "a fresh project in $WORK; installing $(basename "$PLAT"), $(basename "$MAIN") and examples/npm's pins"
PROJECT=$WORK/project
mkdir -p "$PROJECT"
cp "$EXAMPLE/roster.test.mjs" "$EXAMPLE/team.yaml" "$EXAMPLE/tsconfig.json" "$PROJECT/"
cat > "$PROJECT/package.json" <<'EOF'
{ "name": "roster-npm-package-test", "version": "1.0.0", "private": true, "type": "module" }
EOF
# The example's pinned dependencies, roster-server aside (that one is the tarball).
# shellcheck disable=SC2016 # JavaScript, not shell
pins=$(node -e '
  const pkg = require(process.argv[1]);
  for (const [name, version] of Object.entries(pkg.devDependencies ?? {}))
    if (name !== "roster-server") console.log(`${name}@${version}`);
' "$EXAMPLE/package.json")
t0=$(date +%s)
# shellcheck disable=SC2086 # $pins: one a line, split on purpose
(cd "$PROJECT" && npm install --save-exact --no-audit --no-fund --prefer-offline --loglevel=error \
  "$PLAT" "$MAIN" $pins)
echo "npm install: $(( $(date +%s) - t0 ))s"

cd "$PROJECT"
step "the package's launcher finds the platform package's binary"
got=$(node -p 'require("roster-server/package.json").version')
[ "$got" = "$VERSION" ] || fail "roster-server $got installed, not $VERSION"
bin=$(node --input-type=module -e 'import { binaryPath } from "roster-server"; console.log(binaryPath())')
[ "$bin" = "$PROJECT/node_modules/roster-server-$PLATFORM/bin/roster" ] || fail "the launcher runs $bin"
[ -x "$bin" ] || fail "$bin is not executable"
out=$(npx --no-install roster --version) || fail "npx roster --version failed"
[ "$out" = "roster $VERSION" ] || fail "npx roster --version said '$out', not 'roster $VERSION'"
echo "ok: npx roster --version: $out"
set +e
npx --no-install roster user list --db "$WORK/none.db" > /dev/null 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "the roster command did not pass on the binary's failure"
echo "ok: the roster command exits as the binary did ($rc)"

step "examples/npm with node --test: confluence.js against the packaged roster"
node --test --test-reporter=spec roster.test.mjs || fail "examples/npm failed"

step "types: examples/npm type-checks against index.d.ts (tsc --checkJs), and index.d.ts itself"
# index.d.ts goes in as a .ts file, so that skipLibCheck (which spares checking all of
# @types/node and confluence.js) still checks it; one tsc run for both.
cp node_modules/roster-server/index.d.ts roster-server-types.ts
echo '{ "extends": "./tsconfig.json", "include": ["*.mjs", "roster-server-types.ts"] }' > tsconfig.check.json
npx --no-install tsc -p tsconfig.check.json || fail "examples/npm or index.d.ts does not type-check"
echo "ok: tsc"

step "a roster still running is stopped when Node exits, and when Node is interrupted"
cat > leave.mjs <<'EOF'
// Starts a roster, writes its PID, then exits (or waits for a signal) without stop().
import { writeFileSync } from 'node:fs';
import { startRoster } from 'roster-server';
const site = await startRoster({ seed: 'team.yaml' });
writeFileSync(process.argv[2], String(site.pid));
if (process.argv[3] === 'exit') process.exit(0);
setInterval(() => {}, 1000);
EOF
alive() { kill -0 "$1" 2>/dev/null; }
gone_within() { # PID SECONDS
  local n=$(( $2 * 10 ))
  while [ "$n" -gt 0 ]; do alive "$1" || return 0; sleep 0.1; n=$(( n - 1 )); done
  return 1
}
node leave.mjs "$WORK/exit.pid" exit || fail "leave.mjs (exit) failed"
pid=$(cat "$WORK/exit.pid"); PIDS="$PIDS $pid"
gone_within "$pid" 15 || fail "roster $pid still runs after Node exited"
echo "ok: roster $pid stopped when Node exited"
node leave.mjs "$WORK/int.pid" wait &
node_pid=$!; PIDS="$PIDS $node_pid"
for _ in $(seq 1 300); do [ -s "$WORK/int.pid" ] && break; sleep 0.1; done
[ -s "$WORK/int.pid" ] || fail "leave.mjs (wait) did not start roster"
pid=$(cat "$WORK/int.pid"); PIDS="$PIDS $pid"
alive "$pid" || fail "roster $pid is not running"
kill -INT "$node_pid"
set +e
wait "$node_pid"
rc=$?
set -e
[ $rc -eq 130 ] || fail "Node ended with $rc after SIGINT, not 130"
gone_within "$pid" 15 || fail "roster $pid still runs after Node was interrupted"
echo "ok: roster $pid stopped when Node was interrupted (Node exited $rc)"

step "no roster started from this project is left"
left=$(ps -axo pid=,args= | awk -v dir="$PROJECT/node_modules/" 'index($0, dir) && !/awk/ { print $1 }')
if [ -n "$left" ]; then
  ps -o pid=,args= -p "$(echo "$left" | tr '\n ' ',,' | sed 's/,*$//')" >&2 || true
  fail "roster processes left running: $left"
fi
for pid in $PIDS; do if alive "$pid"; then fail "process $pid left running"; fi; done
echo "ok: none left"
step "passed: roster-server $VERSION and roster-server-$PLATFORM from $OUTDIR"
