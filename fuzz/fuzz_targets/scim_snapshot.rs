//! The SCIM loader, `roster::snapshot::parse_scim`, on arbitrary bytes (a lone
//! ListResponse file), with `policies/default.toml`. A store that loads is checked like the
//! other snapshots (no lost resource, unique ids, references resolved or dangling), then
//! planned (nightly) twice, and rendered.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::snapshot;
use serde_json::Value;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let policy = common::default_policy();
    let path = Path::new("fuzz.scim.json");
    match snapshot::parse_scim(path, data, policy.reading()) {
        Err(e) => {
            common::check_error(&e);
            for d in &e.0 {
                assert_eq!(d.file, path, "a diagnostic names another file: {d:?}");
            }
        }
        Ok(store) => {
            // No silent loss: every resource of a lone file that loads is a user or a team.
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            if let Ok(doc) = serde_json::from_slice::<Value>(body) {
                let resources = ["Resources", "resources"]
                    .iter()
                    .find_map(|k| doc.get(*k).and_then(Value::as_array))
                    .map_or(0, Vec::len);
                assert_eq!(store.users.len() + store.teams.len(), resources, "resources were lost");
            }
            common::check_store(&store);
            let as_of = store.taken_at.unwrap_or_else(|| common::acme().taken_at.unwrap());
            match roster::engine::nightly(policy, &store, as_of, roster::engine::Extra::default()) {
                Ok(plan) => {
                    common::check_plan_with(&plan, &store, policy);
                    let again = roster::engine::nightly(policy, &store, as_of, roster::engine::Extra::default());
                    assert_eq!(again.ok().as_ref(), Some(&plan), "the plan is not deterministic");
                }
                Err(e) => common::check_error(&e),
            }
        }
    }
});
