//! JSON and YAML: the plan as data (`roster-plan/1`), through serde. The YAML is the same
//! document as the JSON, for people who review plans in pull requests.

use crate::plan::Plan;

/// The plan as pretty JSON with a final newline.
pub fn json(plan: &Plan) -> String {
    let mut s =
        serde_json::to_string_pretty(plan).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// The plan as YAML (the same document as the JSON).
pub fn yaml(plan: &Plan) -> String {
    serde_yaml_ng::to_string(plan).unwrap_or_else(|e| format!("error: {e}\n"))
}

/// Writes the plan as pretty JSON with a final newline (the same bytes as [`json`]).
pub fn write_json(plan: &Plan, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, plan)?;
    w.write_all(b"\n")
}

/// Writes the plan as YAML (the same bytes as [`yaml`]).
pub fn write_yaml(plan: &Plan, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_yaml_ng::to_writer(&mut *w, plan).map_err(std::io::Error::other)
}
