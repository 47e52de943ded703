#!/usr/bin/env bash
# Runs the README's curl walk-through, exactly as written, against a fresh
# server built from this tree, and checks that it ends with a filing number.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in curl jq python3; do
  command -v "$tool" >/dev/null || { echo "the walk-through needs $tool" >&2; exit 1; }
done
bin="${CARGO_TARGET_DIR:-target}/debug/beian"
cargo build --quiet -p beian
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
# The second shell block of the walk-through section is the client side.
block=$(awk '/^## A filing from draft to number/{s=1} s&&/^```sh$/{n++; if(n==2){b=1; next}} b&&/^```$/{exit} b{print}' README.md)
[ -n "$block" ] || { echo "walk-through block not found in README.md" >&2; exit 1; }
# The walk-through runs twice: on the real clock, whatever today is, and with the clock
# started inside a projected year (domain.md §11.4: no State Council notice for 2031), where
# every working-day deadline is provisional and the filing must still reach its number.
walk() {
  local label=$1; shift
  local port data="$work/data-$label"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BEIAN_ADMIN_PASSWORD=admin-password-1 BEIAN_LOG=warn "$bin" serve --data-dir "$data" --addr "127.0.0.1:$port" "$@" >"$work/server-$label.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  # The block as written, against this server; its `cargo run --release -- …` is the binary
  # this script built (the README's reader has the release build from the command above).
  local script="${block//http:\/\/127.0.0.1:8080/http://127.0.0.1:$port}"
  script="${script//cargo run -q --release --manifest-path \"\$REPO\/Cargo.toml\" --/\"$bin\"}"
  local dir="$work/client-$label"; mkdir -p "$dir"
  out=$(cd "$dir" && bash -euo pipefail -c "$script")
  echo "$out"
  kill $server 2>/dev/null || true; wait $server 2>/dev/null || true
  grep -Eq '"status":"filed","subject_number":"粤ICP备[0-9]{10}号","service_number":"粤ICP备[0-9]{10}号-1X"' <<<"$out" \
    || { echo "the walk-through ($label) did not end with a filing number" >&2; exit 1; }
}
export REPO="$(pwd)"
grep -q 'cargo run -q --release --manifest-path "$REPO/Cargo.toml" -- sample-images' <<<"$block" \
  || { echo "the walk-through no longer makes its images with the release binary" >&2; exit 1; }
walk today
walk projected --clock-start 2031-06-01T10:00:00+08:00
echo "README walk-through: ok (today, and 2031-06-01 on the projected calendar)"
