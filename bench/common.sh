# Sourced by the benchmark scripts that write a section of BENCHMARKS.md of their own
# (bench/tenants.sh, bench/directory.sh). Needs RUNS and WORK.

# wall CMD...: median wall seconds of RUNS runs (after one warm-up run), and the peak RSS
# in KB of the runs.
wall() {
  local times=() rss=0
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$@" >/dev/null 2>"$WORK/wall-time.txt" || true
    local t r
    t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/wall-time.txt")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/wall-time.txt")
    times+=("$t"); [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') $rss"
}

# section NAME: puts the text on stdin into BENCHMARKS.md between `<!-- NAME: ... -->` and
# `<!-- /NAME -->` (replacing what was there, else before "What bounds each missed
# target"), and prints it.
section() {
  python3 -c '
import re, sys
name, section = sys.argv[1], sys.stdin.read().rstrip("\n")
text = open("BENCHMARKS.md").read()
pattern = re.compile(r"<!-- " + name + r": .*?<!-- /" + name + r" -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    at = text.find("\nWhat bounds each missed target")
    text = text[:at] + "\n" + section + "\n" + text[at:] if at >= 0 else text + "\n" + section + "\n"
open("BENCHMARKS.md", "w").write(text)
print(section)
' "$1"
}
