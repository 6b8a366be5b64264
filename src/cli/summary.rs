//! The summary of a multi-tenant run (`DIR/summary.json`, `DIR/summary.md`), and
//! `roster summary DIR...`, which merges the summaries of several shards into one.
//!
//! Tenants are listed by id; the only figures that change from run to run are the
//! seconds each tenant took (and so the list of the slowest).

use super::{Error, Exit};
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::path::PathBuf;

/// One tenant of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantLine {
    /// Its id.
    pub id: String,
    /// `ok` or `failed`.
    pub status: String,
    /// Why it failed (the first lines of the error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Users in its snapshot.
    pub users: usize,
    /// Actions of its plan.
    pub actions: usize,
    /// Refusals.
    pub blocked: usize,
    /// Findings.
    pub findings: usize,
    /// Billed users over the seat count after the plan.
    pub seats_over: usize,
    /// Whether the plan is held by `[safety]`.
    pub held: bool,
    /// The exit code a single run of the tenant would have had.
    pub exit: u8,
    /// Wall time of the tenant, in seconds.
    pub seconds: f64,
}

/// The totals over the tenants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Tenants in the summary.
    pub tenants: usize,
    /// Tenants that failed.
    pub failed: usize,
    /// Users.
    pub users: usize,
    /// Actions.
    pub actions: usize,
    /// Refusals.
    pub blocked: usize,
    /// Findings.
    pub findings: usize,
    /// Seats over, summed.
    pub seats_over: usize,
    /// Held plans.
    pub held: usize,
}

/// A run's summary (`roster-summary/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `roster-summary/1`.
    pub format: String,
    /// The shards summed up (`[K, N]` each), in order.
    pub shards: Vec<(u64, u64)>,
    /// The totals.
    pub totals: Totals,
    /// The ten slowest tenants, slowest first.
    pub slowest: Vec<String>,
    /// Every tenant, by id.
    pub tenants: Vec<TenantLine>,
}

impl Summary {
    /// The summary of these tenants (of one shard, or of the whole).
    pub fn new(shard: Option<(u64, u64)>, tenants: Vec<TenantLine>) -> Summary {
        Summary::of(shard.into_iter().collect(), tenants)
    }

    fn of(shards: Vec<(u64, u64)>, mut tenants: Vec<TenantLine>) -> Summary {
        tenants.sort_by(|a, b| crate::plan::natural_cmp(&a.id, &b.id));
        let mut totals = Totals { tenants: tenants.len(), ..Totals::default() };
        for t in &tenants {
            totals.failed += usize::from(t.status != "ok");
            totals.users += t.users;
            totals.actions += t.actions;
            totals.blocked += t.blocked;
            totals.findings += t.findings;
            totals.seats_over += t.seats_over;
            totals.held += usize::from(t.held);
        }
        let mut by_time: Vec<&TenantLine> = tenants.iter().collect();
        by_time.sort_by(|a, b| b.seconds.total_cmp(&a.seconds).then_with(|| a.id.cmp(&b.id)));
        let slowest = by_time.iter().take(10).map(|t| t.id.clone()).collect();
        Summary { format: "roster-summary/1".to_owned(), shards, totals, slowest, tenants }
    }

    /// The exit code of the whole: 1 when a tenant failed, else the highest of theirs.
    pub fn exit(&self) -> Exit {
        if self.totals.failed > 0 {
            return Exit::BadInput;
        }
        match self.tenants.iter().map(|t| t.exit).max().unwrap_or(0) {
            4 => Exit::Held,
            3 => Exit::FailOn,
            _ => Exit::Ok,
        }
    }

    /// The JSON summary.
    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The Markdown summary.
    pub fn markdown(&self) -> String {
        let t = &self.totals;
        let md = crate::render::markdown_safe;
        let mut out = String::from("# roster: every tenant\n\n");
        let _ = writeln!(
            out,
            "{} tenants ({} failed), {} users: {} actions, {} blocked, {} findings, {} seats over, {} held plans.\n",
            t.tenants, t.failed, t.users, t.actions, t.blocked, t.findings, t.seats_over, t.held
        );
        if !self.slowest.is_empty() {
            let _ = writeln!(
                out,
                "Slowest: {}.\n",
                self.slowest.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ")
            );
        }
        out.push_str("| tenant | status | users | actions | blocked | findings | seats over | held | seconds |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|---|---:|\n");
        for l in &self.tenants {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {:.3} |",
                md(&l.id),
                l.status,
                l.users,
                l.actions,
                l.blocked,
                l.findings,
                l.seats_over,
                if l.held { "yes" } else { "no" },
                l.seconds
            );
        }
        for l in self.tenants.iter().filter(|l| l.error.is_some()) {
            let _ = write!(
                out,
                "\n## {} failed\n\n{}",
                md(&l.id),
                super::results::fenced(l.error.as_deref().unwrap_or(""))
            );
        }
        out
    }
}

/// Merge the summary.json of several runs (the shards of one job) into one summary.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
roster summary out/shard-0 out/shard-1 out/shard-2 --out-dir out\n\n\
Exit status:\n  \
0  merged; no tenant failed or has a --fail-on condition or a held plan\n  \
1  a summary cannot be read, a tenant is in two of them, or a tenant failed\n  \
3  a tenant's --fail-on condition held\n  \
4  a tenant's plan is held by [safety]")]
pub struct Args {
    /// Folders holding a summary.json each.
    #[arg(value_name = "DIR", required = true)]
    dirs: Vec<PathBuf>,
    /// Write summary.json and summary.md into this folder instead of printing the Markdown.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Runs `roster summary`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let mut shards = Vec::new();
    let mut tenants: Vec<TenantLine> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for dir in &args.dirs {
        let path = dir.join("summary.json");
        let text = match crate::files::read(&path) {
            Ok(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
            Ok(None) => {
                return Err(crate::diag::Diagnostics::from(
                    crate::diag::Diagnostic::file(&path, "no summary.json here")
                        .help("pass the --out-dir folders of `roster plan --tenants` runs"),
                )
                .into())
            }
            Err(d) => return Err(crate::diag::Diagnostics::from(d).into()),
        };
        let s: Summary = serde_json::from_str(&text).map_err(|e| {
            crate::diag::Diagnostics::from(crate::diag::Diagnostic::file(
                &path,
                format!("not a roster summary: {e}"),
            ))
        })?;
        for t in s.tenants {
            if let Some(first) = seen.insert(t.id.clone(), dir.clone()) {
                return Err(crate::diag::Diagnostics::from(
                    crate::diag::Diagnostic::file(
                        &path,
                        format!(
                            "tenant {} is also in {}",
                            crate::diag::quote(&t.id),
                            first.display()
                        ),
                    )
                    .help("merge the summaries of one run's shards, each once"),
                )
                .into());
            }
            tenants.push(t);
        }
        shards.extend(s.shards);
    }
    shards.sort_unstable();
    let merged = Summary::of(shards, tenants);
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Output(format!("cannot create {}: {e}", dir.display())))?;
            super::replace::write(&dir.join("summary.json"), merged.json().as_bytes())
                .map_err(Error::Output)?;
            super::replace::write(&dir.join("summary.md"), merged.markdown().as_bytes())
                .map_err(Error::Output)?;
        }
        None => super::print(&merged.markdown())?,
    }
    Ok(merged.exit())
}
