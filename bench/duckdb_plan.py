"""The peer a user would reach for: roster's core nightly rules as one DuckDB SQL script.

Rules (the same thresholds as policies/default.toml): active users with no login (or
activation) for 30 days go idle; invites 14 days old have expired; billed users
(invited, active, idle) against the seats of snapshot.toml; open records of the users
going idle, grouped by their manager. Results are written as CSV files, as a plan is.

Usage: python3 bench/duckdb_plan.py SNAPSHOT_DIR OUT_DIR
"""

import re
import sys
from pathlib import Path

import duckdb

snapshot, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
meta = (snapshot / "snapshot.toml").read_text()
as_of = re.search(r'taken_at = "([^"]+)"', meta).group(1)
seats = int(re.search(r"seats = (\d+)", meta).group(1))

con = duckdb.connect()
con.execute(f"""
CREATE TEMP TABLE users AS SELECT * FROM read_csv('{snapshot / "users.csv"}', header = true, all_varchar = true);
CREATE TEMP TABLE records AS SELECT * FROM read_csv('{snapshot / "records.csv"}', header = true, all_varchar = true);
CREATE TEMP TABLE idle AS
  SELECT id, manager_id,
         greatest(coalesce(try_cast(last_login_at AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01'),
                  coalesce(try_cast(activated_at AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01')) AS seen
  FROM users
  WHERE status = 'active'
    AND greatest(coalesce(try_cast(last_login_at AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01'),
                 coalesce(try_cast(activated_at AS TIMESTAMPTZ), TIMESTAMPTZ '1970-01-01'))
        <= TIMESTAMPTZ '{as_of}' - INTERVAL 30 DAY;
COPY (SELECT id AS user, 'mark_idle' AS action FROM idle ORDER BY id) TO '{out / "idle.csv"}' (HEADER);
COPY (SELECT id AS user, 'invite_expired' AS action FROM users
      WHERE status = 'invited' AND try_cast(invited_at AS TIMESTAMPTZ) <= TIMESTAMPTZ '{as_of}' - INTERVAL 14 DAY
      ORDER BY id) TO '{out / "invites.csv"}' (HEADER);
COPY (SELECT count(*) AS billed, {seats} AS seats, count(*) > {seats} AS seat_overage
      FROM users WHERE status IN ('invited', 'active', 'idle')) TO '{out / "seats.csv"}' (HEADER);
COPY (SELECT i.manager_id AS manager, r.kind, count(*) AS records
      FROM records r JOIN idle i ON r.owner_id = i.id
      WHERE r.state IN ('open', 'active')
      GROUP BY ALL ORDER BY ALL) TO '{out / "open_records_by_manager.csv"}' (HEADER);
""")
print((out / "seats.csv").read_text().strip())
