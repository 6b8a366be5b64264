//! Every unknown key of a policy at once, in line order.
//!
//! The TOML reader stops at the first key it does not know. When it does, the policy is
//! walked again beside its JSON Schema ([`super::policy_schema_json`], the same schema
//! editors use), and every key a table does not accept is reported where it is written,
//! with the near key it was probably meant to be.

use crate::diag::{Diagnostic, Location};
use crate::hints::closest;
use serde_json::Value;
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// The unknown keys of `source`, in the order they are written; empty when the TOML does
/// not parse (the reader's own error says why) or every key is known.
pub fn unknown_keys(source: &str, path: &Path) -> Vec<Diagnostic> {
    let Ok(doc) = DeTable::parse(source) else { return Vec::new() };
    let Ok(schema) = serde_json::from_str::<Value>(&super::policy_schema_json()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(doc.get_ref(), &schema, &schema, "", &mut found);
    found.sort_by_key(|(offset, ..)| *offset);
    found
        .into_iter()
        .map(|(offset, key, table, known)| {
            let listed: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            let help = match closest(&key, known.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "remove or rename the key".to_owned(),
            };
            let place =
                if table.is_empty() { "the policy".to_owned() } else { format!("[{table}]") };
            Diagnostic::file(
                path,
                format!(
                    "unknown field {} in {place}, expected one of {}",
                    crate::diag::quote(&key),
                    listed.join(", ")
                ),
            )
            .at(Location::of_offset(source, offset))
            .help(help)
        })
        .collect()
}

/// (offset, key, table, the keys the table accepts).
type Unknown = (usize, String, String, Vec<String>);

fn walk(table: &DeTable<'_>, schema: &Value, root: &Value, at: &str, found: &mut Vec<Unknown>) {
    let schema = resolve(schema, root);
    let properties = schema.get("properties").and_then(Value::as_object);
    let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let inner = match properties.and_then(|p| p.get(name)) {
            Some(s) => s,
            None if closed => {
                let mut known: Vec<String> =
                    properties.map(|p| p.keys().cloned().collect()).unwrap_or_default();
                known.sort();
                found.push((key.span().start, name.to_owned(), at.to_owned(), known));
                continue;
            }
            None => match schema.get("additionalProperties") {
                Some(s @ Value::Object(_)) => s,
                _ => continue,
            },
        };
        let here = if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") };
        match value.get_ref() {
            DeValue::Table(t) => walk(t, inner, root, &here, found),
            DeValue::Array(items) => {
                let item = resolve(inner, root).get("items").cloned().unwrap_or(Value::Null);
                for v in items {
                    if let DeValue::Table(t) = v.get_ref() {
                        walk(t, &item, root, &here, found);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The object schema behind `$ref`, a one-element `allOf`, or the object branch of an
/// `anyOf`.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or_default();
            match root.get("definitions").and_then(|d| d.get(name)) {
                Some(d) => s = d,
                None => return s,
            }
        } else if let Some([one]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = one;
        } else if let Some(branches) = s.get("anyOf").and_then(Value::as_array) {
            match branches.iter().find(|b| {
                let b = resolve(b, root);
                b.get("properties").is_some() || b.get("additionalProperties").is_some()
            }) {
                Some(b) => s = b,
                None => return s,
            }
        } else {
            return s;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unknown_key_is_found_in_line_order() {
        let source = "name = \"x\"\nordr = 1\n[roles]\norder = [\"a\"]\n[idle]\naftre = \"30d\"\n\
                      [[idle.overrides]]\nwhere = {}\nafter = \"1d\"\nsuspnd_after = \"2d\"\n\
                      [records.opportunity]\ntransfer_too = []\n";
        let found = unknown_keys(source, Path::new("p.toml"));
        let text: Vec<String> = found.iter().map(|d| d.to_string()).collect();
        assert_eq!(found.len(), 4, "{text:#?}");
        assert!(
            text[0].starts_with("p.toml:2:1: unknown field `ordr` in the policy"),
            "{}",
            text[0]
        );
        assert!(text[1].starts_with("p.toml:6:1: unknown field `aftre` in [idle]"), "{}", text[1]);
        assert!(text[1].contains("did you mean `after`?"));
        assert!(
            text[2].contains("`suspnd_after` in [idle.overrides]")
                && text[2].contains("`suspend_after`?")
        );
        assert!(text[3].contains("`transfer_too` in [records.opportunity]"), "{}", text[3]);
    }

    #[test]
    fn known_keys_and_open_tables_pass() {
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/default.toml"),
        )
        .unwrap_or_default();
        assert!(!source.is_empty());
        assert!(unknown_keys(&source, Path::new("p.toml")).is_empty());
    }
}
