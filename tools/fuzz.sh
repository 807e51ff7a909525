#!/usr/bin/env bash
# Run every cargo-fuzz target of rust/fuzz for a bounded time each (not part of CI's default path).
#
#   tools/fuzz.sh [seconds-per-target] [target...]     # default 600 s, all targets
#
# Needs the nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`, `cargo install cargo-fuzz`)
# and the project's Python environment (the seed corpus is generated from the fixtures by
# rust/fuzz/make_seeds.py). A crash leaves its input in rust/fuzz/artifacts/<target>/ and makes this script exit
# non-zero; reproduce with `cd rust/fuzz && cargo +nightly fuzz run --fuzz-dir . <target> artifacts/<target>/<file>`, fix the
# engine and add the input as a unit test next to the code it broke. One process per target, inputs up to
# 64 KiB, 20 s per input at most (a slower input counts as a failure: a hang).
set -euo pipefail
secs="${1:-600}"
shift || true
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here/rust/fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir .)
fi
python make_seeds.py
status=0
for t in "${targets[@]}"; do
    echo "== $t: ${secs}s"
    mkdir -p "corpus/$t"
    if ! cargo +nightly fuzz run --fuzz-dir . "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1; then
        echo "!! $t found a failure: see rust/fuzz/artifacts/$t/"
        status=1
    fi
done
exit $status
