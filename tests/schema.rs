//! The policy's JSON Schema: the shipped file is current, every shipped policy validates,
//! and the schema rejects what the parser rejects while reading the TOML (unknown keys,
//! wrong types, unknown values, bad durations), and accepts what the parser accepts.

use crate::support::schema::Validator;
use crate::support::{root, roster};
use serde_json::Value;
use std::path::{Path, PathBuf};

const SHIPPED: &str = "policies/roster.schema.json";

fn schema() -> Value {
    let out = roster(["schema"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("`roster schema` prints JSON")
}

fn validator() -> Validator {
    Validator::new(&schema())
}

fn toml_value(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).expect("the policy is TOML");
    serde_json::to_value(table).expect("TOML converts to JSON")
}

/// The schema's complaints about a policy, one line each.
fn schema_errors(v: &Validator, text: &str) -> Vec<String> {
    let value = toml_value(text);
    v.errors(&value).into_iter().map(|e| format!("{}: {}", e.path, e.message)).collect()
}

fn parser_accepts(text: &str) -> bool {
    roster::policy::parse(text, Path::new("policy.toml")).is_ok()
}

/// Every policy file of the repository that is not a test case or a snapshot.
fn policy_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root().join("policies"), root().join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml")
                && !["case.toml", "snapshot.toml"]
                    .contains(&path.file_name().unwrap().to_str().unwrap())
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_shipped_schema_file_is_current() {
    let printed = roster(["schema"]).stdout;
    let shipped = std::fs::read(root().join(SHIPPED)).unwrap();
    assert!(
        printed == shipped,
        "{SHIPPED} differs from `roster schema`; regenerate it with \
         `cargo run -q -- schema > {SHIPPED}`"
    );
}

#[test]
fn every_shipped_policy_names_the_schema_and_validates() {
    let v = validator();
    let shipped: Vec<PathBuf> = policy_files()
        .into_iter()
        .filter(|p| p.parent() == Some(&root().join("policies")))
        .collect();
    assert!(shipped.len() >= 5, "{shipped:?}");
    for path in shipped {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("#:schema ./roster.schema.json\n"),
            "{} must start with `#:schema ./roster.schema.json`",
            path.display()
        );
        assert_eq!(schema_errors(&v, &text), Vec::<String>::new(), "{}", path.display());
    }
}

#[test]
fn every_policy_the_parser_accepts_the_schema_accepts() {
    let v = validator();
    let mut accepted = 0;
    for path in policy_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        if toml::from_str::<toml::Table>(&text).is_err() || !parser_accepts(&text) {
            continue;
        }
        accepted += 1;
        assert_eq!(schema_errors(&v, &text), Vec::<String>::new(), "{}", path.display());
    }
    assert!(accepted >= 8, "only {accepted} policies were compared");
}

const MINIMAL: &str = "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\n";

/// Policies the parser accepts, written to reach the corners of the schema.
const VALID: [&str; 8] = [
    MINIMAL,
    // Padding the parser trims, any-case statuses, `user:` strategies, "*" kinds and states.
    "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\n\
     [statuses]\naliases = { inactive = \" Deactivated \", gone = \"LEFT\" }\nbilled = [\"inactive\"]\n\
     [leaders]\nteams_to = [\" manager \", \"user: u42\", \"keep\"]\n\
     [records.\"*\"]\nstates = { \"*\" = \"transfer\" }\ntransfer_to = [\"least_loaded_peer\"]\n",
    // Durations of every unit, with padding; overrides; matchers with lists and extra columns.
    "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\n\
     [idle]\nafter = \"2w\"\nsuspend_after = \" 30d \"\ndeactivate_after = \"1000h\"\nnotify_before = \"60m\"\n\
     exempt = { flags = \"service_account\", department = [\"IT\", \"Ops\"] }\nexempt_review_after = \"31536000s\"\n\
     [[idle.overrides]]\nwhere = {}\nafter = \"0d\"\n",
    "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\n\
     [invites]\nexpire_after = \"14d\"\non_expiry = \"rescind\"\nmax_resends = 0\n\
     [lockout]\nmax_failed_logins = 0\nunlock_after = \"1h\"\n",
    "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\n\
     [deactivation]\nactor_permission = \"\"\nactor_rank = \"above_target\"\n\
     protected = { role = [\"admin\"], status = \"active\" }\n\
     required_fields = [\"email\", \" phone \", \"manager_id\", \"teams\", \"cost_center\"]\n\
     revoke_sessions = false\nblock_email = true\nreceivers = [\"active\", \"idle\"]\n",
    "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\naliases = { \"Sales Rep\" = \"rep\" }\n\
     [roles.permissions]\nadmin = [\"manage_users\"]\nrep = []\n",
    "name = \"p\"\ndescription = \"\"\n[roles]\norder = [\"admin\", \"rep\"]\n\
     [leaders]\nteams = \"block\"\ndirect_reports = \"block\"\ndirect_reports_to = [\"manager_chain\"]\n\
     bulk_refuse = { permissions = [] }\n",
    "name = \"p\"\n[roles]\norder = [\"admin\", \"rep\"]\n\
     [records.subscription]\nstates = { active = \"cancel\", closed = \"keep\" }\n\
     [records.routing_rule]\nstates = { \"*\" = \"block\" }\n",
];

#[test]
fn hand_made_policies_the_parser_accepts_are_valid() {
    let v = validator();
    for text in VALID {
        assert!(parser_accepts(text), "the parser refuses:\n{text}");
        assert_eq!(schema_errors(&v, text), Vec::<String>::new(), "\n{text}");
    }
}

/// Policies the parser refuses while reading them, each with the part of it the schema
/// must point at.
const INVALID: [(&str, &str); 12] = [
    ("[idle]\nafter = \"30d\"\nidle_threshhold = \"30d\"\n", "/idle"),
    ("[idle]\nafter = 30\n", "/idle/after"),
    ("[idle]\nafter = \"30 days\"\n", "/idle/after"),
    ("[idle]\nafter = \"1d12h\"\n", "/idle/after"),
    ("[idle]\nafter = \"-3d\"\n", "/idle/after"),
    ("[lockout]\nmax_failed_logins = \"5\"\n", "/lockout/max_failed_logins"),
    ("[lockout]\nmax_failed_logins = -1\n", "/lockout/max_failed_logins"),
    ("[invites]\nexpire_after = \"14d\"\non_expiry = \"resent\"\n", "/invites/on_expiry"),
    ("[records.opportunity]\nstates = { open = \"move\" }\n", "/records/opportunity/states/open"),
    ("[records.opportunity]\nstate = { open = \"keep\" }\n", "/records/opportunity"),
    ("[deactivation]\nrevoke_sessions = \"yes\"\n", "/deactivation/revoke_sessions"),
    ("descripton = \"typo at the top\"\n", ""),
];

#[test]
fn the_schema_rejects_what_the_parser_rejects_while_reading() {
    let v = validator();
    for (extra, pointer) in INVALID {
        // A top-level key goes before `[roles]`, a table after it.
        let text = if pointer.is_empty() {
            format!("{extra}{MINIMAL}")
        } else {
            format!("{MINIMAL}{extra}")
        };
        assert!(!parser_accepts(&text), "the parser accepts:\n{text}");
        let errors = schema_errors(&v, &text);
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{pointer}:"))),
            "the schema must reject {pointer:?} of\n{text}\nit said: {errors:?}"
        );
    }
}

/// Values the parser refuses only when it compiles the policy, and the schema refuses too.
#[test]
fn the_schema_rejects_unknown_strategies_statuses_and_fields() {
    let v = validator();
    for (extra, pointer) in [
        ("[leaders]\nteams_to = [\"boss\"]\n", "/leaders/teams_to/0"),
        ("[leaders]\nteams_to = [\"user:  \"]\n", "/leaders/teams_to/0"),
        ("[statuses]\naliases = { gone = \"vanished\" }\n", "/statuses/aliases/gone"),
        ("[idle]\nafter = \"30d\"\nexempt = { last_login_at = \"never\" }\n", "/idle/exempt"),
        (
            "[deactivation]\nrequired_fields = [\"failed_logins\"]\n",
            "/deactivation/required_fields/0",
        ),
        ("[roles]\norder = [\"a\"]\n", ""),
        ("[snapshot.columns.users]\nlast_login = \"Last Login\"\n", "/snapshot/columns/users"),
        ("[snapshot.columns.records]\nowner = \"Owner\"\n", "/snapshot/columns/records"),
        ("[snapshot.formats]\nlast_login = \"%d.%m.%Y\"\n", "/snapshot/formats"),
    ] {
        let text = if extra.starts_with("[roles]") {
            format!("name = \"p\"\n{extra}[roles.x]\n")
        } else {
            format!("{MINIMAL}{extra}")
        };
        assert!(!parser_accepts(&text), "the parser accepts:\n{text}");
        let errors = schema_errors(&v, &text);
        assert!(
            errors.iter().any(|e| e.starts_with(pointer)),
            "the schema must reject {pointer:?} of\n{text}\nit said: {errors:?}"
        );
    }
}

#[test]
fn the_schema_documents_every_table() {
    let schema = schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    let definitions = schema["definitions"].as_object().unwrap();
    for (name, def) in definitions {
        assert!(
            def.get("description").is_some_and(|d| d.as_str().is_some_and(|d| !d.is_empty())),
            "definition {name} has no description"
        );
    }
    for (key, property) in schema["properties"].as_object().unwrap() {
        let described = property.get("description").is_some()
            || property
                .get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| definitions.contains_key(r.trim_start_matches("#/definitions/")));
        assert!(described, "top-level key {key} has no description");
    }
}

#[test]
fn the_tenants_schema_is_current_and_the_example_validates() {
    let out = roster(["schema", "--tenants"]);
    assert_eq!(out.status.code(), Some(0));
    let shipped = std::fs::read(root().join("policies/tenants.schema.json")).unwrap();
    assert!(
        out.stdout == shipped,
        "policies/tenants.schema.json is stale; regenerate it with `cargo run -q -- schema --tenants > policies/tenants.schema.json`"
    );
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = Validator::new(&schema);
    let example = std::fs::read_to_string(root().join("examples/tenants.toml")).unwrap();
    assert!(example.starts_with("#:schema ../policies/tenants.schema.json\n"));
    let errors = v.errors(&toml_value(&example));
    assert!(errors.is_empty(), "{:?}", errors.iter().map(|e| &e.message).collect::<Vec<_>>());
    let bad = toml_value("[[tenant]]\nid = \"x\"\nsnapshot = \"s\"\nsnapsot = \"t\"\n");
    assert!(!v.errors(&bad).is_empty(), "an unknown key is refused");
}
