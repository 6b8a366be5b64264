#!/usr/bin/env python3
"""Writes the two shapes whose cost used to grow with the square of their size.

    python3 bench/shapes.py chain DIR [N]   # N leavers (default 20,000), each reporting to
                                            # the next, one contact each; DIR/leavers.csv
    python3 bench/shapes.py peers DIR [N]   # one team of N members (default 100,000), a
                                            # tenth of them leaving with open opportunities

Each DIR gets users.csv, records.csv, snapshot.toml and leavers.csv (the bulk sheet), plus
policy.toml for the shape. `bench/run.sh` times `roster offboard` on both.
"""
import os
import sys

HEADER = "id,email,name,phone,role,status,manager_id,teams,flags,permissions,last_login_at\n"
LOGIN = "2026-11-20T10:00:00Z"

POLICY = """# A benchmark shape: {what}
name = "bench-{shape}"
[roles]
order = ["admin", "rep"]
[roles.permissions]
admin = ["manage_users", "manage_teams"]
[deactivation]
receivers = ["active"]
[leaders]
direct_reports = "reassign"
direct_reports_to = ["manager", "account_owner"]
[records."*"]
states = {{ "*" = "transfer" }}
transfer_to = {chain}
"""


def write(d, name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


def chain(d, n):
    # u0 is the admin; u{i} reports to u{i-1}; everyone but u0 leaves, so u{n-1}'s contact
    # passes n-2 leavers on its way up to u0.
    users = [HEADER, f"u0,u0@c.example,Admin,+1-555,admin,active,,,,,{LOGIN}\n"]
    records = ["id,kind,owner_id,state\n"]
    for i in range(1, n):
        users.append(f"u{i},u{i}@c.example,User {i},+1-555,rep,active,u{i-1},,,,{LOGIN}\n")
    for i in range(n):
        records.append(f"c{i},contact,u{i},active\n")
    write(d, "users.csv", "".join(users))
    write(d, "records.csv", "".join(records))
    write(d, "leavers.csv", "user,deactivate\n" + "".join(f"u{i},yes\n" for i in range(1, n)))
    write(d, "snapshot.toml", 'taken_at = "2026-11-22T09:00:00Z"\n[account]\nowner = "u0"\n')
    write(d, "policy.toml", POLICY.format(what=f"a chain of {n - 1} leavers", shape="chain",
                                          chain='["manager", "account_owner"]'))


def peers(d, n):
    # One team t1 of n reps led by the admin; every tenth rep leaves with 3 opportunities,
    # which go to the least loaded peer.
    users = [HEADER, f"u0,u0@p.example,Admin,+1-555,admin,active,,,,,{LOGIN}\n"]
    records = ["id,kind,owner_id,state\n"]
    leavers = []
    for i in range(1, n + 1):
        users.append(f"u{i},u{i}@p.example,User {i},+1-555,rep,active,u0,t1,,,{LOGIN}\n")
        owned = 3 if i % 10 == 0 else i % 3
        for k in range(owned):
            records.append(f"o{i}-{k},opportunity,u{i},open\n")
        if i % 10 == 0:
            leavers.append(f"u{i},yes\n")
    write(d, "users.csv", "".join(users))
    write(d, "teams.csv", "id,name,leader_id\nt1,Everyone,u0\n")
    write(d, "records.csv", "".join(records))
    write(d, "leavers.csv", "user,deactivate\n" + "".join(leavers))
    write(d, "snapshot.toml", 'taken_at = "2026-11-22T09:00:00Z"\n[account]\nowner = "u0"\n')
    write(d, "policy.toml", POLICY.format(what=f"a team of {n} with {len(leavers)} leavers",
                                          shape="peers", chain='["least_loaded_peer", "account_owner"]'))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("chain", "peers"):
        sys.exit(__doc__)
    shape, d = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else (20000 if shape == "chain" else 100000)
    os.makedirs(d, exist_ok=True)
    (chain if shape == "chain" else peers)(d, n)
