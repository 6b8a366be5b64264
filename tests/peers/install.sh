#!/usr/bin/env bash
# Follows the README's Install section on a fresh HOME and checks the result with the real
# tools: man-db finds roster(1) and roster-plan(1) through PATH, bash-completion loads the
# bash script on demand, zsh's compinit and fish find theirs (the README's "Shell
# completions" block). Debian's man-db, bash-completion, zsh and fish are installed with apt
# when missing; the check fails rather than skips without them.
#
# roster itself is installed with `cargo install` as the README says, but as a debug build
# in the project's target folder (CARGO_TARGET_DIR=target --debug), so that CI does not
# build roster a second time in release mode.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

missing=()
command -v man >/dev/null || missing+=(man-db)
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    command -v apt-get >/dev/null || { echo "error: ${missing[*]} missing and no apt-get"; exit 1; }
    echo "installing ${missing[*]} with apt"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# The toolchain stays where it is (rustup and cargo find it through these, not HOME).
cargo_bin="$(command -v cargo)"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" PATH="$home/.cargo/bin:/usr/local/bin:/usr/bin:/bin"
CARGO_TARGET_DIR="$root/target" "$cargo_bin" install --quiet --debug --locked --path . --root "$home/.cargo"
command -v roster | grep -q "^$home/.cargo/bin/roster$"

# The README's commands, as written (but the cargo install line, done above).
run_block() {
    local heading="$1"
    awk -v h="$heading" '
        $0 ~ "^## " h { on = 1; next }
        on && /^## / { exit }
        on && /^```sh$/ { inblock = 1; next }
        on && inblock && /^```$/ { exit }
        on && inblock { print }
    ' README.md | grep -v '^cargo install' > "$home/steps.sh"
    [ -s "$home/steps.sh" ] || { echo "error: no sh block under '## $heading' in README.md"; exit 1; }
    (cd "$root" && bash -e "$home/steps.sh")
}
run_block "Install"
run_block "Shell completions and manual pages"

man -w roster | grep -q "^$home/.cargo/share/man/man1/roster.1" || { echo "FAILED man -w roster: $(man -w roster 2>&1)"; exit 1; }
man -w roster-plan | grep -q "^$home/.cargo/share/man/man1/roster-plan.1" || { echo "FAILED man -w roster-plan"; exit 1; }
MANWIDTH=80 man roster-plan 2>/dev/null | grep -q "EXIT STATUS" || { echo "FAILED man roster-plan has no EXIT STATUS"; exit 1; }

bash_out="$(bash -c 'source /usr/share/bash-completion/bash_completion; _comp_load roster 2>/dev/null || __load_completion roster 2>/dev/null || _completion_loader roster; complete -p roster')"
echo "$bash_out" | grep -q -- "-F _roster" || { echo "FAILED bash: $bash_out"; exit 1; }

zsh_out="$(zsh -fc 'fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit -u -d ~/.zcompdump; print -r -- ${_comps[roster]}')"
[ "$zsh_out" = "_roster" ] || { echo "FAILED zsh: '$zsh_out'"; exit 1; }

fish_out="$(fish -c 'complete -C "roster pla"')"
echo "$fish_out" | grep -q "^plan" || { echo "FAILED fish: $fish_out"; exit 1; }

echo "ok: on a fresh HOME, man finds roster(1) and roster-plan(1); bash, zsh and fish complete roster"
