#!/usr/bin/env bash
# Checks the policy schema the way editors use it: Taplo (the engine behind Even Better
# TOML) lints every shipped policy through its `#:schema` first line, and must reject a
# policy with a misspelt key. Installs @taplo/cli from npm into a temporary folder; without
# npm it says so and exits 0 (the check is optional in CI).
#
#   bash tests/editor/taplo.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v npm >/dev/null; then
    echo "skip: npm is not installed"
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "installing @taplo/cli into $work"
(cd "$work" && npm install --silent --no-audit --no-fund @taplo/cli >/dev/null)
taplo="$work/node_modules/.bin/taplo"

cd "$root"
echo "taplo lint policies/*.toml"
"$taplo" lint --no-auto-config --config .taplo.toml policies/*.toml

typo="policies/zz-taplo-typo.toml"
trap 'rm -rf "$work" "$root/$typo"' EXIT
printf '#:schema ./roster.schema.json\nname = "typo"\nidle_threshhold = "30d"\n[roles]\norder = ["admin"]\n' > "$typo"
if "$taplo" lint --no-auto-config --config .taplo.toml "$typo" >"$work/typo.log" 2>&1; then
    echo "FAIL: a policy with the misspelt key idle_threshhold passed the schema"
    exit 1
fi
grep -q "idle_threshhold" "$work/typo.log" || { cat "$work/typo.log"; echo "FAIL: the error does not name the key"; exit 1; }
echo "ok: every shipped policy validates, and a misspelt key is rejected"
