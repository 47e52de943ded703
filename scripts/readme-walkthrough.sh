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
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
# The second shell block of the walk-through section is the client side.
block=$(awk '/^## A filing from draft to number/{s=1} s&&/^```sh$/{n++; if(n==2){b=1; next}} b&&/^```$/{exit} b{print}' README.md)
[ -n "$block" ] || { echo "walk-through block not found in README.md" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BEIAN_ADMIN_PASSWORD=admin-password-1 BEIAN_LOG=warn "$bin" serve --data-dir "$work/data" --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
export REPO="$(pwd)"
out=$(cd "$work" && bash -euo pipefail -c "${block//http:\/\/127.0.0.1:8080/http://127.0.0.1:$port}")
echo "$out"
grep -Eq '"status":"filed","subject_number":"粤ICP备[0-9]{10}号","service_number":"粤ICP备[0-9]{10}号-1X"' <<<"$out" \
  || { echo "the walk-through did not end with a filing number" >&2; exit 1; }
echo "README walk-through: ok"
