//! The notices digest (`--format notices` and `notices-csv`): every `notify_user` of the
//! plan grouped by who is told, for a mailer or a chat bot to send. roster itself sends
//! nothing. A notice goes to the recipients `[idle] notify` names (the action's `to`), or
//! to the user it is about.

use super::{spreadsheet_safe, Names};
use crate::plan::{natural_cmp, Action, ActionKind, Plan};
use serde::Serialize;
use std::collections::BTreeMap;

/// The digest's format tag.
pub const FORMAT: &str = "roster-notices/1";

#[derive(Serialize)]
struct Digest<'a> {
    format: &'static str,
    as_of: &'a str,
    policy: &'a str,
    recipients: Vec<Recipient<'a>>,
}

#[derive(Serialize)]
struct Recipient<'a> {
    recipient: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    notices: Vec<Notice<'a>>,
}

#[derive(Serialize)]
struct Notice<'a> {
    user: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    announces: Option<ActionKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    reason: &'a str,
}

/// Notices by recipient, recipients and users in natural id order.
fn grouped<'p>(plan: &'p Plan<'p>) -> Vec<(&'p str, Vec<&'p Action<'p>>)> {
    let mut by: BTreeMap<&str, Vec<&Action<'_>>> = BTreeMap::new();
    for a in plan.actions.iter().filter(|a| a.action == ActionKind::NotifyUser) {
        if a.to.is_empty() {
            by.entry(a.user.as_ref()).or_default().push(a);
        }
        for r in &a.to {
            by.entry(r.as_ref()).or_default().push(a);
        }
    }
    let mut out: Vec<(&str, Vec<&Action<'_>>)> = by.into_iter().collect();
    out.sort_by(|a, b| natural_cmp(a.0, b.0));
    for (_, notices) in &mut out {
        notices.sort_by(|a, b| natural_cmp(&a.user, &b.user));
    }
    out
}

/// The digest as pretty JSON.
pub fn json(plan: &Plan, names: Names<'_>) -> String {
    let recipients = grouped(plan)
        .into_iter()
        .map(|(r, notices)| {
            let (name, email) = names.contact(r);
            Recipient {
                recipient: r,
                name,
                email,
                notices: notices
                    .into_iter()
                    .map(|a| {
                        let (name, email) = names.contact(&a.user);
                        Notice {
                            user: &a.user,
                            name,
                            email,
                            announces: a.announces,
                            date: a.date.as_deref(),
                            reason: &a.reason,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let digest =
        Digest { format: FORMAT, as_of: &plan.as_of, policy: &plan.policy.name, recipients };
    let mut text = serde_json::to_string_pretty(&digest).unwrap_or_default();
    text.push('\n');
    text
}

/// The digest as CSV: one row per recipient and notice; cells a spreadsheet would run as a
/// formula are neutralised.
pub fn csv(plan: &Plan, names: Names<'_>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "recipient",
        "recipient_name",
        "recipient_email",
        "user",
        "user_name",
        "user_email",
        "announces",
        "date",
        "reason",
    ]);
    for (r, notices) in grouped(plan) {
        let (r_name, r_email) = names.contact(r);
        for a in notices {
            let (name, email) = names.contact(&a.user);
            let row = [
                r,
                r_name.unwrap_or(""),
                r_email.unwrap_or(""),
                &a.user,
                name.unwrap_or(""),
                email.unwrap_or(""),
                a.announces.map_or("", ActionKind::as_str),
                a.date.as_deref().unwrap_or(""),
                &a.reason,
            ];
            let _ = w.write_record(row.iter().map(|c| spreadsheet_safe(c)));
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
