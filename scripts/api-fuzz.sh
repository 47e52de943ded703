#!/usr/bin/env bash
# Property-based API tests: schemathesis (PyPI) generates requests from the OpenAPI
# document (generated from the handlers, served at /api/openapi.json) against a running `beian serve --demo`
# signed in as admin, for a bounded time, with one rule: no request makes a 5xx.
# Runs on SQLite, and on PostgreSQL when BEIAN_TEST_PG_URL is set (the test command sets
# it). Installs schemathesis into a virtualenv under the target dir when missing. Prints
# `api fuzz: N passed, M failed` (one per backend); exits non-zero on any 5xx.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$(pwd)/target}"
[[ "$target" = /* ]] || target="$(pwd)/$target"
version=4.32.5
venv="$target/schemathesis-$version"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "installing schemathesis $version (PyPI) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
cargo build --quiet -p beian
bin="$target/debug/beian"
passed=0; failed=0

# One run against a fresh server on `$1` (`sqlite`, or a PostgreSQL URL).
fuzz() {
  local db="$1" data port base password server token out
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  password="api-fuzz-admin-$$"
  local db_args=()
  [ "$db" != sqlite ] && db_args=(--db "$db")
  BEIAN_ADMIN_PASSWORD="$password" BEIAN_ARGON2_MEMORY_KIB=64 BEIAN_LOG=error \
    BEIAN_USER_REQUESTS_PER_MINUTE=1000000 \
    "$bin" serve --data-dir "$data" "${db_args[@]}" --addr "127.0.0.1:$port" --demo \
    --public-rate-per-minute 1000000 >"$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 200); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  token=$(curl -fs -X POST "$base/api/v1/sessions" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  out="$data/schemathesis.txt"
  # Signing out would end the run's own session; everything else is fair game. A fixed
  # seed keeps a failure reproducible; the time bound keeps CI short.
  "$venv/bin/schemathesis" run "$base/api/openapi.json" --url "$base" \
    -H "Authorization: Bearer $token" --checks not_a_server_error \
    --exclude-path /api/v1/sessions/current \
    --max-examples "${BEIAN_API_FUZZ_EXAMPLES:-10}" --max-time "${BEIAN_API_FUZZ_SECONDS:-60}" \
    --workers 2 --seed 20261206 --no-color >"$out" 2>&1 || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  local label="${db%%://*}"
  if ! grep -q "Test cases:" "$out"; then
    cat "$out"; echo "api fuzz ($label): schemathesis did not run"; failed=$((failed + 1))
  elif grep -qE "ST101|Server error" "$out"; then
    sed -n '/= FAILURES =/,/= WARNINGS =/p' "$out"
    echo "api fuzz ($label): a request made a server error"; failed=$((failed + 1))
  else
    echo "api fuzz ($label): $(grep -A1 '^Test cases:' "$out" | tail -n1 | xargs), no server error"
    passed=$((passed + 1))
  fi
  rm -rf "$data"
}

fuzz sqlite
if [ -n "${BEIAN_TEST_PG_URL:-}" ]; then
  name="beian_test_apifuzz_$$"
  psql "$BEIAN_TEST_PG_URL" -qc "CREATE DATABASE $name" >/dev/null
  fuzz "${BEIAN_TEST_PG_URL%/*}/$name"
  psql "$BEIAN_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
fi
echo "api fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
