//! YAML: the plan as the same document as the JSON, written so that every YAML reader, YAML
//! 1.1 ones included, reads back exactly the JSON's values.
//!
//! YAML 1.1 readers (PyYAML, Ruby's Psych, many CI tools) give meaning to plain words: `no`,
//! `on` and `Off` are booleans, `1:20` and `1_000` numbers, `2026-01-01` a date, `<<` a
//! merge key and `=` a value key. A user id may be any of these, so every string (values
//! and keys alike) is written in double quotes, except keys that are plain lowercase names
//! (`format`, `actions`, `deactivate`) and cannot be misread. Inside the quotes, line
//! breaks, controls, DEL, the C1 range, byte-order marks, U+2028/U+2029 (YAML 1.1 line
//! breaks) and bidirectional overrides are `\uXXXX` escapes, which both YAML versions
//! read; anything else is written as it is.
//!
//! The document is built from the plan's JSON, keeping its key order, so the YAML can
//! never say something the JSON does not.

use crate::plan::Plan;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt::{self, Write as _};
use std::io::{self, Write};

/// A JSON value with its keys in document order.
enum Node {
    Null,
    Bool(bool),
    /// A number as JSON wrote it (roster's plans hold integers only).
    Number(String),
    Text(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(Node::Number(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        Ok(Node::Number(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Node, E> {
        // Not in plans; written as text YAML 1.1 also reads as a float.
        Ok(Node::Number(if n.fract() == 0.0 { format!("{n:.1}") } else { n.to_string() }))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(Node::Text(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(Node::Text(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

/// The plan as YAML.
pub fn yaml(plan: &Plan) -> String {
    let json = serde_json::to_vec(plan).unwrap_or_default();
    match serde_json::from_slice::<Node>(&json) {
        Ok(node) => document(&node),
        Err(e) => format!("error: {e}\n"),
    }
}

/// Writes the plan as YAML (the same bytes as [`yaml`]).
pub fn write(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(yaml(plan).as_bytes())
}

/// A whole document: a top-level map's entries start at the margin.
fn document(node: &Node) -> String {
    let mut out = String::new();
    match node {
        Node::Map(entries) if !entries.is_empty() => {
            for (key, value) in entries {
                entry(&mut out, key, value, 0);
            }
        }
        Node::List(items) if !items.is_empty() => {
            for item in items {
                list_item(&mut out, item, 0);
            }
        }
        scalar => {
            inline(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

/// `key: value` at `indent`, and the value's lines under it.
fn entry(out: &mut String, key: &str, value: &Node, indent: usize) {
    pad(out, indent);
    write_key(out, key);
    out.push(':');
    match value {
        Node::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            for (k, v) in entries {
                entry(out, k, v, indent + 2);
            }
        }
        Node::List(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                list_item(out, item, indent);
            }
        }
        scalar => {
            out.push(' ');
            inline(out, scalar);
            out.push('\n');
        }
    }
}

/// `- item` at `indent`; a map's first entry shares the dash's line, the others line up
/// with it.
fn list_item(out: &mut String, item: &Node, indent: usize) {
    pad(out, indent);
    out.push_str("- ");
    match item {
        Node::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                let at = out.len();
                entry(out, k, v, indent + 2);
                if i == 0 {
                    // The first entry is on the dash's line: drop the padding just written.
                    out.replace_range(at..at + indent + 2, "");
                }
            }
        }
        Node::List(items) if !items.is_empty() => {
            for (i, inner) in items.iter().enumerate() {
                let at = out.len();
                list_item(out, inner, indent + 2);
                if i == 0 {
                    out.replace_range(at..at + indent + 2, "");
                }
            }
        }
        scalar => {
            inline(out, scalar);
            out.push('\n');
        }
    }
}

/// A scalar, or an empty list or map, on the current line.
fn inline(out: &mut String, node: &Node) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(n),
        Node::Text(s) => quoted(out, s),
        Node::List(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A key: plain when it is a lowercase name no YAML reader gives another meaning, else
/// quoted.
fn write_key(out: &mut String, key: &str) {
    let name = key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    // The words YAML 1.1 reads as booleans or null (lowercase forms; keys with capitals
    // are quoted anyway).
    const WORDS: [&str; 11] =
        ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"];
    if name && !WORDS.contains(&key) {
        out.push_str(key);
    } else {
        quoted(out, key);
    }
}

/// `text` in double quotes, with the escapes both YAML versions read.
fn quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if crate::diag::is_hidden(c) || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_of(json: &str) -> String {
        document(&serde_json::from_str::<Node>(json).unwrap())
    }

    #[test]
    fn every_string_is_quoted_and_key_order_kept() {
        let text = yaml_of(
            r#"{"format":"x","as_of":"2026-01-01","ids":["no","1:20","<<"],"m":{"on":1,"Off":2},"e":[],"f":{}}"#,
        );
        assert_eq!(
            text,
            "format: \"x\"\nas_of: \"2026-01-01\"\nids:\n- \"no\"\n- \"1:20\"\n- \"<<\"\nm:\n  \"on\": 1\n  \"Off\": 2\ne: []\nf: {}\n"
        );
    }

    #[test]
    fn lists_of_maps_and_lists_nest() {
        let text =
            yaml_of(r#"{"a":[{"u":"x","v":[1,2]},{"u":"y","w":{"k":true}}],"b":[[1,[2]],null]}"#);
        assert_eq!(
            text,
            "a:\n- u: \"x\"\n  v:\n  - 1\n  - 2\n- u: \"y\"\n  w:\n    k: true\nb:\n- - 1\n  - - 2\n- null\n"
        );
    }

    #[test]
    fn hidden_characters_are_escaped() {
        let mut out = String::new();
        quoted(&mut out, "a\"b\\c\nd\u{1b}\u{85}\u{2028}\u{202E}\u{FEFF}é😀");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u001B\\u0085\\u2028\\u202E\\uFEFFé😀\"");
    }
}
