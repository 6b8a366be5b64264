//! Orphans: records still held by users who are already deactivated or left. Their open
//! work is a finding, and the same resolver as offboarding says where it should go.

use super::resolver::{Need, Pick, Resolution, Resolver};
use super::through_ids;
use crate::model::Status;
use crate::plan::{Finding, Reassignment, Text, What};
use crate::policy::Disposition;
use crate::rules::Ctx;
use crate::snapshot::{Sym, UserIx};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// What one departed user still holds: transferable records by (kind, state), and
/// records the policy says to change by hand.
struct Held<'a> {
    user: UserIx,
    groups: BTreeMap<(Sym, Sym), Vec<Text<'a>>>,
    by_hand: Vec<Text<'a>>,
}

/// Findings and reassignments for records held by deactivated or departed users who are
/// not targets of this plan. Holders are grouped in parallel and resolved in id order.
pub fn orphans<'a>(
    ctx: &Ctx<'a, '_>,
    resolver: &mut Resolver<'_>,
) -> (Vec<Reassignment<'a>>, Vec<Finding<'a>>) {
    in_slices(ctx, resolver, SLICE)
}

fn in_slices<'a>(
    ctx: &Ctx<'a, '_>,
    resolver: &mut Resolver<'_>,
    slice: usize,
) -> (Vec<Reassignment<'a>>, Vec<Finding<'a>>) {
    let store = ctx.store;
    let holders: Vec<UserIx> = store
        .user_ixs()
        .filter(|u| {
            matches!(store.user(*u).status(), Status::Deactivated | Status::Left)
                && !resolver.is_leaving(*u)
                && store.record_count(*u) > 0
        })
        .collect();
    // In slices of holders: what one slice groups and resolves is freed before the next
    // begins, so the memory it used is taken again by the next instead of adding up (at a
    // million users, the whole at once held about 50 MB more at its peak).
    let mut reassignments = Vec::new();
    let mut findings = Vec::new();
    for slice in holders.chunks(slice.max(1)) {
        let held: Vec<Held> = slice.par_iter().map(|u| held(ctx, *u)).collect();
        // Receivers are taken one holder after another, in order (the resolver balances
        // load and remembers chains); the entries are then written in parallel.
        let resolved: Vec<BTreeMap<Sym, Resolution>> =
            held.iter().map(|h| resolve_held(resolver, h)).collect();
        let written: Vec<(Vec<Reassignment<'a>>, Vec<Finding<'a>>)> = held
            .into_par_iter()
            .zip(resolved)
            .map(|(h, resolved)| findings_of(ctx, h, &resolved))
            .collect();
        reassignments.reserve(written.iter().map(|(r, _)| r.len()).sum());
        findings.reserve(written.iter().map(|(_, f)| f.len()).sum());
        for (r, f) in written {
            reassignments.extend(r);
            findings.extend(f);
        }
    }
    (reassignments, findings)
}

/// Holders per slice.
const SLICE: usize = 4096;

/// The receiver of each kind of record a holder still has.
fn resolve_held(resolver: &mut Resolver<'_>, h: &Held<'_>) -> BTreeMap<Sym, Resolution> {
    let mut resolved: BTreeMap<Sym, Resolution> = BTreeMap::new();
    for (kind, _) in h.groups.keys() {
        if !resolved.contains_key(kind) {
            let weight: usize =
                h.groups.iter().filter(|((k, _), _)| k == kind).map(|(_, ids)| ids.len()).sum();
            let to =
                resolver.resolve(h.user, Need::Records(*kind), Pick::Take(weight as u64), None);
            resolved.insert(*kind, to);
        }
    }
    resolved
}

fn held<'a>(ctx: &Ctx<'a, '_>, user: UserIx) -> Held<'a> {
    let store = ctx.store;
    let mut groups: BTreeMap<(Sym, Sym), Vec<Text<'a>>> = BTreeMap::new();
    let mut by_hand: Vec<Text<'a>> = Vec::new();
    for r in store.records_of(user) {
        let rec = store.record(r);
        match ctx.bound.disposition(ctx.policy, store, rec.kind, rec.state) {
            Disposition::Transfer => {
                groups.entry((rec.kind, rec.state)).or_default().push(rec.id.into())
            }
            Disposition::Block => by_hand.push(rec.id.into()),
            Disposition::Keep | Disposition::Cancel => {}
        }
    }
    Held { user, groups, by_hand }
}

fn findings_of<'a>(
    ctx: &Ctx<'a, '_>,
    h: Held<'a>,
    resolved: &BTreeMap<Sym, Resolution>,
) -> (Vec<Reassignment<'a>>, Vec<Finding<'a>>) {
    let store = ctx.store;
    let u = store.user(h.user);
    let mut reassignments = Vec::new();
    let mut findings = Vec::new();
    for ((kind, state), ids) in h.groups {
        let Some(to) = resolved.get(&kind) else { continue };
        let what = format!(
            "{} {} {} {}",
            ids.len(),
            store.symbols.resolve(state),
            store.symbols.resolve(kind),
            crate::plan::plural(ids.len(), "record")
        );
        let fate = match to {
            Resolution::To { user: receiver, via, .. } => {
                format!("they should go to {} ({via})", store.user(*receiver).id())
            }
            Resolution::Keep => "the policy keeps them with the user (keep)".to_owned(),
            Resolution::Nowhere(tried) => {
                format!("no eligible receiver (tried {})", tried.join("; "))
            }
        };
        let mut f = Finding::new(
            "orphaned_records",
            vec![u.id().into()],
            format!("{} {} but still owns {what}; {fate}", u.id(), gone(u.status())),
        );
        f.records = ids.clone();
        findings.push(f);
        if let Resolution::To { user: receiver, via, through } = to {
            let (through, hops) = through_ids(ctx, *through);
            reassignments.push(Reassignment {
                from: u.id().into(),
                to: store.user(*receiver).id().into(),
                what: What::Records,
                kind: Some(store.symbols.resolve(kind).into()),
                state: Some(store.symbols.resolve(state).into()),
                count: ids.len(),
                ids,
                via: (*via).into(),
                through,
                hops,
            });
        }
    }
    if !h.by_hand.is_empty() {
        let mut f = Finding::new(
            "orphaned_records",
            vec![u.id().into()],
            format!(
                "{} {} but is still named by {} {} the policy says to change by hand",
                u.id(),
                gone(u.status()),
                h.by_hand.len(),
                crate::plan::plural(h.by_hand.len(), "record")
            ),
        );
        f.records = h.by_hand;
        findings.push(f);
    }
    (reassignments, findings)
}

/// "has left" / "is deactivated".
fn gone(status: Status) -> String {
    match status {
        Status::Left => "has left".to_owned(),
        other => format!("is {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Reasons;
    use std::collections::HashMap;
    use std::path::Path;

    /// The slices only bound memory: one holder at a time or all at once, the same entries
    /// in the same order (the resolver's load and chains carry over from slice to slice).
    #[test]
    fn slices_change_nothing() {
        let dir = std::env::temp_dir().join(format!("roster-orphans-{}", std::process::id()));
        let spec = crate::cli::generate::Spec {
            users: 3000,
            records: 30000,
            seed: 7,
            json: false,
            directory: false,
        };
        crate::cli::generate::generate(&spec, &dir).expect("generated");
        let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/default.toml");
        let text = std::fs::read_to_string(&default).expect("policies/default.toml");
        // And with least_loaded_peer first, whose choices depend on the load so far.
        let balanced = dir.join("balanced.toml");
        let peers = text.replace("transfer_to = [\"", "transfer_to = [\"least_loaded_peer\", \"");
        assert_ne!(peers, text);
        std::fs::write(&balanced, peers).expect("written");
        for path in [default, balanced] {
            let policy = crate::policy::load(&path).expect("the policy loads");
            let store = crate::snapshot::load(&dir, policy.reading(), &crate::snapshot::Silent)
                .expect("loaded");
            let bound = policy.bind(&store).expect("bound");
            let reasons = Reasons::default();
            let as_of = store.taken_at.expect("taken_at");
            let ctx =
                Ctx { policy: &policy, bound: &bound, store: &store, as_of, reasons: &reasons };
            let run = |slice: usize| {
                let after = store.users.iter().map(|u| u.status()).collect();
                let leaving = vec![false; store.users.len()];
                let mut resolver = Resolver::new(ctx, leaving, after, HashMap::new());
                in_slices(&ctx, &mut resolver, slice)
            };
            let whole = run(usize::MAX);
            assert!(whole.0.len() > 10, "the snapshot has orphaned records to move");
            assert_eq!(run(1), whole);
            assert_eq!(run(7), whole);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
