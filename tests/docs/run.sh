#!/usr/bin/env bash
# The documentation check: README.md, docs/getting-started.md and
# docs/testing-with-roster.md, run in order, copy-pasted, on a fresh clone of
# the committed HEAD (tests/docs/run.py says how, and which directives a
# block may carry).
#
# usage: tests/docs/run.sh [ROSTER_BINARY] [run.py options]
# ROSTER_BINARY (default target/debug/roster) is what `roster` means in the
# docs; nothing is compiled. First the runner's self-test: tests/docs/fixture.md
# uses every directive and ends with a block that fails, which the runner must
# report (document, line, block, output) and stop at.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/roster}
[ $# -gt 0 ] && shift
[ -x "$BIN" ] || (cd "$ROOT" && echo "== compiling roster (debug build)" && cargo build -p roster)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$ROOT"

skip() { # reason: a failure under CI, elsewhere a skip scripts/test.sh repeats at the end
  if [ -n "${CI:-}" ]; then echo "docs check: FAILED: $1" >&2; exit 1; fi
  echo "docs check: SKIPPED: $1" >&2
  [ -n "${ROSTER_SKIPPED_FILE:-}" ] && echo "docs check: $1" >> "$ROSTER_SKIPPED_FILE"
  exit 0
}
for tool in git python3 curl node; do
  command -v "$tool" >/dev/null || skip "the docs use $tool, which is not installed"
done
# The docs start servers on roster's default port, one document after the other.
if python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(("127.0.0.1", 8090)) != 0)'; then
  skip "port 8090, where the docs start roster, is in use by another program"
fi

echo "== docs check, self-test (tests/docs/fixture.md; its last block fails on purpose)"
set +e
out=$(python3 "$HERE/run.py" --no-clone --bin "$BIN" tests/docs/fixture.md 2>&1)
rc=$?
set -e
fail() { echo "$out"; echo "docs check self-test: $1" >&2; exit 1; }
[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (a block failed)"
line=$(grep -n '^echo before-failure$' tests/docs/fixture.md | cut -d: -f1)
grep -q "FAILED tests/docs/fixture.md:$((line - 1)) " <<<"$out" || fail "the failing block (line $((line - 1))) is not named"
grep -q "exit status 1 at tests/docs/fixture.md:$((line + 1))$" <<<"$out" || fail "the failing line ($((line + 1))) is not named"
grep -q '^before-failure$' <<<"$out" || fail "the failing block's output is not shown"
! grep -qx 'not-reached\|never-run' <<<"$out" || fail "it ran past the failure"
[ "$(grep -c '^   ok ' <<<"$out")" = 7 ] || fail "expected 7 blocks to pass before the failure"
grep -q '^   skip .*would fail' <<<"$out" || fail "the skip is not reported with its reason"
[ "$(grep -c '^   stopped the background block' <<<"$out")" = 2 ] || fail "the two background blocks were not stopped"
! grep -q 'still answers' <<<"$out" || fail "a background server still answers"
if python3 - <<'PY'
import socket
s = socket.socket(); s.settimeout(0.5)
raise SystemExit(0 if s.connect_ex(("127.0.0.1", 28417)) == 0 else 1)
PY
then fail "port 28417 (the fixture's background server) still answers"; fi
# A missing expected text fails the block; a mistyped directive or a skip without a reason
# stops the run before anything runs (status 2).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '<!-- docs-check: expect "absent" -->\n```sh\necho present\n```\n' > "$T/expect.md"
printf '```sh\ntouch ran\n```\n<!-- docs-check: skipp (typo) -->\n```sh\ntrue\n```\n' > "$T/typo.md"
printf '<!-- docs-check: skip -->\n```sh\ntrue\n```\n' > "$T/reasonless.md"
run() { set +e; out=$(cd "$T" && python3 "$HERE/run.py" --no-clone --bin "$BIN" "$1" 2>&1); rc=$?; set -e; }
run expect.md
[ "$rc" = 1 ] && grep -q "FAILED expect.md:2 .*does not contain 'absent'" <<<"$out" || fail "a missing expected text did not fail"
run typo.md
[ "$rc" = 2 ] && grep -q "typo.md:4: unknown docs-check directive" <<<"$out" || fail "an unknown directive was not refused"
[ ! -e "$T/ran" ] || fail "a block ran before the directives were checked"
run reasonless.md
[ "$rc" = 2 ] && grep -q "skip needs a reason" <<<"$out" || fail "a skip without a reason was not refused"
echo "   ok: the fixture's 7 blocks passed, its failing block was reported, the servers were stopped;"
echo "       a failed expect, a mistyped directive and a skip without reason were refused"

rm -rf "$T"
trap - EXIT

echo "== docs check: getting-started, README, testing-with-roster on a fresh clone"
exec python3 "$HERE/run.py" --bin "$BIN" "$@"
