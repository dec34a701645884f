#!/usr/bin/env bash
# Builds roster's packages for the machine it runs on, into dist/:
#   - one release binary: cargo build --release --locked -p roster
#     (under $CARGO_TARGET_DIR, default target/);
#   - the Python wheel `roster-server` (python/: that binary and the
#     roster_server module with its pytest plugin), made by maturin, which
#     finds the binary fresh in the same target directory and packs it
#     without compiling again (checked below: the wheel's binary is the one
#     just built), then stripped of its debug information;
#   - the npm tarballs from the same stripped binary, when npm/pack.sh exists.
#
# usage: scripts/package.sh
# maturin is installed with pip into a venv under target/package/, once.
#
# ROSTER_PACKAGE_PROFILE (default `release`) names the cargo profile the
# binary is built with. CI and the release workflow pack release builds;
# `dev` packs the debug build the test suites have already compiled (the
# same code, unoptimised), for a quick local run of tests/package/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MATURIN_VERSION=1.9.6

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
export CARGO_TARGET_DIR=$TARGET
PROFILE=${ROSTER_PACKAGE_PROFILE:-release}
case $PROFILE in
  dev) out_dir=debug ;;
  *) out_dir=$PROFILE ;;
esac
bin=$TARGET/$out_dir/roster
DIST=$ROOT/dist
start=$(date +%s)

echo "== $PROFILE build of roster (cargo build --profile $PROFILE --locked -p roster; minutes when cold)"
cargo build --profile "$PROFILE" --locked -p roster
"$bin" --version

venv=$ROOT/target/package/maturin-$MATURIN_VERSION
if [ ! -x "$venv/bin/maturin" ]; then
  echo "== installing maturin $MATURIN_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi

# The packages carry the binary without its debug information (the release
# profile keeps line tables for profiling; stripped, the binary is a sixth
# of the size). Stripped here, on a copy, so cargo's artifact stays fresh.
if command -v strip >/dev/null; then
  mkdir -p "$TARGET/package"
  cp "$bin" "$TARGET/package/roster.tmp"
  strip "$TARGET/package/roster.tmp"
  mv "$TARGET/package/roster.tmp" "$TARGET/package/roster"
  bin=$TARGET/package/roster
else
  echo "note: no strip on the PATH: the packages carry the binary with its debug information"
fi

echo "== the Python wheel (maturin $MATURIN_VERSION, bindings = bin)"
mkdir -p "$DIST"
rm -f "$DIST"/roster_server-*.whl
cargo_bin=$TARGET/$out_dir/roster
mtime() { "$venv/bin/python" -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime_ns)' "$1"; }
before=$(mtime "$cargo_bin")
(cd python && "$venv/bin/maturin" build --profile "$PROFILE" --locked --quiet \
  --target-dir "$TARGET" --out "$DIST")
[ "$(mtime "$cargo_bin")" = "$before" ] || echo "note: maturin rebuilt the binary (it should have found it fresh)"
wheel=$(ls "$DIST"/roster_server-*.whl)
# maturin packed cargo's artifact; the wheel carries the binary above instead
# (npm's tarballs carry it too), with its RECORD entry (hash, size) to match.
"$venv/bin/python" - "$wheel" "$cargo_bin" "$bin" <<'PY'
import base64, hashlib, os, sys, zipfile
wheel, built, binary = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    infos = z.infolist()
    content = {i.filename: z.read(i) for i in infos}
names = [n for n in content if n.endswith(".data/scripts/roster")]
if len(names) != 1:
    sys.exit(f"{wheel}: no roster executable inside ({sorted(content)})")
name = names[0]
if content[name] != open(built, "rb").read():
    sys.exit(f"{wheel}: its roster is not {built}")
new = open(binary, "rb").read()
content[name] = new
digest = base64.urlsafe_b64encode(hashlib.sha256(new).digest()).rstrip(b"=").decode()
record = next(n for n in content if n.endswith(".dist-info/RECORD"))
lines = content[record].decode().splitlines()
lines = [f"{name},sha256={digest},{len(new)}" if l.split(",")[0] == name else l for l in lines]
content[record] = ("\n".join(lines) + "\n").encode()
tmp = wheel + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
    for i in infos:
        z.writestr(i, content[i.filename], compress_type=zipfile.ZIP_DEFLATED)
os.replace(tmp, wheel)
PY
echo "== $wheel ($(du -h "$wheel" | cut -f1))"

if [ -x npm/pack.sh ]; then
  echo "== npm tarballs (npm/pack.sh)"
  npm/pack.sh "$bin" "$DIST"
fi
echo "== packages in $DIST after $(( $(date +%s) - start ))s:"
ls -l "$DIST"
