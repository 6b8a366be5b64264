#!/usr/bin/env bash
# Reads the reports of `roster test` as CI systems do, with real third-party readers
# installed at pinned versions:
#
# - the JUnit XML is validated against junit-10.xsd, the JUnit schema Jenkins' xUnit
#   plugin defines and pytest validates its own reports with (taken from the pytest 8.4.2
#   source distribution on PyPI, checked by its SHA-256), with xmlschema 4.3.2, and read by
#   junitparser 5.0.3;
# - the TAP is parsed by tap-parser 18.3.4 (node-tap's parser, from npm);
# - the GitHub annotations are checked line by line against the workflow-command syntax.
#
# Every count and case name must agree with the JSON report of the same run. Needs python3
# with venv, node with npm (tests/render/html.sh installs them) and the registries; it
# fails rather than skips without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/peers
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import xmlschema, junitparser" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check xmlschema==4.3.2 junitparser==5.0.3
fi
xsd="$venv/junit-10.xsd"
if [ ! -f "$xsd" ]; then
    dl="$(mktemp -d)"
    "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        --dest "$dl" pytest==8.4.2
    echo "86c0d0b93306b961d58d62a4db4879f27fe25513d4b969df351abdddb3c30e01  $dl/pytest-8.4.2.tar.gz" |
        sha256sum --check --quiet
    tar -xzf "$dl/pytest-8.4.2.tar.gz" -C "$dl" pytest-8.4.2/testing/example_scripts/junit-10.xsd
    mv "$dl/pytest-8.4.2/testing/example_scripts/junit-10.xsd" "$xsd"
    rm -rf "$dl"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "error: node and npm are needed (tests/render/html.sh installs them)"
    exit 1
fi
node_dir="$venv/node"
if [ ! -d "$node_dir/node_modules/tap-parser" ]; then
    mkdir -p "$node_dir"
    (cd "$node_dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --silent --no-audit --no-fund tap-parser@18.3.4 >/dev/null)
fi
cargo build --locked --quiet
"$venv/bin/python" tests/peers/ci_formats.py target/debug/roster "$xsd" "$node_dir"
