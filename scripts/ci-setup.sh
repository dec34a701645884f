#!/usr/bin/env bash
# Installs what the tests need on a fresh CI machine (Debian, root). Only
# acts when CI is set; elsewhere it lists what is missing.
set -euo pipefail

# .ci/run checks for unused dependencies with cargo-machete.
if ! cargo machete --version >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "== installing cargo-machete"
    cargo install --locked --quiet cargo-machete@0.9.2
  else
    echo "note: missing cargo-machete (install with: cargo install --locked cargo-machete)"
  fi
fi

need=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
[ -x /usr/bin/chromium ] || need+=(chromium) # the web console's browser test
command -v initdb >/dev/null || [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ -n "${CI:-}" ] && [ "$(id -u)" = 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "note: missing ${need[*]} (install with: apt-get install -y ${need[*]})"
fi
