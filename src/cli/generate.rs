//! `roster generate`: a realistic, deterministic synthetic snapshot for benchmarks and
//! tests at scale.
//!
//! The same `--users`, `--records` and `--seed` always give the same bytes. The account
//! has a manager tree of realistic depth (fan-out about 7), teams led by managers, a status
//! mix (mostly active, some idle, invites of every age, a few suspended, deactivated and
//! departed users), skewed record ownership (a few users own many records), several record
//! kinds and states, and a small fraction of dirty rows: managers nobody has, two manager
//! cycles, missing phones, duplicate e-mails, records owned by unknown ids. It also writes
//! `leavers.csv`, a bulk sheet asking to offboard 1% of the users.

use super::replace::{self, Replacement};
use super::{Error, Exit};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Write a realistic, deterministic synthetic snapshot (CSV folder, optionally also JSON)
/// with a bulk sheet `leavers.csv` offboarding 1% of the users.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of users (1 to 100,000,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=MAX_USERS))]
    users: u64,
    /// Number of records (0 to 1,000,000,000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(0..=MAX_RECORDS))]
    records: u64,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder to write (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write snapshot.json, the same data as one JSON document.
    #[arg(long)]
    json: bool,
    /// Also write directory.csv, an HR export of the same people (a few terminated,
    /// leaving, absent, with another manager or department), with the headers of
    /// policies/directory.toml.
    #[arg(long)]
    directory: bool,
}

/// The most users `--users` takes: the generated ids have seven digits and more would not
/// fit in the memory of most machines.
const MAX_USERS: u64 = 100_000_000;
/// The most records `--records` takes.
const MAX_RECORDS: u64 = 1_000_000_000;

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    // Both fit in usize: they are bounded by the parser.
    let spec = Spec {
        users: args.users as usize,
        records: args.records as usize,
        seed: args.seed,
        json: args.json,
        directory: args.directory,
    };
    generate(&spec, &args.out).map_err(|e| {
        Error::Output(format!("cannot write the snapshot to {}: {e}", args.out.display()))
    })?;
    Ok(Exit::Ok)
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Number of users.
    pub users: usize,
    /// Number of records.
    pub records: usize,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Also write `snapshot.json` (the same data as one JSON document).
    pub json: bool,
    /// Also write `directory.csv` (an HR export of the same people).
    pub directory: bool,
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in [0, n).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const FIRST: [&str; 24] = [
    "Ana", "Ben", "Chen", "Dana", "Emre", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen",
    "Yusuf",
];
const LAST: [&str; 20] = [
    "Almeida",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jovanovic",
    "Kowalski",
    "Larsen",
    "Mensah",
    "Nguyen",
    "Okafor",
    "Petrova",
    "Rossi",
    "Silva",
    "Tanaka",
    "Weber",
];

/// The instant every generated snapshot is taken at.
pub const TAKEN_AT: &str = "2026-11-22T06:00:00Z";
const TAKEN_AT_DAY: i64 = 20_779; // days from 1970-01-01 to 2026-11-22

fn date(days_before: i64, seconds: u64) -> String {
    let day = TAKEN_AT_DAY - days_before;
    let (y, m, d) = civil(day);
    let s = seconds % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}

/// Days since the epoch -> (year, month, day), proleptic Gregorian.
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct GenUser {
    manager: Option<usize>,
    role: &'static str,
    status: &'static str,
    team: Option<usize>,
}

/// Writes the snapshot into `out` (created if needed).
pub fn generate(spec: &Spec, out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let n = spec.users.max(1);
    let mut rng = Rng(spec.seed ^ 0x5EED_0000_0000_0001);
    // The manager tree: user i reports to someone among the users before it, with a
    // fan-out of about 7, so depth grows like log7(n).
    let mut users: Vec<GenUser> = Vec::with_capacity(n);
    let mut reports = vec![0u32; n];
    for i in 0..n {
        let manager = if i == 0 {
            None
        } else {
            let lo = (i - 1) / 8;
            let hi = ((i - 1) / 6).max(lo);
            let m = lo + rng.below(hi - lo + 1);
            reports[m] += 1;
            Some(m)
        };
        users.push(GenUser { manager, role: "rep", status: "active", team: None });
    }
    // Teams: every user with reports leads one; members are the leader's reports.
    let mut team_of_leader = vec![usize::MAX; n];
    let mut leaders = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        if *r > 0 {
            team_of_leader[i] = leaders.len();
            leaders.push(i);
        }
    }
    for i in 0..n {
        let u = &mut users[i];
        u.role = if i < 3 {
            "admin"
        } else if reports[i] > 0 {
            "manager"
        } else if rng.below(50) == 0 {
            "contractor"
        } else {
            "rep"
        };
        u.team = u.manager.map(|m| team_of_leader[m]).filter(|t| *t != usize::MAX);
        let roll = rng.below(1000);
        u.status = if i == 0 || reports[i] > 0 {
            if roll < 15 {
                "idle"
            } else {
                "active"
            }
        } else if roll < 850 {
            "active"
        } else if roll < 910 {
            "idle"
        } else if roll < 940 {
            "invited"
        } else if roll < 960 {
            "suspended"
        } else if roll < 980 {
            "deactivated"
        } else {
            "left"
        };
    }
    let id = |i: usize| format!("u{:07}", i + 1);
    // users.csv
    let mut w = BufWriter::with_capacity(1 << 20, create(&out.join("users.csv"))?);
    writeln!(
        w,
        "id,email,name,phone,role,status,manager_id,teams,flags,permissions,last_login_at,invited_at,activated_at,notified_at,invite_resends,failed_logins,locked,locked_at,department"
    )?;
    let mut billed = 0usize;
    let mut json_users = Vec::new();
    let mut previous_email = String::new();
    let mut people: Vec<(String, &str)> = Vec::new();
    for (i, u) in users.iter().enumerate() {
        let first = FIRST[rng.below(FIRST.len())];
        let last = LAST[rng.below(LAST.len())];
        let name = format!("{first} {last}");
        // A few duplicate e-mails: every 2000th user reuses the previous user's address.
        let email = if i % 2000 == 1999 {
            previous_email.clone()
        } else {
            format!("{}.{}{}@corp.example", first.to_lowercase(), last.to_lowercase(), i + 1)
        };
        previous_email.clone_from(&email);
        let phone = if rng.below(1000) < 3 {
            String::new()
        } else {
            format!("+1-555-{:07}", i % 10_000_000)
        };
        // Dirty managers: one in a thousand names nobody; two cycles among the last users.
        let manager = if i > 10 && rng.below(1000) == 0 {
            format!("x{:07}", i)
        } else if n > 20 && (i == n - 1 || i == n - 3) {
            id(i - 1)
        } else if n > 20 && (i == n - 2 || i == n - 4) {
            id(i + 1)
        } else {
            u.manager.map(&id).unwrap_or_default()
        };
        let teams = u.team.map(|t| format!("t{:06}", t + 1)).unwrap_or_default();
        let flags = if i == 0 {
            "account_owner;billing_owner"
        } else if rng.below(200) == 0 {
            "service_account"
        } else {
            ""
        };
        let days_since_login: i64 = match u.status {
            "active" => {
                let r = rng.unit();
                if r < 0.88 {
                    (r * 25.0) as i64
                } else {
                    25 + ((r - 0.88) * 1500.0) as i64
                }
            }
            "idle" => 30 + rng.below(200) as i64,
            _ => 60 + rng.below(400) as i64,
        };
        let secs = rng.next();
        let (last_login, invited, activated) = if u.status == "invited" {
            (String::new(), date(rng.below(40) as i64, secs), String::new())
        } else {
            let since = days_since_login + 30 + rng.below(900) as i64;
            let login =
                if rng.below(100) == 0 { String::new() } else { date(days_since_login, secs) };
            (login, date(since + 1, secs), date(since, secs))
        };
        let notified = if u.status == "active" && days_since_login > 53 && rng.below(2) == 0 {
            date(rng.below(14) as i64, secs)
        } else {
            String::new()
        };
        let resends = if u.status == "invited" { rng.below(3) } else { 0 };
        let failed = if rng.below(100) == 0 { 5 + rng.below(3) } else { rng.below(3) };
        let locked = failed >= 6;
        let locked_at = if locked { date(rng.below(3) as i64, secs) } else { String::new() };
        let department = ["Sales", "Support", "Operations", "Finance"][rng.below(4)];
        if matches!(u.status, "invited" | "active" | "idle") {
            billed += 1;
        }
        if spec.directory {
            people.push((email.clone(), department));
        }
        writeln!(
            w,
            "{},{email},{name},{phone},{},{},{manager},{teams},{flags},,{last_login},{invited},{activated},{notified},{resends},{failed},{},{locked_at},{department}",
            id(i),
            u.role,
            u.status,
            if locked { "true" } else { "false" },
        )?;
        if spec.json {
            json_users.push(serde_json::json!({
                "id": id(i), "email": email, "name": name, "phone": phone, "role": u.role,
                "status": u.status, "manager_id": manager,
                "teams": if teams.is_empty() { vec![] } else { vec![teams] },
                "flags": flags.split(';').filter(|f| !f.is_empty()).collect::<Vec<_>>(),
                "last_login_at": last_login, "invited_at": invited, "activated_at": activated,
                "notified_at": notified, "invite_resends": resends, "failed_logins": failed,
                "locked": locked, "locked_at": locked_at, "department": department,
            }));
        }
    }
    finish(w)?;
    // teams.csv
    let mut w = BufWriter::with_capacity(1 << 20, create(&out.join("teams.csv"))?);
    writeln!(w, "id,name,leader_id")?;
    let mut json_teams = Vec::new();
    for (t, leader) in leaders.iter().enumerate() {
        writeln!(w, "t{:06},Team {},{}", t + 1, t + 1, id(*leader))?;
        if spec.json {
            json_teams.push(serde_json::json!({"id": format!("t{:06}", t + 1), "name": format!("Team {}", t + 1), "leader_id": id(*leader)}));
        }
    }
    finish(w)?;
    // records.csv: skewed ownership through a fixed permutation of a power law.
    let mut w = BufWriter::with_capacity(1 << 20, create(&out.join("records.csv"))?);
    writeln!(w, "id,kind,owner_id,state")?;
    let mut json_records = Vec::new();
    const STRIDE: usize = 2_654_435_761;
    for r in 0..spec.records {
        let x = rng.unit();
        let rank = ((x * x * x) * n as f64) as usize % n;
        let owner_ix = (rank.wrapping_mul(STRIDE)) % n;
        let owner = if rng.below(10_000) == 0 { format!("x{owner_ix:07}") } else { id(owner_ix) };
        let roll = rng.below(10_000);
        let (kind, state) = if roll < 4000 {
            ("opportunity", if rng.below(10) < 6 { "open" } else { "closed" })
        } else if roll < 7000 {
            ("contact", "active")
        } else if roll < 8000 {
            ("company", "active")
        } else if roll < 9500 {
            ("pin", "open")
        } else if roll < 9999 {
            ("subscription", if rng.below(2) == 0 { "active" } else { "cancelled" })
        } else {
            ("routing_rule", "active")
        };
        writeln!(w, "r{:08},{kind},{owner},{state}", r + 1)?;
        if spec.json {
            json_records.push(serde_json::json!({"id": format!("r{:08}", r + 1), "kind": kind, "owner_id": owner, "state": state}));
        }
    }
    finish(w)?;
    let seats = billed * 97 / 100;
    let toml =
        format!("taken_at = \"{TAKEN_AT}\"\n\n[account]\nseats = {seats}\nowner = \"{}\"\n", id(0));
    replace::write(&out.join("snapshot.toml"), toml.as_bytes()).map_err(std::io::Error::other)?;
    // leavers.csv: 1% of the users, for `roster offboard --requests`.
    let mut w = BufWriter::new(create(&out.join("leavers.csv"))?);
    writeln!(w, "user,deactivate")?;
    for i in (37..n).step_by(100) {
        writeln!(w, "{},y", id(i))?;
    }
    finish(w)?;
    if spec.directory {
        write_directory(spec, out, &users, &people)?;
    }
    if spec.json {
        let doc = serde_json::json!({
            "taken_at": TAKEN_AT,
            "account": {"seats": seats, "owner": id(0)},
            "users": json_users, "teams": json_teams, "records": json_records,
        });
        let mut w = BufWriter::new(create(&out.join("snapshot.json"))?);
        serde_json::to_writer(&mut w, &doc)?;
        finish(w)?;
    }
    Ok(())
}

/// `directory.csv`: one person a user, under the headers `policies/directory.toml` maps,
/// with its own random stream (the snapshot's bytes do not depend on it). About 1% of the
/// users' people are terminated (left within the last 60 days), 1% leave within 30 days
/// (or left within 10), 0.5% are absent, 0.5% have another manager (their manager's
/// manager) and 0.5% another department.
fn write_directory(
    spec: &Spec,
    out: &Path,
    users: &[GenUser],
    people: &[(String, &str)],
) -> std::io::Result<()> {
    let mut rng = Rng(spec.seed ^ 0xD1EC_7000_0000_0002);
    let person = |i: usize| format!("E{:07}", i + 1);
    let mut w = BufWriter::with_capacity(1 << 20, create(&out.join("directory.csv"))?);
    writeln!(w, "Employee ID,Work Email,Employment Status,Termination Date,Manager ID,Department")?;
    for (i, (u, (email, department))) in users.iter().zip(people).enumerate() {
        let roll = rng.below(1000);
        if roll < 5 {
            continue; // absent: an account HR does not know
        }
        let (status, leave) = match roll {
            5..=14 => ("Terminated", date(rng.below(60) as i64, 0)),
            15..=24 => ("Active", date(10 - rng.below(40) as i64, 0)),
            _ => ("Active", String::new()),
        };
        let manager = match (roll, u.manager) {
            (25..=29, Some(m)) => users.get(m).and_then(|b| b.manager).or(Some(m)),
            (_, m) => m,
        };
        let department = if (30..35).contains(&roll) { "Legal" } else { department };
        writeln!(
            w,
            "{},{email},{status},{leave},{},{department}",
            person(i),
            manager.map(person).unwrap_or_default()
        )?;
    }
    finish(w)
}

/// Starts writing one file of the snapshot the safe way ([`Replacement`]): a link planted
/// in the folder is refused, never followed.
fn create(path: &Path) -> std::io::Result<Replacement> {
    Replacement::begin(path).map_err(std::io::Error::other)
}

/// Flushes and commits a file started with [`create`].
fn finish(w: BufWriter<Replacement>) -> std::io::Result<()> {
    w.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .commit()
        .map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(TAKEN_AT_DAY), (2026, 11, 22));
        assert_eq!(date(0, 3600), "2026-11-22T01:00:00Z");
        assert_eq!(date(366, 0), "2025-11-21T00:00:00Z");
    }
}
