//! The JSON snapshot loader, `roster::snapshot::parse_json`, on arbitrary bytes, with
//! `policies/default.toml`. A store that loads is also planned (nightly) and rendered.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::snapshot;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let policy = common::default_policy();
    match snapshot::parse_json(Path::new("fuzz.json"), data, policy.reading()) {
        Err(e) => common::check_error(&e),
        Ok(store) => {
            common::check_store(&store);
            let as_of = store.taken_at.unwrap_or_else(|| common::acme().taken_at.unwrap());
            match roster::engine::nightly(policy, &store, as_of, roster::engine::Extra::default()) {
                Ok(plan) => common::check_plan_with(&plan, &store, policy),
                Err(e) => common::check_error(&e),
            }
        }
    }
});
