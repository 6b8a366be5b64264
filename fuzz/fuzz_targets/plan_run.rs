//! A whole run on a fuzzed small snapshot: load, `engine::nightly`, `engine::offboarding`
//! and `engine::reactivation`, then every renderer, with the plan checks of
//! `common::check_plan_with` (conservation, receiver eligibility, no unknown ids,
//! neutralised output).
//!
//! Input: `control` 0x1E `users.csv` 0x1E `teams.csv` 0x1E `records.csv` 0x1E
//! `snapshot.toml`. Control bytes: [0] picks one of the five shipped policies, [1] is a
//! set of flags (bulk channel, allow reactivation, reassign_to, reports_to), [2] the actor
//! and [3..] the offboarding targets, as positions in users.csv (one past the end is an
//! unknown id).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::engine::scenario::{Command, Scenario};
use roster::snapshot::{self, CsvFiles};
use roster::time::parse_time;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let parts = common::sections(data, 5);
    let control = parts.first().copied().unwrap_or_default();
    let part = |i: usize| parts.get(i).map(|p| p.to_vec());
    let files = CsvFiles {
        users: part(1).unwrap_or_default(),
        teams: part(2),
        records: part(3),
        meta: part(4),
        blocked_emails: None,
    };
    let byte = |i: usize| control.get(i).copied().unwrap_or(0);
    let policies = common::policies();
    let policy = &policies[byte(0) as usize % policies.len()];
    let store = match snapshot::parse_folder(Path::new("fuzz"), &files, policy.reading(), &snapshot::Silent) {
        Ok(s) => s,
        Err(e) => {
            common::check_error(&e);
            return;
        }
    };
    let as_of = store.taken_at.unwrap_or_else(|| parse_time("2026-11-22T06:00:00Z").unwrap());
    match roster::engine::nightly(policy, &store, as_of, roster::engine::Extra::default()) {
        Ok(plan) => common::check_plan_with(&plan, &store, policy),
        Err(e) => common::check_error(&e),
    }

    let n = store.users.len();
    let id = |b: u8| -> String {
        match b as usize % (n + 1) {
            i if i < n => store.user(roster::snapshot::UserIx(i as u32)).id().to_string(),
            _ => "nobody".to_owned(),
        }
    };
    let flags = byte(1);
    let targets: Vec<String> = control.iter().skip(3).take(16).map(|&b| id(b)).collect();
    let offboard = Scenario {
        command: Command::Offboard,
        actor: Some(id(byte(2))),
        users: targets.clone(),
        bulk: flags & 1 != 0,
        allow_reactivation: flags & 2 != 0,
        reassign_to: (flags & 4 != 0).then(|| id(byte(2).wrapping_add(1))),
        reports_to: (flags & 8 != 0).then(|| id(byte(2).wrapping_add(2))),
        ..Scenario::default()
    };
    match offboard.plan(policy, &store, as_of) {
        Ok(plan) => common::check_plan_with(&plan, &store, policy),
        Err(e) => common::check_error(&e),
    }
    let reactivate = Scenario {
        command: Command::Reactivate,
        actor: Some(id(byte(2))),
        users: targets,
        ..Scenario::default()
    };
    match reactivate.plan(policy, &store, as_of) {
        Ok(plan) => common::check_plan_with(&plan, &store, policy),
        Err(e) => common::check_error(&e),
    }
});
