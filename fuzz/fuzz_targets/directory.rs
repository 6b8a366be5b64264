//! The directory loader, `roster::directory::parse`, on arbitrary bytes (an HR CSV, or a
//! SCIM ListResponse when the bytes say so), read with `policies/directory.toml`'s
//! `[directory]` mapping. A directory that loads is reconciled with `examples/acme` in a
//! nightly plan, which must pass the plan checks (conservation, receivers, known ids).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::engine::Extra;
use std::path::Path;
use std::sync::OnceLock;

fn policy() -> &'static roster::policy::Policy {
    static POLICY: OnceLock<roster::policy::Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = include_str!("../../policies/directory.toml");
        roster::policy::parse(text, Path::new("policies/directory.toml")).expect("the directory policy compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let policy = policy();
    let people = match roster::directory::parse(Path::new("hr.csv"), data, &policy.directory) {
        Ok(p) => p,
        Err(e) => {
            common::check_error(&e);
            return;
        }
    };
    let store = common::acme();
    let as_of = store.taken_at.expect("acme has taken_at");
    let extra = Extra { previous: None, directory: Some(&people) };
    match roster::engine::nightly(policy, store, as_of, extra) {
        Ok(plan) => common::check_plan_with(&plan, store, policy),
        Err(e) => common::check_error(&e),
    }
});
