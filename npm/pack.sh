#!/usr/bin/env bash
# npm/pack.sh BINARY OUTDIR
#
# Builds the npm tarballs for this machine into OUTDIR (`npm pack`):
#   roster-server-<os>-<cpu>-<version>.tgz  the platform package, BINARY as bin/roster,
#                                           made from npm/platform/*.in
#   roster-server-<version>.tgz             the launcher (npm/roster-server), whose
#                                           optionalDependencies name every platform package
# The version is roster's, from crates/roster/Cargo.toml (or the workspace's
# [workspace.package] when that says `version.workspace = true`).
#
# Environment:
#   ROSTER_NPM_PLATFORM  the platform package to make, e.g. linux-arm64 (default: this
#                        machine's, from uname); one of linux-x64 linux-arm64 darwin-x64 darwin-arm64
#   GITHUB_REPOSITORY    owner/name: written as each package's `repository`, which
#                        `npm publish --provenance` checks against the workflow's repository
# Needs node and npm; no network.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BINARY OUTDIR" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BINARY=$1
OUTDIR=$2
[ -f "$BINARY" ] && [ -x "$BINARY" ] || { echo "pack.sh: $BINARY is not an executable file" >&2; exit 1; }
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

# The version: crates/roster/Cargo.toml's [package] version, or the workspace's.
version_in() { # FILE SECTION: the `version = "..."` line inside [SECTION]
  awk -v want="[$2]" '
    /^\[/ { inside = ($0 == want) }
    inside && /^version[ \t]*=[ \t]*"/ { sub(/^version[ \t]*=[ \t]*"/, ""); sub(/".*/, ""); print; exit }
  ' "$1"
}
VERSION=$(version_in "$ROOT/crates/roster/Cargo.toml" package)
if [ -z "$VERSION" ]; then
  grep -Eq '^version(\.workspace[ \t]*=[ \t]*true|[ \t]*=[ \t]*\{[ \t]*workspace[ \t]*=[ \t]*true)' "$ROOT/crates/roster/Cargo.toml" \
    && VERSION=$(version_in "$ROOT/Cargo.toml" workspace.package)
fi
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || {
  echo "pack.sh: no usable version in crates/roster/Cargo.toml (found '$VERSION')" >&2; exit 1; }

# This machine's platform, as npm's os and cpu fields name them.
if [ -n "${ROSTER_NPM_PLATFORM:-}" ]; then
  PLATFORM=$ROSTER_NPM_PLATFORM
else
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "pack.sh: no npm package for $(uname -s)" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) echo "pack.sh: no npm package for $(uname -m)" >&2; exit 1 ;;
  esac
  PLATFORM=$os-$cpu
fi
case "$PLATFORM" in
  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64) ;;
  *) echo "pack.sh: unknown platform $PLATFORM" >&2; exit 1 ;;
esac
OS=${PLATFORM%-*}
CPU=${PLATFORM#*-}
NAME=roster-server-$PLATFORM

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# node edits package.json: version, the platform packages' versions, repository.
set_fields() { # DIR
  # shellcheck disable=SC2016 # JavaScript, not shell
  VERSION=$VERSION node -e '
    const fs = require("fs");
    const file = process.argv[1] + "/package.json";
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    pkg.version = process.env.VERSION;
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) pkg.optionalDependencies[dep] = process.env.VERSION;
    if (process.env.GITHUB_REPOSITORY) {
      pkg.repository = { type: "git", url: `git+https://github.com/${process.env.GITHUB_REPOSITORY}.git` };
    }
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  ' "$1"
}

# The platform package, from the template.
mkdir -p "$STAGE/platform/bin"
for f in package.json README.md; do
  sed -e "s/@NAME@/$NAME/g" -e "s/@VERSION@/$VERSION/g" -e "s/@OS@/$OS/g" -e "s/@CPU@/$CPU/g" \
    "$HERE/platform/$f.in" > "$STAGE/platform/$f"
done
cp "$BINARY" "$STAGE/platform/bin/roster"
chmod 0755 "$STAGE/platform/bin/roster"
set_fields "$STAGE/platform"

# The launcher package.
cp -R "$HERE/roster-server" "$STAGE/main"
rm -rf "$STAGE/main/node_modules"
chmod 0755 "$STAGE/main/bin/roster.js"
set_fields "$STAGE/main"
grep -q "\"$NAME\"" "$STAGE/main/package.json" || {
  echo "pack.sh: roster-server's optionalDependencies do not name $NAME" >&2; exit 1; }

# Older tarballs of the launcher and of this platform would be ambiguous next to the new ones.
rm -f "$OUTDIR"/roster-server-[0-9]*.tgz "$OUTDIR/$NAME"-[0-9]*.tgz
for dir in platform main; do
  (cd "$STAGE/$dir" && npm pack --silent --pack-destination "$OUTDIR" >/dev/null)
done
for f in "$NAME-$VERSION.tgz" "roster-server-$VERSION.tgz"; do
  [ -f "$OUTDIR/$f" ] || { echo "pack.sh: npm pack did not write $OUTDIR/$f" >&2; exit 1; }
  echo "$OUTDIR/$f"
done
