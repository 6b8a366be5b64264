#!/usr/bin/env bash
# Runs every command of tests/render/commands.txt in a real terminal, an 80-column tmux
# window with no COLUMNS set (roster reads the width from the terminal), and fails when a
# line of what the terminal shows is wider than 80 columns. tmux's capture joins the lines
# the terminal wrapped (-J), so a line that did not fit shows as one long line.
#
# Needs tmux; when it is missing it installs Debian's with apt, and fails if it cannot: the
# check never skips.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if ! command -v tmux >/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    command -v apt-get >/dev/null || { echo "error: tmux missing and no apt-get to install it"; exit 1; }
    echo "installing tmux with apt"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends tmux >/dev/null
fi

cargo build --quiet --locked
bin="$root/target/debug/roster"
work="$(mktemp -d)"
socket="roster-width-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'set -g history-limit 100000\nset -g remain-on-exit on\nset -g status off\n' > "$work/tmux.conf"

failed=0
count=0
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    count=$((count + 1))
    # shellcheck disable=SC2086 # the line is the command's arguments
    tmux -L "$socket" -f "$work/tmux.conf" new-session -d -x 80 -y 40 -s "c$count" \
        "cd '$root' && env -u COLUMNS TERM=xterm '$bin' $line; echo \"[exit \$?]\"; sleep 60"
    # The shell stays alive after the exit line: a pane whose process ends can lose the
    # last of its output before tmux has read it from the terminal. Wait for that line.
    for _ in $(seq 1 600); do
        tmux -L "$socket" capture-pane -p -J -S - -E - -t "c$count" > "$work/screen"
        grep -q '^\[exit [0-9]*\]$' "$work/screen" && break
        sleep 0.05
    done
    tmux -L "$socket" capture-pane -p -J -S - -E - -t "c$count" > "$work/screen"
    tmux -L "$socket" kill-session -t "c$count"
    if ! grep -q '^\[exit 0\]$' "$work/screen"; then
        echo "FAILED roster $line: did not exit 0"
        tail -5 "$work/screen"
        failed=1
    fi
    widest="$(python3 -c 'import sys; print(max((len(l) for l in open(sys.argv[1], encoding="utf-8").read().split("\n")), default=0))' "$work/screen" 2>/dev/null ||
        LC_ALL=C.UTF-8 wc -L < "$work/screen")"
    if [ "$widest" -gt 80 ]; then
        echo "FAILED roster $line: a line of $widest columns"
        LC_ALL=C.UTF-8 awk 'length($0) > 80' "$work/screen" | head -3
        failed=1
    fi
done < tests/render/commands.txt
[ "$count" -gt 30 ] || { echo "error: only $count commands read"; exit 1; }
[ "$failed" = 0 ] || exit 1
echo "ok: $count commands, every line of the terminal at most 80 columns"
