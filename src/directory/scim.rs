//! A directory as an identity provider's users: a SCIM ListResponse (RFC 7644). A User's
//! `id` is the person's id, `emails` (the primary one, else the first) or `userName` the
//! e-mail, `active` the status, the enterprise extension's `employeeNumber`, `manager`
//! and `department` the rest, and roster's extension's `leave_date` the leave date. Other
//! resources (Groups) are skipped.

use super::{Builder, Read};
use crate::diag::{quote, Diagnostic, Location};
use crate::snapshot::scim_paths::{ENTERPRISE_USER, ROSTER_USER, USER_SCHEMA};
use serde_json::Value;
use std::path::Path;

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

pub(super) fn read(path: &Path, bytes: &[u8], b: &mut Builder) -> Result<(), Diagnostic> {
    let body = crate::files::strip_bom(bytes);
    let list: Value = serde_json::from_slice(body).map_err(|e| {
        Diagnostic::file(path, format!("not JSON: {e}")).at(Location::line(e.line() as u64))
    })?;
    let resources = list
        .get("Resources")
        .or_else(|| list.get("resources"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, r) in resources.iter().enumerate() {
        let is_user = r.get("schemas").and_then(Value::as_array).is_some_and(|s| {
            s.iter().any(|v| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(USER_SCHEMA)))
        }) || r.pointer("/meta/resourceType").and_then(Value::as_str) == Some("User");
        if !is_user {
            continue;
        }
        let field = |name: &str| format!("Resources[{i}].{name}");
        let Some(id) = r.get("id").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) else {
            b.problems.push(
                Diagnostic::file(path, "a User without an id")
                    .field(field("id"))
                    .help("every User resource has a string `id`"),
            );
            continue;
        };
        let emails =
            r.get("emails").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let email = emails
            .iter()
            .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| emails.first())
            .and_then(|e| e.get("value"))
            .and_then(Value::as_str)
            .or_else(|| r.get("userName").and_then(Value::as_str));
        let active = match r.get("active") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(a)) => *a,
            Some(other) => {
                b.problems.push(
                    Diagnostic::file(path, format!("`active` is {other}, not true or false"))
                        .field(field("active"))
                        .help("SCIM's active is a JSON boolean"),
                );
                true
            }
        };
        let enterprise = r.get(ENTERPRISE_USER);
        let leave = r.get(ROSTER_USER).and_then(|x| x.get("leave_date")).and_then(Value::as_str);
        let leave_date = match leave {
            None => None,
            Some(t) => match crate::time::parse_time(t) {
                Some(t) => Some(t),
                None => {
                    b.problems.push(
                        Diagnostic::file(path, format!("{} is not a date", quote(t)))
                            .field(field("leave_date"))
                            .help(crate::hints::time_hint(t, None)),
                    );
                    None
                }
            },
        };
        let read = Read {
            id,
            email,
            employee_number: text(enterprise.and_then(|e| e.get("employeeNumber"))),
            manager: text(enterprise.and_then(|e| e.get("manager")).and_then(|m| m.get("value"))),
            department: text(enterprise.and_then(|e| e.get("department"))),
            active,
            leave_date,
            line: i as u32 + 1,
        };
        b.push(read);
    }
    for (dup, first) in b.index() {
        let (d, f) = (b.people.get(dup), b.people.get(first));
        b.problems.push(
            Diagnostic::file(path, format!("the id {} is also User #{}", quote(d.id()), f.line()))
                .field(format!("Resources[{}].id", d.line() - 1))
                .help("each person is one User: remove the duplicate"),
        );
    }
    Ok(())
}
