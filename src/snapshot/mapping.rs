//! How to read an export that does not speak roster's own names: the compiled form of a
//! policy's `[snapshot]` table.
//!
//! - [`ColumnMap`]: canonical column -> the export's header, per CSV file, resolved to
//!   column positions once per file.
//! - [`TimeFormat`]: a strftime format, compiled once, for times that are not RFC 3339.
//! - [`AttrPath`]: a SCIM attribute path (`emails[primary eq true].value`,
//!   `urn:...:enterprise:2.0:User:manager.value`) and its evaluation on a resource.

use crate::model::{Roles, Statuses};
use crate::time::Time;
use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{NaiveDate, NaiveTime};
use serde_json::Value;

/// What a loader needs to read a snapshot, compiled from a policy (`Policy::reading`) or
/// made by hand: how the export is written ([`Input`]), the role and status tables that
/// resolve its spellings, the record kinds and states worth interning up front, whether a
/// missing last login matters (the policy has an `[idle]` rule) and which columns no rule
/// reads. The snapshot never sees the policy itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading<'a> {
    /// How the export is written.
    pub input: &'a Input,
    /// Roles, aliases and ranks.
    pub roles: &'a Roles,
    /// Status aliases.
    pub statuses: &'a Statuses,
    /// Record kinds and states to intern first, so that parallel parsing rarely meets a new
    /// one.
    pub names: &'a [String],
    /// An export without any last login is refused (every user would look never-logged-in).
    pub needs_last_login: bool,
    /// Whether the `phone` column is read: only a `deactivation.required_fields` that names
    /// it looks at phones, and a million of them are 18 MB held for nothing otherwise.
    pub needs_phone: bool,
}

/// The compiled `[snapshot]` table (empty when the policy has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    /// `[snapshot.columns.users]`.
    pub users: ColumnMap,
    /// `[snapshot.columns.teams]`.
    pub teams: ColumnMap,
    /// `[snapshot.columns.records]`.
    pub records: ColumnMap,
    /// `[snapshot.columns.blocked_emails]`.
    pub blocked_emails: ColumnMap,
    /// `[snapshot.formats]`.
    pub formats: TimeFormats,
    /// `[snapshot.scim.users]`: user field -> attribute path.
    pub scim_users: Vec<(String, AttrPath)>,
    /// `[snapshot.scim.teams]`: team field -> attribute path.
    pub scim_teams: Vec<(String, AttrPath)>,
    /// `[snapshot] delimiter`: the CSV field separator, or `None` to detect it from each
    /// header (a comma unless the header has none and has `;`, a tab or `|`).
    pub delimiter: Option<u8>,
}

/// Canonical column -> the header an export uses for it, for one CSV file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// (canonical column, header as written in the policy), in the policy's key order.
    pub entries: Vec<(String, String)>,
}

impl ColumnMap {
    /// The header mapped to a canonical column, if any.
    pub fn header(&self, canonical: &str) -> Option<&str> {
        self.entries.iter().find(|(c, _)| c == canonical).map(|(_, h)| h.as_str())
    }

    /// Whether the file is read with roster's own names.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `[snapshot.formats]`: a format per time field, or for all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeFormats {
    /// `"*"`.
    pub any: Option<TimeFormat>,
    /// Per time field of the user table (`crate::fields::FieldKind::Time`).
    pub fields: Vec<(String, TimeFormat)>,
}

impl TimeFormats {
    /// The format that applies to a time field, if any.
    pub fn for_field(&self, field: &str) -> Option<&TimeFormat> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, t)| t).or(self.any.as_ref())
    }
}

/// A chrono strftime format, parsed once. Without an offset (`%z`), times are UTC; without
/// a time of day, midnight.
#[derive(Debug, Clone)]
pub struct TimeFormat {
    /// The format as written.
    pub text: String,
    items: Vec<Item<'static>>,
}

/// Two formats are the same when they are written the same.
impl PartialEq for TimeFormat {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for TimeFormat {}

impl TimeFormat {
    /// Compiles a format; it must name a full date (year, month and day).
    pub fn parse(text: &str) -> Result<Self, String> {
        let items = StrftimeItems::new(text)
            .parse_to_owned()
            .map_err(|_| format!("`{text}` is not a strftime format"))?;
        if items.is_empty() {
            return Err("the format is empty".to_owned());
        }
        let format = TimeFormat { text: text.to_owned(), items };
        // A format that cannot read back what it writes lacks part of a date.
        let sample = format.example();
        if format.read(&sample).is_none() {
            return Err(format!(
                "`{text}` does not name a full date: it needs a year, a month and a day \
                 (such as `%Y`, `%m` and `%d`)"
            ));
        }
        Ok(format)
    }

    /// A time written in this format (2026-11-02 08:15 UTC), for help texts.
    pub fn example(&self) -> String {
        let t = NaiveDate::from_ymd_opt(2026, 11, 2)
            .and_then(|d| d.and_hms_opt(8, 15, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default();
        t.format_with_items(self.items.iter()).to_string()
    }

    /// Reads a time in this format.
    pub fn read(&self, text: &str) -> Option<Time> {
        use chrono::Datelike;
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, text.trim(), self.items.iter()).ok()?;
        let time = if parsed.offset().is_some() {
            parsed.to_datetime().ok()?.to_utc()
        } else {
            let date = parsed.to_naive_date().ok()?;
            let clock = match parsed.hour_div_12() {
                None => NaiveTime::MIN,
                Some(_) => parsed.to_naive_time().ok()?,
            };
            date.and_time(clock).and_utc()
        };
        Some(time).filter(|t| (1..=9999).contains(&t.year()))
    }
}

/// The condition in brackets after an attribute: `[primary eq true]`, `[type eq "work"]`,
/// or `[primary]` (short for `[primary eq true]`).
#[derive(Debug, Clone, PartialEq)]
struct Filter {
    attribute: String,
    value: Value,
}

#[derive(Debug, Clone, PartialEq)]
struct Step {
    name: String,
    filter: Option<Filter>,
}

/// A SCIM attribute path (RFC 7644 section 3.10, plus a value filter on any step):
/// `[schema-urn:]attribute[filter](.sub-attribute[filter])*`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The path as written.
    pub text: String,
    /// The schema URN prefix, if any (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
    pub schema: Option<String>,
    steps: Vec<Step>,
}

/// The core schemas: an attribute path prefixed with one of these reads the top level.
pub const CORE_SCHEMAS: [&str; 2] =
    ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group"];

impl AttrPath {
    /// Parses a path.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("the attribute path is empty".to_owned());
        }
        let head_end = t.find('[').unwrap_or(t.len());
        let head = t.get(..head_end).unwrap_or(t);
        let (schema, rest) = if head.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
            match head.rfind(':') {
                Some(colon) if colon > 4 => (Some(t[..colon].to_owned()), &t[colon + 1..]),
                _ => return Err(format!("`{t}` has a schema URN but no attribute after it")),
            }
        } else {
            (None, t)
        };
        let mut steps = Vec::new();
        let mut chars = rest.char_indices().peekable();
        loop {
            let start = chars.peek().map_or(rest.len(), |(i, _)| *i);
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$' {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let name = &rest[start..end];
            if name.is_empty() {
                let found = rest.get(start..).unwrap_or_default();
                return Err(if found.is_empty() {
                    format!("`{t}` ends where an attribute name is expected")
                } else {
                    format!("expected an attribute name at `{found}` in `{t}`")
                });
            }
            let mut filter = None;
            if chars.peek().is_some_and(|(_, c)| *c == '[') {
                chars.next();
                let open = end + 1;
                let mut close = None;
                let mut quoted = false;
                let mut escaped = false;
                for (i, c) in chars.by_ref() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' if quoted => escaped = true,
                        '"' => quoted = !quoted,
                        ']' if !quoted => {
                            close = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let close = close.ok_or_else(|| format!("`{t}` has a `[` without its `]`"))?;
                filter = Some(parse_filter(&rest[open..close], t)?);
            }
            steps.push(Step { name: name.to_owned(), filter });
            match chars.next() {
                None => break,
                Some((_, '.')) => continue,
                Some((i, c)) => {
                    return Err(format!("unexpected `{c}` at `{}` in `{t}`", &rest[i..]));
                }
            }
        }
        Ok(AttrPath { text: t.to_owned(), schema, steps })
    }

    /// The values the path selects in a resource, in document order. Multi-valued
    /// attributes are flattened; a filter keeps the items it holds for.
    pub fn select<'v>(&self, resource: &'v Value) -> Vec<&'v Value> {
        let root = match &self.schema {
            None => Some(resource),
            Some(urn) if CORE_SCHEMAS.iter().any(|c| c.eq_ignore_ascii_case(urn)) => Some(resource),
            Some(urn) => member(resource, urn),
        };
        let mut current: Vec<&Value> = root.into_iter().collect();
        for step in &self.steps {
            let mut next = Vec::new();
            for value in current {
                let Some(found) = member(value, &step.name) else { continue };
                let items: Box<dyn Iterator<Item = &Value>> = match found {
                    Value::Array(items) => Box::new(items.iter()),
                    other => Box::new(std::iter::once(other)),
                };
                next.extend(items.filter(|item| !item.is_null()).filter(|item| {
                    step.filter.as_ref().is_none_or(|f| {
                        member(item, &f.attribute).is_some_and(|v| same(v, &f.value))
                    })
                }));
            }
            current = next;
        }
        current
    }
}

/// An object's member, its name compared ignoring case (SCIM attribute names are
/// case-insensitive).
pub fn member<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    let object = value.as_object()?;
    object
        .get(name)
        .or_else(|| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// SCIM `eq`: strings ignoring case, booleans and numbers by value. A boolean written as a
/// string (`"primary": "true"`) also matches.
fn same(found: &Value, wanted: &Value) -> bool {
    match (found, wanted) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::Bool(b)) => a.eq_ignore_ascii_case(&b.to_string()),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

fn parse_filter(inside: &str, path: &str) -> Result<Filter, String> {
    let inside = inside.trim();
    let bad = || {
        format!(
            "the filter `[{inside}]` in `{path}` is not `[attribute]` or `[attribute eq value]` \
             (value: a \"string\", true, false or a number)"
        )
    };
    let (attribute, rest) = match inside.find(char::is_whitespace) {
        None => (inside, ""),
        Some(i) => (&inside[..i], inside[i..].trim_start()),
    };
    if attribute.is_empty()
        || !attribute.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    {
        return Err(bad());
    }
    if rest.is_empty() {
        return Ok(Filter { attribute: attribute.to_owned(), value: Value::Bool(true) });
    }
    let (op, value) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => return Err(bad()),
    };
    if !op.eq_ignore_ascii_case("eq") {
        return Err(format!(
            "the filter `[{inside}]` in `{path}` uses `{op}`; only `eq` is supported"
        ));
    }
    let value = if value.eq_ignore_ascii_case("true") {
        Value::Bool(true)
    } else if value.eq_ignore_ascii_case("false") {
        Value::Bool(false)
    } else {
        match serde_json::from_str::<Value>(value) {
            Ok(v @ (Value::String(_) | Value::Number(_))) => v,
            _ => return Err(bad()),
        }
    };
    Ok(Filter { attribute: attribute.to_owned(), value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(path: &str, v: &Value) -> Vec<String> {
        AttrPath::parse(path)
            .unwrap()
            .select(v)
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }

    #[test]
    fn paths_parse_with_schema_filters_and_sub_attributes() {
        let p = AttrPath::parse(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        )
        .unwrap();
        assert_eq!(
            p.schema.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(p.steps.len(), 2);
        let p = AttrPath::parse(r#"roles[type eq "sales \"x\"]"].value"#).unwrap();
        assert_eq!(p.steps[0].filter.as_ref().unwrap().value, json!("sales \"x\"]"));
        let p = AttrPath::parse("emails[primary].value").unwrap();
        assert_eq!(p.steps[0].filter.as_ref().unwrap().value, json!(true));
        assert!(AttrPath::parse("").is_err());
        assert!(AttrPath::parse("emails[primary").is_err());
        assert!(AttrPath::parse("emails[type co \"w\"]").unwrap_err().contains("only `eq`"));
        assert!(AttrPath::parse("emails..value").is_err());
        assert!(AttrPath::parse("emails.").is_err());
        assert!(AttrPath::parse("emails value").is_err());
        assert!(AttrPath::parse("urn:x:").is_err());
        assert!(AttrPath::parse("roles[type eq work]").is_err());
    }

    #[test]
    fn paths_select_values_in_document_order() {
        let user = json!({
            "userName": "ada",
            "Emails": [
                {"value": "a@x", "type": "home"},
                {"value": "b@x", "type": "work", "primary": true}
            ],
            "roles": [{"value": "rep"}, {"value": "admin", "primary": "true"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "manager": {"value": "u1"}, "department": "Sales"
            },
            "meta": {"created": "2026-01-01T00:00:00Z"}
        });
        assert_eq!(texts("emails[primary eq true].value", &user), ["b@x"]);
        assert_eq!(texts("emails[type eq \"HOME\"].value", &user), ["a@x"]);
        assert_eq!(texts("emails.value", &user), ["a@x", "b@x"]);
        assert_eq!(texts("roles[primary].value", &user), ["admin"]);
        assert_eq!(
            texts(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
                &user
            ),
            ["u1"]
        );
        assert_eq!(texts("urn:ietf:params:scim:schemas:core:2.0:User:userName", &user), ["ada"]);
        assert_eq!(texts("meta.created", &user), ["2026-01-01T00:00:00Z"]);
        assert!(texts("phoneNumbers.value", &user).is_empty());
        assert!(texts("urn:other:1.0:User:x", &user).is_empty());
    }

    #[test]
    fn formats_read_dates_and_times() {
        let f = TimeFormat::parse("%m/%d/%Y %H:%M").unwrap();
        assert_eq!(f.example(), "11/02/2026 08:15");
        let t = f.read("10/23/2026 17:05").unwrap();
        assert_eq!(crate::time::format_time(t), "2026-10-23T17:05:00Z");
        assert!(f.read("23/10/2026 17:05").is_none());
        assert!(f.read("2026-10-23T17:05:00Z").is_none());
        let d = TimeFormat::parse("%d.%m.%Y").unwrap();
        assert_eq!(crate::time::format_time(d.read("02.11.2026").unwrap()), "2026-11-02T00:00:00Z");
        let z = TimeFormat::parse("%Y-%m-%d %H:%M %z").unwrap();
        assert_eq!(
            crate::time::format_time(z.read("2026-11-02 10:15 +0200").unwrap()),
            "2026-11-02T08:15:00Z"
        );
        let am = TimeFormat::parse("%m/%d/%Y %I:%M %p").unwrap();
        assert_eq!(
            crate::time::format_time(am.read("11/02/2026 08:15 PM").unwrap()),
            "2026-11-02T20:15:00Z"
        );
        assert!(TimeFormat::parse("%m/%d %H:%M").unwrap_err().contains("full date"));
        assert!(TimeFormat::parse("%Q").unwrap_err().contains("not a strftime"));
        assert!(TimeFormat::parse("").is_err());
    }
}
