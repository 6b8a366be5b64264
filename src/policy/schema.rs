//! The JSON Schema of the policy file, generated from the [`super::raw`] types.
//!
//! The raw types derive `JsonSchema` next to `Deserialize`, so a key added to the parser
//! appears in the schema by construction. Values the parser checks with code of its own
//! (durations, receiver strategies, canonical statuses, matcher fields, required fields)
//! get the hand-written schemas below, each as exact as a JSON Schema pattern allows.
//!
//! The schema is JSON Schema draft-07, the newest draft that the TOML language servers
//! (Taplo, Even Better TOML) validate.

use super::raw::{OneOrMany, RawPolicy};
use crate::fields::{fields_of, unmatchable_fields, FieldKind, USER_COLUMNS, USER_FIELDS};
use crate::model::Status;
use crate::time::Duration;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};
use std::borrow::Cow;

/// The schema of a policy file, as pretty-printed JSON ending in a newline.
pub fn policy_schema_json() -> String {
    schema_json::<RawPolicy>()
}

/// The JSON Schema (draft-07) of a TOML file read into `T`, as the policy's is written.
pub fn schema_json<T: schemars::JsonSchema>() -> String {
    let schema =
        schemars::generate::SchemaSettings::draft07().into_generator().into_root_schema_for::<T>();
    let mut value = schema.to_value();
    drop_null_types(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// TOML has no null: an absent key is how a policy leaves an optional value out, so
/// `null` is removed from every `type` list the generator wrote for an `Option`.
fn drop_null_types(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(any_of)) = map.get_mut("anyOf") {
                any_of.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if let [only] = any_of.as_slice() {
                    let only = only.clone();
                    map.remove("anyOf");
                    match only {
                        // Draft-07 ignores the siblings of `$ref` (the description).
                        Value::Object(inner) if inner.contains_key("$ref") && !map.is_empty() => {
                            map.insert("allOf".to_owned(), Value::Array(vec![inner.into()]));
                        }
                        Value::Object(inner) => {
                            for (k, v) in inner {
                                map.entry(k).or_insert(v);
                            }
                        }
                        _ => {}
                    }
                }
            }
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_types);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_types),
        _ => {}
    }
}

/// `^\s*(a|b|c)\s*$`: one of the names, with the surrounding space the parser trims.
fn one_of_trimmed(names: &[&str]) -> String {
    format!(r"^\s*({})\s*$", names.join("|"))
}

/// A name matched ignoring ASCII case, written as a pattern (`[Aa][Cc]...`).
fn ignoring_case(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "title": "Duration",
            "description": "A whole number and a unit: `w` weeks, `d` days, `h` hours, `m` \
                minutes or `s` seconds, such as \"90d\", \"24h\" or \"30m\". No sign, no \
                fraction, no combined forms such as \"1d12h\"; at most 100 years (\"36525d\").",
            "pattern": r"^\s*[0-9]+[wdhms]\s*$",
            "examples": ["30d", "2w", "24h", "30m"],
        })
    }
}

impl JsonSchema for crate::policy::NoticeStages {
    fn schema_name() -> Cow<'static, str> {
        "NoticeStages".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = Duration::json_schema(generator);
        json_schema!({
            "title": "Notice stages",
            "description": "One duration (\"7d\"), or a list of stages (\"14d\", \"7d\", \"1d\"), \
                each one notice; at most 8, all different.",
            "oneOf": [
                one.clone(),
                {"type": "array", "items": one, "minItems": 1, "maxItems": 8, "uniqueItems": true}
            ],
            "examples": ["7d", ["14d", "7d", "1d"]],
        })
    }
}

impl JsonSchema for crate::policy::Limit {
    fn schema_name() -> Cow<'static, str> {
        "Limit".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "Limit",
            "description": "A count (25) or a share of the snapshot's users (\"5%\", \"0.5%\"), \
                rounded down.",
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9][0-9]?)?\s*%\s*$"}
            ],
            "examples": [25, "5%"],
        })
    }
}

/// Schema of one receiver strategy (`manager`, `user:<id>`, ...).
pub struct StrategyName;

impl JsonSchema for StrategyName {
    fn schema_name() -> Cow<'static, str> {
        "Strategy".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let plain: Vec<&str> = super::strategy::Strategy::PLAIN.iter().map(|s| s.label()).collect();
        json_schema!({
            "type": "string",
            "title": "Receiver strategy",
            "description": "Who receives: `manager`, `manager_chain` (first eligible up the \
                chain), `team_leader` (of the leaver's primary team), `first_team_leader` (of \
                the account's first team), `account_owner`, `least_loaded_peer` (same primary \
                team and role, fewest records), `keep` (records stay with the leaver) or \
                `user:<id>` (a named user). Strategies are tried in order.",
            "anyOf": [
                { "enum": plain },
                { "pattern": one_of_trimmed(&plain) },
                { "pattern": r"^\s*user:[\s\S]*\S", "description": "a named user: `user:<id>`" },
            ],
        })
    }
}

/// Schema of one of the six canonical statuses, any case.
pub struct StatusName;

impl JsonSchema for StatusName {
    fn schema_name() -> Cow<'static, str> {
        "Status".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        let any_case: Vec<String> = names.iter().map(|n| ignoring_case(n)).collect();
        json_schema!({
            "type": "string",
            "title": "Status",
            "description": "One of roster's six statuses (any case).",
            "anyOf": [
                { "enum": names },
                { "pattern": format!(r"^\s*({})\s*$", any_case.join("|")) },
            ],
        })
    }
}

/// Schema of a matcher table: field -> one value or a list of values.
pub struct MatcherTable;

impl JsonSchema for MatcherTable {
    fn schema_name() -> Cow<'static, str> {
        "Matcher".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let values = generator.subschema_for::<OneOrMany>();
        let properties: serde_json::Map<String, Value> = USER_FIELDS
            .iter()
            .filter_map(|f| Some((f.name, f.matcher?)))
            .map(|(field, description)| {
                let mut schema = values.clone();
                schema.insert("description".to_owned(), description.into());
                (field.to_owned(), schema.to_value())
            })
            .collect();
        json_schema!({
            "type": "object",
            "title": "Matcher",
            "description": "Users whose every field matches one of the listed values. Fields: \
                `role`, `status` (names or aliases), `flags`, `permissions`, `teams` (any \
                overlap), `id`, `email`, or an extra column of users.csv (exact name). `{}` \
                matches everyone; an empty list matches no one.",
            "properties": properties,
            "propertyNames": {
                "not": { "enum": unmatchable_fields() },
                "description": "profile, time, count and lock fields cannot be matched on",
            },
            "additionalProperties": values,
        })
    }
}

/// Schema of one `deactivation.required_fields` entry.
pub struct RequiredFieldName;

impl JsonSchema for RequiredFieldName {
    fn schema_name() -> Cow<'static, str> {
        "RequiredField".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let allowed: Vec<&str> =
            USER_FIELDS.iter().filter(|f| f.requirable).map(|f| f.name).collect();
        let refused: Vec<&str> =
            USER_FIELDS.iter().filter(|f| !f.requirable).map(|f| f.name).collect();
        json_schema!({
            "type": "string",
            "title": "Required field",
            "description": "A profile field that must be filled before deactivation: `email`, \
                `name`, `phone`, `manager_id` (an existing manager), `teams` (at least one) or \
                an extra column of users.csv (exact name).",
            "anyOf": [
                { "enum": allowed },
                { "not": { "pattern": one_of_trimmed(&refused) } },
            ],
        })
    }
}

/// A `[snapshot.columns.<file>]` table: roster's column names of that file as keys (any
/// other key is refused, as `roster check` refuses it), the export's headers as values.
fn column_map(known: &[&str]) -> Schema {
    json_schema!({
        "type": "object",
        "propertyNames": { "enum": known },
        "additionalProperties": { "type": "string", "minLength": 1 },
    })
}

/// Schema of `[snapshot.columns.users]`.
pub fn user_columns(_: &mut SchemaGenerator) -> Schema {
    column_map(&USER_COLUMNS)
}

/// Schema of `[directory.columns]`.
pub fn directory_columns(_: &mut SchemaGenerator) -> Schema {
    column_map(&super::directory::DIRECTORY_COLUMNS)
}

/// Schema of `[snapshot.columns.teams]`.
pub fn team_columns(_: &mut SchemaGenerator) -> Schema {
    column_map(&crate::snapshot::TEAM_COLUMNS)
}

/// Schema of `[snapshot.columns.records]`.
pub fn record_columns(_: &mut SchemaGenerator) -> Schema {
    column_map(&crate::snapshot::RECORD_COLUMNS)
}

/// Schema of `[snapshot.columns.blocked_emails]`.
pub fn blocked_email_columns(_: &mut SchemaGenerator) -> Schema {
    column_map(&crate::snapshot::BLOCKED_EMAIL_COLUMNS)
}

/// Schema of `[snapshot.formats]`: `"*"` and the time columns of the user table.
pub fn formats(_: &mut SchemaGenerator) -> Schema {
    let mut properties = serde_json::Map::new();
    properties.insert(
        "*".to_owned(),
        json!({ "type": "string", "description": "The format of every time column without its own entry." }),
    );
    for name in fields_of(FieldKind::Time) {
        properties.insert(
            name.to_owned(),
            json!({ "type": "string", "description": format!("The format of `{name}`.") }),
        );
    }
    json_schema!({
        "type": "object",
        "title": "[snapshot.formats]",
        "description": "strftime formats of the user time fields; `\"*\"` applies to every field without its own.",
        "properties": properties,
        "additionalProperties": false,
    })
}
