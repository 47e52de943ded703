#!/usr/bin/env bash
# The load and timer benchmarks of BENCHMARKS.md.
#
#   scripts/bench.sh                      # 10 k and 100 k orders, SQLite and PostgreSQL, 10 s per scenario
#   scripts/bench.sh --sizes "10000" --backends sqlite --duration 5
#   scripts/bench.sh --timers "10000 100000"   # N expired SMS rounds: 1 process, and 3 on PostgreSQL
#   scripts/bench.sh --smoke              # CI: 200 orders, 1 s per scenario, debug build
#   scripts/bench.sh --sizes 1000000 --backends sqlite --timers "" --work /var/tmp/beian-bench
#                                         # keep the seeded databases in DIR and reuse them
#   scripts/bench.sh --sizes "" --timers 100000 --timer-runs "sqlite:1 postgres:3"
#   scripts/bench.sh --sizes "" --timers 100000 --timer-runs "sqlite:1 postgres:3" \
#     --recompute 100000 --recompute-runs "sqlite:1 postgres:3"
#                                         # a holiday notice settling N provisional due dates
#                                         # against the timer drain of the same N;
#                                         # --recompute-args "--pg-set enable_nestloop=off"
#                                         # adds options of `beian-bench recompute`
#   BEIAN_PUBLIC_CACHE_MS=0 scripts/bench.sh --only public_by_number,public_by_name ...
#                                         # some scenarios only (the floors always run);
#                                         # here with the public query cache off
#
# Each size gets a fresh database seeded by `beian seed`; `beian-bench load` then starts
# `beian serve` and the floor server on 127.0.0.1 and drives every scenario. Results are
# appended as JSON lines to $OUT/results.jsonl and printed as a table at the end.
# `--recompute N` seeds N orders in authority review on 10 December 2026 (`--profile
# provisional`: due dates counted into the projected 2027), then `beian-bench recompute`
# starts the processes on that day's clock, loads the 2027 notice through the first one and
# times until every due date was counted again; its ratio is to the `--timers` drain of the
# same backend, processes and N in the same invocation.
# PostgreSQL: $BEIAN_BENCH_PG_URL, else $BEIAN_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="10000 100000"
backends="sqlite postgres"
duration=10
concurrency=8
timers="10000"
timer_runs="sqlite:1 postgres:1 postgres:3"
recompute=""
recompute_runs="sqlite:1 postgres:3"
recompute_args=""
profile=release
out=target/bench
keep=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) sizes=200; duration=1; timers=200; profile=dev; out=target/bench-smoke
             recompute=200; recompute_runs="sqlite:1" ;;
    --sizes) sizes=$2; shift ;;
    --backends) backends=$2; shift ;;
    --duration) duration=$2; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --timers) timers=$2; shift ;;
    --timer-runs) timer_runs=$2; shift ;;
    --recompute) recompute=$2; shift ;;
    --recompute-runs) recompute_runs=$2; shift ;;
    --recompute-args) recompute_args=$2; shift ;;
    --work) keep=$2; shift ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

pg_url=${BEIAN_BENCH_PG_URL:-${BEIAN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}}
# One master key for the seeder and every server process on a database (README).
export BEIAN_MASTER_KEY="${BEIAN_MASTER_KEY:-$(printf 'b%.0s' $(seq 1 64))}"
# Binaries land in CARGO_TARGET_DIR when it is set (CI keeps it outside the clone).
target_dir=${CARGO_TARGET_DIR:-target}
if [ "$profile" = release ]; then
  cargo build --release --quiet -p beian -p beian-bench
  bin=$target_dir/release
else
  cargo build --quiet -p beian -p beian-bench
  bin=$target_dir/debug
fi
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"
# --work DIR keeps the load databases (SQLite files, PostgreSQL databases) and reuses a
# database whose seeding finished (DIR/NAME/seeded holds the seeder's summary line).
# A run fires a timer database's deadlines: with --work it runs on a copy of a database
# seeded once (DIR/timerseed_*); without, on a fresh one.
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d /tmp/beian-bench.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi

# fresh_db BACKEND NAME: prints the URL of an empty database.
fresh_db() {
  if [ "$1" = sqlite ]; then
    rm -rf "${work:?}/$2"; mkdir -p "$work/$2"
    echo "sqlite://$work/$2/beian.db?mode=rwc"
  else
    local db="beian_bench_$2"
    psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    psql "$pg_url" -qc "CREATE DATABASE $db" >/dev/null
    echo "$db" >>"$work/.databases"
    echo "${pg_url%/*}/$db"
  fi
}

# db_url BACKEND NAME: the URL of a kept database (no reset).
db_url() {
  if [ "$1" = sqlite ]; then
    echo "sqlite://$work/$2/beian.db?mode=rwc"
  else
    echo "${pg_url%/*}/beian_bench_$2"
  fi
}

# seed N PROFILE URL DIR [ARGS…]: prints the seeder's summary line (also kept in DIR/seeded,
# with the seconds it took); its log on failure. ARGS go to `beian seed`.
seed() {
  local log="$work/seed.log" start=$SECONDS
  mkdir -p "$4"
  if BEIAN_LOG=warn "$bin/beian" seed --filings "$1" --profile "$2" --db "$3" --data-dir "$4" --quiet "${@:5}" >"$log" 2>&1; then
    echo "$(grep -o 'seeded [0-9].*' "$log" | tail -n1) (wall $((SECONDS - start)) s)" | tee "$4/seeded"
  else
    cat "$log" >&2; return 1
  fi
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%FT%TZ)"
for backend in $backends; do
  for n in $sizes; do
    name="${backend}_${n}"
    if [ -n "$keep" ] && [ -s "$work/$name/seeded" ]; then
      url=$(db_url "$backend" "$name")
      echo "==> reusing $n orders ($backend): $(cat "$work/$name/seeded")"
    else
      url=$(fresh_db "$backend" "$name")
      echo "==> seeding $n orders ($backend)"
      seed "$n" mixed "$url" "$work/$name"
    fi
    echo "==> load ($backend, $n)"
    "$bin/beian-bench" load --beian "$bin/beian" --db "$url" --data-dir "$work/$name" \
      --duration "$duration" --concurrency "$concurrency" --label "$backend-$n" --out "$results" \
      ${only:+--only "$only"}
  done
done

# run_db BACKEND NAME SEEDNAME N PROFILE [SEED ARGS…]: sets $url to a database of N orders of
# PROFILE that a run may change. With --work it is a copy of one seeded once per backend and
# size (DIR/SEEDNAME: `cp` of the SQLite file, `CREATE DATABASE … TEMPLATE` on PostgreSQL);
# without, a fresh seed.
run_db() {
  local backend=$1 name=$2 seeded=$3 n=$4 prof=$5
  shift 5
  if [ -n "$keep" ]; then
    if [ ! -s "$work/$seeded/seeded" ]; then
      seed "$n" "$prof" "$(fresh_db "$backend" "$seeded")" "$work/$seeded" "$@"
    else
      echo "reusing: $(cat "$work/$seeded/seeded")"
    fi
    if [ "$backend" = sqlite ]; then
      rm -rf "${work:?}/$name"; mkdir -p "$work/$name"
      cp "$work/$seeded"/beian.db* "$work/$name/"
      url="sqlite://$work/$name/beian.db?mode=rwc"
    else
      psql "$pg_url" -qc "DROP DATABASE IF EXISTS beian_bench_$name WITH (FORCE)" >/dev/null
      psql "$pg_url" -qc "CREATE DATABASE beian_bench_$name TEMPLATE beian_bench_$seeded" >/dev/null
      echo "beian_bench_$name" >>"$work/.databases"
      url="${pg_url%/*}/beian_bench_$name"
    fi
  else
    url=$(fresh_db "$backend" "$name")
    seed "$n" "$prof" "$url" "$work/$name" "$@"
  fi
}

for n in $timers; do
  for run in $timer_runs; do
    set -- ${run/:/ }
    case " $backends " in *" $1 "*) ;; *) continue ;; esac
    name="timers_${1}_${2}_${n}"
    echo "==> timers: $n expired SMS rounds, $2 process(es) on $1"
    run_db "$1" "$name" "timerseed_${1}_${n}" "$n" sms-expired
    "$bin/beian-bench" timers --beian "$bin/beian" --db "$url" --data-dir "$work/$name" \
      --processes "$2" --expect "$n" --label "$1-$2p-$n" --out "$results"
  done
done

# The seeder's clock and the servers' (the notice is loaded two hours after the seed): the
# orders' 20-working-day due dates run into January 2027, a projected year.
failed=""
for n in $recompute; do
  for run in $recompute_runs; do
    set -- ${run/:/ }
    case " $backends " in *" $1 "*) ;; *) continue ;; esac
    name="recompute_${1}_${2}_${n}"
    echo "==> recompute: a notice settling $n provisional due dates, $2 process(es) on $1"
    run_db "$1" "$name" "recomputeseed_${1}_${n}" "$n" provisional \
      --clock-start 2026-12-10T10:00:00+08:00
    # A failed check (an order not recomputed, or twice) still gets its row in the table;
    # the servers' logs are kept in $out (the next run of the same name replaces the copy).
    if ! "$bin/beian-bench" recompute --beian "$bin/beian" --db "$url" --data-dir "$work/$name" \
      --processes "$2" --expect "$n" --clock-start 2026-12-10T12:00:00+08:00 \
      --label "$1-$2p-$n" --out "$results" $recompute_args; then
      failed="$failed recompute:$1-$2p-$n"
      mkdir -p "$out/$name-logs" && cp "$work/$name"/bench-recompute-*.log "$out/$name-logs/" || true
    fi
  done
done
# Drop the PostgreSQL databases this run created (never another run's): all of them,
# or with --work only the run copies (the seeded ones are kept for the next run).
if [ -s "$work/.databases" ]; then
  sort -u "$work/.databases" | while read -r db; do
    case "$db" in beian_bench_timers_*|beian_bench_recompute_*) ;; *) [ -n "$keep" ] && continue ;; esac
    psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  done
  [ -n "$keep" ] || rm -f "$work/.databases"
fi

python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| run | scenario | req/s | p50 ms | p99 ms | × floor | ok | failed |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    if r["scenario"] in ("timers", "recompute"):
        continue
    ratio = "" if r.get("ratio") is None else f"{r['ratio']:.3f}"
    print(f"| {r['label']} | {r['scenario']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {ratio} | {r['ok']} | {r['failed']} |")
rss = {}
for r in rows:
    if "peak_rss_kib" in r and r["scenario"] not in ("timers", "recompute"):
        rss[r["label"]] = r["peak_rss_kib"]
for label, kib in rss.items():
    print(f"peak RSS {label}: {kib // 1024} MiB")
t = [r for r in rows if r["scenario"] == "timers"]
if t:
    print()
    print("| timers | processes | due | fired | fired twice | seconds | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in t:
        print(f"| {r['label']} | {r['processes']} | {r['expect']} | {r['fired']} | {r['twice']} | {r['secs']:.1f} | {r['peak_rss_kib'] // 1024} |")
c = [r for r in rows if r["scenario"] == "recompute"]
if c:
    # The baseline: the timer drain of the same backend, processes and N (same label).
    # Seconds run from the notice until no due date is provisional; "timers left" are
    # recompute timers still in the table then (orphans of orders already recomputed).
    drain = {r["label"]: r["secs"] for r in t}
    print()
    print("| recompute | processes | provisional | seconds | × timer drain | recomputed | recomputed twice | timers left | notice request s | in request | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in c:
        base = drain.get(r["label"])
        ratio = "" if base is None else f"{r['secs'] / max(base, 1e-9):.2f}"
        secs = f"{r['secs']:.1f}"
        if r.get("stalled"):
            secs, ratio = f"> {secs} (timed out)", ratio and f"> {ratio}"
        if r.get("pg_set"):
            secs += " (" + ", ".join(r["pg_set"]) + ")"
        print(f"| {r['label']} | {r['processes']} | {r['expect']} | {secs} | {ratio} | {r['recomputed']} | {r['twice']} | {r['timers_left']} | {r['post_secs']:.2f} | {r['in_request']} | {r['peak_rss_kib'] // 1024} |")
EOF
if [ -n "$failed" ]; then
  echo "bench: FAILED:$failed" >&2
  exit 1
fi
echo "bench: ok"
