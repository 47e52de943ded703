#!/usr/bin/env bash
# Short fuzz run of every cargo-fuzz target in fuzz/ (one per parser, one for the whole
# document precheck); scripts/test.sh calls it. Exits non-zero on the first crash and
# prints the reproducer.
#
# Only the stable toolchain is assumed. With `--sanitizer none` (the default here) every
# flag cargo-fuzz passes to rustc is a stable `-C` flag, so stable builds it as is; the
# code under test is safe Rust, which AddressSanitizer adds little to, at about half the
# speed. FUZZ_SANITIZER=address also works on stable: -Zsanitizer is unlocked with
# RUSTC_BOOTSTRAP=1, set below for that case only.
#
# FUZZ_SECONDS (default 5) is the time per target; FUZZ_TARGETS a space-separated subset.
# The corpus grows in fuzz/corpus/<target> (not committed); fuzz/seeds/<target> holds the
# committed seeds (the §8.3 vectors, the holiday files, sample documents) and
# fuzz/dicts/<target>.dict a libFuzzer dictionary where one helps.
#
# Reproduce a crash: cargo fuzz run --sanitizer none <target> <artifact file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-5}"
sanitizer="${FUZZ_SANITIZER:-none}"
# Outside the clone when CI keeps its build cache there; never shared with the workspace
# build, whose flags differ.
target_dir="${CARGO_TARGET_DIR:-$PWD/fuzz/target}/fuzz"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked --quiet
fi
if [ "$sanitizer" != none ]; then
  export RUSTC_BOOTSTRAP=1
fi

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
opts=(--sanitizer "$sanitizer" --target-dir "$target_dir")

echo "==> building fuzz targets (sanitizer: $sanitizer)"
build_log=$(mktemp)
if ! cargo fuzz build "${opts[@]}" >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  echo "fuzz: build failed" >&2
  exit 1
fi
rm -f "$build_log"

passed=0
failed=0
start=$SECONDS
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  dict=()
  [ -f "fuzz/dicts/$t.dict" ] && dict=("-dict=fuzz/dicts/$t.dict")
  log=$(mktemp)
  if cargo fuzz run "${opts[@]}" "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
    >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    printf 'fuzz %-28s ok (%s runs in %ss)\n' "$t" "$runs" "$seconds"
    passed=$((passed + 1))
  else
    echo "================ FUZZ FAILURE: $t ================" >&2
    # The panic message, then cargo-fuzz's summary of the failing input and how to replay it.
    if grep -q 'panicked at' "$log"; then
      grep -m1 -A4 'panicked at' "$log" >&2
      sed -n '/^Failing input:/,/^Minimize/p' "$log" | grep -v '^Minimize' >&2
    else
      grep -Ev '^(INFO|#[0-9]+)' "$log" | tail -n 40 >&2
    fi
    echo "==================================================" >&2
    failed=$((failed + 1))
  fi
  rm -f "$log"
done
echo "fuzz: $passed passed, $failed failed ($((SECONDS - start))s)"
[ "$failed" -eq 0 ]
