//! The bulk-update sheet: one CSV row per user whose status, manager or led teams the plan
//! changes, in the shape admin consoles import (`user_id,email,new_status,deactivate,
//! new_manager,new_team_leader`). An empty cell means "leave as is". Cells a spreadsheet
//! would run as a formula are neutralised.

use super::{spreadsheet_safe, Names};
use crate::model::Status;
use crate::plan::{natural_cmp, status_after, ActionKind, Plan, What};
use std::collections::HashMap;

/// The header, a stable contract.
pub const HEADER: [&str; 6] =
    ["user_id", "email", "new_status", "deactivate", "new_manager", "new_team_leader"];

/// What the plan changes on one user.
#[derive(Default)]
struct Row {
    /// The status once the plan is applied, with the action that set it.
    status: Option<(ActionKind, Status)>,
    /// The new manager.
    manager: Option<String>,
    /// (team, new leader) for each team the user leads.
    teams: Vec<(String, String)>,
}

/// Renders the sheet: the header, then one row per affected user in natural id order.
pub fn render(plan: &Plan, names: Names<'_>) -> String {
    let mut rows: HashMap<&str, Row> = HashMap::new();
    for a in &plan.actions {
        if let Some(status) = status_after(a.action) {
            let row = rows.entry(a.user.as_ref()).or_default();
            // The last status-changing action in action order wins, as in the summary.
            if row.status.is_none_or(|(kind, _)| a.action >= kind) {
                row.status = Some((a.action, status));
            }
        }
    }
    for a in plan.actions.iter().filter(|a| a.action == ActionKind::SetManager) {
        if let Some(to) = a.to.first() {
            rows.entry(a.user.as_ref()).or_default().manager = Some(to.to_string());
        }
    }
    for r in &plan.reassignments {
        match r.what {
            What::Reports => {
                for report in &r.ids {
                    rows.entry(report.as_ref()).or_default().manager = Some(r.to.to_string());
                }
            }
            What::Team => {
                let row = rows.entry(r.from.as_ref()).or_default();
                row.teams.extend(r.ids.iter().map(|t| (t.to_string(), r.to.to_string())));
            }
            What::Records => {}
        }
    }
    let mut users: Vec<(&str, Row)> = rows.into_iter().collect();
    users.sort_by(|a, b| natural_cmp(a.0, b.0));

    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(HEADER);
    for (user, mut row) in users {
        let email = names
            .store
            .and_then(|s| s.user_ix(user).map(|u| s.user(u)))
            .and_then(|u| u.email())
            .unwrap_or("");
        let status = row.status.map(|(_, s)| s);
        row.teams.sort_by(|a, b| natural_cmp(&a.0, &b.0));
        let teams: Vec<String> = row.teams.iter().map(|(t, l)| format!("{t}={l}")).collect();
        let cells = [
            user,
            email,
            status.map_or("", Status::as_str),
            if status == Some(Status::Deactivated) { "y" } else { "n" },
            row.manager.as_deref().unwrap_or(""),
            &teams.join(";"),
        ];
        let _ = w.write_record(cells.iter().map(|c| spreadsheet_safe(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
