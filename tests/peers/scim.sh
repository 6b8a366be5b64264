#!/usr/bin/env bash
# roster pull, and roster's SCIM Bulk and PATCH output, against a real SCIM server:
# scim2-server 0.8.3 (python-scim, an in-memory SCIM 2.0 server) on 127.0.0.1, with its
# requests and roster's files validated by scim2-models 0.12.3 (the same project), both
# installed here from PyPI at pinned versions into target/peers (a virtual environment),
# with trustme 1.2.1 for the certificates of the TLS step.
# See tests/peers/scim.py for the steps. Needs python3 with venv and access to PyPI; it
# fails rather than skips without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/peers
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import scim2_server, scim2_models, trustme" 2>/dev/null ||
    [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("scim2-server"), m.version("scim2-models"))')" != "0.8.3 0.12.3" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        scim2-server==0.8.3 scim2-models==0.12.3 pydantic==2.14.4 pydantic-core==2.50.5 \
        trustme==1.2.1
fi
cargo build --locked --quiet
"$venv/bin/python" tests/peers/scim.py target/debug/roster "$venv/bin/scim2-server"
