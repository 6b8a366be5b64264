#!/usr/bin/env bash
# The multi-tenant runner against the loop a vendor would write instead, and one large
# account against the same data cut into many tenants. Called by bench/run.sh (which sets
# ROSTER, WORK and RUNS); writes $WORK/tenants.txt, the rows bench/run.sh puts into
# BENCHMARKS.md. Standalone: `bash bench/tenants.sh` (release build, full sizes), or
# `bash bench/tenants.sh --smoke` (100 tenants, one run).
#
#   1. TENANTS tenants of 100 users (1,000 records each; generated with their own seed):
#      `roster plan --tenants` once, against a shell loop of one `roster plan` a tenant.
#   2. One tenant of SPLIT_USERS users against the same number of users cut into 100
#      tenants, both through `roster plan --tenants`.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
RUNS=${RUNS:-3}
WORK=${WORK:-/tmp/roster-bench}
TENANTS=${TENANTS:-10000}
SPLIT_USERS=${SPLIT_USERS:-1000000}
if [ "$smoke" = 1 ]; then RUNS=1; TENANTS=100; SPLIT_USERS=20000; WORK="$WORK-smoke"; fi
if [ -z "${ROSTER:-}" ]; then
  cargo build --release --quiet --bin roster
  ROSTER=target/release/roster
fi
ROSTER="$(cd "$(dirname "$ROSTER")" && pwd)/$(basename "$ROSTER")"
mkdir -p "$WORK"
policy="$(pwd)/policies/default.toml"

# wall and section.
source bench/common.sh

# generate DIR N USERS RECORDS: N snapshots DIR/t<i> and DIR/tenants.toml listing them.
generate() {
  local dir="$1" n="$2" users="$3" records="$4"
  if [ ! -f "$dir/tenants.toml" ]; then
    echo "== generating $n tenants of $users users"
    mkdir -p "$dir"
    seq 1 "$n" | xargs -P "$(nproc)" -I{} "$ROSTER" generate --users "$users" --records "$records" --seed {} --out "$dir/t{}" >/dev/null
    { echo "policy = \"$policy\""; echo; echo "[[tenant]]"; echo "glob = \"t*\""; } > "$dir/tenants.toml.tmp"
    mv "$dir/tenants.toml.tmp" "$dir/tenants.toml"
  fi
}

many="$WORK/tenants-$TENANTS"
generate "$many" "$TENANTS" 100 1000
echo "== $TENANTS tenants of 100 users: the runner"
read -r runner_t runner_m < <(wall "$ROSTER" plan --tenants "$many/tenants.toml" --out-dir "$WORK/tenants-out")
cat > "$WORK/tenants-loop.sh" <<LOOP
for d in "$many"/t*/; do
  id=\$(basename "\$d"); mkdir -p "$WORK/loop-out/\$id"
  "$ROSTER" plan --policy "$policy" --snapshot "\$d" --out "$WORK/loop-out/\$id/plan.json" || true
done
LOOP
echo "== $TENANTS tenants of 100 users: a loop of single runs"
loop_runs=1
read -r loop_t loop_m < <(RUNS=1 wall bash "$WORK/tenants-loop.sh")
# The runner's plans are the loop's, byte for byte.
diff -r -q -x summary.json -x summary.md "$WORK/tenants-out" "$WORK/loop-out" >/dev/null ||
  { echo "error: the runner's plans differ from the loop's"; exit 1; }
echo "   runner ${runner_t}s, loop ${loop_t}s"

big_users=$SPLIT_USERS
small_users=$((SPLIT_USERS / 100))
one="$WORK/split-1x$big_users"
split="$WORK/split-100x$small_users"
generate "$one" 1 "$big_users" $((big_users * 10))
generate "$split" 100 "$small_users" $((small_users * 10))
echo "== one tenant of $big_users users, and the same users as 100 tenants"
read -r one_t one_m < <(wall "$ROSTER" plan --tenants "$one/tenants.toml" --out-dir "$WORK/split-one-out")
read -r split_t split_m < <(wall "$ROSTER" plan --tenants "$split/tenants.toml" --out-dir "$WORK/split-many-out")
echo "   1 x $big_users: ${one_t}s (${one_m} KB), 100 x $small_users: ${split_t}s (${split_m} KB)"
echo "$TENANTS $runner_t $runner_m $loop_t $loop_runs $big_users $one_t $one_m $small_users $split_t $split_m $RUNS" > "$WORK/tenants.txt"

[ "$smoke" = 1 ] && { echo "smoke tenants benchmark ran: $(cat "$WORK/tenants.txt")"; exit 0; }

# The section of BENCHMARKS.md between the tenants markers is this script's; the rest is
# bench/run.sh's.
python3 - "$WORK/tenants.txt" <<'PY' | section tenants
import sys
n, rt, rm, lt, lruns, bu, ot, om, su, st, sm, runs = open(sys.argv[1]).read().split()
n, bu, su = int(n), int(bu), int(su)
rt, lt, ot, st = float(rt), float(lt), float(ot), float(st)
ratio = lt / rt
lines = ["<!-- tenants: written by bench/tenants.sh -->", "",
         "## Many tenants (`roster plan --tenants`)", "",
         f"- {n:,} tenants of 100 users and 1,000 records each (`roster generate --seed i`), all under `policies/default.toml`.",
         f"- **runner**: one `roster plan --tenants tenants.toml --out-dir out` (median of {runs} runs after a warm-up run).",
         f"- **loop**: a shell loop of one `roster plan --policy ... --snapshot ... --out plan.json` a tenant (one run after a warm-up run); the two write the same plans, byte for byte (checked).", "",
         "| tenants | runner s | runner peak MB | loop s | loop / runner | target |",
         "|---:|---:|---:|---:|---:|---|",
         f"| {n:,} | {rt:.2f} | {int(rm)/1024:.0f} | {lt:.2f} | {ratio:.1f}x | at least 10x: {'met' if ratio >= 10 else f'missed ({ratio:.1f}x)'} |", "",
         f"The same {bu:,} users (and {bu*10:,} records) as one tenant, and cut into 100 tenants of {su:,} users, both through the runner:", "",
         "| tenants | users each | wall s | peak MB |", "|---:|---:|---:|---:|",
         f"| 1 | {bu:,} | {ot:.2f} | {int(om)/1024:.0f} |",
         f"| 100 | {su:,} | {st:.2f} | {int(sm)/1024:.0f} |", "",
         "<!-- /tenants -->"]
print("\n".join(lines))
PY
