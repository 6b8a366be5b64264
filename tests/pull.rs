//! `roster pull` against small local SCIM servers with the paging and failure quirks of
//! real ones (wrong `totalResults`, `itemsPerPage` that is not the page's length, 429 and
//! 5xx, refused tokens). The real server of the end-to-end test is in tests/peers/scim.py.

use crate::support::{root, temp_dir};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "s3cr3t-token-for-the-test";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
}

/// What the server answers: status, extra headers, body.
type Answer = (u16, Vec<(String, String)>, String);

/// A server on 127.0.0.1 answering each request with `handler(request number, path)`.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(handler: impl Fn(usize, &str) -> Answer + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}/scim/v2", listener.local_addr().unwrap().port());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap_or_default();
                let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                let mut authorization = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = header.split_once(':') {
                        if k.eq_ignore_ascii_case("authorization") {
                            authorization = Some(v.trim().to_owned());
                        }
                    }
                }
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(Seen { path: path.clone(), authorization });
                    log.len()
                };
                let path = path.strip_prefix("/scim/v2/").unwrap_or(&path).to_owned();
                let (status, headers, body) = handler(n, &path);
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/scim+json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            }
        });
        Server { base, seen }
    }

    fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|s| s.path.clone()).collect()
    }
}

fn ok(body: Value) -> Answer {
    (200, Vec::new(), body.to_string())
}

fn query(path: &str, key: &str) -> usize {
    path.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

fn user(i: usize) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": format!("u{i:03}"),
        "userName": format!("user{i}@example.com"),
        "emails": [{"value": format!("user{i}@example.com"), "primary": true}],
        "active": true,
        "roles": [{"value": "rep", "primary": true}],
        "urn:roster:params:scim:schemas:extension:2.0:User": {
            "last_login_at": "2026-11-20T10:00:00Z"
        }
    })
}

/// A page of `n` users from `startIndex`, at most `cap` long, with the numbers `numbers`
/// gives for (page length, count asked) -> (totalResults, itemsPerPage).
fn users_page(
    path: &str,
    n: usize,
    cap: usize,
    numbers: fn(usize, usize, usize) -> (usize, usize),
) -> Answer {
    let start = query(path, "startIndex");
    let count = query(path, "count").min(cap);
    let page: Vec<Value> = (start..=n).take(count).map(user).collect();
    let (total, items) = numbers(n, page.len(), count);
    ok(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "itemsPerPage": items,
        "startIndex": start,
        "Resources": page,
    }))
}

fn not_found() -> Answer {
    (404, Vec::new(), json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404", "detail": "no such endpoint"}).to_string())
}

fn pull(base: &str, out: &Path, extra: &[&str]) -> Output {
    let token_file = out.with_extension("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["pull", "--scim", base, "--out"])
        .arg(out)
        .arg("--token-file")
        .arg(&token_file)
        .args(extra)
        .current_dir(root())
        .env("COLUMNS", "1000")
        .env_remove("ROSTER_SCIM_TOKEN")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn pulled_ids(dir: &Path) -> Vec<String> {
    let list: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("users.scim.json")).unwrap())
            .unwrap();
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn all_ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("u{i:03}")).collect()
}

#[test]
fn a_server_whose_total_counts_only_the_page_loses_no_user() {
    let server = Server::start(|_, path| match path.split('?').next().unwrap_or_default() {
        "Users" => users_page(path, 57, 10, |_, len, _| (len, len)),
        _ => not_found(),
    });
    let dir = temp_dir("pull-total");
    let out = pull(&server.base, &dir.join("snap"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pulled_ids(&dir.join("snap")), all_ids(57));
    assert!(
        stderr(&out).contains("the server counted 10 (totalResults) and served 57"),
        "{}",
        stderr(&out)
    );
    // The token went in the header, and nowhere in what roster printed or wrote.
    let seen = server.seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(|s| s.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"))),
        "{seen:?}"
    );
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!printed.contains(TOKEN));
    for f in std::fs::read_dir(dir.join("snap")).unwrap() {
        assert!(!std::fs::read_to_string(f.unwrap().path()).unwrap().contains(TOKEN));
    }
    // What was pulled is a snapshot that plan reads.
    let plan = crate::support::roster([
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        dir.join("snap").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["snapshot"]["users"], 57);
}

#[test]
fn a_server_whose_items_per_page_is_not_its_page_length_loses_no_user() {
    // It caps pages at 7 whatever is asked, and says itemsPerPage = the count asked for.
    let server = Server::start(|_, path| match path.split('?').next().unwrap_or_default() {
        "Users" => users_page(path, 50, 7, |n, _, asked| (n, asked.max(25))),
        _ => not_found(),
    });
    let dir = temp_dir("pull-items");
    let out = pull(&server.base, &dir.join("snap"), &["--page-size", "25"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pulled_ids(&dir.join("snap")), all_ids(50));
    assert!(
        stderr(&out).contains("itemsPerPage (25) is not the length of its page (7)"),
        "{}",
        stderr(&out)
    );
    // Each page starts after the users received, not after itemsPerPage.
    let starts: Vec<usize> = server
        .paths()
        .iter()
        .filter(|p| p.contains("Users"))
        .map(|p| query(p, "startIndex"))
        .collect();
    assert_eq!(starts, [1, 8, 15, 22, 29, 36, 43, 50]);
}

#[test]
fn the_page_size_follows_the_servers_max_results() {
    let server = Server::start(|_, path| match path.split('?').next().unwrap_or_default() {
        "ServiceProviderConfig" => ok(json!({"filter": {"supported": true, "maxResults": 5}})),
        "Users" => users_page(path, 12, 100, |n, len, _| (n, len)),
        "Groups" => ok(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1,
            "Resources": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                           "id": "g1", "displayName": "West", "members": [{"value": "u002"}]}],
        })),
        _ => not_found(),
    });
    let dir = temp_dir("pull-max");
    let out = pull(&server.base, &dir.join("snap"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(server
        .paths()
        .iter()
        .filter(|p| p.contains("/Users"))
        .all(|p| p.ends_with("&count=5")));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .split(" from ")
            .next(),
        Some("pulled 12 users and 1 group")
    );
}

#[test]
fn busy_and_failing_servers_are_tried_again() {
    // 429 with Retry-After, then a 503, then the answer.
    let server = Server::start(|n, path| match (n, path.split('?').next().unwrap_or_default()) {
        (1, _) => (429, vec![("Retry-After".into(), "1".into())], String::new()),
        (2, _) => (503, Vec::new(), String::new()),
        (_, "Users") => users_page(path, 3, 10, |n, len, _| (n, len)),
        _ => not_found(),
    });
    let dir = temp_dir("pull-retry");
    let out = pull(&server.base, &dir.join("snap"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("HTTP 429 Too Many Requests; trying again (1 of 4)"), "{err}");
    assert!(err.contains("HTTP 503 Service Unavailable; trying again (2 of 4)"), "{err}");
    assert_eq!(pulled_ids(&dir.join("snap")), all_ids(3));
}

#[test]
fn a_refused_token_is_a_clear_error_and_writes_nothing() {
    // The server echoes the token in its detail: roster does not.
    let server = Server::start(|_, _| {
        (
            401,
            Vec::new(),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "401",
                "detail": format!("token {TOKEN} is expired"),
            })
            .to_string(),
        )
    });
    let dir = temp_dir("pull-401");
    std::fs::create_dir_all(dir.join("snap")).unwrap();
    std::fs::write(dir.join("snap/records.csv"), "id,kind,owner_id,state\n").unwrap();
    let out = pull(&server.base, &dir.join("snap"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: GET {}/ServiceProviderConfig: HTTP 401 Unauthorized: token [token] is expired",
            server.base
        )),
        "{err}"
    );
    assert!(err.contains("help: the server did not accept the token"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    let left: Vec<_> =
        std::fs::read_dir(dir.join("snap")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["records.csv"]);
}

#[test]
fn a_server_that_never_answers_well_fails_after_the_retries() {
    let server =
        Server::start(|_, _| (500, Vec::new(), json!({"detail": "database down"}).to_string()));
    let dir = temp_dir("pull-500");
    let out = pull(&server.base, &dir.join("snap"), &["--retries", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("HTTP 500 Internal Server Error: database down (after 1 retries)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.paths().len(), 2);
    assert!(!dir.join("snap").exists());
}

#[test]
fn the_folder_keeps_its_other_files_and_its_account() {
    let server = Server::start(|_, path| match path.split('?').next().unwrap_or_default() {
        "Users" => users_page(path, 4, 10, |n, len, _| (n, len)),
        _ => not_found(),
    });
    let dir = temp_dir("pull-keep");
    let snap = dir.join("snap");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::write(snap.join("records.csv"), "id,kind,owner_id,state\nr1,contact,u002,open\n")
        .unwrap();
    std::fs::write(snap.join("snapshot.toml"), "# nightly\ntaken_at = \"2020-01-01T00:00:00Z\"\n\n[account]\nseats = 3\nowner = \"u001\"\n").unwrap();
    let out = pull(&server.base, &snap, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = std::fs::read_to_string(snap.join("snapshot.toml")).unwrap();
    assert!(meta.starts_with("# nightly\ntaken_at = \"20"), "{meta}");
    assert!(!meta.contains("2020-01-01"), "{meta}");
    assert!(meta.ends_with("\n[account]\nseats = 3\nowner = \"u001\"\n"), "{meta}");
    assert!(
        stderr(&out).contains("note: the server has no /Groups (HTTP 404 or 501)"),
        "{}",
        stderr(&out)
    );
    let check = crate::support::roster([
        "check",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        snap.to_str().unwrap(),
    ]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("1 record"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn unsafe_urls_and_folders_are_refused_before_any_request() {
    let dir = temp_dir("pull-refuse");
    for (url, message) in [
        ("http://scim.example.com/v2", "http:// would send the token across the network in clear"),
        ("https://me:pw@scim.example.com/v2", "holds a user name or password"),
        ("https://scim.example.com/v2?x=1", "takes no query"),
    ] {
        let out = pull(url, &dir.join("snap"), &[]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(stderr(&out).contains(message), "{url}: {}", stderr(&out));
    }
    let csv = dir.join("csv");
    crate::support::copy_dir(&root().join("examples/acme"), &csv);
    let out = pull("http://127.0.0.1:9/v2", &csv, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds users.csv, which plan would read instead"),
        "{}",
        stderr(&out)
    );
}
