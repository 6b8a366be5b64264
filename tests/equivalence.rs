//! A JSON snapshot and the equivalent CSV folder load to the same model.

use roster::snapshot::{self, Link, Store};

/// The model with ids resolved to text, so that two stores can be compared whatever
/// order their symbols were interned in.
fn canonical(store: &Store) -> String {
    let sym = |s| store.symbols.resolve(s).to_owned();
    let link_user = |l: &Link<snapshot::UserIx>| match l {
        Link::None => "-".to_owned(),
        Link::To(u) => store.user(*u).id.to_string(),
        Link::Dangling(id) => format!("?{id}"),
    };
    let mut out = format!(
        "taken_at {:?}\nseats {:?} owner {}\n",
        store.taken_at,
        store.account.seats,
        link_user(&store.account.owner)
    );
    for u in &store.users {
        let teams: Vec<String> = u
            .teams
            .iter()
            .map(|t| match t {
                Link::To(t) => store.team(*t).id.to_string(),
                Link::Dangling(id) => format!("?{id}"),
                Link::None => "-".to_owned(),
            })
            .collect();
        let mut attrs: Vec<(String, String)> =
            u.attributes.iter().map(|(k, v)| (sym(*k), v.to_string())).collect();
        attrs.sort();
        out.push_str(&format!(
            "user {} {:?} {:?} {:?} {:?} {:?} mgr={} teams={teams:?} flags={:?} perms={:?} {:?} {:?} {:?} {:?} {} {} {} {:?} {attrs:?}\n",
            u.id, u.email, u.name, u.phone, u.role, u.status, link_user(&u.manager),
            u.flags.iter().map(|f| sym(*f)).collect::<Vec<_>>(),
            u.permissions.iter().map(|f| sym(*f)).collect::<Vec<_>>(),
            u.last_login_at, u.invited_at, u.activated_at, u.notified_at,
            u.invite_resends, u.failed_logins, u.locked, u.locked_at,
        ));
    }
    for t in &store.teams {
        out.push_str(&format!("team {} {:?} {}\n", t.id, t.name, link_user(&t.leader)));
    }
    for r in &store.records {
        out.push_str(&format!(
            "record {} {} {} {}\n",
            r.id,
            sym(r.kind),
            sym(r.state),
            link_user(&r.owner)
        ));
    }
    out
}

#[test]
fn json_and_csv_examples_load_to_the_same_model() {
    let root = crate::support::root();
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let csv = snapshot::load(&root.join("examples/acme"), &policy).expect("csv snapshot");
    let json = snapshot::load(&root.join("examples/acme.json"), &policy).expect("json snapshot");
    assert_eq!(csv.users.len(), 41);
    assert_eq!(canonical(&csv), canonical(&json));
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
