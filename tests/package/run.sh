#!/usr/bin/env bash
# The packages as a user gets them: builds them (scripts/package.sh: one
# release binary, the roster-server wheel from it, the npm tarballs), then
# installs the wheel into a fresh virtual environment with no Rust on the
# PATH, and runs there
#   - examples/pytest, the documented example, through the wheel's pytest
#     plugin (its pytest.ini names the seed);
#   - tests/package/test_wheel.py: the packaged executable, the launcher,
#     the plugin's configuration, start-up errors, pytest-xdist, and that no
#     roster outlives a run that crashes (checked by PID);
# and then tests/package/npm.sh, when it exists, for the npm tarballs.
#
# usage: tests/package/run.sh
# Needs python3 with venv, and on its first run network access to PyPI
# (maturin and the pinned test requirements, kept under target/package/).
# Outside CI, a python3 without venv skips this test loudly; under CI=true
# that is a failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
start=$(date +%s)

skip() { # reason
  if [ -n "${CI:-}" ]; then
    echo "package test: FAILED: $1" >&2
    exit 1
  fi
  echo "package test: SKIPPED: $1" >&2
  # scripts/test.sh repeats every skip at the end of its run.
  [ -n "${ROSTER_SKIPPED_FILE:-}" ] && echo "package test (wheel, pytest plugin): $1" >> "$ROSTER_SKIPPED_FILE"
  exit 0
}
command -v python3 >/dev/null || skip "python3 is not installed"
python3 -c 'import venv, ensurepip' 2>/dev/null || skip "python3-venv is not installed (apt-get install -y python3-venv)"

scripts/package.sh
built=$(date +%s)
wheels=(dist/roster_server-*.whl)
[ ${#wheels[@]} = 1 ] && [ -f "${wheels[0]}" ] || { echo "expected one wheel in dist/, found: ${wheels[*]}" >&2; exit 1; }
wheel=$ROOT/${wheels[0]}

# A PATH without Rust: the wheel must bring everything it needs. Left out:
# ~/.cargo/bin and every other directory holding cargo, rustc or rustup,
# unless python3 is there too (a distribution's /usr/bin); then the test says so.
NORUST=
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  if { [ -x "$d/cargo" ] || [ -x "$d/rustc" ] || [ -x "$d/rustup" ]; } && [ ! -x "$d/python3" ]; then continue; fi
  case $d in */.cargo/bin|*/.rustup/*) continue ;; esac
  NORUST=${NORUST:+$NORUST:}$d
done
ROSTER_PACKAGE_TEST_RUST_ON_PATH=
if rust=$(PATH=$NORUST command -v cargo || PATH=$NORUST command -v rustc); then
  echo "note: $rust stays on the PATH (python3 is in the same directory)"
  ROSTER_PACKAGE_TEST_RUST_ON_PATH=$rust
fi

# The pinned requirements are downloaded once into a wheelhouse; later runs install offline.
# (Kept per requirements and Python: PyYAML's wheels are built for one Python.)
HOUSE=$ROOT/target/package/wheelhouse
stamp=$(cat "$HERE/requirements.txt"; python3 -c 'import platform, sys; print("#", sys.version.split()[0], platform.machine())')
if [ "$stamp" != "$(cat "$HOUSE/stamp" 2>/dev/null)" ]; then
  echo "== downloading tests/package/requirements.txt into $HOUSE"
  rm -rf "$HOUSE"
  python3 -m pip download -q --disable-pip-version-check -d "$HOUSE" -r "$HERE/requirements.txt"
  printf '%s\n' "$stamp" > "$HOUSE/stamp"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "== a fresh venv with $(basename "$wheel") and tests/package/requirements.txt (no Rust on the PATH)"
PATH=$NORUST python3 -m venv "$TMP/venv"
PATH=$NORUST "$TMP/venv/bin/pip" install -q --disable-pip-version-check --no-index --find-links "$HOUSE" \
  "$wheel" -r "$HERE/requirements.txt"

in_venv() { # command...: run with the venv first on a Rust-free PATH, and no roster of the build
  env -u ROSTER_BIN -u CARGO_TARGET_DIR -u CARGO_HOME -u RUSTUP_HOME -u VIRTUAL_ENV \
    PATH="$TMP/venv/bin:$NORUST" PACKAGE_TEST_RUST_ON_PATH="$ROSTER_PACKAGE_TEST_RUST_ON_PATH" PYTHONDONTWRITEBYTECODE=1 "$@"
}

status=0
echo "== examples/pytest through the wheel's pytest plugin"
(cd examples/pytest && in_venv python -m pytest -p no:cacheprovider -v) || status=1

echo "== tests/package/test_wheel.py: executable, launcher, plugin configuration, xdist, crash cleanup"
in_venv python -m pytest -p no:cacheprovider -v --rootdir "$HERE" "$HERE/test_wheel.py" || status=1

# No roster of this run is left (every one ran the venv's executable).
left=
if [ -d /proc/self ]; then
  for f in /proc/[0-9]*/cmdline; do
    if tr '\0' ' ' 2>/dev/null < "$f" | grep -q "^$TMP/venv/bin/roster "; then left="$left ${f//[^0-9]/}"; fi
  done
else
  left=$(ps -axo pid=,command= | awk -v exe="$TMP/venv/bin/roster" '$2 == exe { printf " %s", $1 }')
fi
if [ -n "$left" ]; then echo "FAIL: roster processes left behind, PIDs:$left" >&2; status=1; fi

if [ -x tests/package/npm.sh ]; then
  echo "== the npm tarballs (tests/package/npm.sh)"
  tests/package/npm.sh dist || status=1
fi
end=$(date +%s)
echo "== package test: $((built - start))s building, $((end - built))s testing"
exit $status
