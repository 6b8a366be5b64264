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
