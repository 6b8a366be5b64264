//! Shared by the fuzz targets: splitting one input into several files, the shipped
//! policies and the Acme example compiled in, and the checks every plan must pass.
//!
//! Multi-file inputs are split on the ASCII record separator (0x1E), which CSV, TOML and
//! JSON never need, so a seed is the files of an example joined with 0x1E (see
//! `fuzz/make-seeds.sh`).

#![allow(dead_code)]

use roster::plan::Plan;
use roster::policy::{self, Policy};
use roster::render::{self, Format, Names};
use roster::snapshot::{self, CsvFiles, Link, Store};
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

/// The byte that separates the files of one input.
pub const SEP: u8 = 0x1E;

/// Splits an input into its files (at most `max` parts; the last one keeps any further
/// separators).
pub fn sections(data: &[u8], max: usize) -> Vec<&[u8]> {
    data.splitn(max, |&b| b == SEP).collect()
}

/// The five shipped policies, in a fixed order: default, field-sales, licensed-crm,
/// commerce-backoffice, contact-center.
pub fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        [
            ("default.toml", include_str!("../../../policies/default.toml")),
            ("field-sales.toml", include_str!("../../../policies/field-sales.toml")),
            ("licensed-crm.toml", include_str!("../../../policies/licensed-crm.toml")),
            (
                "commerce-backoffice.toml",
                include_str!("../../../policies/commerce-backoffice.toml"),
            ),
            ("contact-center.toml", include_str!("../../../policies/contact-center.toml")),
        ]
        .iter()
        .map(|(name, text)| {
            policy::parse(text, Path::new(name)).expect("the shipped policies compile")
        })
        .collect()
    })
}

/// `policies/default.toml`.
pub fn default_policy() -> &'static Policy {
    &policies()[0]
}

/// The files of `examples/acme`.
pub fn acme_files() -> CsvFiles {
    CsvFiles {
        users: include_bytes!("../../../examples/acme/users.csv").to_vec(),
        teams: Some(include_bytes!("../../../examples/acme/teams.csv").to_vec()),
        records: Some(include_bytes!("../../../examples/acme/records.csv").to_vec()),
        meta: Some(include_bytes!("../../../examples/acme/snapshot.toml").to_vec()),
        blocked_emails: None,
    }
}

/// `examples/acme` loaded with the default policy.
pub fn acme() -> &'static Store {
    static ACME: OnceLock<Store> = OnceLock::new();
    ACME.get_or_init(|| {
        snapshot::parse_folder(Path::new("examples/acme"), &acme_files(), default_policy().reading(), &snapshot::Silent)
            .expect("the acme example loads")
    })
}

/// A loader error must render (as the CLI prints it) and say something.
pub fn check_error(err: &roster::diag::Diagnostics) {
    assert!(!err.0.is_empty(), "an error with no diagnostic");
    let text = err.to_string();
    assert!(text.starts_with("error: "), "{text}");
    for d in &err.0 {
        assert!(!d.message.trim().is_empty(), "a diagnostic without a message: {d:?}");
    }
}

/// The receiver rules (docs/reference.md, "Eligibility"): every receiver has a `receivers`
/// status after the plan, is no target of the plan (offboarded, refused, or already
/// deactivated), and no report is handed to themself.
pub fn check_receivers(plan: &Plan, store: &Store, policy: &Policy) {
    let after = roster::plan::statuses_after(store, &plan.actions);
    let mut targets: HashSet<&str> = plan.summary.offboarded.keys().map(String::as_str).collect();
    targets.extend(plan.blocked.iter().map(|b| b.user.as_ref()));
    for f in plan.findings.iter().filter(|f| f.code == "already_deactivated") {
        targets.extend(f.users.iter().map(|u| u.as_ref()));
    }
    for r in &plan.reassignments {
        assert!(!targets.contains(r.to.as_ref()), "{} receives but is a target: {r:?}", r.to);
        let to = store.user_ix(&r.to).expect("receivers exist");
        let status = after[to.index()];
        assert!(
            policy.deactivation.may_receive(status),
            "{} receives but is {status} after the plan: {r:?}",
            r.to
        );
        if r.what == roster::plan::What::Reports {
            assert!(!r.ids.contains(&r.to), "{} would manage themself: {r:?}", r.to);
        }
        if !r.through.is_empty() {
            assert!(r.through.len() <= 2 && r.hops.is_some_and(|h| h >= r.through.len()), "{r:?}");
        }
    }
}

/// Every check a plan made with `policy` must pass, and every renderer run over it.
pub fn check_plan_with(plan: &Plan, store: &Store, policy: &Policy) {
    check_receivers(plan, store, policy);
    check_plan(plan, store);
}

/// Every check a plan must pass, and every renderer run over it.
pub fn check_plan(plan: &Plan, store: &Store) {
    let users = |id: &str| store.user_ix(id).is_some();
    let teams = |id: &str| store.team_ix(id).is_some();
    let records: HashSet<&str> = store.records.iter().map(|r| &*r.id).collect();

    for (id, c) in &plan.summary.offboarded {
        assert!(c.holds(), "conservation broken for {id}: {c:?}");
        assert!(users(id), "offboarded {id} is not a user");
    }
    for a in &plan.actions {
        assert!(users(&a.user), "action for unknown user {:?}", a.user);
        if let Some(r) = &a.record {
            assert!(records.contains(r.as_ref()), "action names unknown record {r:?}");
        }
        if let Some(t) = &a.team {
            assert!(teams(t), "action names unknown team {t:?}");
        }
    }
    for r in &plan.reassignments {
        assert!(users(&r.from) && users(&r.to), "reassignment between unknown users: {r:?}");
        assert_ne!(r.from, r.to, "a reassignment to oneself: {r:?}");
        assert_eq!(r.count, r.ids.len(), "count differs from ids: {r:?}");
        for t in &r.through {
            assert!(users(t), "reassignment through unknown user {t:?}");
        }
        for id in &r.ids {
            let known = match r.what {
                roster::plan::What::Records => records.contains(id.as_ref()),
                roster::plan::What::Reports => users(id),
                roster::plan::What::Team => teams(id),
            };
            assert!(known, "reassignment names unknown id {id:?}: {r:?}");
        }
    }
    for b in &plan.blocked {
        assert!(b.code == "unknown_user" || users(&b.user), "blocked unknown user {:?}", b.user);
        for r in &b.records {
            assert!(records.contains(r.as_ref()), "blocked entry names unknown record {r:?}");
        }
    }
    for f in &plan.findings {
        for u in &f.users {
            assert!(users(u), "finding {} names unknown user {u:?}", f.code);
        }
        for r in &f.records {
            assert!(records.contains(r.as_ref()), "finding {} names unknown record {r:?}", f.code);
        }
        // `dangling_team` names the team id that does not exist, by design.
        if f.code != "dangling_team" {
            for t in &f.teams {
                assert!(teams(t), "finding {} names unknown team {t:?}", f.code);
            }
        }
    }
    let actions: usize = plan.summary.actions.values().sum();
    assert_eq!(actions, plan.actions.len(), "summary.actions does not count the actions");
    assert_eq!(plan.summary.blocked, plan.blocked.len());
    assert_eq!(plan.summary.findings, plan.findings.len());

    // Every renderer, and the neutralisation each one promises.
    let names = Names::from_store(store);
    let json = render::render(plan, Format::Json, names, "roster plan");
    let back: Plan = serde_json::from_str(&json).expect("the JSON plan parses back");
    assert_eq!(&back, plan, "the JSON plan does not round-trip");
    let _ = render::render(plan, Format::Yaml, names, "roster plan");
    for format in [Format::Table, Format::Markdown] {
        let text = render::render(plan, format, names, "roster plan");
        if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
            panic!("{format:?} output holds the control character {c:?}");
        }
    }
    let csv = render::render(plan, Format::Csv, names, "roster plan");
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv.as_bytes());
    for row in reader.records() {
        let row = row.expect("the CSV plan parses");
        for cell in row.iter() {
            if let Some(c) = cell.chars().next() {
                assert!(
                    !matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'),
                    "CSV cell {cell:?} starts a formula"
                );
            }
        }
    }
}

/// The checks every loaded store must pass, whatever it was read from: unique, non-empty
/// ids that look up to their own rows, managers resolved whenever they can be, unique
/// team and record ids.
pub fn check_store(store: &Store) {
    let ids: HashSet<&str> = store.users.iter().map(|u| u.id()).collect();
    assert_eq!(ids.len(), store.users.len(), "duplicate user ids were loaded");
    for (i, u) in store.users.iter().enumerate() {
        assert!(!u.id().is_empty());
        assert_eq!(store.user_ix(u.id()).map(|x| x.index()), Some(i));
        if let Link::Dangling(m) = u.manager() {
            assert!(store.user_ix(m).is_none(), "a resolvable manager left dangling");
        }
    }
    let teams: HashSet<&str> = store.teams.iter().map(|t| t.id()).collect();
    assert_eq!(teams.len(), store.teams.len(), "duplicate team ids were loaded");
    let records: HashSet<&str> = store.records.iter().map(|r| r.id).collect();
    assert_eq!(records.len(), store.records.len(), "duplicate record ids were loaded");
}
