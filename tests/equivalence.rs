//! A JSON snapshot and the equivalent CSV folder load to the same model.

use roster::snapshot;

#[test]
fn json_and_csv_examples_load_to_the_same_model() {
    let root = crate::support::root();
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let csv = snapshot::load(&root.join("examples/acme"), &policy).expect("csv snapshot");
    let json = snapshot::load(&root.join("examples/acme.json"), &policy).expect("json snapshot");
    assert_eq!(csv.users.len(), 41);
    assert_eq!(crate::support::canonical(&csv), crate::support::canonical(&json));
    assert_eq!(csv.attribute_names.len(), json.attribute_names.len());
}

#[test]
fn a_plan_from_json_equals_the_plan_from_csv_but_for_the_digest() {
    let root = crate::support::root();
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let plan = |p: &str| {
        let store = snapshot::load(&root.join(p), &policy).expect("snapshot");
        let as_of = store.taken_at.expect("taken_at");
        let mut plan = roster::engine::nightly(&policy, &store, as_of, None).expect("plan");
        plan.snapshot.sha256.clear();
        plan
    };
    assert_eq!(plan("examples/acme"), plan("examples/acme.json"));
    assert!(!plan("examples/acme").actions.is_empty());
}
