#!/usr/bin/env bash
# Browser tests: installs Debian's chromium and Node.js when missing, builds the
# server, and runs ui-tests/ (Playwright driving headless Chromium). Prints the
# node test runner's summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
need=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo build --quiet -p beian
export BEIAN_BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/beian"
[[ "${CARGO_TARGET_DIR:-}" = /* ]] && export BEIAN_BIN="$CARGO_TARGET_DIR/debug/beian"
# Sample uploads that pass the photo checks, the face one from a real photograph
# (Debian python3-skimage, see scripts/test-assets.sh).
export BEIAN_SAMPLES="${CARGO_TARGET_DIR:-$(pwd)/target}/ui-samples"
"$BEIAN_BIN" sample-images "$BEIAN_SAMPLES" "$(bash scripts/test-assets.sh)"
(cd ui-tests && npm ci --no-audit --no-fund --silent)
# The flow runs on the eve of the 2027 Spring Festival, inside a year without a notice
# (domain.md §11.4); BEIAN_UI_CLOCK_START="" runs it on the real clock instead.
export BEIAN_UI_CLOCK_START="${BEIAN_UI_CLOCK_START-2027-02-04T10:00:00+08:00}"
rm -rf test-artifacts/screenshots
node --test --test-reporter=spec ui-tests/
