//! JSON: the plan as data (`roster-plan/1`), through serde. (The YAML, in [`super::yaml`],
//! is the same document.)
//!
//! A big plan's JSON is written in pieces: its lists are cut into runs of entries, a few
//! runs at a time are serialized on every thread of the pool while the calling thread
//! writes the group before, and the pieces are written in order, with the same bytes as
//! serializing the whole plan at once.

use crate::plan::Plan;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};

/// The plan as pretty JSON with a final newline.
pub fn json(plan: &Plan) -> String {
    let mut s =
        serde_json::to_string_pretty(plan).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Entries serialized per piece.
const RUN: usize = 4096;

/// `value` as pretty JSON (two spaces a level), as if it stood `depth` levels deep: its
/// lines after the first are indented by that many levels more. Written straight into
/// `out`, the same bytes as `serde_json::to_vec_pretty` with the indentation added.
fn pretty<T: Serialize>(value: &T, depth: usize, out: &mut Vec<u8>) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Indented::at(depth));
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// serde_json's pretty layout (two spaces a level, `": "` after keys), starting `depth`
/// levels deep.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn at(depth: usize) -> Self {
        Indented { depth, has_value: false }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] =
            b"                                                                ";
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `"name": [ ... ]` for one list of the plan, entries at a depth of two. While a
/// group of runs is written on this thread, the next group is serialized on the pool's.
fn list<T: Serialize + Sync>(
    name: &str,
    items: &[T],
    last: bool,
    w: &mut dyn Write,
) -> io::Result<()> {
    write!(w, "  \"{name}\": ")?;
    if items.is_empty() {
        w.write_all(b"[]")?;
    } else {
        w.write_all(b"[")?;
        let window = rayon::current_num_threads().max(1) * 2;
        let runs: Vec<&[T]> = items.chunks(RUN).collect();
        let mut groups = runs.chunks(window);
        let mut current = groups.next().map(serialize_group);
        while let Some(pieces) = current.take() {
            let mut written = Ok(());
            rayon::in_place_scope(|scope| {
                if let Some(group) = groups.next() {
                    scope.spawn(|_| current = Some(serialize_group(group)));
                }
                written = pieces.into_iter().try_for_each(|piece| w.write_all(&piece?));
            });
            written?;
        }
        // Every entry was followed by a comma: the writer takes the last one back by
        // writing the list's end over it.
        w.write_all(b"\n  ]")?;
    }
    w.write_all(if last { b"\n" } else { b",\n" })
}

/// Serializes each run of a group on its own thread: one piece per run, in order.
fn serialize_group<T: Serialize + Sync>(group: &[&[T]]) -> Vec<io::Result<Vec<u8>>> {
    group
        .par_iter()
        .map(|run| {
            let mut out = Vec::with_capacity(run.len() * 256);
            for item in run.iter() {
                out.extend_from_slice(b"\n    ");
                pretty(item, 2, &mut out)?;
                out.push(b',');
            }
            Ok(out)
        })
        .collect()
}

/// Writes the plan as pretty JSON with a final newline (the same bytes as [`json`]).
pub fn write_json(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    let mut head = Vec::new();
    head.extend_from_slice(b"{\n");
    member("format", &plan.format, &mut head)?;
    member("as_of", &plan.as_of, &mut head)?;
    member("policy", &plan.policy, &mut head)?;
    member("snapshot", &plan.snapshot, &mut head)?;
    member("summary", &plan.summary, &mut head)?;
    if !plan.held.is_empty() {
        member("held", &plan.held, &mut head)?;
    }
    w.write_all(&head)?;
    let mut commas = CommaWriter::new(w);
    list("actions", &plan.actions, false, &mut commas)?;
    list("reassignments", &plan.reassignments, false, &mut commas)?;
    list("blocked", &plan.blocked, false, &mut commas)?;
    list("findings", &plan.findings, true, &mut commas)?;
    commas.finish()?;
    w.write_all(b"}\n")
}

/// Writes `"name": value,` and a line break, for a member of the plan object.
fn member<T: Serialize>(name: &str, value: &T, out: &mut Vec<u8>) -> io::Result<()> {
    out.extend_from_slice(format!("  \"{name}\": ").as_bytes());
    pretty(value, 1, out)?;
    out.extend_from_slice(b",\n");
    Ok(())
}

/// Passes bytes on, but holds the last comma back until it knows what follows: a comma
/// before `\n  ]` (the end of a list) is dropped.
struct CommaWriter<'w> {
    inner: &'w mut dyn Write,
    held: bool,
}

impl<'w> CommaWriter<'w> {
    fn new(inner: &'w mut dyn Write) -> Self {
        CommaWriter { inner, held: false }
    }

    fn finish(self) -> io::Result<()> {
        if self.held {
            self.inner.write_all(b",")?;
        }
        Ok(())
    }
}

impl Write for CommaWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        if self.held {
            self.held = false;
            if !buf.starts_with(b"\n  ]") {
                self.inner.write_all(b",")?;
            }
        }
        if let Some(rest) = buf.strip_suffix(b",") {
            self.held = true;
            buf = rest;
        }
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, ActionKind, Finding, Plan};

    #[test]
    fn written_in_pieces_it_is_the_same_json() {
        let mut plan = Plan::empty();
        assert_eq!(written(&plan), json(&plan));
        // Enough entries for several groups of runs on any pool size up to 8 threads.
        let count = RUN * 2 * rayon::current_num_threads().clamp(1, 8) * 2 + 7;
        for i in 0..count {
            plan.actions.push(Action {
                user: format!("u{i}").into(),
                action: ActionKind::MarkIdle,
                rule: "idle".into(),
                reason: format!("line one,\nline \"two\", {i}").into(),
                record: None,
                team: (i % 3 == 0).then(|| "t,1".into()),
                date: None,
                announces: None,
                to: Vec::new(),
            });
        }
        plan.findings.push(Finding::new("x", vec!["a".into(), "b".into()], "r,".into()));
        assert_eq!(written(&plan), json(&plan));
        plan.held.insert(
            "max_actions".into(),
            crate::plan::Held { limit: "\"5%\"".into(), allowed: 2, count: count as u64 },
        );
        assert_eq!(written(&plan), json(&plan));
    }

    fn written(plan: &Plan) -> String {
        let mut out = Vec::new();
        write_json(plan, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}
