#!/usr/bin/env bash
# The nightly plan reconciled with a directory (`roster plan --directory`) against the
# plain plan of the same snapshot. Called by bench/run.sh (which sets ROSTER, WORK and
# RUNS); writes its own section of BENCHMARKS.md. Standalone: `bash bench/directory.sh`
# (release build, 1,000,000 users and people), or `bash bench/directory.sh --smoke`
# (20,000, one run, BENCHMARKS.md untouched).
#
# The snapshot and its HR export come from `roster generate --directory`: one person a
# user, about 1% terminated, 1% leaving within a month (or gone within ten days), 0.5%
# absent, 0.5% with another manager and 0.5% another department, under the headers that
# policies/directory.toml maps. Both plans run under policies/directory.toml (the default
# policy's rules, plus [directory]): without --directory it is the plain plan.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/roster-bench}
USERS=${USERS:-1000000}
if [ "$smoke" = 1 ]; then RUNS=1; USERS=20000; WORK="$WORK-smoke"; fi
if [ -z "${ROSTER:-}" ]; then
  cargo build --release --quiet --bin roster
  ROSTER=target/release/roster
fi
mkdir -p "$WORK"
policy=policies/directory.toml
dir="$WORK/directory-$USERS"
if [ ! -f "$dir/directory.csv" ]; then
  echo "== generating $USERS users and their HR export"
  "$ROSTER" generate --users "$USERS" --records $((USERS * 10)) --seed 1 --directory --out "$dir" >/dev/null
fi

# wall and section.
source bench/common.sh

cat "$dir"/*.csv > /dev/null # warm the page cache for both alike
echo "== $USERS users: the plain plan, and the plan reconciled with $USERS people"
read -r plain_t plain_m < <(wall "$ROSTER" plan --policy "$policy" --snapshot "$dir" --out "$WORK/directory-plain.json")
read -r dir_t dir_m < <(wall "$ROSTER" plan --policy "$policy" --snapshot "$dir" --directory "$dir/directory.csv" --out "$WORK/directory-plan.json")
people=$(($(wc -l < "$dir/directory.csv") - 1))
counts=$(python3 - "$WORK/directory-plain.json" "$WORK/directory-plan.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
codes = ("undeprovisioned", "unmatched_account", "leave_date", "manager_mismatch", "moved", "rehired", "ambiguous_match")
found = sum(1 for f in b["findings"] if f["code"] in codes)
off = len(b["summary"]["offboarded"]) - len(a["summary"]["offboarded"])
print(found, off)
PY
)
read -r found offboarded <<< "$counts"
echo "   plain ${plain_t}s, reconciled ${dir_t}s; $found directory findings, $offboarded more offboardings"
[ "$smoke" = 1 ] && exit 0

python3 - "$USERS" "$people" "$plain_t" "$plain_m" "$dir_t" "$dir_m" "$found" "$offboarded" "$RUNS" <<'PY' | section directory
import sys
users, people, pt, pm, dt, dm, found, off, runs = sys.argv[1:]
users, people, found, off = int(users), int(people), int(found), int(off)
pt, dt = float(pt), float(dt)
ratio = dt / pt
verdict = "met" if ratio <= 1.5 else f"missed by {ratio / 1.5:.1f}x"
lines = ["<!-- directory: written by bench/directory.sh -->", "",
         "## Reconciling with a directory (`roster plan --directory`)", "",
         f"- `roster generate --users {users:,} --records {users*10:,} --seed 1 --directory`: the snapshot and an HR export of {people:,} people "
         "(about 1% terminated, 1% leaving within a month or gone within ten days, 0.5% absent, 0.5% with another manager, 0.5% another department).",
         f"- Both runs use `policies/directory.toml` (the default rules plus `[directory]`: match by e-mail then employee number, leavers offboarded a week after their leave date, the directory's managers win); median of {runs} runs after a warm-up run.",
         f"- The reconciled plan holds {found:,} directory findings and {off:,} more offboardings than the plain one.", "",
         "| users | people | plain plan s | plain peak MB | reconciled plan s | reconciled peak MB | reconciled / plain | target |",
         "|---:|---:|---:|---:|---:|---:|---:|---|",
         f"| {users:,} | {people:,} | {pt:.2f} | {int(pm)/1024:.0f} | {dt:.2f} | {int(dm)/1024:.0f} | {ratio:.2f}x | at most 1.5x: {verdict} |", "",
         "<!-- /directory -->"]
print("\n".join(lines))
PY
