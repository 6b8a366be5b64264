//! A JSON Schema (draft-07) validator for the keywords roster's policy schema uses, so that
//! the schema tests need no validator crate (the usual one brings about 70 crates to every
//! test build).
//!
//! Supported: `type`, `enum`, `const`, `properties`, `additionalProperties`,
//! `propertyNames`, `required`, `items`, `minLength`, `maxLength`, `minimum`, `allOf`, `anyOf`, `oneOf`,
//! `not`, `$ref` (to `#/...` pointers) and `pattern`, with the regular expressions of
//! [`Regex`]. `format` is an annotation, as draft-07 allows. Any other keyword that would
//! constrain a value makes [`Validator::new`] panic, so the schema cannot grow a keyword
//! that these tests silently ignore.

use serde_json::Value;

/// One failed check: where in the instance (a JSON pointer) and what.
#[derive(Debug, Clone)]
pub struct SchemaError {
    pub path: String,
    pub message: String,
}

/// A compiled schema.
pub struct Validator {
    root: Value,
}

/// Keywords that only describe.
const ANNOTATIONS: [&str; 8] =
    ["$schema", "$id", "title", "description", "default", "examples", "format", "definitions"];
/// Keywords [`Validator::check`] evaluates.
const CHECKED: [&str; 19] = [
    "minItems",
    "maxItems",
    "uniqueItems",
    "type",
    "enum",
    "const",
    "properties",
    "additionalProperties",
    "propertyNames",
    "required",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "$ref",
];

impl Validator {
    /// Compiles a schema; panics on a keyword or a pattern this validator does not know.
    pub fn new(root: &Value) -> Self {
        fn walk(schema: &Value) {
            let Value::Object(map) = schema else { return };
            for (key, value) in map {
                match key.as_str() {
                    "pattern" => {
                        Regex::new(value.as_str().expect("a pattern is a string"));
                    }
                    "properties" | "definitions" => {
                        value.as_object().expect("an object").values().for_each(walk)
                    }
                    "allOf" | "anyOf" | "oneOf" => {
                        value.as_array().expect("an array").iter().for_each(walk)
                    }
                    "items" | "not" | "additionalProperties" | "propertyNames" => walk(value),
                    k if ANNOTATIONS.contains(&k) || CHECKED.contains(&k) => {}
                    other => panic!(
                        "the schema uses `{other}`, which tests/support/schema.rs does not check"
                    ),
                }
            }
        }
        walk(root);
        Validator { root: root.clone() }
    }

    /// Every failed check of `instance`.
    pub fn errors(&self, instance: &Value) -> Vec<SchemaError> {
        let mut errors = Vec::new();
        self.check(&self.root, instance, "", &mut errors);
        errors
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let pointer = reference.strip_prefix('#').expect("only local references");
        self.root.pointer(pointer).unwrap_or_else(|| panic!("no schema at {reference}"))
    }

    fn valid(&self, schema: &Value, instance: &Value) -> bool {
        let mut errors = Vec::new();
        self.check(schema, instance, "", &mut errors);
        errors.is_empty()
    }

    fn check(&self, schema: &Value, instance: &Value, path: &str, out: &mut Vec<SchemaError>) {
        let fail = |out: &mut Vec<SchemaError>, message: String| {
            out.push(SchemaError { path: path.to_owned(), message })
        };
        let map = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return fail(out, "no value is allowed here".into()),
            Value::Object(map) => map,
            other => panic!("not a schema: {other}"),
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            // Draft-07: `$ref` replaces its siblings.
            return self.check(self.resolve(reference), instance, path, out);
        }
        if let Some(types) = map.get("type") {
            let allowed: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                other => panic!("bad type {other}"),
            };
            if !allowed.iter().any(|t| has_type(instance, t)) {
                fail(out, format!("{instance} is not of type {}", allowed.join(" or ")));
            }
        }
        if let Some(Value::Array(options)) = map.get("enum") {
            if !options.iter().any(|o| same(o, instance)) {
                fail(out, format!("{instance} is not one of {}", Value::Array(options.clone())));
            }
        }
        if let Some(c) = map.get("const") {
            if !same(c, instance) {
                fail(out, format!("{instance} is not {c}"));
            }
        }
        if let Value::String(text) = instance {
            if let Some(min) = map.get("minLength").and_then(Value::as_u64) {
                if (text.chars().count() as u64) < min {
                    fail(out, format!("{instance} is shorter than {min} characters"));
                }
            }
            if let Some(max) = map.get("maxLength").and_then(Value::as_u64) {
                if (text.chars().count() as u64) > max {
                    fail(out, format!("{instance} is longer than {max} characters"));
                }
            }
            if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
                if !Regex::new(pattern).is_match(text) {
                    fail(out, format!("{instance} does not match {pattern:?}"));
                }
            }
        }
        if let (Some(min), Some(x)) =
            (map.get("minimum").and_then(Value::as_f64), instance.as_f64())
        {
            if x < min {
                fail(out, format!("{instance} is less than the minimum of {min}"));
            }
        }
        if let Value::Object(object) = instance {
            let properties = map.get("properties").and_then(Value::as_object);
            for (key, value) in object {
                let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match properties.and_then(|p| p.get(key)) {
                    Some(s) => self.check(s, value, &child, out),
                    None => match map.get("additionalProperties") {
                        Some(Value::Bool(false)) => fail(
                            out,
                            format!(
                                "additional properties are not allowed (`{key}` was unexpected)"
                            ),
                        ),
                        Some(s) => self.check(s, value, &child, out),
                        None => {}
                    },
                }
                if let Some(names) = map.get("propertyNames") {
                    if !self.valid(names, &Value::String(key.clone())) {
                        fail(out, format!("`{key}` is not an allowed property name"));
                    }
                }
            }
            for required in map.get("required").and_then(Value::as_array).into_iter().flatten() {
                let name = required.as_str().expect("required names are strings");
                if !object.contains_key(name) {
                    fail(out, format!("`{name}` is a required property"));
                }
            }
        }
        if let Value::Array(items) = instance {
            let n = items.len() as u64;
            if map.get("minItems").and_then(Value::as_u64).is_some_and(|min| n < min) {
                fail(out, format!("{n} items are fewer than minItems"));
            }
            if map.get("maxItems").and_then(Value::as_u64).is_some_and(|max| n > max) {
                fail(out, format!("{n} items are more than maxItems"));
            }
            if map.get("uniqueItems") == Some(&Value::Bool(true))
                && items.iter().enumerate().any(|(i, a)| items[..i].contains(a))
            {
                fail(out, "the items are not unique".to_owned());
            }
        }
        if let (Value::Array(items), Some(schema)) = (instance, map.get("items")) {
            for (i, item) in items.iter().enumerate() {
                let child = format!("{path}/{i}");
                match schema {
                    Value::Array(tuple) => {
                        if let Some(s) = tuple.get(i) {
                            self.check(s, item, &child, out);
                        }
                    }
                    s => self.check(s, item, &child, out),
                }
            }
        }
        if let Some(Value::Array(all)) = map.get("allOf") {
            for s in all {
                self.check(s, instance, path, out);
            }
        }
        if let Some(Value::Array(any)) = map.get("anyOf") {
            if !any.iter().any(|s| self.valid(s, instance)) {
                fail(out, format!("{instance} is not valid under any of the given schemas"));
            }
        }
        if let Some(Value::Array(one)) = map.get("oneOf") {
            let n = one.iter().filter(|s| self.valid(s, instance)).count();
            if n != 1 {
                fail(out, format!("{instance} is valid under {n} of the oneOf schemas, not one"));
            }
        }
        if let Some(not) = map.get("not") {
            if self.valid(not, instance) {
                fail(out, format!("{instance} must not be valid under {not}"));
            }
        }
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => panic!("unknown type {other}"),
    }
}

/// JSON equality, numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// The regular expressions the schema writes: literals, `.`, `^`, `$`, `\s`, `\S`, `\d`,
/// escaped punctuation, classes (`[abc]`, `[^a]`, `[0-9]`, `[\s\S]`), groups with
/// alternatives, and the quantifiers `*`, `+` and `?`. Matching searches the text, as
/// ECMA-262 does for JSON Schema's `pattern`; it backtracks, which is fine for short
/// policy values.
pub struct Regex {
    alternatives: Vec<Vec<Node>>,
}

#[derive(Debug, Clone)]
enum Atom {
    Start,
    End,
    Set(Vec<ClassItem>, bool),
    Group(Vec<Vec<Node>>),
}

#[derive(Debug, Clone)]
enum ClassItem {
    Char(char),
    Range(char, char),
    Space(bool),
    Digit(bool),
    Any,
}

#[derive(Debug, Clone)]
struct Node {
    atom: Atom,
    min: usize,
    max: Option<usize>,
}

impl ClassItem {
    fn matches(&self, c: char) -> bool {
        match self {
            ClassItem::Char(x) => *x == c,
            ClassItem::Range(a, b) => (*a..=*b).contains(&c),
            ClassItem::Space(yes) => c.is_whitespace() == *yes,
            ClassItem::Digit(yes) => c.is_ascii_digit() == *yes,
            ClassItem::Any => c != '\n' && c != '\r',
        }
    }
}

impl Regex {
    /// Parses a pattern; panics on syntax outside the subset.
    pub fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let alternatives = parse_alternatives(&chars, &mut pos, pattern);
        assert!(pos == chars.len(), "unbalanced `)` in {pattern:?}");
        Regex { alternatives }
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        (0..=chars.len()).any(|start| {
            let group = Node { atom: Atom::Group(self.alternatives.clone()), min: 1, max: Some(1) };
            match_nodes(std::slice::from_ref(&group), &chars, start, &mut |_| true)
        })
    }
}

fn parse_alternatives(chars: &[char], pos: &mut usize, pattern: &str) -> Vec<Vec<Node>> {
    let mut alternatives = vec![Vec::new()];
    while let Some(&c) = chars.get(*pos) {
        let atom = match c {
            ')' => break,
            '|' => {
                *pos += 1;
                alternatives.push(Vec::new());
                continue;
            }
            '^' => Atom::Start,
            '$' => Atom::End,
            '.' => Atom::Set(vec![ClassItem::Any], false),
            '(' => {
                *pos += 1;
                let inner = parse_alternatives(chars, pos, pattern);
                assert_eq!(chars.get(*pos), Some(&')'), "unclosed `(` in {pattern:?}");
                Atom::Group(inner)
            }
            '[' => {
                *pos += 1;
                let negated = chars.get(*pos) == Some(&'^');
                if negated {
                    *pos += 1;
                }
                let mut items = Vec::new();
                while let Some(&c) = chars.get(*pos) {
                    if c == ']' {
                        break;
                    }
                    let item = if c == '\\' {
                        *pos += 1;
                        escape(chars.get(*pos).copied(), pattern)
                    } else {
                        ClassItem::Char(c)
                    };
                    if let (ClassItem::Char(a), Some('-'), Some(&b)) =
                        (&item, chars.get(*pos + 1), chars.get(*pos + 2))
                    {
                        if b != ']' {
                            items.push(ClassItem::Range(*a, b));
                            *pos += 3;
                            continue;
                        }
                    }
                    items.push(item);
                    *pos += 1;
                }
                assert_eq!(chars.get(*pos), Some(&']'), "unclosed `[` in {pattern:?}");
                Atom::Set(items, negated)
            }
            '\\' => {
                *pos += 1;
                Atom::Set(vec![escape(chars.get(*pos).copied(), pattern)], false)
            }
            '*' | '+' | '?' | '{' | '}' => panic!("unexpected `{c}` in {pattern:?}"),
            c => Atom::Set(vec![ClassItem::Char(c)], false),
        };
        *pos += 1;
        let (min, max) = match chars.get(*pos) {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => panic!("counted repetition is not supported: {pattern:?}"),
            _ => (1, Some(1)),
        };
        if (min, max) != (1, Some(1)) {
            *pos += 1;
        }
        if let Some(last) = alternatives.last_mut() {
            last.push(Node { atom, min, max });
        }
    }
    alternatives
}

fn escape(c: Option<char>, pattern: &str) -> ClassItem {
    match c {
        Some('s') => ClassItem::Space(true),
        Some('S') => ClassItem::Space(false),
        Some('d') => ClassItem::Digit(true),
        Some('D') => ClassItem::Digit(false),
        Some(c) if c.is_ascii_punctuation() => ClassItem::Char(c),
        other => panic!("unsupported escape {other:?} in {pattern:?}"),
    }
}

/// Matches `nodes` at `at`, then asks `rest` about where they ended (backtracking).
fn match_nodes(
    nodes: &[Node],
    text: &[char],
    at: usize,
    rest: &mut dyn FnMut(usize) -> bool,
) -> bool {
    let Some((node, tail)) = nodes.split_first() else { return rest(at) };
    repeat(node, 0, text, at, &mut |end| match_nodes(tail, text, end, rest))
}

/// Matches `node` `count` times so far from `at`; tries more repetitions first (greedy).
fn repeat(
    node: &Node,
    count: usize,
    text: &[char],
    at: usize,
    rest: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if node.max.is_none_or(|max| count < max)
        && match_atom(&node.atom, text, at, &mut |end| {
            // Past the minimum, a repetition that consumed nothing is not tried again (it
            // would repeat forever).
            (end != at || count < node.min) && repeat(node, count + 1, text, end, rest)
        })
    {
        return true;
    }
    count >= node.min && rest(at)
}

fn match_atom(atom: &Atom, text: &[char], at: usize, rest: &mut dyn FnMut(usize) -> bool) -> bool {
    match atom {
        Atom::Start => at == 0 && rest(at),
        Atom::End => at == text.len() && rest(at),
        Atom::Set(items, negated) => text
            .get(at)
            .is_some_and(|&c| items.iter().any(|i| i.matches(c)) != *negated && rest(at + 1)),
        Atom::Group(alternatives) => {
            alternatives.iter().any(|nodes| match_nodes(nodes, text, at, rest))
        }
    }
}

#[test]
fn the_pattern_subset_matches_like_ecma_regexes() {
    let m = |p: &str, t: &str| Regex::new(p).is_match(t);
    assert!(m(r"^\s*[0-9]+[wdhms]\s*$", " 30d "));
    assert!(!m(r"^\s*[0-9]+[wdhms]\s*$", "30 days"));
    assert!(!m(r"^\s*[0-9]+[wdhms]\s*$", "1d12h"));
    assert!(m(r"^\s*(manager|manager_chain)\s*$", "manager_chain"));
    assert!(!m(r"^\s*(manager|keep)\s*$", "boss"));
    assert!(m(r"^\s*user:[\s\S]*\S", "user: u42"));
    assert!(!m(r"^\s*user:[\s\S]*\S", "user:  "));
    assert!(m(r"^\s*([Aa][Cc][Tt][Ii][Vv][Ee])\s*$", "ACTive"));
    assert!(m("b", "abc"), "patterns search the text");
    assert!(!m("^b", "abc"));
    assert!(m("^a?b+$", "bbb") && m("^a?b+$", "abb") && !m("^a?b+$", "aab"));
    assert!(m(r"^[^x]*$", "abc") && !m(r"^[^x]*$", "axc"));
    assert!(m(r"^(a|b)*c$", "ababc"));
}
