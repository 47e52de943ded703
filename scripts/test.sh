#!/usr/bin/env bash
# The one test command of the README: installs what the tests need when it is
# missing (a PostgreSQL server, an S3 server), then runs formatting, lints, and every test:
# unit, integration (SQLite and PostgreSQL), and the multi-process PostgreSQL
# tests, the browser tests, schemathesis against the OpenAPI document, fuzzing and a
# benchmark smoke run. It never skips a suite: a missing dependency is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# PostgreSQL for the tests. BEIAN_TEST_PG_URL may point at any server where the
# user can create databases; otherwise a local server on 127.0.0.1:5432 with
# trust auth is used, and when there is none a private one is started.
pg_ok() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

start_private_pg() {
  local port=54329 dir=/tmp/beian-test-pg
  if pg_ok "postgres://postgres@127.0.0.1:$port/postgres"; then
    export BEIAN_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"; return
  fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing PostgreSQL (Debian package postgresql)"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-client >/dev/null
  fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  log "starting a private PostgreSQL on port $port ($bin)"
  local run_as=()
  if [ "$(id -u)" -eq 0 ]; then run_as=(su postgres -s /bin/sh -c); else run_as=(sh -c); fi
  rm -rf "$dir"; mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  "${run_as[@]}" "$bin/initdb -D $dir/data -U postgres --auth=trust >/dev/null"
  "${run_as[@]}" "$bin/pg_ctl -D $dir/data -l $dir/log -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300' -w start >/dev/null"
  export BEIAN_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

if ! command -v psql >/dev/null 2>&1; then
  log "installing the PostgreSQL client"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql-client >/dev/null
fi
if [ -z "${BEIAN_TEST_PG_URL:-}" ]; then
  if pg_ok "postgres://postgres@127.0.0.1:5432/postgres"; then
    export BEIAN_TEST_PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    start_private_pg
  fi
fi
pg_ok "$BEIAN_TEST_PG_URL" || { echo "PostgreSQL at $BEIAN_TEST_PG_URL is not reachable" >&2; exit 1; }
log "PostgreSQL for tests: $BEIAN_TEST_PG_URL"
# Databases left by earlier runs (each test makes its own) are dropped first.
psql "$BEIAN_TEST_PG_URL" -Atqc "select datname from pg_database where datname ~ '^beian_(test|store|scale)_'" \
  | while read -r db; do psql "$BEIAN_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done

# An S3-protocol server for the shared-bucket test: moto's server (PyPI), started here.
# BEIAN_TEST_S3_URL may point at any S3-compatible server that creates buckets on PUT.
s3_ok() { curl -s -o /dev/null --max-time 2 "$1"; }
if [ -z "${BEIAN_TEST_S3_URL:-}" ]; then
  s3_url=http://127.0.0.1:54330
  if ! s3_ok "$s3_url"; then
    moto_venv="${CARGO_TARGET_DIR:-$(pwd)/target}/moto-5.2.1"
    if [ ! -x "$moto_venv/bin/moto_server" ]; then
      log "installing moto[server] 5.2.1 (PyPI) into $moto_venv"
      python3 -m venv "$moto_venv"
      "$moto_venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
    fi
    (nohup "$moto_venv/bin/moto_server" -H 127.0.0.1 -p 54330 >/tmp/beian-test-moto.log 2>&1 &)
    for _ in $(seq 1 100); do s3_ok "$s3_url" && break; sleep 0.2; done
  fi
  export BEIAN_TEST_S3_URL=$s3_url
fi
s3_ok "$BEIAN_TEST_S3_URL" || { echo "S3 server at $BEIAN_TEST_S3_URL is not reachable" >&2; exit 1; }
log "S3 for tests: $BEIAN_TEST_S3_URL"

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
# A real face photograph for the face-verification tests (Debian python3-skimage).
export BEIAN_FACE_SAMPLE="$(bash scripts/test-assets.sh)"
log "face sample: $BEIAN_FACE_SAMPLE"

# Platform documents: a CJK font to render PDFs with (and to draw the test certificates),
# and poppler's pdftotext / pdfimages to read them back. The tests fail, never skip, without them.
pdf_need=()
command -v pdftotext >/dev/null 2>&1 || pdf_need+=(poppler-utils)
[ -n "${BEIAN_PDF_FONT:-}" ] || [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || pdf_need+=(fonts-wqy-microhei)
# Certificate photos are read by tesseract's CLI with the Simplified Chinese model (the
# OCR tests fail without it; the server itself starts without and reads nothing).
command -v tesseract >/dev/null 2>&1 || pdf_need+=(tesseract-ocr)
{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; } || pdf_need+=(tesseract-ocr-chi-sim)
if [ ${#pdf_need[@]} -gt 0 ]; then
  log "installing ${pdf_need[*]} (Debian packages)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${pdf_need[@]}" >/dev/null
fi

log "cargo test (unit, integration on SQLite and PostgreSQL, multi-process)"
out=$(mktemp)
status=0
cargo test --workspace --quiet 2>&1 | tee "$out" || status=$?
# One closing line for the whole run: cargo prints one result per test binary.
passed=$(grep -Eo '[0-9]+ passed' "$out" | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$out" | awk '{s+=$1} END {print s+0}')
rm -f "$out"
if [ "$status" -eq 0 ]; then
  log "README curl walk-through"
  command -v jq >/dev/null 2>&1 || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"; $sudo_cmd apt-get update -qq; $sudo_cmd apt-get install -y -qq jq >/dev/null; }
  if bash scripts/readme-walkthrough.sh >/dev/null; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
fi
# --- browser tests (headless Chromium; screenshots in test-artifacts/screenshots) ---
log "browser tests"
ui_out=$(mktemp)
bash scripts/ui-tests.sh 2>&1 | tee "$ui_out" || status=1
ui_pass=$(grep -Eo '(ℹ|#) pass [0-9]+' "$ui_out" | grep -Eo '[0-9]+$' | tail -n1)
ui_fail=$(grep -Eo '(ℹ|#) fail [0-9]+' "$ui_out" | grep -Eo '[0-9]+$' | tail -n1)
rm -f "$ui_out"
if [ -z "$ui_pass" ]; then echo "browser tests did not run" >&2; status=1; failed=$((failed + 1)); fi
passed=$((passed + ${ui_pass:-0})); failed=$((failed + ${ui_fail:-0}))
# --- end of browser tests ---
# Runs `bash <script>` and adds the "<prefix>: N passed[, M failed]" line it ends with to
# the totals; a run that prints no such line fails as "<name> did not run".
run_counted() {
  local script=$1 prefix=$2 name=$3 out pass fail
  out=$(mktemp)
  bash "$script" 2>&1 | tee "$out" || status=1
  pass=$(grep -Eo "^$prefix: [0-9]+ passed" "$out" | grep -Eo '[0-9]+' || true)
  fail=$(grep -Eo "^$prefix: [0-9]+ passed, [0-9]+ failed" "$out" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || true)
  rm -f "$out"
  if [ -z "$pass" ]; then echo "$name did not run" >&2; status=1; failed=$((failed + 1)); fi
  passed=$((passed + ${pass:-0})); failed=$((failed + ${fail:-0}))
}
# --- API property tests (schemathesis against openapi.json: no request makes a 5xx) ---
if [ "$status" -eq 0 ]; then
  log "API property tests (schemathesis, SQLite and PostgreSQL)"
  run_counted scripts/api-fuzz.sh "api fuzz" "API property tests"
fi
# --- end of API property tests ---
# --- fuzzing (cargo-fuzz on stable; scripts/fuzz.sh, a few seconds per target) ---
if [ "$status" -eq 0 ]; then
  log "fuzzing every parser and the document precheck"
  run_counted scripts/fuzz.sh fuzz fuzzing
fi
# --- end of fuzzing ---
# --- bench smoke (the seeder and scripts/bench.sh on ~200 orders, ~1 s per scenario) ---
if [ "$status" -eq 0 ]; then
  log "bench smoke"
  if bash scripts/bench.sh --smoke >target/bench-smoke.log 2>&1; then
    passed=$((passed + 1))
  else
    tail -n 40 target/bench-smoke.log >&2
    echo "bench smoke FAILED (full log: target/bench-smoke.log)" >&2
    failed=$((failed + 1)); status=1
  fi
fi
# --- end of bench smoke ---
echo
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran: treating as a failure" >&2
  status=1
fi
echo "tests: $passed passed, $failed failed"
exit "$status"
