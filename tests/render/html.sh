#!/usr/bin/env bash
# Opens roster's HTML reports in headless Chromium and checks what a person would see:
#
#   - the tables hold exactly the plan's rows (actions, reassignments, refusals, findings,
#     offboarded users), read from the DOM and compared with the JSON plan of the same run;
#   - the page makes no network request at all (every request is recorded);
#   - no element or attribute comes from a hostile name (no <script> but roster's own, no
#     <a>, <img> or event handler), and the names show as text;
#   - filtering hides the rows that do not match, and a click on a header sorts the rows;
#   - a screenshot of each report is saved in $OUT (default target/html-check).
#
# Needs Chromium and node with npm. When they are missing it installs them with apt
# (Debian's chromium, nodejs and npm) and fails if it cannot: the check never skips. The
# puppeteer-core npm package (pinned, it downloads no browser) goes into target/html-check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    if ! command -v apt-get >/dev/null; then
        echo "error: $* missing and no apt-get to install them"
        exit 1
    fi
    echo "installing $* with apt"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$chromium" ]; then
    apt_install chromium fonts-dejavu-core
    chromium="$(command -v chromium)"
fi
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

out="${OUT:-$root/target/html-check}"
mkdir -p "$out"
if [ ! -d "$out/node_modules/puppeteer-core" ]; then
    (cd "$out" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --silent --no-audit --no-fund puppeteer-core@24.43.1 >/dev/null)
fi
cargo build --locked --quiet
roster="$root/target/debug/roster"

# name | roster arguments (without --format / --out)
runs=(
    "acme-plan|plan --policy policies/default.toml --snapshot examples/acme"
    "acme-offboard|offboard --policy policies/default.toml --snapshot examples/acme --actor u001 --user u004 --user u013 --user u001"
    "hostile-offboard|offboard --policy policies/default.toml --snapshot tests/data/markdown-links --actor boss --user m1 --user r1 --user r2 --user r3 --user r4 --user r5"
    "field-sales-plan|plan --policy policies/field-sales.toml --snapshot examples/field-sales"
)
for run in "${runs[@]}"; do
    name="${run%%|*}"
    args="${run#*|}"
    # shellcheck disable=SC2086
    "$roster" $args --out "$out/$name.json" --out "$out/$name.html" || [ $? -le 3 ]
done
CHROMIUM="$chromium" OUT="$out" node "$root/tests/render/html-check.js" "${runs[@]%%|*}"
