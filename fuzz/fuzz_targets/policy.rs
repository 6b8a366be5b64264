//! The policy loader, `roster::policy::parse`, on arbitrary text. A policy that compiles
//! is bound to `examples/acme` and planned (nightly, and one offboarding), so that odd but
//! valid policies (huge durations, empty chains, strange matchers) reach the engine.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::engine::scenario::{Command, Scenario};
use roster::snapshot;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = match roster::policy::parse(text, Path::new("fuzz.toml")) {
        Ok(p) => p,
        Err(e) => {
            common::check_error(&e);
            return;
        }
    };
    let store = match snapshot::parse_folder(Path::new("acme"), &common::acme_files(), policy.reading(), &snapshot::Silent) {
        Ok(s) => s,
        Err(e) => {
            common::check_error(&e);
            return;
        }
    };
    let as_of = store.taken_at.expect("acme has taken_at");
    match roster::engine::nightly(&policy, &store, as_of, roster::engine::Extra::default()) {
        Ok(plan) => common::check_plan_with(&plan, &store, &policy),
        Err(e) => common::check_error(&e),
    }
    let scenario = Scenario {
        command: Command::Offboard,
        actor: Some("u002".into()),
        users: vec!["u013".into(), "u005".into(), "u004".into()],
        ..Scenario::default()
    };
    match scenario.plan(&policy, &store, as_of) {
        Ok(plan) => common::check_plan_with(&plan, &store, &policy),
        Err(e) => common::check_error(&e),
    }
});
