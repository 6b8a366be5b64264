//! `roster explain` for one target of an offboarding: the same phases as the plan, with
//! every check that refuses it and, for everything it holds, the disposition and the
//! receiver chain tried step by step.

use super::{prepare, resolve, Need, Options, Pick, Prepared, Request, Resolution, Resolver};
use crate::model::Status;
use crate::policy::{ReportsPolicy, TeamsPolicy};
use crate::rules::Ctx;
use crate::snapshot::UserIx;

/// Explains, step by step, how the offboarding of `requests` treats one of its targets:
/// the checks that refuse it, and for everything it holds the disposition and the receiver
/// chain tried (`roster explain`).
pub fn explain(
    ctx: &Ctx<'_, '_>,
    requests: &[Request],
    options: &Options,
    after: Vec<Status>,
    user: UserIx,
) -> Vec<String> {
    let store = ctx.store;
    let Prepared { mut targets, mut resolver, .. } = prepare(ctx, requests, options, after);
    let id = |u: UserIx| store.user(u).id().into();
    let mut lines = Vec::new();
    let Some(pos) = targets.iter().position(|t| t.user == user) else {
        lines.push(format!("{} is not a target of this offboarding", id(user)));
        return lines;
    };
    lines.push(format!(
        "targets: {} (a target never receives, whether it is allowed to leave or refused)",
        targets.iter().map(|t| id(t.user)).collect::<Vec<_>>().join(", "),
    ));
    // The targets before this one take their peers first, as in the plan.
    if resolver.balances_load() {
        for t in targets[..pos].iter_mut().filter(|t| t.blocked.is_empty()) {
            if let Some(h) = t.holdings.as_mut() {
                let given = t.chosen.reports.is_some();
                resolve(ctx, &mut resolver, t.user, given, h, Pick::Take(0));
            }
        }
    }
    let t = &targets[pos];
    let Some(h) = &t.holdings else {
        lines.push("already deactivated: nothing to do".to_owned());
        return lines;
    };
    if t.blocked.is_empty() {
        lines.push("checks: passes every policy check (actor, rank, protection, profile, teams, reports, bulk, references, receivers)".to_owned());
    }
    for b in &t.blocked {
        lines.push(format!("check {}: refused: {}", b.code, b.reason));
    }
    let chain_text = |resolver: &Resolver<'_>, need: Need| {
        resolver.chain(user, need).iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    };
    let take = if t.blocked.is_empty() { Pick::Take(0) } else { Pick::Peek };
    let mut traced = |need: Need, what: String, weight: usize, lines: &mut Vec<String>| {
        lines.push(format!("{what}: chain {}", chain_text(&resolver, need)));
        let mut trace = Some(Vec::new());
        let pick = match take {
            Pick::Take(_) => Pick::Take(weight as u64),
            Pick::Peek => Pick::Peek,
        };
        resolver.resolve_traced(user, need, pick, None, &mut trace);
        lines.extend(trace.unwrap_or_default().into_iter().map(|l| format!("  {l}")));
    };
    let mut kinds_done = Vec::new();
    for tr in &h.transfers {
        let rec = tr.records.first().map(|r| store.record(*r));
        let key = rec
            .map(|r| ctx.policy.records.disposition(store.kind_of(r), store.state_of(r)).1)
            .unwrap_or_default();
        let ids: Vec<&str> = tr.records.iter().map(|r| store.record(*r).id).collect();
        let what = format!(
            "{} {} {} {} ({}): transfer ({key})",
            tr.records.len(),
            store.symbols.resolve(tr.state),
            store.symbols.resolve(tr.kind),
            crate::plan::plural(tr.records.len(), "record"),
            ids.join(", ")
        );
        if kinds_done.contains(&tr.kind) {
            lines.push(format!(
                "{what}: same receiver as the other {} records",
                store.symbols.resolve(tr.kind)
            ));
        } else {
            kinds_done.push(tr.kind);
            let weight =
                h.transfers.iter().filter(|x| x.kind == tr.kind).map(|x| x.records.len()).sum();
            traced(Need::Records(tr.kind), what, weight, &mut lines);
        }
    }
    for (list, label) in
        [(&h.kept, "kept"), (&h.cancelled, "cancelled"), (&h.blocking, "blocking the offboarding")]
    {
        if !list.is_empty() {
            let ids: Vec<&str> = list.iter().map(|r| store.record(*r).id).collect();
            lines.push(format!(
                "{} {} {label} by disposition: {}",
                list.len(),
                crate::plan::plural(list.len(), "record"),
                ids.join(", ")
            ));
        }
    }
    if !h.reports.is_empty() {
        let ids: Vec<String> = h.reports.iter().map(|r| id(*r)).collect();
        if ctx.policy.leaders.direct_reports == ReportsPolicy::Block && t.chosen.reports.is_none() {
            lines.push(format!(
                "direct reports ({}): leaders.direct_reports = \"block\"",
                ids.join(", ")
            ));
        } else {
            traced(Need::Reports, format!("direct reports ({})", ids.join(", ")), 0, &mut lines);
            if let Some((r, to)) = &h.report_apart {
                let place = match to {
                    Resolution::To { user: to, .. } => format!("goes to {} instead", id(*to)),
                    _ => "has no other receiver".to_owned(),
                };
                lines.push(format!("  {} may not manage themself: {place}", id(*r)));
            }
        }
    }
    if !h.teams.is_empty() {
        let ids: Vec<String> = h.teams.iter().map(|t| store.team(*t).id().into()).collect();
        if ctx.policy.leaders.teams == TeamsPolicy::Block {
            lines.push(format!("teams led ({}): leaders.teams = \"block\"", ids.join(", ")));
        } else {
            traced(Need::Teams, format!("teams led ({})", ids.join(", ")), 0, &mut lines);
        }
    }
    if h.transfers.is_empty()
        && h.kept.is_empty()
        && h.cancelled.is_empty()
        && h.blocking.is_empty()
    {
        lines.push("owns no records".to_owned());
    }
    lines
}
