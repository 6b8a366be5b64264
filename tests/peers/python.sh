#!/usr/bin/env bash
# Reads roster's YAML and Markdown plans with real third-party readers, installed here from
# PyPI at pinned versions into target/peers (a virtual environment):
#
# - PyYAML 6.0.3, a YAML 1.1 reader: every case of policies/tests and the YAML-hostile ids
#   of tests/data/yaml-ids, planned as YAML and as JSON, must load as the same data;
# - cmarkgfm 2025.10.22 (GitHub's cmark-gfm): the Markdown plans of the same runs and of a
#   snapshot full of URLs, e-mails and HTML must render without a link, an image or any
#   HTML element of roster's input.
#
# Needs python3 with venv and access to PyPI; it fails rather than skips without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/peers
if ! "$venv/bin/python" -c "import yaml, cmarkgfm" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check PyYAML==6.0.3 cmarkgfm==2025.10.22
fi
cargo build --locked --quiet
"$venv/bin/python" tests/peers/check.py target/debug/roster
