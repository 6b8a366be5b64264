//! `roster pull`: reads the users and groups of a live SCIM 2.0 server (GET only) into a
//! snapshot folder that `plan` reads as any other: `users.scim.json`, `groups.scim.json`
//! and `snapshot.toml` with `taken_at` set to the time of the pull.
//!
//! A pull is a snapshot to commit, diff and replay: the engine never touches the network.
//! The folder's other files (`records.csv`, `blocked_emails.csv`, the `[account]` table
//! and the comments of `snapshot.toml`) are kept, so a folder is pulled into night after
//! night. Resources are written sorted by id with sorted keys, so two pulls of the same
//! server state are the same bytes but for `taken_at`.

mod http;
pub(crate) mod pages;

use super::replace::Replacement;
use super::{progress, Error, Exit};
use pages::{Get, Listing, Reply};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The variable that holds the bearer token.
pub const TOKEN_VARIABLE: &str = "ROSTER_SCIM_TOKEN";

/// The resources asked for a page when the server names no limit.
const DEFAULT_PAGE: u64 = 100;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
ROSTER_SCIM_TOKEN=... roster pull --scim https://app.example/scim/v2 \\\n      \
--out snapshots/app\n  \
roster pull --scim https://scim.corp.example/v2 --token-file ~/.scim-token \\\n      \
--ca-file corp-ca.pem --out snapshots/app\n  \
roster plan --policy policy.toml --snapshot snapshots/app --format scim\n\n\
The token comes from --token-file, else from ROSTER_SCIM_TOKEN; it is never\n\
printed. Only GET requests are sent. Nothing is written unless every page is\n\
read.\n\n\
Exit status:\n  \
0  the snapshot folder was written\n  \
1  the server could not be read (an HTTP error, TLS, a timeout, not SCIM)\n  \
2  usage: a missing or bad argument")]
pub struct Args {
    /// The SCIM base URL, the one /Users and /Groups hang from (https://; http:// only for
    /// this machine, 127.0.0.1 or localhost).
    #[arg(long, value_name = "URL")]
    pub scim: String,
    /// The snapshot folder to write (created if needed; its other files are kept).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A file that holds the bearer token (else the ROSTER_SCIM_TOKEN variable).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// PEM certificates to trust instead of the usual roots (a private CA).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// The seconds one request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// How many times a request is tried again after a 429, a 5xx, a timeout or a broken
    /// connection (waiting what Retry-After asks, else 1, 2, 4... seconds).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
    /// The resources asked for in one page (at most the server's maxResults).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PAGE,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub page_size: u64,
}

/// Runs `roster pull`.
pub fn run(args: Args) -> Result<Exit, Error> {
    let token = token(&args)?;
    // Whatever the server or the network says is said without the token.
    let hide = |text: String| match &token {
        Some(t) if t.len() >= 4 => text.replace(t.as_str(), "[token]"),
        _ => text,
    };
    let target = Target::parse(&args.scim).map_err(Error::Usage)?;
    check_folder(&args.out)?;
    let ca =
        match &args.ca_file {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                Error::Usage(format!("cannot read --ca-file {}: {e}", path.display()))
            })?),
            None => None,
        };
    if token.is_none() {
        super::eprint_fitted(&format!(
            "note: no token ({TOKEN_VARIABLE} is not set, no --token-file): the requests carry \
             no Authorization"
        ));
    }
    let taken_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut client = http::Client::new(http::Settings {
        base: target.base.clone(),
        token: token.clone(),
        ca,
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
        loopback: target.loopback,
    })
    .map_err(Error::Usage)?;
    client.on_retry = |what| super::eprint_fitted(&format!("note: {what}"));
    progress::begin_always();
    let read = read_server(&mut client, args.page_size).map_err(|e| Error::Remote(hide(e)))?;
    progress::end();
    for note in &read.notes {
        super::eprint_fitted(&hide(format!("note: {note}")));
    }
    let files = [
        ("users.scim.json", list_response(read.users)),
        ("groups.scim.json", list_response(read.groups.unwrap_or_default())),
        ("snapshot.toml", snapshot_toml(&args.out, &taken_at, &target.base)?.into_bytes()),
    ];
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Error::Output(format!("cannot create {}: {e}", args.out.display())))?;
    let mut pending = Vec::new();
    for (name, bytes) in &files {
        let mut r = Replacement::begin(&args.out.join(name)).map_err(Error::Output)?;
        Write::write_all(&mut r, bytes)
            .map_err(|e| Error::Output(format!("cannot write {name}: {e}")))?;
        pending.push(r);
    }
    for r in pending {
        r.commit().map_err(Error::Output)?;
    }
    super::print_fitted(&format!(
        "pulled {} and {} from {} into {} (taken_at {taken_at}, {} requests)\n",
        count(read.user_count, "user"),
        count(read.group_count, "group"),
        target.base,
        args.out.display(),
        read.requests,
    ))?;
    Ok(Exit::Ok)
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", crate::plan::plural(n, noun))
}

/// The bearer token: `--token-file` (trimmed), else `ROSTER_SCIM_TOKEN`.
fn token(args: &Args) -> Result<Option<String>, Error> {
    let (text, from) = match &args.token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::Usage(format!("cannot read --token-file {}: {e}", path.display()))
            })?;
            (text, format!("--token-file {}", path.display()))
        }
        None => match std::env::var(TOKEN_VARIABLE) {
            Ok(text) => (text, TOKEN_VARIABLE.to_owned()),
            Err(std::env::VarError::NotPresent) => return Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::Usage(format!("{TOKEN_VARIABLE} is not UTF-8")))
            }
        },
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::Usage(format!("the token of {from} is empty")));
    }
    // RFC 6750's b64token, and what servers hand out in practice (JWTs, hex, base64).
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::Usage(format!(
            "the token of {from} holds a space, a line break or a character outside ASCII; \
             a bearer token is one word of visible ASCII"
        )));
    }
    Ok(Some(token.to_owned()))
}

/// The SCIM base URL, checked.
struct Target {
    /// Without a final `/`.
    base: String,
    /// Whether the host is this machine.
    loopback: bool,
}

impl Target {
    fn parse(url: &str) -> Result<Target, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("--scim `{url}` is not a URL: give https://host/path"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(format!("--scim `{url}`: roster speaks https (and http on this machine)"));
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(format!(
                "--scim: the URL holds a user name or password; give the token in \
                 {TOKEN_VARIABLE} or with --token-file instead"
            ));
        }
        if rest.contains(['?', '#']) {
            return Err(format!(
                "--scim `{url}`: the base URL takes no query or fragment (roster adds the paging)"
            ));
        }
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        }
        .to_ascii_lowercase();
        if host.is_empty() {
            return Err(format!("--scim `{url}` names no host"));
        }
        let loopback = host == "localhost"
            || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if scheme == "http" && !loopback {
            return Err(format!(
                "--scim `{url}`: http:// would send the token across the network in clear; \
                 use https:// (http:// is only for a server on this machine)"
            ));
        }
        let base = format!("{scheme}://{}", rest.trim_end_matches('/'));
        Ok(Target { base, loopback })
    }
}

/// Refuses a folder whose other files would hide the pulled users from `plan`.
fn check_folder(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!("--out {} is a file, not a folder", dir.display())));
    }
    let shown = dir.display();
    for name in ["users.csv", "teams.csv"] {
        if dir.join(name).exists() {
            return Err(Error::Usage(format!(
                "{shown} holds {name}, which plan would read instead of the pulled \
                 users.scim.json: pull into a folder of its own (records.csv may stay)"
            )));
        }
    }
    for kind in ["users", "groups"] {
        let pages =
            crate::snapshot::scim_page_files(dir, kind).map_err(|d| Error::Usage(d.to_string()))?;
        if pages
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n != format!("{kind}.scim.json").as_str()))
        {
            return Err(Error::Usage(format!(
                "{shown} holds pages {kind}.scim.<n>.json of another export; remove them \
                 (a pull writes {kind}.scim.json whole)"
            )));
        }
    }
    Ok(())
}

/// What a pull read.
struct Read {
    users: Vec<Value>,
    groups: Option<Vec<Value>>,
    user_count: usize,
    group_count: usize,
    requests: u64,
    notes: Vec<String>,
}

/// Reads `/ServiceProviderConfig` (for the page size), `/Users` and `/Groups`.
fn read_server(server: &mut dyn Get, page_size: u64) -> Result<Read, String> {
    let mut notes = Vec::new();
    let mut page = page_size;
    let mut requests = 1;
    match server.get("ServiceProviderConfig")? {
        Reply::Body(body) => {
            let config: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let max = config.pointer("/filter/maxResults").and_then(Value::as_u64);
            if let Some(max) = max.filter(|&m| m > 0 && m < page) {
                page = max;
            }
        }
        Reply::Missing(status) => notes.push(format!(
            "the server has no ServiceProviderConfig (HTTP {status}); pages of {page} are asked for"
        )),
    }
    let mut listing = |endpoint: &str| -> Result<Option<Listing>, String> {
        let mut shown = |held: usize, total: Option<u64>| match total {
            Some(t) => progress::step(&format!("reading {endpoint}: {held} of {t}")),
            None => progress::step(&format!("reading {endpoint}: {held}")),
        };
        let listing = pages::read_all(server, endpoint, page, &mut shown)?;
        Ok(listing)
    };
    let users = listing("Users")?.ok_or_else(|| {
        "GET Users: the server has no /Users (HTTP 404 or 501)\n  help: give the SCIM base \
         URL, the one /Users hangs from (often ending in /scim/v2)"
            .to_owned()
    })?;
    let groups = listing("Groups")?;
    requests += users.pages + groups.as_ref().map_or(1, |g| g.pages);
    notes.extend(users.notes);
    let sorted = |mut resources: Vec<Value>| {
        resources.sort_by(|a, b| id_of(a).cmp(id_of(b)));
        resources
    };
    let user_count = users.resources.len();
    let (groups, group_count) = match groups {
        Some(g) => {
            notes.extend(g.notes);
            let n = g.resources.len();
            (Some(sorted(g.resources)), n)
        }
        None => {
            notes.push(
                "the server has no /Groups (HTTP 404 or 501): the snapshot has no teams".into(),
            );
            (None, 0)
        }
    };
    Ok(Read { users: sorted(users.resources), groups, user_count, group_count, requests, notes })
}

fn id_of(resource: &Value) -> &str {
    resource.get("id").and_then(Value::as_str).unwrap_or_default()
}

/// One ListResponse of every resource (RFC 7644 section 3.4.2), as roster reads it back:
/// the paging members first, then each resource with its keys sorted.
fn list_response(resources: Vec<Value>) -> Vec<u8> {
    let n = resources.len();
    let mut text = format!(
        "{{\n  \"schemas\": [\"{}\"],\n  \"totalResults\": {n},\n  \"startIndex\": 1,\n  \
         \"itemsPerPage\": {n}",
        crate::snapshot::SCIM_LIST_RESPONSE
    );
    // An empty `Resources` is "unassigned" (RFC 7643 section 2.5): left out.
    if n > 0 {
        text.push_str(",\n  \"Resources\": [\n");
        for (i, resource) in resources.iter().enumerate() {
            let pretty = serde_json::to_string_pretty(resource).unwrap_or_default();
            for (j, line) in pretty.lines().enumerate() {
                if j > 0 {
                    text.push('\n');
                }
                text.push_str("    ");
                text.push_str(line);
            }
            text.push_str(if i + 1 < n { ",\n" } else { "\n" });
        }
        text.push_str("  ]");
    }
    text.push_str("\n}\n");
    text.into_bytes()
}

/// `snapshot.toml` with `taken_at` set: the folder's own file with that one line changed
/// (its comments, `[account]` and everything else kept), or a new one.
fn snapshot_toml(dir: &Path, taken_at: &str, base: &str) -> Result<String, Error> {
    let path = dir.join("snapshot.toml");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::Output(format!("cannot read {}: {e}", path.display()))),
    };
    with_taken_at(existing.as_deref(), taken_at, base)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
}

fn with_taken_at(existing: Option<&str>, taken_at: &str, base: &str) -> Result<String, String> {
    let line = format!("taken_at = \"{taken_at}\"");
    let Some(text) = existing else {
        return Ok(format!("# Pulled from {base} by roster pull\n{line}\n"));
    };
    let mut out = Vec::new();
    let mut top = true;
    let mut done = false;
    for l in text.lines() {
        let t = l.trim_start();
        if t.starts_with('[') {
            if !done {
                out.push(line.clone());
                done = true;
            }
            top = false;
        }
        let key = t.strip_prefix("taken_at").map(str::trim_start);
        if top && key.is_some_and(|k| k.starts_with('=')) {
            if !done {
                out.push(line.clone());
                done = true;
            }
            continue;
        }
        out.push(l.to_owned());
    }
    if !done {
        out.push(line);
    }
    let mut result = out.join("\n");
    result.push('\n');
    toml::from_str::<toml::Table>(&result).map_err(|e| {
        format!("is not TOML that roster can update ({}); fix it or remove it", e.message())
    })?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn taken_at_is_replaced_and_the_rest_kept() {
        let old = "# Acme\ntaken_at = \"2020-01-01T00:00:00Z\"\n\n[account]\nseats = 3 # paid\n";
        let new = with_taken_at(Some(old), "2026-12-01T10:00:00Z", "x").expect("toml");
        assert_eq!(
            new,
            "# Acme\ntaken_at = \"2026-12-01T10:00:00Z\"\n\n[account]\nseats = 3 # paid\n"
        );
    }

    #[test]
    fn taken_at_goes_before_the_first_table() {
        let new = with_taken_at(Some("[account]\nseats = 3\n"), "T", "x").expect("toml");
        assert_eq!(new, "taken_at = \"T\"\n[account]\nseats = 3\n");
        let new = with_taken_at(Some("# only a comment\n"), "T", "x").expect("toml");
        assert_eq!(new, "# only a comment\ntaken_at = \"T\"\n");
        let new = with_taken_at(None, "T", "https://h/v2").expect("toml");
        assert_eq!(new, "# Pulled from https://h/v2 by roster pull\ntaken_at = \"T\"\n");
    }

    #[test]
    fn a_taken_at_inside_a_table_is_not_the_snapshot_time() {
        let new = with_taken_at(Some("[x]\ntaken_at = 1\n"), "T", "x").expect("toml");
        assert_eq!(new, "taken_at = \"T\"\n[x]\ntaken_at = 1\n");
    }

    #[test]
    fn urls_are_checked() {
        let ok = |u: &str| Target::parse(u).map(|t| (t.base, t.loopback));
        assert_eq!(
            ok("https://app.example/scim/v2/"),
            Ok(("https://app.example/scim/v2".into(), false))
        );
        assert_eq!(ok("http://127.0.0.1:8080/v2"), Ok(("http://127.0.0.1:8080/v2".into(), true)));
        assert_eq!(ok("http://[::1]:9/v2").map(|t| t.1), Ok(true));
        assert_eq!(ok("http://localhost/v2").map(|t| t.1), Ok(true));
        for bad in [
            "http://app.example/v2",
            "https://user:pw@app.example/v2",
            "https://app.example/v2?x=1",
            "ftp://app.example",
            "app.example/v2",
            "https:///v2",
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_empty_list_has_no_resources_member() {
        let v: Value = serde_json::from_slice(&list_response(Vec::new())).expect("json");
        assert!(v.get("Resources").is_none());
        assert_eq!(v["totalResults"], 0);
    }

    #[test]
    fn a_list_is_json_of_every_resource() {
        let resources = vec![json!({"id": "a", "n": [1, {"x": "\"q\""}]}), json!({"id": "b"})];
        let v: Value = serde_json::from_slice(&list_response(resources.clone())).expect("json");
        assert_eq!(v["Resources"], Value::Array(resources));
        assert_eq!(v["schemas"][0], crate::snapshot::SCIM_LIST_RESPONSE);
        assert_eq!(v["itemsPerPage"], 2);
    }
}
