//! SCIM 2.0: the plan's User changes as one Bulk request (RFC 7644 §3.7) of PATCH
//! operations (§3.5.2), for an identity provider or a provisioning tool to apply.
//!
//! Only what SCIM's User resource can carry is in the request: `active` (core schema,
//! RFC 7643 §4.1.1) and `manager` (enterprise extension, §4.3). Everything else in the plan
//! (records, team leaders, sessions, seats...) is summed up by [`note`], which the command
//! line prints on stderr so that stdout stays one valid Bulk request.
//!
//! The request uses the standard spelling only (`"op": "replace"`, JSON booleans); vendor
//! variations are documented in `docs/output-formats.md`. The wire types below are output
//! types of this renderer, private to it.

use super::{action_counts, terminal_safe as safe, Names};
use crate::plan::{natural_cmp, ActionKind, Plan, What};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// `schemas` of a Bulk request.
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// `schemas` of a PATCH request body.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The enterprise extension's `manager` attribute, as a PATCH path.
pub const MANAGER_PATH: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";

#[derive(Serialize)]
struct BulkRequest {
    schemas: [&'static str; 1],
    #[serde(rename = "Operations")]
    operations: Vec<BulkOperation>,
}

#[derive(Serialize)]
struct BulkOperation {
    method: &'static str,
    path: String,
    #[serde(rename = "bulkId")]
    bulk_id: String,
    data: PatchRequest,
}

#[derive(Serialize)]
struct PatchRequest {
    schemas: [&'static str; 1],
    #[serde(rename = "Operations")]
    operations: Vec<PatchOperation>,
}

#[derive(Serialize)]
struct PatchOperation {
    op: &'static str,
    path: &'static str,
    value: PatchValue,
}

#[derive(Serialize)]
#[serde(untagged)]
enum PatchValue {
    /// `active`.
    Bool(bool),
    /// roster's status, in roster's extension.
    Text(&'static str),
    /// `manager`: a complex attribute whose `value` is the manager's id.
    Manager { value: String },
}

/// What the request changes on one user.
#[derive(Default)]
struct UserChange {
    /// The new `active`, and the action that set it (the latest in action order wins).
    active: Option<(ActionKind, bool)>,
    /// The new manager's id.
    manager: Option<String>,
    /// The new status, for roster's extension (the latest in action order wins).
    status: Option<(ActionKind, crate::model::Status)>,
}

/// The SCIM `active` value an action leads to, if SCIM can express it. `mark_idle` and
/// `mark_active` are roster's own statuses of a user who keeps their access: no change.
fn active_after(action: ActionKind) -> Option<bool> {
    match action {
        ActionKind::Deactivate | ActionKind::RescindInvite | ActionKind::Suspend => Some(false),
        ActionKind::Reactivate => Some(true),
        _ => None,
    }
}

/// Per user, in natural id order, what the request changes; with `status`, also roster's
/// status in its extension (when the export carried it, a status written only through
/// `active` would read back as the old one).
fn changes<'p>(plan: &'p Plan<'p>, status: bool) -> Vec<(&'p str, UserChange)> {
    let mut by_user: HashMap<&str, UserChange> = HashMap::new();
    for a in plan.actions.iter().filter(|_| status) {
        if let Some(s) = crate::plan::status_after(a.action) {
            let change = by_user.entry(a.user.as_ref()).or_default();
            if change.status.is_none_or(|(kind, _)| a.action >= kind) {
                change.status = Some((a.action, s));
            }
        }
    }
    for a in &plan.actions {
        if let Some(active) = active_after(a.action) {
            let change = by_user.entry(a.user.as_ref()).or_default();
            if change.active.is_none_or(|(kind, _)| a.action >= kind) {
                change.active = Some((a.action, active));
            }
        }
    }
    for a in plan.actions.iter().filter(|a| a.action == ActionKind::SetManager) {
        if let Some(to) = a.to.first() {
            by_user.entry(a.user.as_ref()).or_default().manager = Some(to.to_string());
        }
    }
    for r in plan.reassignments.iter().filter(|r| r.what == What::Reports) {
        for report in &r.ids {
            by_user.entry(report.as_ref()).or_default().manager = Some(r.to.to_string());
        }
    }
    let mut users: Vec<(&str, UserChange)> = by_user.into_iter().collect();
    users.sort_by(|a, b| natural_cmp(a.0, b.0));
    users
}

/// Percent-encodes an id as one URI path segment: everything but RFC 3986's unreserved
/// characters, so that an id with `/`, `?`, `#` or spaces names one resource.
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The PATCH request of each user, in natural id order.
fn operations(plan: &Plan, names: Names<'_>) -> Vec<BulkOperation> {
    changes(plan, names.scim_status_extension())
        .into_iter()
        .enumerate()
        .map(|(i, (user, change))| {
            let mut ops = Vec::new();
            if let Some((_, active)) = change.active {
                ops.push(PatchOperation {
                    op: "replace",
                    path: "active",
                    value: PatchValue::Bool(active),
                });
            }
            if let Some((_, s)) = change.status {
                ops.push(PatchOperation {
                    op: "replace",
                    path: crate::snapshot::STATUS_EXTENSION,
                    value: PatchValue::Text(s.as_str()),
                });
            }
            if let Some(manager) = change.manager {
                ops.push(PatchOperation {
                    op: "replace",
                    path: MANAGER_PATH,
                    value: PatchValue::Manager { value: manager },
                });
            }
            BulkOperation {
                method: "PATCH",
                path: format!("/Users/{}", path_segment(user)),
                bulk_id: format!("roster-{}", i + 1),
                data: PatchRequest { schemas: [PATCH_OP], operations: ops },
            }
        })
        .collect()
}

/// The same changes as one PATCH request a line (NDJSON): `{"method", "path", "body"}`,
/// `path` relative to the service's base URL, `body` the PatchOp message. Nothing at all
/// when there is no change.
pub fn patches(plan: &Plan, names: Names<'_>) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        method: &'static str,
        path: &'a str,
        body: &'a PatchRequest,
    }
    let mut out = String::new();
    for op in operations(plan, names) {
        let line = Line { method: op.method, path: &op.path, body: &op.data };
        if let Ok(text) = serde_json::to_string(&line) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

/// Renders the plan's User changes as a SCIM Bulk request (pretty JSON, final newline),
/// or nothing at all when there is no change: a Bulk request with an empty `Operations`
/// is refused by SCIM servers (an empty array is "unassigned", RFC 7643 section 2.5), so
/// that `| curl --data @-` would fail exactly when everything is done. [`note`] says so.
pub fn render(plan: &Plan, names: Names<'_>) -> String {
    let operations = operations(plan, names);
    if operations.is_empty() {
        return String::new();
    }
    let request = BulkRequest { schemas: [BULK_REQUEST], operations };
    let mut s = serde_json::to_string_pretty(&request)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// What the plan holds that the Bulk request does not, for a person, or `None` when the
/// request is the whole plan. Printed on stderr by the command line.
pub fn note(plan: &Plan, names: Names<'_>) -> Option<String> {
    let mut left_out: BTreeMap<String, usize> = BTreeMap::new();
    let carried = |k: ActionKind| active_after(k).is_some() || k == ActionKind::SetManager;
    for a in plan.actions.iter().filter(|a| !carried(a.action)) {
        *left_out.entry(a.action.as_str().to_owned()).or_default() += 1;
    }
    let others: Vec<_> = plan.reassignments.iter().filter(|r| r.what != What::Reports).collect();
    let changes = changes(plan, names.scim_status_extension());
    let nothing = "note: nothing to apply: the plan changes no SCIM User attribute (active, \
                   manager), so no Bulk request is written (the output is empty)";
    if left_out.is_empty() && others.is_empty() && plan.blocked.is_empty() {
        return changes.is_empty().then(|| format!("{nothing}\n"));
    }
    let active = changes.iter().filter(|(_, c)| c.active.is_some()).count();
    let statuses = changes.iter().filter(|(_, c)| c.status.is_some()).count();
    let managers = changes.iter().filter(|(_, c)| c.manager.is_some()).count();
    let mut out = if changes.is_empty() {
        format!("{nothing}; these parts of the plan are not SCIM User attributes:\n")
    } else {
        format!(
            "note: the SCIM bulk request changes {} user{} (active: {active}, manager: \
             {managers}{}); these parts of the plan are not SCIM User attributes and are not \
             in it:\n",
            changes.len(),
            if changes.len() == 1 { "" } else { "s" },
            if names.scim_status_extension() {
                format!(", roster status: {statuses}")
            } else {
                String::new()
            },
        )
    };
    if !left_out.is_empty() {
        let _ = writeln!(out, "  actions: {}", action_counts(&left_out));
    }
    for r in others {
        let label = if r.what == What::Team { "new leader of " } else { "" };
        let _ = writeln!(
            out,
            "  {label}{}: {} -> {}",
            safe(&names.what(r)),
            safe(&names.user(&r.from)),
            safe(&names.user(&r.to))
        );
    }
    if !plan.blocked.is_empty() {
        let _ = writeln!(
            out,
            "  blocked: {} refusal{}, nothing requested for those users",
            plan.blocked.len(),
            if plan.blocked.len() == 1 { "" } else { "s" }
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(path_segment("u013"), "u013");
        assert_eq!(path_segment("a/b c?#"), "a%2Fb%20c%3F%23");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
