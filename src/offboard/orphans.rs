//! Orphans: records still held by users who are already deactivated or left. Their open
//! work is a finding, and the same resolver as offboarding says where it should go.

use super::resolver::{Need, Resolution, Resolver};
use crate::model::Status;
use crate::plan::{Finding, Reassignment, What};
use crate::policy::Disposition;
use crate::rules::Ctx;
use crate::snapshot::{Sym, UserIx};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Findings and reassignments for records held by deactivated or departed users who are
/// not leaving in this plan.
pub fn orphans(ctx: &Ctx<'_>, resolver: &Resolver<'_>) -> (Vec<Reassignment>, Vec<Finding>) {
    let store = ctx.store;
    let holders: Vec<UserIx> = store
        .user_ixs()
        .filter(|u| {
            matches!(store.user(*u).status(), Status::Deactivated | Status::Left)
                && !resolver.is_outgoing(*u)
                && store.record_count(*u) > 0
        })
        .collect();
    let per_user = |u: &UserIx| orphans_of(ctx, resolver, *u);
    let results: Vec<(Vec<Reassignment>, Vec<Finding>)> = if resolver.needs_order() {
        holders.iter().map(per_user).collect()
    } else {
        holders.par_iter().map(per_user).collect()
    };
    let mut reassignments = Vec::new();
    let mut findings = Vec::new();
    for (r, f) in results {
        reassignments.extend(r);
        findings.extend(f);
    }
    (reassignments, findings)
}

fn orphans_of(
    ctx: &Ctx<'_>,
    resolver: &Resolver<'_>,
    user: UserIx,
) -> (Vec<Reassignment>, Vec<Finding>) {
    let store = ctx.store;
    let u = store.user(user);
    let mut groups: BTreeMap<(Sym, Sym), Vec<String>> = BTreeMap::new();
    let mut by_hand: Vec<String> = Vec::new();
    for r in store.records_of(user) {
        let rec = store.record(r);
        match ctx.policy.records.disposition(store.kind_of(rec), store.state_of(rec)).0 {
            Disposition::Transfer => {
                groups.entry((rec.kind, rec.state)).or_default().push(rec.id.to_string())
            }
            Disposition::Block => by_hand.push(rec.id.to_string()),
            Disposition::Keep | Disposition::Cancel => {}
        }
    }
    let mut reassignments = Vec::new();
    let mut findings = Vec::new();
    let mut resolved: BTreeMap<Sym, Resolution> = BTreeMap::new();
    for ((kind, state), ids) in groups {
        let to = resolved
            .entry(kind)
            .or_insert_with(|| resolver.resolve(user, Need::Records(kind), ids.len() as u64))
            .clone();
        let what = format!(
            "{} {} {}",
            ids.len(),
            store.symbols.resolve(state),
            store.symbols.resolve(kind)
        );
        let fate = match &to {
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
            vec![u.id().to_string()],
            format!("{} {} but still owns {what} record(s); {fate}", u.id(), gone(u.status())),
        );
        f.records = ids.clone();
        findings.push(f);
        if let Resolution::To { user: receiver, via, through } = to {
            reassignments.push(Reassignment {
                from: u.id().to_string(),
                to: store.user(receiver).id().to_string(),
                what: What::Records,
                kind: Some(store.symbols.resolve(kind).to_owned()),
                state: Some(store.symbols.resolve(state).to_owned()),
                count: ids.len(),
                ids,
                via,
                through: through.iter().map(|x| store.user(*x).id().to_string()).collect(),
            });
        }
    }
    if !by_hand.is_empty() {
        let mut f = Finding::new(
            "orphaned_records",
            vec![u.id().to_string()],
            format!(
                "{} {} but is still named by {} record(s) the policy says to change by hand",
                u.id(),
                gone(u.status()),
                by_hand.len()
            ),
        );
        f.records = by_hand;
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
