//! CSV: one row per action (then reassignments and refusals as rows of their own kind),
//! for spreadsheets. Cells that a spreadsheet would run as a formula are neutralised.

use super::spreadsheet_safe;
use crate::plan::Plan;

/// Renders the plan as CSV rows: `type,user,action,rule,record,team,date,to,count,ids,reason`.
pub fn render(plan: &Plan) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header = [
        "type", "user", "action", "rule", "record", "team", "date", "to", "count", "ids", "reason",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for a in &plan.actions {
        rows.push(vec![
            "action".into(),
            a.user.to_string(),
            a.action.as_str().into(),
            a.rule.to_string(),
            a.record.as_deref().unwrap_or_default().to_owned(),
            a.team.as_deref().unwrap_or_default().to_owned(),
            a.date.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            a.reason.to_string(),
        ]);
    }
    for r in &plan.reassignments {
        let what = match (&r.kind, &r.state) {
            (Some(k), Some(s)) => format!("reassign {s} {k}"),
            _ => format!("reassign {:?}", r.what).to_lowercase(),
        };
        rows.push(vec![
            "reassignment".into(),
            r.from.to_string(),
            what,
            r.via.to_string(),
            String::new(),
            String::new(),
            String::new(),
            r.to.to_string(),
            r.count.to_string(),
            r.ids.join(";"),
            r.through_text(str::to_owned).map(|t| format!("through {t}")).unwrap_or_default(),
        ]);
    }
    for b in &plan.blocked {
        rows.push(vec![
            "blocked".into(),
            b.user.to_string(),
            b.code.to_string(),
            String::new(),
            b.records.join(";"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            b.reason.clone(),
        ]);
    }
    for f in &plan.findings {
        rows.push(vec![
            "finding".into(),
            f.users.join(";"),
            f.code.to_string(),
            String::new(),
            f.records.join(";"),
            f.teams.join(";"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            f.reason.clone(),
        ]);
    }
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| spreadsheet_safe(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
