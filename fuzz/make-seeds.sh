#!/usr/bin/env bash
# Rebuilds fuzz/seeds/<target>/ from examples/, policies/ and tests/ (the committed seed
# corpora). Multi-file inputs are the files joined with the byte 0x1E (see
# fuzz_targets/common/mod.rs). Run from anywhere; needs bash and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
S=fuzz/seeds
rm -rf "$S"
mkdir -p "$S"/{csv_snapshot,json_snapshot,scim_snapshot,policy,requests,plan_run,directory}

python3 - <<'PY'
import json, os
S = "fuzz/seeds"
SEP = b"\x1e"
def read(p):
    return open(p, "rb").read() if os.path.exists(p) else None
def head(b, n):
    return b"".join(b.splitlines(keepends=True)[:n])
def folder(d, n=None):
    files = [read(f"{d}/{f}") for f in ("users.csv", "teams.csv", "records.csv", "snapshot.toml", "blocked_emails.csv")]
    if n:
        files = [head(f, n) if f is not None and i < 3 else f for i, f in enumerate(files)]
    while files and files[-1] is None:
        files.pop()
    return SEP.join(f or b"" for f in files)
def write(target, name, data):
    open(f"{S}/{target}/{name}", "wb").write(data)

examples = ["acme", "field-sales", "licensed-crm", "commerce-backoffice", "contact-center"]
# csv_snapshot: every example (two of them cut to a few rows), and the test fixtures.
for e in examples:
    write("csv_snapshot", e, folder(f"examples/{e}"))
write("csv_snapshot", "acme-small", folder("examples/acme", 8))
write("csv_snapshot", "org", folder("tests/data/org/snapshot"))
write("csv_snapshot", "users-only", head(read("examples/acme/users.csv"), 4))

# plan_run: control bytes (policy, flags, actor, targets...) then the example's files.
controls = {
    "acme": bytes([0, 0x0f, 1, 12, 4, 3, 200]),        # actor u002; u013, u005, u004, unknown
    "field-sales": bytes([1, 0x00, 0, 2, 3, 5]),
    "licensed-crm": bytes([2, 0x02, 0, 1, 4]),
    "commerce-backoffice": bytes([3, 0x05, 1, 2, 6]),
    "contact-center": bytes([4, 0x09, 2, 3, 7, 8]),
}
for e in examples:
    write("plan_run", e, controls[e] + SEP + folder(f"examples/{e}"))
write("plan_run", "acme-small", bytes([0, 0x0f, 1, 2, 3]) + SEP + folder("examples/acme", 10))

# json_snapshot: the Acme JSON, a cut-down copy, and the syntax-error case.
write("json_snapshot", "acme.json", read("examples/acme.json"))
doc = json.loads(read("examples/acme.json"))
doc["users"] = doc["users"][:6]
doc["records"] = doc["records"][:8]
write("json_snapshot", "acme-small.json", json.dumps(doc, indent=1).encode())
write("json_snapshot", "err-syntax.json", read("tests/cases/err-json-syntax/snap.json"))

# scim_snapshot: the SCIM example, a cut-down copy (users with their groups), and the
# hostile ListResponses of tests/adversarial.rs.
write("scim_snapshot", "scim.json", read("examples/scim/users.scim.json"))
doc = json.loads(read("examples/scim/users.scim.json"))
groups = [r for r in doc["Resources"] if "Group" in json.dumps(r.get("schemas"))]
users = [r for r in doc["Resources"] if r not in groups]
doc["Resources"] = users[:6] + groups[:2]
doc["totalResults"] = doc["itemsPerPage"] = len(doc["Resources"])
write("scim_snapshot", "scim-small.json", json.dumps(doc, indent=1).encode())
hostile = "tests/data/adversarial/scim"
for f in sorted(os.listdir(hostile)):
    if f.endswith(".json"):
        write("scim_snapshot", f, read(f"{hostile}/{f}"))

# policy: the shipped policies and the test policies.
for e in ["default"] + examples[1:]:
    write("policy", f"{e}.toml", read(f"policies/{e}.toml"))
for p in ["tests/data/org/policy.toml", "tests/data/boundaries/policy.toml",
          "tests/cases/err-policy-several/policy.toml"]:
    write("policy", p.replace("/", "_"), read(p))

# requests: the shipped sheets and one for Acme with every column.
write("requests", "contact-center.csv", read("examples/contact-center/bulk-deactivate.csv"))
write("requests", "org.csv", read("tests/data/org/bulk.csv"))
write("requests", "acme.csv",
      b"\xef\xbb\xbfUser, Deactivate ,reassign_to,reports_to,comment\r\n"
      b"u013,y,u003,,\"idle, 130 days\"\r\nu005,YES,,u004,\r\nu014,no,,,\r\n"
      b"zoe.martin@acme.example,1,,,\r\n")

# directory: the Acme HR export and identity-provider users, and the test directories.
write("directory", "hr.csv", read("examples/acme/hr.csv"))
write("directory", "idp.scim.json", read("examples/acme/idp.scim.json"))
for p in ["tests/cases/directory-report-only/people.csv", "tests/cases/err-directory-status/people.csv",
          "tests/cases/err-directory-crlf/people.csv"]:
    write("directory", p.split("/")[2] + ".csv", read(p))
PY
du -sh "$S"; find "$S" -type f | wc -l
