#!/usr/bin/env bash
# Runs the precheck benchmark (crates/beian-domain/benches/precheck.rs) and prints ns per
# call with the ratio to the baseline measured in the same run (serde_json::to_string of
# the same document; see the bench's header for why). Extra arguments go to criterion,
# e.g. `scripts/bench-precheck.sh --quick`. Not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench -p beian-domain --bench precheck -- "$@"

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
python3 - "$target_dir/criterion/precheck" <<'EOF'
import json, os, sys

root = sys.argv[1]
baseline = "baseline_document_to_json"
order = [
    baseline,
    "validate_enterprise_document",
    "resident_id_parse",
    "credit_code_parse",
    "mobile_parse",
    "email_parse",
    "filing_number_parse",
    "add_working_days_20",
]

def ns(name):
    with open(os.path.join(root, name, "new", "estimates.json")) as f:
        e = json.load(f)
    # The slope of time over iterations is criterion's headline figure when it has one.
    return (e.get("slope") or e["mean"])["point_estimate"]

base = ns(baseline)
print()
print(f"| {'benchmark':<30} | {'ns/call':>10} | {'× baseline':>10} |")
print(f"|{'-' * 32}|{'-' * 11}:|{'-' * 11}:|")
for name in order:
    t = ns(name)
    print(f"| {name:<30} | {t:>10.1f} | {t / base:>10.3f} |")
EOF
