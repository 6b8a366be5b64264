//! SCIM 2.0 exports (RFC 7643, RFC 7644): a `ListResponse` of User and Group resources.
//!
//! A lone file is a snapshot of users and teams. A folder may hold `users.scim.json`
//! (and `groups.scim.json`) in place of `users.csv` and `teams.csv`; its `snapshot.toml`,
//! `records.csv` and `blocked_emails.csv` are read as in a CSV folder.
//!
//! Standard attributes are read where RFC 7643 puts them; what SCIM does not define (role,
//! status, last login, ...) is read from paths given in the policy's `[snapshot.scim.users]`,
//! else from documented defaults (roster's own extension schema, then known vendor
//! extensions). Users are converted into the same cells as a CSV row and go through the
//! same checks.

use super::build::StoreBuilder;
use super::cells::{Cell, TEAM_COLUMNS};
use super::csv::{
    duplicate_records, read_table, Source as CsvInput, Table, TableRead, MAX_PROBLEMS,
};
use super::json::{as_cell, offset_of_line_col, Owned};
use super::mapping::{member, AttrPath, Input};
use super::source::{self, digest_file, line_breaks, strip_bom};
use super::users::UserChunk;
use super::Reading;
use super::{meta, Store};
use crate::diag::{quote, Diagnostic, Diagnostics, Location};
use crate::fields::USER_COLUMNS;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The schema of a SCIM list response.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension (manager, department, ...).
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// roster's own User extension: every field SCIM lacks, under its roster name.
pub const ROSTER_USER: &str = "urn:roster:params:scim:schemas:extension:2.0:User";
/// The attribute of roster's extension that holds roster's status.
pub const STATUS_EXTENSION: &str = "urn:roster:params:scim:schemas:extension:2.0:User:status";
/// roster's own Group extension (`leader_id`).
pub const ROSTER_GROUP: &str = "urn:roster:params:scim:schemas:extension:2.0:Group";
/// SAP Cloud Identity Services' User extension (`loginTime`, `passwordDetails`).
pub const SAP_USER: &str = "urn:ietf:params:scim:schemas:extension:sap:2.0:User";

/// The file that replaces `users.csv` in a snapshot folder.
pub const USERS_FILE: &str = "users.scim.json";

const EXPORT_HELP: &str = "export the users with GET /Users (and the groups with GET /Groups) \
     into one ListResponse with every page";

/// Whether a file is a SCIM list response (looked for by content, not by name).
pub fn is_list_response(bytes: &[u8]) -> bool {
    // A cheap look before parsing: a roster JSON snapshot never says "ListResponse" (in
    // any case; URNs compare ignoring case).
    const WORD: &[u8] = b"listresponse";
    let mentioned = memchr::memchr2_iter(b'l', b'L', bytes)
        .any(|i| bytes.get(i..i + WORD.len()).is_some_and(|w| w.eq_ignore_ascii_case(WORD)));
    if !mentioned {
        return false;
    }
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        schemas: Vec<String>,
    }
    std::str::from_utf8(strip_bom(bytes))
        .ok()
        .and_then(|s| serde_json::from_str::<Probe>(s).ok())
        .is_some_and(|p| p.schemas.iter().any(|s| s.eq_ignore_ascii_case(LIST_RESPONSE)))
}

#[derive(Deserialize)]
struct ListResponse<'a> {
    #[serde(default)]
    schemas: Vec<String>,
    #[serde(rename = "totalResults")]
    total_results: Option<u64>,
    #[serde(rename = "startIndex")]
    start_index: Option<u64>,
    #[serde(rename = "Resources", alias = "resources", borrow, default)]
    resources: Vec<&'a RawValue>,
}

/// One parsed file: its text and its resources.
struct Document<'a> {
    path: &'a Path,
    source: &'a str,
    resources: Vec<&'a RawValue>,
    /// `totalResults`, when the document says.
    total: Option<u64>,
}

fn read_document<'a>(path: &'a Path, bytes: &'a [u8]) -> Result<Document<'a>, Diagnostic> {
    read_page(path, bytes, false)
}

/// A ListResponse; with `paged`, one page of several files (its `totalResults` and
/// `startIndex` are checked against the other pages, by [`check_pages`]).
fn read_page<'a>(path: &'a Path, bytes: &'a [u8], paged: bool) -> Result<Document<'a>, Diagnostic> {
    let body = strip_bom(bytes);
    let source = std::str::from_utf8(body).map_err(|e| {
        let valid = body.get(..e.valid_up_to()).unwrap_or_default();
        Diagnostic::file(path, "invalid UTF-8")
            .at(Location::line(line_breaks(valid) + 1))
            .help("save the file as UTF-8")
    })?;
    let list: ListResponse<'_> = serde_json::from_str(source).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default().to_owned();
        let offset = offset_of_line_col(source, e.line(), e.column());
        Diagnostic::file(path, message).at(Location::of_offset(source, offset)).help(
            "a SCIM export is a ListResponse object with `schemas`, `totalResults` and `Resources`",
        )
    })?;
    if !list.schemas.iter().any(|s| s.eq_ignore_ascii_case(LIST_RESPONSE)) {
        return Err(Diagnostic::file(path, "is not a SCIM ListResponse")
            .field("schemas")
            .help(format!("a SCIM export lists `{LIST_RESPONSE}` in `schemas`; {EXPORT_HELP}")));
    }
    let held = list.resources.len() as u64;
    let start = list.start_index.unwrap_or(1);
    if start == 0 {
        return Err(Diagnostic::file(path, "has startIndex 0, but SCIM counts from 1")
            .field("startIndex")
            .help(format!(
                "{EXPORT_HELP}: a server that counts from 0 may have left out or repeated a \
                 resource; export from startIndex 1, or set startIndex to 1 if the file holds \
                 every resource"
            )));
    }
    if !paged && (list.total_results.is_some_and(|total| total > held) || start > 1) {
        let total = list.total_results.unwrap_or(held);
        return Err(Diagnostic::file(
            path,
            format!(
                "is one page of a paged export: it holds {held} of {total} resources, from \
                 startIndex {start}"
            ),
        )
        .field("totalResults")
        .help(format!(
            "{EXPORT_HELP}: fetch every page (startIndex 1, {}, ...) and put all their \
             Resources in one file, or ask for count={total}",
            held + 1
        )));
    }
    Ok(Document { path, source, resources: list.resources, total: list.total_results })
}

/// Loads a lone SCIM file (users and teams only).
pub fn parse_file(path: &Path, bytes: &[u8], reading: Reading<'_>) -> Result<Store, Diagnostics> {
    let doc = read_document(path, bytes)?;
    let mut builder = StoreBuilder::new(reading);
    let mut problems = Vec::new();
    convert(&[doc], &mut builder, &mut problems);
    super::finish(builder, problems, path, || crate::hash::sha256(bytes))
}

/// The files of one kind of a SCIM folder, in page order: `users.scim.json` alone, or
/// pages `users.scim.1.json`, `users.scim.2.json`, ... (numbered in the order they were
/// fetched). Both forms at once is an error.
pub fn page_files(dir: &Path, kind: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let whole = dir.join(format!("{kind}.scim.json"));
    let mut pages: Vec<(u64, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let Ok(name) = e.file_name().into_string() else { continue };
            let number = name
                .strip_prefix(&format!("{kind}.scim."))
                .and_then(|n| n.strip_suffix(".json"))
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(n) = number {
                pages.push((n, e.path()));
            }
        }
    }
    pages.sort();
    match (whole.exists(), pages.is_empty()) {
        (true, false) => Err(Diagnostic::file(
            dir,
            format!("holds both {kind}.scim.json and pages {kind}.scim.<n>.json"),
        )
        .help("keep either the whole export or its pages")),
        (true, true) => Ok(vec![whole]),
        (false, _) => Ok(pages.into_iter().map(|(_, p)| p).collect()),
    }
}

/// The pages of one export together: every resource the server counted is there.
fn check_pages(docs: &[Document<'_>], dir: &Path, kind: &str) -> Result<(), Diagnostic> {
    let held: u64 = docs.iter().map(|d| d.resources.len() as u64).sum();
    let total = docs.iter().filter_map(|d| d.total).max().unwrap_or(held);
    if total > held {
        return Err(Diagnostic::file(
            dir,
            format!(
                "the {} pages of {kind}.scim.<n>.json hold {held} resources, and the server \
                 counted {total} (totalResults)",
                docs.len()
            ),
        )
        .help("a page is missing: fetch every page, numbered in the order fetched"));
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Loads a folder whose users come from `users.scim.json` (or its pages).
pub fn load_folder(dir: &Path, reading: Reading<'_>) -> Result<Store, Diagnostics> {
    let mut problems = Vec::new();
    let user_pages = page_files(dir, "users")?;
    if user_pages.is_empty() {
        return Err(Diagnostic::file(
            dir.join(USERS_FILE),
            "cannot read the file: it is not there",
        )
        .into());
    }
    let mut users = Vec::new();
    for page in &user_pages {
        match source::read(page) {
            Ok(Some(bytes)) => users.push(bytes),
            Ok(None) => {
                return Err(Diagnostic::file(page, "cannot read the file: it is not there").into())
            }
            Err(d) => return Err(d.into()),
        }
    }
    let group_pages = page_files(dir, "groups")?;
    let mut read = |name: &str| match source::read(&dir.join(name)) {
        Ok(bytes) => bytes,
        Err(d) => {
            problems.push(d);
            None
        }
    };
    let mut groups = Vec::new();
    for page in &group_pages {
        if let Some(bytes) = read(&file_name(page)) {
            groups.push(bytes);
        }
    }
    let meta_bytes = read("snapshot.toml");
    let mut open = |name: &str| match source::open(&dir.join(name)) {
        Ok(input) => input,
        Err(d) => {
            problems.push(d);
            None
        }
    };
    let tables = [
        ("teams.csv", Table::Teams, open("teams.csv")),
        ("records.csv", Table::Records, open("records.csv")),
        ("blocked_emails.csv", Table::BlockedEmails, open("blocked_emails.csv")),
    ];
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    let mut builder = StoreBuilder::new(reading);
    let mut digest = Sha256::new();
    if let Some(bytes) = &meta_bytes {
        digest_file(&mut digest, "snapshot.toml", bytes);
        meta::apply(&dir.join("snapshot.toml"), bytes, &mut builder, &mut problems);
    }
    let mut docs = Vec::new();
    for (pages, files, kind) in [(&user_pages, &users, "users"), (&group_pages, &groups, "groups")]
    {
        let paged = pages.len() > 1
            || pages.first().is_some_and(|p| file_name(p) != format!("{kind}.scim.json"));
        let mut these = Vec::new();
        for (path, bytes) in pages.iter().zip(files.iter()) {
            digest_file(&mut digest, &file_name(path), bytes);
            these.push(read_page(path, bytes, paged)?);
        }
        if paged {
            check_pages(&these, dir, kind)?;
        }
        docs.extend(these);
    }
    let has_groups = convert(&docs, &mut builder, &mut problems);
    for (name, table, input) in tables {
        let Some(input) = input else { continue };
        if table == Table::Teams && has_groups {
            problems.push(
                Diagnostic::file(dir.join(name), "the SCIM export has Group resources too")
                    .help("teams come either from SCIM groups or from teams.csv: remove one"),
            );
            continue;
        }
        let t = TableRead { path: &dir.join(name), name, table };
        read_table(&t, CsvInput::File(input), &mut builder, &mut problems, &mut digest);
    }
    if problems.is_empty() {
        duplicate_records(&dir.join("records.csv"), &mut builder, &mut problems);
    }
    super::finish(builder, problems, dir, || crate::hash::hex(&digest.finalize()))
}

/// One resource, with where it sits.
struct Resource<'a> {
    doc: usize,
    n: usize,
    offset: usize,
    line: u64,
    value: Value,
    path: &'a Path,
    source: &'a str,
}

impl Resource<'_> {
    fn error(&self, field: &str, message: String, help: impl Into<String>) -> Diagnostic {
        let field = if field.is_empty() {
            format!("Resources[{}]", self.n)
        } else {
            format!("Resources[{}].{field}", self.n)
        };
        Diagnostic::file(self.path, message)
            .at(Location::of_offset(self.source, self.offset))
            .field(field)
            .help(help)
    }

    /// The resource's own SCIM `id`, as text.
    fn scim_id(&self) -> Option<String> {
        member(&self.value, "id").and_then(|v| scalar(v).ok())
    }

    /// The first value `path` selects, as text.
    fn first(&self, path: &AttrPath) -> Option<String> {
        path.select(&self.value).first().and_then(|v| scalar(v).ok())
    }
}

/// Where one field is read from: the paths tried in order, and whether the policy named it.
struct Source {
    paths: Vec<AttrPath>,
    explicit: bool,
}

fn paths(texts: &[String]) -> Vec<AttrPath> {
    texts.iter().filter_map(|t| AttrPath::parse(t).ok()).collect()
}

fn default_user_paths(field: &str) -> Vec<String> {
    let roster = format!("{ROSTER_USER}:{field}");
    match field {
        "id" => vec!["id".into()],
        "email" => vec!["emails[primary eq true].value".into(), "emails.value".into()],
        "phone" => {
            vec!["phoneNumbers[primary eq true].value".into(), "phoneNumbers.value".into()]
        }
        "name" => vec!["name.formatted".into()],
        "manager_id" => vec![format!("{ENTERPRISE_USER}:manager.value"), roster],
        "role" => vec![roster, "roles[primary eq true].value".into(), "roles.value".into()],
        "permissions" => vec![roster, "entitlements.value".into()],
        "teams" => vec!["groups.value".into()],
        "last_login_at" => vec![roster, format!("{SAP_USER}:loginTime")],
        "invited_at" => vec![roster, "meta.created".into()],
        "failed_logins" => vec![roster, format!("{SAP_USER}:passwordDetails.failedLoginAttempts")],
        _ => vec![roster],
    }
}

/// Enterprise attributes kept as user attributes by default: (attribute, name in roster).
const ENTERPRISE_ATTRIBUTES: [(&str, &str); 5] = [
    ("department", "department"),
    ("division", "division"),
    ("organization", "organization"),
    ("costCenter", "cost_center"),
    ("employeeNumber", "employee_number"),
];

/// Where every user and team field is read from, worked out once from the policy's
/// `[snapshot.scim]` tables and the defaults.
struct Fields<'i> {
    /// One per field of [`USER_COLUMNS`], in that order.
    users: Vec<Source>,
    /// The policy's `[snapshot.scim.users]` keys that are not user fields: attributes.
    extra: Vec<(&'i str, &'i AttrPath)>,
    /// One per field of [`TEAM_COLUMNS`], in that order.
    teams: Vec<Option<AttrPath>>,
}

impl<'i> Fields<'i> {
    fn new(input: &'i Input) -> Self {
        let explicit =
            |field: &str| input.scim_users.iter().find(|(f, _)| f == field).map(|(_, p)| p.clone());
        let users = USER_COLUMNS
            .iter()
            .map(|field| match explicit(field) {
                Some(p) => Source { paths: vec![p], explicit: true },
                None => Source { paths: paths(&default_user_paths(field)), explicit: false },
            })
            .collect();
        let extra = input
            .scim_users
            .iter()
            .filter(|(f, _)| !USER_COLUMNS.contains(&f.as_str()))
            .map(|(f, p)| (f.as_str(), p))
            .collect();
        let team_path = |field: &str, default: String| {
            input
                .scim_teams
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, p)| p.clone())
                .or_else(|| AttrPath::parse(&default).ok())
        };
        let teams = TEAM_COLUMNS
            .iter()
            .map(|f| match *f {
                "id" => team_path(f, "id".into()),
                "name" => team_path(f, "displayName".into()),
                _ => team_path(f, format!("{ROSTER_GROUP}:{f}")),
            })
            .collect();
        Fields { users, extra, teams }
    }

    /// Where a user field is read from.
    fn user(&self, field: &str) -> Option<&Source> {
        USER_COLUMNS.iter().position(|c| *c == field).and_then(|i| self.users.get(i))
    }

    /// The path of a team's id.
    fn team_id(&self) -> Option<&AttrPath> {
        self.teams.first().and_then(Option::as_ref)
    }
}

/// SCIM ids -> roster ids, for the references between resources (managers, team leaders,
/// a user's groups), which SCIM makes by SCIM id.
struct Ids {
    /// Users, when the policy reads the roster id from another attribute than `id`.
    users: Option<HashMap<String, String>>,
    /// Groups, by the path of the team id.
    groups: HashMap<String, String>,
}

impl Ids {
    fn new(fields: &Fields<'_>, users: &[Resource<'_>], groups: &[Resource<'_>]) -> Self {
        let users = fields.users.first().filter(|s| s.explicit).map(|s| {
            users
                .iter()
                .filter_map(|u| Some((u.scim_id()?, s.paths.first().and_then(|p| u.first(p))?)))
                .collect()
        });
        let groups = groups
            .iter()
            .filter_map(|g| Some((g.scim_id()?, fields.team_id().and_then(|p| g.first(p))?)))
            .collect();
        Ids { users, groups }
    }

    /// The roster id of the user with a SCIM id (the SCIM id itself when unknown).
    fn user(&self, scim: String) -> String {
        match &self.users {
            Some(map) => map.get(&scim).cloned().unwrap_or(scim),
            None => scim,
        }
    }

    /// The team id of the group with a SCIM id (the SCIM id itself when unknown).
    fn team(&self, scim: String) -> String {
        self.groups.get(&scim).cloned().unwrap_or(scim)
    }
}

/// SCIM user id -> the team ids of the groups that list the user among their `members`,
/// in group order.
fn memberships(fields: &Fields<'_>, groups: &[Resource<'_>]) -> HashMap<String, Vec<String>> {
    let mut memberships: HashMap<String, Vec<String>> = HashMap::default();
    for g in groups {
        let Some(team) = fields.team_id().and_then(|p| g.first(p)) else {
            continue;
        };
        for m in member(&g.value, "members").and_then(Value::as_array).into_iter().flatten() {
            let is_user = member(m, "type")
                .and_then(Value::as_str)
                .is_none_or(|t| t.eq_ignore_ascii_case("User"));
            if let (true, Some(v)) = (is_user, member(m, "value").and_then(|v| scalar(v).ok())) {
                memberships.entry(v).or_default().push(team.clone());
            }
        }
    }
    memberships
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Group,
}

fn kind_of(value: &Value) -> Option<Kind> {
    let has = |urn: &str| {
        member(value, "schemas").and_then(Value::as_array).is_some_and(|s| {
            s.iter().any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(urn)))
        })
    };
    let typed = |t: &str| {
        member(value, "meta")
            .and_then(|m| member(m, "resourceType"))
            .and_then(Value::as_str)
            .is_some_and(|r| r.eq_ignore_ascii_case(t))
    };
    if has(USER_SCHEMA) || typed("User") {
        Some(Kind::User)
    } else if has(GROUP_SCHEMA) || typed("Group") {
        Some(Kind::Group)
    } else {
        None
    }
}

/// A value as cell text; `Err` names what it is instead.
fn scalar(value: &Value) -> Result<String, &'static str> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Object(_) => Err("an object"),
        Value::Array(_) => Err("a list"),
        Value::Null => Ok(String::new()),
    }
}

/// Converts every resource of `docs` into the builder: users, then teams. Returns whether
/// there were Group resources.
fn convert(
    docs: &[Document<'_>],
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let before = problems.len();
    let has_groups = convert_resources(docs, builder, problems);
    // Resources are read users first, then groups: report in file order.
    if let Some(found) = problems.get_mut(before..) {
        found.sort_by_key(|d| {
            (docs.iter().position(|doc| doc.path == d.file), d.location.line, d.location.column)
        });
    }
    has_groups
}

fn convert_resources(
    docs: &[Document<'_>],
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let (users, groups) = classify(docs, problems);
    let fields = Fields::new(builder.input());
    for (name, _) in &fields.extra {
        builder.attribute_column(name);
    }
    let ids = Ids::new(&fields, &users, &groups);
    let memberships = memberships(&fields, &groups);
    let Some(last_logins) = add_users(&users, &fields, &ids, &memberships, builder, problems)
    else {
        return !groups.is_empty();
    };
    let mapped = fields.user("last_login_at").is_some_and(|s| s.explicit);
    if builder.needs_last_login() && !users.is_empty() && last_logins == 0 && !mapped {
        problems.push(no_last_login(docs, &users));
    }
    add_teams(&groups, &fields, &ids, builder, problems);
    !groups.is_empty()
}

/// Sorts the resources of `docs` into users and groups, in file order, and reports those
/// that are neither.
fn classify<'a>(
    docs: &[Document<'a>],
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Resource<'a>>, Vec<Resource<'a>>) {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let (mut seen_offset, mut seen_line) = (0usize, 1u64);
        for (n, raw) in doc.resources.iter().enumerate() {
            let offset = (raw.get().as_ptr() as usize).saturating_sub(doc.source.as_ptr() as usize);
            if offset >= seen_offset {
                seen_line +=
                    line_breaks(doc.source.as_bytes().get(seen_offset..offset).unwrap_or_default());
                seen_offset = offset;
            }
            let (value, unreadable) = match serde_json::from_str::<Value>(raw.get()) {
                Ok(value) => (value, None),
                Err(e) => (Value::Null, Some(e)),
            };
            let resource = Resource {
                doc: d,
                n,
                offset,
                line: seen_line,
                value,
                path: doc.path,
                source: doc.source,
            };
            if let Some(e) = unreadable {
                // serde_json's message names a position within the resource: keep its words.
                let text = e.to_string();
                let what = text.split(" at line ").next().unwrap_or(&text).to_owned();
                problems.push(resource.error(
                    "",
                    format!("cannot be read: {what}"),
                    "nest at most 128 levels deep, and write numbers a 64-bit float can hold",
                ));
                continue;
            }
            match (resource.value.is_object(), kind_of(&resource.value)) {
                (true, Some(Kind::User)) => users.push(resource),
                (true, Some(Kind::Group)) => groups.push(resource),
                (false, _) => problems.push(resource.error(
                    "",
                    "is not an object".into(),
                    "each of `Resources` is a SCIM resource object",
                )),
                (true, None) => problems.push(resource.error(
                    "schemas",
                    "is neither a User nor a Group".into(),
                    format!("list `{USER_SCHEMA}` or `{GROUP_SCHEMA}` in the resource's `schemas`"),
                )),
            }
        }
    }
    (users, groups)
}

/// Adds every User resource to the builder. Returns how many have a last login, or `None`
/// when it stopped at [`MAX_PROBLEMS`].
fn add_users(
    users: &[Resource<'_>],
    fields: &Fields<'_>,
    ids: &Ids,
    memberships: &HashMap<String, Vec<String>>,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let mut last_logins = 0usize;
    let mut offsetless = 0usize;
    let mut first_offsetless: Option<(std::path::PathBuf, u64, String, String)> = None;
    let mut chunk = UserChunk::default();
    let reading = builder.reading();
    for (k, u) in users.iter().enumerate() {
        if problems.len() >= MAX_PROBLEMS {
            return None;
        }
        let row = UserRow::read(u, fields, ids, memberships, problems);
        if let Some((path, value)) = &row.offsetless {
            offsetless += 1;
            first_offsetless
                .get_or_insert_with(|| (u.path.to_path_buf(), u.line, path.clone(), value.clone()));
        }
        if row.cell("status").is_some() && row.label("status") == STATUS_EXTENSION {
            builder.scim_status_extension = true;
        }
        if row.cell("last_login_at").is_some() {
            last_logins += 1;
        }
        let attributes = user_attributes(u, &fields.extra);
        let cell = |f: crate::fields::UserField| {
            row.cells.get(f as usize).and_then(Option::as_ref).map(as_cell)
        };
        let attrs: Vec<(&str, Cell<'_>)> =
            attributes.iter().map(|(k, v)| (k.as_str(), as_cell(v))).collect();
        if let Err(errors) = chunk.push_row(&reading, cell, &attrs, u.line, k as u32) {
            for e in errors.into_iter().filter(|e| !row.reported.contains(&e.field.as_str())) {
                problems.push(u.error(row.label(&e.field), e.message, e.help));
            }
        }
    }
    for (key, e) in builder.push_users(chunk) {
        if let Some(u) = users.get(key as usize) {
            problems.push(u.error(&e.field, e.message, e.help));
        }
    }
    if let Some((file, line, path, value)) = first_offsetless {
        builder.notes.push(format!(
            "note: {}:{line}: {path} {} has no offset; read as UTC ({} of {} users have a time \
             without an offset)",
            file.display(),
            crate::diag::quote(&value),
            offsetless,
            users.len()
        ));
    }
    Some(last_logins)
}

/// The cells of one User resource, as a CSV row would hold them.
struct UserRow {
    /// One per field of [`USER_COLUMNS`].
    cells: Vec<Option<Owned>>,
    /// The attribute path each cell was read from (what its errors name), per field.
    labels: Vec<String>,
    /// Fields already reported (their own errors say more than the builder's "is empty").
    reported: Vec<&'static str>,
    /// A time read without an offset (as UTC): its attribute path and value.
    offsetless: Option<(String, String)>,
}

impl UserRow {
    fn read(
        u: &Resource<'_>,
        fields: &Fields<'_>,
        ids: &Ids,
        memberships: &HashMap<String, Vec<String>>,
        problems: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut row = UserRow {
            cells: Vec::with_capacity(USER_COLUMNS.len()),
            labels: Vec::with_capacity(USER_COLUMNS.len()),
            reported: Vec::new(),
            offsetless: None,
        };
        for (field, source) in USER_COLUMNS.iter().zip(&fields.users) {
            let (mut cell, mut label) = match read_field(u, field, source) {
                Ok(found) => found,
                Err((label, problem)) => {
                    problems.push(problem);
                    row.reported.push(*field);
                    (None, label)
                }
            };
            match *field {
                "name" if cell.is_none() && !source.explicit => cell = name_from_parts(u),
                "status" if cell.is_none() => {
                    label = "active".into();
                    match status_from_active(u) {
                        Ok(status) => cell = Some(status),
                        Err(problem) => {
                            problems.push(problem);
                            row.reported.push(*field);
                        }
                    }
                }
                "manager_id" => {
                    if let Some(Owned::Text(t)) = cell {
                        cell = Some(Owned::Text(ids.user(t)));
                    }
                }
                "teams" => cell = teams_of(u, cell, source.explicit, ids, memberships),
                // SCIM's dateTime allows a time without an offset (XML Schema's dateTime,
                // RFC 7643 section 2.3.5), and some servers store a date that way: read
                // as UTC, and noted.
                f if TIME_FIELDS.contains(&f) => {
                    if let Some(Owned::Text(t)) = &mut cell {
                        if without_offset(t) {
                            row.offsetless.get_or_insert_with(|| (label.clone(), t.clone()));
                            t.push('Z');
                        }
                    }
                }
                _ => {}
            }
            row.cells.push(cell);
            row.labels.push(label);
        }
        row
    }

    /// The cell of a user field.
    fn cell(&self, field: &str) -> Option<&Owned> {
        let i = USER_COLUMNS.iter().position(|c| *c == field)?;
        self.cells.get(i).and_then(Option::as_ref)
    }

    /// What an error about a user field names: the path its value came from.
    fn label<'s>(&'s self, field: &'s str) -> &'s str {
        USER_COLUMNS
            .iter()
            .position(|c| *c == field)
            .and_then(|i| self.labels.get(i))
            .map_or(field, String::as_str)
    }
}

/// A user field from the first of its paths that selects anything, with that path (or
/// the field's name when none does). `Err` is a value of the wrong shape, reported under
/// its path.
fn read_field(
    u: &Resource<'_>,
    field: &str,
    source: &Source,
) -> Result<(Option<Owned>, String), (String, Diagnostic)> {
    let list_field = matches!(field, "teams" | "flags" | "permissions");
    for p in &source.paths {
        let values = p.select(&u.value);
        if values.is_empty() {
            continue;
        }
        let texts: Result<Vec<String>, &str> = if list_field {
            values.iter().map(|v| scalar(v)).collect()
        } else {
            values.first().map(|v| scalar(v)).into_iter().collect()
        };
        return match texts {
            Ok(t) if list_field => Ok((Some(Owned::List(t)), p.text.clone())),
            Ok(mut t) => Ok((Some(Owned::Text(t.pop().unwrap_or_default())), p.text.clone())),
            Err(what) => Err((
                p.text.clone(),
                u.error(
                    &p.text,
                    format!("is {what}, expected a value for `{field}`"),
                    format!(
                        "name a sub-attribute in the path, such as `{}.value`, in \
                         [snapshot.scim.users] {field}",
                        p.text
                    ),
                ),
            )),
        };
    }
    Ok((None, field.to_owned()))
}

/// A name from `name.givenName` and `name.familyName`, else `displayName`.
fn name_from_parts(u: &Resource<'_>) -> Option<Owned> {
    let part =
        |k: &str| member(&u.value, "name").and_then(|n| member(n, k)).and_then(Value::as_str);
    let joined: Vec<&str> = [part("givenName"), part("familyName")]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if joined.is_empty() {
        member(&u.value, "displayName").and_then(Value::as_str).map(|s| Owned::Text(s.into()))
    } else {
        Some(Owned::Text(joined.join(" ")))
    }
}

/// The user fields that hold times.
const TIME_FIELDS: [&str; 5] =
    ["last_login_at", "invited_at", "activated_at", "notified_at", "locked_at"];

/// `2021-03-01T00:00:00` (seconds and a fraction optional): a date and time with no
/// offset after it.
fn without_offset(t: &str) -> bool {
    let b = t.trim().as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16);
    if !shape {
        return false;
    }
    let rest = &b[16..];
    let rest = match rest {
        [b':', s0, s1, tail @ ..] if s0.is_ascii_digit() && s1.is_ascii_digit() => tail,
        _ => rest,
    };
    let rest = match rest {
        [b'.', tail @ ..] => {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            &tail[n..]
        }
        _ => rest,
    };
    rest.is_empty()
}

/// roster's status from SCIM's `active`, a boolean (RFC 7643 section 4.1.1). The text
/// `"true"` is refused like any other non-boolean: a server that quotes it may quote
/// other things, and guessing could turn a leaver active.
fn status_from_active(u: &Resource<'_>) -> Result<Owned, Diagnostic> {
    let active = match member(&u.value, "active") {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    match active {
        Some(true) => Ok(Owned::Text("active".into())),
        Some(false) => Ok(Owned::Text("deactivated".into())),
        None => {
            let message = match member(&u.value, "active") {
                None | Some(Value::Null) => "is missing".to_owned(),
                Some(Value::String(s)) => {
                    format!("{} is a string, not the boolean true or false", quote(s))
                }
                Some(v) => format!("{} is not true or false", quote(&v.to_string())),
            };
            Err(u.error(
                "active",
                message,
                "write `\"active\": true` or `false`, or map `status` in \
                 [snapshot.scim.users] to an attribute that holds roster's status",
            ))
        }
    }
}

/// A user's teams: those its own attribute lists (SCIM group ids made team ids, unless
/// the policy names the attribute), then the groups that list it as a member.
fn teams_of(
    u: &Resource<'_>,
    cell: Option<Owned>,
    explicit: bool,
    ids: &Ids,
    memberships: &HashMap<String, Vec<String>>,
) -> Option<Owned> {
    let mut teams: Vec<String> = match cell {
        Some(Owned::List(l)) if !explicit => l.into_iter().map(|g| ids.team(g)).collect(),
        Some(Owned::List(l)) => l,
        _ => Vec::new(),
    };
    let scim_id = u.scim_id().unwrap_or_default();
    for t in memberships.get(&scim_id).into_iter().flatten() {
        if !teams.contains(t) {
            teams.push(t.clone());
        }
    }
    (!teams.is_empty()).then_some(Owned::List(teams))
}

/// A user's attributes: the policy's own, roster's extension's other members, then the
/// enterprise ones (the first source of a name wins).
fn user_attributes(u: &Resource<'_>, extra: &[(&str, &AttrPath)]) -> Vec<(String, Owned)> {
    let mut attributes: Vec<(String, Owned)> = Vec::new();
    for (name, p) in extra {
        if let Some(t) = u.first(p) {
            attributes.push(((*name).to_owned(), Owned::Text(t)));
        }
    }
    if let Some(Value::Object(ext)) = member(&u.value, ROSTER_USER) {
        for (k, v) in ext {
            if USER_COLUMNS.contains(&k.as_str()) || attributes.iter().any(|(n, _)| n == k) {
                continue;
            }
            if let Ok(t) = scalar(v) {
                attributes.push((k.clone(), Owned::Text(t)));
            }
        }
    }
    if let Some(ext) = member(&u.value, ENTERPRISE_USER) {
        for (scim_name, name) in ENTERPRISE_ATTRIBUTES {
            if attributes.iter().any(|(n, _)| n == name) {
                continue;
            }
            if let Some(t) = member(ext, scim_name).and_then(|v| scalar(v).ok()) {
                attributes.push((name.to_owned(), Owned::Text(t)));
            }
        }
    }
    attributes
}

/// The problem of an export where no user has a last login while the policy needs one,
/// reported on the file of the first user.
fn no_last_login(docs: &[Document<'_>], users: &[Resource<'_>]) -> Diagnostic {
    let doc = users.first().map_or(0, |u| u.doc);
    let path = docs.get(doc).map_or(Path::new(""), |d| d.path);
    Diagnostic::file(path, "no user has a last login, and the policy's [idle] rule needs one")
        .field("last_login_at")
        .help(format!(
            "SCIM has no standard last login attribute: map the export's own with \
                 last_login_at = \"<attribute path>\" in [snapshot.scim.users] (looked for \
                 `{ROSTER_USER}:last_login_at` and `{SAP_USER}:loginTime`)"
        ))
}

/// Adds every Group resource to the builder as a team (stopping at [`MAX_PROBLEMS`]).
fn add_teams(
    groups: &[Resource<'_>],
    fields: &Fields<'_>,
    ids: &Ids,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    for g in groups {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        let cells: Vec<Option<Owned>> = TEAM_COLUMNS
            .iter()
            .zip(&fields.teams)
            .map(|(field, p)| {
                let value = p.as_ref().and_then(|p| g.first(p));
                let value = if *field == "leader_id" { value.map(|v| ids.user(v)) } else { value };
                value.map(Owned::Text)
            })
            .collect();
        let cell = |i: usize| cells.get(i).and_then(Option::as_ref).map(as_cell);
        if let Err(errors) = builder.add_team(cell, g.line) {
            for e in errors {
                let label = TEAM_COLUMNS
                    .iter()
                    .position(|c| *c == e.field)
                    .and_then(|i| fields.teams.get(i))
                    .and_then(Option::as_ref)
                    .map_or(e.field.clone(), |p| p.text.clone());
                problems.push(g.error(&label, e.message, e.help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_time_without_an_offset_is_told_apart() {
        for t in ["2021-03-01T00:00:00", "2021-03-01T00:00", "2021-03-01 10:00:00.123"] {
            assert!(without_offset(t), "{t}");
        }
        for t in [
            "2021-03-01T00:00:00Z",
            "2021-03-01T00:00:00+02:00",
            "2021-03-01",
            "yesterday",
            "2021-03-01T00:00:00.",
        ] {
            assert!(!without_offset(t), "{t}");
        }
    }

    #[test]
    fn list_responses_are_recognised_by_their_schema_in_any_case() {
        let doc = |urn: &str| format!(r#"{{"schemas": ["{urn}"], "Resources": []}}"#);
        assert!(is_list_response(doc(LIST_RESPONSE).as_bytes()));
        assert!(is_list_response(doc(&LIST_RESPONSE.to_uppercase()).as_bytes()));
        assert!(!is_list_response(br#"{"users": [{"id": "ListResponse"}]}"#));
        assert!(!is_list_response(doc("urn:example:Other").as_bytes()));
    }
}
