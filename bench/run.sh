#!/usr/bin/env bash
# roster's benchmark: generate snapshots, time the parse floor, `roster plan`, `roster
# offboard` of 1% of the users and the same core rules in DuckDB, then write
# BENCHMARKS.md; then bench/tenants.sh times the multi-tenant runner. Run from anywhere: `bash bench/run.sh` (full, about 10 minutes on 2
# cores), or `bash bench/run.sh --smoke` (a small size, one run, no BENCHMARKS.md: CI
# checks the script works).
#
# Environment: RUNS (default 5, the median is reported), SHAPES (default
# "chain:2000 chain:20000 peers:10000 peers:100000"), SIZES (default
# "100000:1000000 1000000:10000000", users:records), WORK (default /tmp/roster-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
RUNS=${RUNS:-5}
SIZES=${SIZES:-"100000:1000000 1000000:10000000"}
WORK=${WORK:-/tmp/roster-bench}
if [ "$smoke" = 1 ]; then RUNS=1; SIZES="20000:200000"; WORK="$WORK-smoke"; fi
mkdir -p "$WORK"

echo "== building (release)"
cargo build --release --quiet --bin roster --example csv_floor
ROSTER=target/release/roster
FLOOR=target/release/examples/csv_floor

duckdb_ok=0
if [ "$smoke" = 0 ]; then
  if python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb >/dev/null 2>&1; then
    python3 -c "import duckdb" 2>/dev/null && duckdb_ok=1
  fi
  [ "$duckdb_ok" = 1 ] || echo "DuckDB is not installed (pip install duckdb): skipping the DuckDB step"
fi

# measure CMD...: runs CMD once to warm up, then $RUNS times; prints "median_seconds peak_rss_kb
# median_cpu_seconds" (CPU = user + system time of all threads).
measure() {
  local times=() cpus=() rss=0
  # One warm-up run, not counted: on a virtual machine the first run after a pause pays
  # for the host handing memory back to the guest.
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || { cat "$WORK/time.txt" >&2; exit 1; }
    local t r c
    t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    c=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s+=$2} END {print s}' "$WORK/time.txt")
    times+=("$t"); cpus+=("$c"); [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$(median "${times[@]}") $rss $(median "${cpus[@]}")"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

rows=()
for size in $SIZES; do
  users=${size%%:*}; records=${size##*:}
  dir="$WORK/s-$users-$records"
  if [ ! -f "$dir/records.csv" ]; then
    echo "== generating $users users, $records records"
    "$ROSTER" generate --users "$users" --records "$records" --seed 1 --out "$dir"
  fi
  input_kb=$(du -k -c "$dir"/users.csv "$dir"/teams.csv "$dir"/records.csv | tail -1 | cut -f1)
  echo "== $users users / $records records ($((input_kb / 1024)) MB of CSV)"
  cat "$dir"/*.csv > /dev/null # warm the page cache for every contender alike
  read -r floor_t floor_m _ < <(measure "$FLOOR" "$dir")
  read -r plan_t plan_m plan_c < <(measure "$ROSTER" plan --policy policies/default.toml --snapshot "$dir" --out "$WORK/plan.json")
  read -r off_t off_m _ < <(measure "$ROSTER" offboard --policy policies/default.toml --snapshot "$dir" --actor u0000001 --requests "$dir/leavers.csv" --out "$WORK/offboard.json")
  duck_t="-"; duck_m="-"; duck_c="-"
  if [ "$duckdb_ok" = 1 ]; then
    read -r duck_t duck_m duck_c < <(measure python3 bench/duckdb_plan.py "$dir" "$WORK/duckdb-out")
  fi
  echo "   floor ${floor_t}s, plan ${plan_t}s (${plan_m} KB), offboard ${off_t}s, duckdb ${duck_t}s"
  rows+=("$users $records $input_kb $floor_t $floor_m $plan_t $plan_m $off_t $off_m $duck_t $duck_m $plan_c $duck_c")
done

# The shapes whose cost once grew with the square of their size (bench/shapes.py): a chain
# of leavers each reporting to the next, and least_loaded_peer in one very large team.
# Each at two sizes, 10x apart, so the growth of time and output shows.
SHAPES=${SHAPES:-"chain:2000 chain:20000 peers:10000 peers:100000"}
[ "$smoke" = 1 ] && SHAPES="chain:2000 peers:10000"
shape_rows=()
for shape in $SHAPES; do
  kind=${shape%%:*}; n=${shape##*:}
  dir="$WORK/shape-$kind-$n"
  [ -f "$dir/users.csv" ] || python3 bench/shapes.py "$kind" "$dir" "$n"
  leavers=$(($(wc -l < "$dir/leavers.csv") - 1))
  read -r t m _ < <(measure "$ROSTER" offboard --policy "$dir/policy.toml" --snapshot "$dir" --actor u0 --requests "$dir/leavers.csv" --out "$WORK/shape.json")
  out_kb=$(du -k "$WORK/shape.json" | cut -f1)
  echo "   $kind $n: ${t}s, ${out_kb} KB of plan for $leavers leavers"
  shape_rows+=("$kind:$n:$leavers:$t:$m:$out_kb")
done

if [ "$smoke" = 1 ]; then
  ROSTER="$ROSTER" WORK="$WORK" bash bench/tenants.sh --smoke
  ROSTER="$ROSTER" WORK="$WORK" bash bench/directory.sh --smoke
  echo "smoke benchmark ran: ${rows[*]} ${shape_rows[*]}"
  exit 0
fi

SHAPE_ROWS="${shape_rows[*]}" python3 - "$RUNS" "${rows[@]}" <<'PY'
import os, platform, subprocess, sys, datetime
runs, rows = sys.argv[1], [r.split() for r in sys.argv[2:]]
shape_rows = [r.split(":") for r in os.environ.get("SHAPE_ROWS", "").split()]
def f(x): return None if x == "-" else float(x)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem_kb = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
out = ["# Benchmarks", "",
       "Written by `bench/run.sh` (do not edit by hand; run it again to refresh).", "",
       f"- Machine: {os.cpu_count()} cores ({cpu}), {mem_kb // 1024 // 1024} GiB of memory; {rustc}; {datetime.date.today()}.",
       f"- Each time is the median of {runs} runs after one warm-up run (wall clock, `/usr/bin/time -v`); memory is the peak resident set size of the runs.",
       "- Snapshots come from `roster generate --seed 1` (users.csv, teams.csv, records.csv); the page cache is warm for every contender.",
       "- **floor**: `bench/floor.rs`, which only reads and splits the CSV files with the `csv` crate (byte records, no conversions), on one thread.",
       "- **plan**: `roster plan --policy policies/default.toml --out plan.json`.",
       "- **offboard**: `roster offboard` of 1% of the users through the bulk sheet `leavers.csv`.",
       "- **DuckDB**: `bench/duckdb_plan.py`, the core rules (idle, expired invites, seats, open records of idle users by manager) as one SQL script.",
       "", "| users | records | CSV MB | floor s | plan s | plan / floor | plan peak MB | plan peak / input | offboard s | offboard / floor | DuckDB s | plan / DuckDB |",
       "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
cpu_rows = []
for u, r, kb, ft, fm, pt, pm, ot, om, dt, dm, pc, dc in rows:
    ft, pt, ot, dt, pc, dc = f(ft), f(pt), f(ot), f(dt), f(pc), f(dc)
    cpu_rows.append(f"| {int(u):,} | {int(r):,} | {pc:.2f} | " + (f"{dc:.2f} | {pc/dc:.2f}x |" if dc else "- | - |"))
    out.append(f"| {int(u):,} | {int(r):,} | {int(kb)/1024:.0f} | {ft:.2f} | {pt:.2f} | {pt/ft:.1f}x | {int(pm)/1024:.0f} | {int(pm)/int(kb):.2f}x | {ot:.2f} | {ot/ft:.1f}x | "
               + (f"{dt:.2f} | {pt/dt:.2f}x |" if dt else "- | - |"))
if len(rows) >= 2:
    small, big = rows[0], rows[-1]
    out += ["", f"Growth from {int(small[0]):,} to {int(big[0]):,} users: plan time x{f(big[5])/f(small[5]):.1f}, "
            f"offboard time x{f(big[7])/f(small[7]):.1f}, plan CPU time x{f(big[11])/f(small[11]):.1f}, input x{int(big[2])/int(small[2]):.1f}."]
out += ["", "CPU time (user + system, all threads; median of the same runs). On a virtual machine the system time of",
        "the first touch of fresh memory varies from run to run far more than the user time does; this table shows the work done:",
        "", "| users | records | plan CPU s | DuckDB CPU s | plan / DuckDB |", "|---:|---:|---:|---:|---:|"] + cpu_rows
big = rows[-1]
_, _, kb, ft, fm, pt, pm, ot, om, dt, dm, pc, dc = big
ft, pt, ot, dt = f(ft), f(pt), f(ot), f(dt)
def verdict(value, target, unit="x"):
    return "met" if value <= target else f"missed by {value / target:.1f}x"
targets = [
    ("plan / floor", f"{pt/ft:.1f}x", "at most 2x", verdict(pt / ft, 2.0)),
    ("offboard / floor", f"{ot/ft:.1f}x", "at most 1.5x", verdict(ot / ft, 1.5)),
    ("plan peak memory / input", f"{int(pm)/int(kb):.2f}x", "at most 1.0x", verdict(int(pm) / int(kb), 1.0)),
]
if dt:
    targets.append(("plan / DuckDB", f"{pt/dt:.2f}x", "at most 0.5x", verdict(pt / dt, 0.5)))
if len(rows) >= 2:
    g = f(big[5]) / f(rows[0][5])
    targets.append(("time growth for 10x the data", f"{g:.1f}x", "at most 11x", verdict(g, 11.0)))
out += ["", f"Targets, at {int(big[0]):,} users / {int(big[1]):,} records:", "",
        "| measure | measured | target | verdict |", "|---|---:|---:|---|"]
out += [f"| {m} | {v} | {t} | {d} |" for m, v, t, d in targets]
if shape_rows:
    names = {"chain": "chain of leavers, each reporting to the next", "peers": "least_loaded_peer in one team"}
    out += ["", "Shapes whose cost must stay linear (`bench/shapes.py`; `roster offboard` of every leaver through a bulk sheet):", "",
            "| shape | users | leavers | wall s | peak MB | plan KB | plan bytes per leaver |", "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, n, leavers, t, m, kb in shape_rows:
        out.append(f"| {names[kind]} | {int(n):,} | {int(leavers):,} | {float(t):.2f} | {int(m)/1024:.0f} | {int(kb):,} | {int(kb)*1024//max(int(leavers),1):,} |")
    shape_targets = []
    for kind in names:
        sized = sorted((int(n), float(t), int(kb)) for k, n, _, t, _, kb in shape_rows if k == kind)
        if len(sized) >= 2:
            (n0, t0, k0), (n1, t1, k1) = sized[0], sized[-1]
            shape_targets.append((f"{names[kind]}, {n1:,} users: wall", f"{t1:.2f} s", "at most 2 s", verdict(t1, 2.0)))
            shape_targets.append((f"{names[kind]}: plan growth for {n1 // n0}x the users", f"{k1 / k0:.1f}x", f"at most {n1 // n0 * 1.1:.0f}x", verdict(k1 / k0, n1 / n0 * 1.1)))
    out += ["", "| measure | measured | target | verdict |", "|---|---:|---:|---|"]
    out += [f"| {m} | {v} | {t} | {d} |" for m, v, t, d in shape_targets]
out += ["", "What bounds each missed target, and the order of the remaining work: [docs/performance.md](docs/performance.md).", "",
        "Reproduce: `bash bench/run.sh` (set `RUNS`, `SIZES` or `WORK` to change the defaults)."]
open("BENCHMARKS.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY

# The multi-tenant runner against a loop of single runs (its own section of BENCHMARKS.md).
ROSTER="$ROSTER" WORK="$WORK" bash bench/tenants.sh

# The plan reconciled with a directory against the plain plan (its own section too).
ROSTER="$ROSTER" WORK="$WORK" RUNS="$RUNS" bash bench/directory.sh
