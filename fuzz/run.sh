#!/usr/bin/env bash
# Runs every fuzz target (or those named) for a fixed budget on one core, starting from
# the committed seeds, and prints one summary line per target.
#
#   fuzz/run.sh                 # every target, 300 s each
#   BUDGET=60 fuzz/run.sh policy requests
#   BUDGET=30 STRICT=1 fuzz/run.sh   # CI: exit 1 if any target crashed, hung or ran out of memory
#
# The working corpus is fuzz/corpus/<target>/ (ignored by git): the seeds are copied into
# it first, and what the fuzzer adds stays there for the next run. Crashes go to
# fuzz/artifacts/<target>/ and the full log to fuzz/logs/<target>.log (ignored too).
set -euo pipefail
cd "$(dirname "$0")"
BUDGET=${BUDGET:-300}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(csv_snapshot json_snapshot scim_snapshot policy requests plan_run directory)
fi
# One core: the engine's rayon pool gets one thread, libFuzzer one process.
export RAYON_NUM_THREADS=1
mkdir -p logs
if ! cargo +nightly fuzz build -s none >logs/build.log 2>&1; then
    tail -30 logs/build.log
    echo "the fuzz targets do not build (fuzz/logs/build.log)"
    exit 1
fi
failed=0
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    set +e
    # -fork=1: one child process at a time (one core) that is restarted after a crash,
    # timeout or OOM, so the whole budget is used and every distinct crash is kept.
    cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$BUDGET" -timeout=10 -rss_limit_mb=4096 \
        >"logs/$t.log" 2>&1
    rc=$?
    set -e
    # The last status line: `#RUNS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: a/b/c time: Ts`.
    last=$(grep -E '^#[0-9]+: cov' "logs/$t.log" | tail -1 || true)
    runs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    otc=$(sed -n 's/.* oom\/timeout\/crash: \([0-9/]*\).*/\1/p' <<<"$last")
    artifacts=$(find "artifacts/$t" -type f | wc -l)
    echo "$t: exit $rc, ${runs:-?} runs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, oom/timeout/crash ${otc:-?}, artifacts $artifacts"
    if [ "$artifacts" -gt 0 ] || [ -z "$runs" ]; then
        failed=1
        find "artifacts/$t" -type f | head -5
    fi
done
if [ "${STRICT:-0}" = 1 ] && [ "$failed" = 1 ]; then
    echo "a fuzz target failed: reproduce with cargo +nightly fuzz run -s none TARGET ARTIFACT (fuzz/logs/)"
    exit 1
fi
