#!/usr/bin/env python3
"""roster against a real SCIM server: scim2-server (an in-memory SCIM 2.0 server of the
python-scim project), on 127.0.0.1, seeded with the users and groups of examples/scim (the
Acme snapshot of examples/acme as a SCIM export), with roster's extension schemas
registered (docs/scim-schemas.json).

1. `roster pull` reads the server: the store matches the seed (users, groups, managers,
   every attribute roster reads), and plans the same as examples/scim;
2. `roster plan` and `roster offboard` write Bulk requests that the server's /Bulk accepts,
   every operation with a 2xx status;
3. a second pull plans nothing left for SCIM to apply (no Bulk request is written), and no
   action that the first plan did not have;
4. on a fresh server, the same plans as `--format scim-patch` lines, sent one request
   each, leave the same state as the Bulk requests;
5. over TLS (a certificate of a private CA made by trustme), the pull succeeds with that
   CA given as --ca-file and fails with a clear error without it.

Every Bulk request and ListResponse roster writes is validated with scim2-models (the
BULK_REQUEST and SEARCH_RESPONSE contexts), and every PATCH body as a PatchOp.

Usage: scim.py ROSTER SCIM2_SERVER
"""

import copy
import datetime
import importlib.resources
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import ssl
import tempfile
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Union

import trustme

from scim2_models import (
    BulkRequest,
    Context,
    EnterpriseUser,
    Extension,
    Group,
    ListResponse,
    PatchOp,
    Schema,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
ROSTER, SERVER = sys.argv[1], sys.argv[2]
SEED = ROOT / "examples/scim"
POLICY = ROOT / "policies/default.toml"
AS_OF = "2026-11-22T06:00:00Z"
TOKEN = "peer-" + secrets.token_urlsafe(24)

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ROSTER_USER = "urn:roster:params:scim:schemas:extension:2.0:User"
ROSTER_GROUP = "urn:roster:params:scim:schemas:extension:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TIMES = {"last_login_at", "invited_at", "activated_at", "notified_at", "locked_at"}

ROSTER_SCHEMAS = json.loads((ROOT / "docs/scim-schemas.json").read_text())
RosterUser = Extension.from_schema(Schema.model_validate(ROSTER_SCHEMAS[0]))
RosterGroup = Extension.from_schema(Schema.model_validate(ROSTER_SCHEMAS[1]))
Listed = ListResponse[Union[User[Union[EnterpriseUser, RosterUser]], Group[RosterGroup]]]

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print(f"FAIL: {message}", file=sys.stderr)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """scim2-server with roster's extensions, on a free port of 127.0.0.1."""

    def __init__(self, tmp):
        tmp.mkdir(parents=True)
        resources = importlib.resources.files("scim2_server") / "resources"
        schemas = json.loads((resources / "default-schemas.json").read_text()) + ROSTER_SCHEMAS
        types = json.loads((resources / "default-resource-types.json").read_text())
        for t in types:
            extension = ROSTER_USER if t["id"] == "User" else ROSTER_GROUP
            t.setdefault("schemaExtensions", []).append({"schema": extension, "required": False})
        (tmp / "schemas.json").write_text(json.dumps(schemas))
        (tmp / "types.json").write_text(json.dumps(types))
        port = free_port()
        self.log = open(tmp / "server.log", "w")
        self.proc = subprocess.Popen(
            [SERVER, "--schema", str(tmp / "schemas.json"), "--resource-type",
             str(tmp / "types.json"), "--bearer-token", TOKEN, "--port", str(port)],
            stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        line = self.proc.stdout.readline()
        if "Serving SCIM" not in line:
            raise SystemExit(f"scim2-server did not start: {line!r}; see {tmp}/server.log")
        self.base = f"http://127.0.0.1:{port}/v2"

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {TOKEN}")
        req.add_header("Content-Type", "application/scim+json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                text = r.read()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            return e.code, json.loads(text) if text else None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def seed_resources():
    """The seed's users and groups, as a server can hold them: `meta.created` (which the
    server sets itself, to the time of the POST) is where the export keeps the time of an
    invitation, so it moves to roster's `invited_at`."""
    export = json.loads((SEED / "users.scim.json").read_text())
    users = [r for r in export["Resources"] if USER in r["schemas"]]
    for u in users:
        created = u.get("meta", {}).get("created")
        ext = u.setdefault(ROSTER_USER, {})
        if created and "invited_at" not in ext:
            ext["invited_at"] = created
    groups = [r for r in export["Resources"] if GROUP in r["schemas"]]
    return users, groups


def seed(server):
    """POSTs the seed's users (then their managers) and groups; returns the server's id of
    each seed id."""
    users, groups = seed_resources()
    ids = {}
    for u in users:
        body = copy.deepcopy(u)
        old = body.pop("id")
        body.pop("meta", None)
        body.get(ENTERPRISE, {}).pop("manager", None)
        body["externalId"] = old
        status, created = server.request("POST", "/Users", body)
        assert status == 201, (status, created)
        ids[old] = created["id"]
    for u in users:
        manager = u.get(ENTERPRISE, {}).get("manager", {}).get("value")
        if manager:
            op = {"op": "replace", "path": f"{ENTERPRISE}:manager",
                  "value": {"value": ids.get(manager, manager)}}
            status, body = server.request(
                "PATCH", f"/Users/{ids[u['id']]}", {"schemas": [PATCH_OP], "Operations": [op]})
            assert status in (200, 204), (status, body)
    for g in groups:
        body = copy.deepcopy(g)
        old = body.pop("id")
        body.pop("meta", None)
        body["externalId"] = old
        for m in body.get("members", []):
            m["value"] = ids.get(m["value"], m["value"])
        ext = body.get(ROSTER_GROUP, {})
        if "leader_id" in ext:
            ext["leader_id"] = ids.get(ext["leader_id"], ext["leader_id"])
        status, created = server.request("POST", "/Groups", body)
        assert status == 201, (status, created)
        ids[old] = created["id"]
    return ids


def prepare(folder, ids):
    """The app's side of the snapshot folder: records.csv and snapshot.toml, with the
    server's ids."""
    folder.mkdir(parents=True)
    records = (SEED / "records.csv").read_text().splitlines()
    out = [records[0]]
    for line in records[1:]:
        cells = line.split(",")
        cells[2] = ids.get(cells[2], cells[2])
        out.append(",".join(cells))
    (folder / "records.csv").write_text("\n".join(out) + "\n")
    meta = (SEED / "snapshot.toml").read_text()
    meta = re.sub(r'owner = "(\w+)"', lambda m: f'owner = "{ids[m.group(1)]}"', meta)
    (folder / "snapshot.toml").write_text(meta)


def roster(*args, ok=(0,)):
    run = subprocess.run([ROSTER, *args], capture_output=True, text=True,
                         env={**os.environ, "ROSTER_SCIM_TOKEN": TOKEN, "COLUMNS": "1000"})
    if run.returncode not in ok:
        raise SystemExit(f"roster {' '.join(args)}: exit {run.returncode}\n{run.stderr}")
    for stream in (run.stdout, run.stderr):
        check(TOKEN not in stream, f"roster {args[0]} printed the token")
    return run


def pull(server, folder):
    run = roster("pull", "--scim", server.base, "--out", str(folder))
    for f in folder.iterdir():
        check(TOKEN not in f.read_text(), f"the token is in {f.name}")
    for name in ("users.scim.json", "groups.scim.json"):
        listed = json.loads((folder / name).read_text())
        try:
            Listed.model_validate(listed, scim_ctx=Context.SEARCH_RESPONSE)
        except Exception as e:  # noqa: BLE001 (any validation error is a failure)
            check(False, f"{name} is not a valid ListResponse for scim2-models: {e}")
    return run


def validate_bulk(text, what):
    bulk = json.loads(text)
    try:
        BulkRequest[User[Union[EnterpriseUser, RosterUser]]].model_validate(
            bulk, scim_ctx=Context.BULK_REQUEST)
    except Exception as e:  # noqa: BLE001
        check(False, f"{what}: the Bulk request is not valid for scim2-models: {e}")
    return bulk


def validate_patch(line, what):
    request = json.loads(line)
    check(request["method"] == "PATCH", f"{what}: a {request['method']} line")
    try:
        PatchOp[User[Union[EnterpriseUser, RosterUser]]].model_validate(
            request["body"], scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except Exception as e:  # noqa: BLE001
        check(False, f"{what}: the PATCH body is not a valid PatchOp for scim2-models: {e}")
    return request


def instant(text):
    """A SCIM dateTime (or a date) as an aware datetime, to compare times however the
    server writes them back."""
    if len(text) == 10:
        text += "T00:00:00"
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def essence(resource, back):
    """What roster reads of a resource, with seed ids: no id, meta or externalId, times as
    instants, references mapped back."""
    r = copy.deepcopy(resource)
    for key in ("id", "meta", "externalId", "schemas"):
        r.pop(key, None)
    manager = r.get(ENTERPRISE, {}).get("manager")
    if manager:
        r[ENTERPRISE]["manager"] = {"value": back.get(manager["value"], manager["value"])}
    for key, value in list(r.get(ROSTER_USER, {}).items()):
        if key in TIMES:
            r[ROSTER_USER][key] = instant(value).isoformat()
    if "members" in r:
        r["members"] = sorted(back.get(m["value"], m["value"]) for m in r["members"])
    ext = r.get(ROSTER_GROUP, {})
    if "leader_id" in ext:
        ext["leader_id"] = back.get(ext["leader_id"], ext["leader_id"])
    for key in [k for k, v in r.items() if v in ({}, [])]:
        r.pop(key)
    return r


def state(folder, ids):
    """The pulled resources by seed id."""
    back = {v: k for k, v in ids.items()}
    out = {}
    for name in ("users.scim.json", "groups.scim.json"):
        for r in json.loads((folder / name).read_text()).get("Resources", []):
            out[back.get(r["id"], r["id"])] = essence(r, back)
    return out


def seed_state():
    users, groups = seed_resources()
    identity = {}
    return {r["id"]: essence(r, identity) for r in users + groups}


SERVER_ID = re.compile(r"\b[0-9a-f]{32}\b")


def mapped(value, back):
    """`value` with the server's ids (also inside texts) replaced by the seed's."""
    if isinstance(value, str):
        return SERVER_ID.sub(lambda m: back.get(m.group(0), m.group(0)), value)
    if isinstance(value, list):
        return sorted((mapped(v, back) for v in value), key=json.dumps)
    if isinstance(value, dict):
        return {k: mapped(v, back) for k, v in value.items()}
    return value


def plan(snapshot, back, *extra):
    text = roster("plan", "--policy", str(POLICY), "--snapshot", str(snapshot), "--as-of",
                  AS_OF, "--format", "json", *extra).stdout
    p = json.loads(text)
    for f in p["findings"]:
        if f["code"] == "manager_cycle":
            # A cycle is told from its smallest id, which differs with the server's ids.
            f.pop("reason")
        elif f["code"] == "duplicate_email":
            # The reason lists the users in id order, which differs with the server's ids:
            # compared as the same users, whatever their order.
            head, _, ids = f["reason"].rpartition(": ")
            f["reason"] = head + ": " + ", ".join(sorted(mapped(i, back) for i in ids.split(", ")))
    return {k: mapped(p[k], back) for k in ("actions", "reassignments", "blocked", "findings")}


def offboard_args(ids, fmt):
    return ["offboard", "--policy", str(POLICY), "--as-of", AS_OF, "--actor", ids["u002"],
            "--user", ids["u013"], "--format", fmt]


def post_bulk(server, bulk, what):
    status, answer = server.request("POST", "/Bulk", bulk)
    if not check(status == 200, f"{what}: POST /Bulk answered {status}: {answer}"):
        return
    results = answer.get("Operations", [])
    check(len(results) == len(bulk["Operations"]),
          f"{what}: {len(results)} results for {len(bulk['Operations'])} operations")
    for r in results:
        code = int(str(r.get("status", "0"))[:3])
        check(200 <= code < 300, f"{what}: operation {r.get('bulkId')} answered {r}")


def tls(tmp):
    """A server of two users over TLS, its certificate signed by a CA of trustme's."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    users, _ = seed_resources()
    page = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 2, "Resources": users[:2]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            start = self.path.partition("startIndex=")[2].partition("&")[0]
            if self.path.startswith("/v2/Users") and start == "1":
                body, status = json.dumps(page).encode(), 200
            elif self.path.startswith("/v2/Users"):
                body, status = json.dumps({**page, "Resources": []}).encode(), 200
            else:
                body, status = b"{}", 404
            self.send_response(status)
            self.send_header("Content-Type", "application/scim+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"https://127.0.0.1:{httpd.server_address[1]}/v2"
    try:
        run = roster("pull", "--scim", base, "--out", str(tmp / "tls"), "--ca-file",
                     str(tmp / "ca.pem"))
        check("pulled 2 users" in run.stdout, f"pull over TLS said {run.stdout!r}")
        run = roster("pull", "--scim", base, "--out", str(tmp / "untrusted"), "--retries", "0",
                     ok=(1,))
        check("TLS" in run.stderr and "--ca-file" in run.stderr,
              f"an untrusted certificate said: {run.stderr}")
        check(not (tmp / "untrusted").exists(), "an untrusted server's pull wrote a folder")
        print("tls: --ca-file trusts a private CA; without it, a clear refusal")
    finally:
        httpd.shutdown()


def main():
    tmp = Path(tempfile.mkdtemp(prefix="roster-scim-"))
    first = Server(tmp / "one")
    try:
        ids = seed(first)
        back = {v: k for k, v in ids.items()}
        folder = tmp / "pulled"
        prepare(folder, ids)
        # 1. The pull holds the seed, and plans as the seed does.
        run = pull(first, folder)
        check("pulled 41 users and 5 groups" in run.stdout, f"pull said: {run.stdout!r}")
        check("[account]" in (folder / "snapshot.toml").read_text(), "[account] was lost")
        got, want = state(folder, ids), seed_state()
        check(got.keys() == want.keys(), f"pulled ids {sorted(got)} != seed {sorted(want)}")
        for key in sorted(want):
            check(got.get(key) == want[key],
                  f"{key} pulled as {got.get(key)}, seeded as {want[key]}")
        mine, seeds = plan(folder, back), plan(SEED, {})
        for key in mine:
            extra = [x for x in mine[key] if x not in seeds[key]]
            lost = [x for x in seeds[key] if x not in mine[key]]
            check(not extra and not lost,
                  f"the pull plans otherwise than the seed: {key} {extra} instead of {lost}")
        print(f"pull: {len(got)} resources match the seed, and the same plan")

        # 2. The Bulk requests of plan and offboard are accepted.
        before = plan(folder, back)
        bulk = validate_bulk(roster("plan", "--policy", str(POLICY), "--snapshot", str(folder),
                                    "--as-of", AS_OF, "--format", "scim").stdout, "plan")
        post_bulk(first, bulk, "plan")
        off = validate_bulk(roster(*offboard_args(ids, "scim"), "--snapshot",
                                   str(folder)).stdout, "offboard")
        post_bulk(first, off, "offboard")
        print(f"bulk: {len(bulk['Operations'])} + {len(off['Operations'])} operations applied")

        # 3. Pulled again, nothing is left for SCIM to apply.
        run = pull(first, folder)
        again = roster("plan", "--policy", str(POLICY), "--snapshot", str(folder), "--as-of",
                       AS_OF, "--format", "scim")
        check(again.stdout == "", f"a second Bulk request: {again.stdout[:400]}")
        check("nothing to apply" in again.stderr, f"no note of nothing to apply: {again.stderr}")
        after = plan(folder, back)
        new = [a for a in after["actions"] if a not in before["actions"]]
        check(not new, f"actions the first plan did not have: {new}")
        after_bulk = state(folder, ids)
        print("replan: nothing left to apply")

        # 4. The same through PATCH lines, on a fresh server.
        second = Server(tmp / "two")
        try:
            ids2 = seed(second)
            folder2 = tmp / "pulled-two"
            prepare(folder2, ids2)
            pull(second, folder2)
            lines = roster("plan", "--policy", str(POLICY), "--snapshot", str(folder2),
                           "--as-of", AS_OF, "--format", "scim-patch").stdout.splitlines()
            lines += roster(*offboard_args(ids2, "scim-patch"), "--snapshot",
                            str(folder2)).stdout.splitlines()
            check(len(lines) == len(bulk["Operations"]) + len(off["Operations"]),
                  f"{len(lines)} PATCH lines for the Bulk requests' operations")
            for line in lines:
                request = validate_patch(line, "scim-patch")
                status, answer = second.request(request["method"], request["path"],
                                                request["body"])
                check(status in (200, 204), f"PATCH {request['path']} answered {status}: {answer}")
            pull(second, folder2)
            check(state(folder2, ids2) == after_bulk,
                  "the PATCH lines left another state than the Bulk requests")
            print(f"patch: {len(lines)} requests, the same state as the Bulk requests")
        finally:
            second.stop()
        tls(tmp)
    finally:
        first.stop()
    if failures:
        raise SystemExit(f"{len(failures)} failures (logs in {tmp})")
    print("the SCIM peer accepts what roster writes")


if __name__ == "__main__":
    main()
