#!/usr/bin/env bash
# A short run of every cargo-fuzz target in fuzz/ (FUZZ_SECONDS each,
# default 30). Needs a nightly toolchain; installs cargo-fuzz when missing.
# Without nightly it says so and exits 0 (the stable suite still runs the
# parsers' unit tests and the 10,000-request malformed storm).
# Long run: cd fuzz && cargo +nightly fuzz run TARGET -- -max_total_time=3600
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-30}"
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz-smoke: no nightly toolchain; skipping (rustup toolchain install nightly to run it)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cargo +nightly fuzz build -O
for target in $(cargo +nightly fuzz list); do
    echo "== fuzz $target for ${seconds}s"
    log="$(mktemp)"
    if ! cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
        tail -40 "$log"
        echo "fuzz-smoke: $target crashed (reproducer under fuzz/artifacts/$target/)"
        exit 1
    fi
    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$log" | tail -1 || true
    rm -f "$log"
done
echo "fuzz-smoke: every target ran ${seconds}s without a crash"
