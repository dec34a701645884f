#!/usr/bin/env bash
# Builds roster's packages for the machine it runs on, into dist/:
#   - one release binary: cargo build --release --locked -p roster
#     (under $CARGO_TARGET_DIR, default target/);
#   - the Python wheel `roster-server` (python/: that binary and the
#     roster_server module with its pytest plugin), made by maturin, which
#     finds the binary fresh in the same target directory and packs it
#     without compiling again (checked below: the wheel's binary is the one
#     just built);
#   - the npm tarballs from the same binary, when npm/pack.sh exists.
#
# usage: scripts/package.sh
# maturin is installed with pip into a venv under target/package/, once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MATURIN_VERSION=1.9.6

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
export CARGO_TARGET_DIR=$TARGET
bin=$TARGET/release/roster
DIST=$ROOT/dist
start=$(date +%s)

echo "== release build of roster (cargo build --release --locked -p roster; minutes when cold)"
cargo build --release --locked -p roster
"$bin" --version

venv=$ROOT/target/package/maturin-$MATURIN_VERSION
if [ ! -x "$venv/bin/maturin" ]; then
  echo "== installing maturin $MATURIN_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi

echo "== the Python wheel (maturin $MATURIN_VERSION, bindings = bin)"
mkdir -p "$DIST"
rm -f "$DIST"/roster_server-*.whl
before=$(stat -c %Y "$bin")
"$venv/bin/maturin" build --release --locked --quiet \
  --manifest-path python/pyproject.toml --target-dir "$TARGET" --out "$DIST"
wheel=$(ls "$DIST"/roster_server-*.whl)
# The wheel must carry exactly the binary built above (npm's tarballs carry it too).
"$venv/bin/python" - "$wheel" "$bin" <<'PY'
import sys, zipfile
wheel, binary = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".data/scripts/roster")]
    if len(names) != 1:
        sys.exit(f"{wheel}: no roster executable inside ({z.namelist()})")
    if z.read(names[0]) != open(binary, "rb").read():
        sys.exit(f"{wheel}: its roster is not {binary}")
PY
[ "$(stat -c %Y "$bin")" = "$before" ] || echo "note: maturin rebuilt the binary (it should have found it fresh)"
echo "== $wheel ($(du -h "$wheel" | cut -f1))"

if [ -x npm/pack.sh ]; then
  echo "== npm tarballs (npm/pack.sh)"
  npm/pack.sh "$bin" "$DIST"
fi
echo "== packages in $DIST after $(( $(date +%s) - start ))s:"
ls -l "$DIST"
