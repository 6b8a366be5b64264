//! Reading every resource of a SCIM endpoint (`/Users`, `/Groups`) page by page, without
//! trusting the server's numbers.
//!
//! Servers disagree on paging: some report `itemsPerPage` as the page size asked for rather
//! than the page's length, some count in `totalResults` only the current page, or resources
//! deleted since, some ignore `startIndex`. So the reader trusts only the resources it
//! receives:
//!
//! - the next page starts after the resources received (`startIndex` + the page's length,
//!   never + `itemsPerPage`);
//! - it stops at an empty page, or once it holds `totalResults` resources and a page came
//!   shorter than the pages before it (a server's last page); a full page never ends the
//!   read, so a `totalResults` that is too small loses nobody;
//! - a resource met twice (the same `id`) is kept once; the same id with other attributes
//!   is an error (the export changed under the read), and a page with no new resource
//!   means the server ignores `startIndex`;
//! - every number the server got wrong is said in a note.

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use serde_json::Value;

/// The schema of a SCIM list response.
const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// More pages than this is a server that never ends its list.
const MAX_PAGES: u64 = 1_000_000;

/// What a page request brought back.
pub enum Reply {
    /// The body of a 2xx answer.
    Body(Vec<u8>),
    /// 404 or 501: the server has no such endpoint.
    Missing(u16),
}

/// A server to read pages from: `get` sends one GET to a path relative to the SCIM base
/// URL (retries and errors are its business) and returns the body.
pub trait Get {
    /// GETs `path` (such as `Users?startIndex=1&count=100`).
    fn get(&mut self, path: &str) -> Result<Reply, String>;
}

/// The resources of one endpoint, in the order received, and what the server got wrong.
#[derive(Debug, Default)]
pub struct Listing {
    /// The resources, each as the server sent it.
    pub resources: Vec<Value>,
    /// Requests made.
    pub pages: u64,
    /// Notes for stderr: the server's numbers that were wrong, repeated resources.
    pub notes: Vec<String>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    schemas: Vec<String>,
    #[serde(rename = "totalResults")]
    total_results: Option<u64>,
    #[serde(rename = "itemsPerPage")]
    items_per_page: Option<u64>,
    #[serde(rename = "startIndex")]
    start_index: Option<u64>,
    #[serde(rename = "Resources", alias = "resources", default)]
    resources: Vec<Value>,
}

/// Reads every resource of `endpoint` (`Users`, `Groups`), asking `count` a page;
/// `progress` hears the resources held so far and the server's count. `Ok(None)` when the
/// server has no such endpoint.
pub fn read_all(
    server: &mut dyn Get,
    endpoint: &str,
    count: u64,
    progress: &mut dyn FnMut(usize, Option<u64>),
) -> Result<Option<Listing>, String> {
    let mut listing = Listing::default();
    let mut seen: HashMap<String, usize> = HashMap::default();
    let mut start: u64 = 1;
    let mut longest: usize = 0;
    let mut total: Option<u64> = None;
    let mut total_wrong = false;
    let (mut items_noted, mut start_noted, mut repeated) = (false, false, 0usize);
    loop {
        if listing.pages >= MAX_PAGES {
            return Err(format!(
                "{endpoint}: the server served {MAX_PAGES} pages and no empty one; roster stopped"
            ));
        }
        let path = format!("{endpoint}?startIndex={start}&count={count}");
        let body = match server.get(&path)? {
            Reply::Body(body) => body,
            Reply::Missing(_) if listing.pages == 0 => return Ok(None),
            Reply::Missing(status) => {
                return Err(format!("{path}: HTTP {status} in the middle of the list"));
            }
        };
        listing.pages += 1;
        let page: Page = serde_json::from_slice(&body)
            .map_err(|e| format!("{path}: the answer is not a SCIM ListResponse: {e}"))?;
        if !page.schemas.iter().any(|s| s.eq_ignore_ascii_case(LIST_RESPONSE)) {
            return Err(format!(
                "{path}: the answer is not a SCIM ListResponse (its `schemas` lack {LIST_RESPONSE})"
            ));
        }
        let length = page.resources.len();
        if let Some(items) = page.items_per_page.filter(|&i| i != length as u64) {
            if !items_noted {
                listing.notes.push(format!(
                    "{endpoint}: the server's itemsPerPage ({items}) is not the length of its \
                     page ({length}); roster counted the resources received"
                ));
                items_noted = true;
            }
        }
        if let Some(answered) = page.start_index.filter(|&s| s != start && length > 0) {
            if !start_noted {
                listing.notes.push(format!(
                    "{endpoint}: asked for startIndex {start}, the server said {answered}; \
                     roster kept the resources by id"
                ));
                start_noted = true;
            }
        }
        // The largest count any page gave (a server may count only its page).
        total = total.max(page.total_results);
        let mut new = 0usize;
        for (i, resource) in page.resources.into_iter().enumerate() {
            let Some(id) = resource.get("id").and_then(Value::as_str).map(str::to_owned) else {
                return Err(format!("{path}: resource {} of the page has no string `id`", i + 1));
            };
            match seen.get(&id) {
                Some(&at) if listing.resources.get(at) == Some(&resource) => repeated += 1,
                Some(_) => {
                    return Err(format!(
                        "{endpoint}: the server served two different resources with id `{id}` \
                         (the list changed while it was read?); pull again"
                    ))
                }
                None => {
                    seen.insert(id, listing.resources.len());
                    listing.resources.push(resource);
                    new += 1;
                }
            }
        }
        let held = listing.resources.len();
        progress(held, total);
        if length == 0 {
            break;
        }
        if new == 0 && total.is_some_and(|t| held as u64 >= t) {
            listing.notes.push(format!(
                "{endpoint}: the page at startIndex {start} repeats resources already read \
                 (the server ignores startIndex); roster holds all {held} it counted"
            ));
            break;
        }
        if new == 0 {
            return Err(format!(
                "{endpoint}: the page at startIndex {start} holds only resources already \
                 read: the server seems to ignore startIndex, so roster cannot read past its \
                 first page"
            ));
        }
        if let Some(t) = total {
            if held as u64 > t {
                total_wrong = true;
            }
            if !total_wrong && held as u64 >= t && length < longest {
                break;
            }
        }
        longest = longest.max(length);
        start += length as u64;
    }
    let held = listing.resources.len() as u64;
    match total {
        Some(t) if t < held => listing.notes.push(format!(
            "{endpoint}: the server counted {t} (totalResults) and served {held}; roster \
             kept all {held}"
        )),
        Some(t) if t > held => listing.notes.push(format!(
            "{endpoint}: the server counted {t} (totalResults) and served {held} before an \
             empty page; roster kept the {held} it received"
        )),
        _ => {}
    }
    if repeated > 0 {
        listing.notes.push(format!(
            "{endpoint}: {repeated} resources came twice (pages overlap); each is kept once"
        ));
    }
    Ok(Some(listing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A server of `n` users with paging quirks.
    struct Fake {
        users: Vec<Value>,
        /// The most a page holds, whatever is asked.
        cap: usize,
        /// `totalResults` as the server reports it.
        total: fn(usize, usize) -> u64,
        /// `itemsPerPage` as the server reports it.
        items: fn(usize, usize) -> u64,
        /// Whether `startIndex` is read as 0-based... or ignored.
        ignore_start: bool,
        asked: Vec<String>,
    }

    fn fake(n: usize, cap: usize) -> Fake {
        Fake {
            users: (1..=n).map(|i| json!({"id": format!("u{i:03}"), "userName": i})).collect(),
            cap,
            total: |n, _| n as u64,
            items: |_, len| len as u64,
            ignore_start: false,
            asked: Vec::new(),
        }
    }

    fn query(path: &str, key: &str) -> usize {
        path.split(['?', '&'])
            .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    impl Get for Fake {
        fn get(&mut self, path: &str) -> Result<Reply, String> {
            self.asked.push(path.to_owned());
            let start = if self.ignore_start { 1 } else { query(path, "startIndex") };
            let count = query(path, "count").min(self.cap);
            let page: Vec<Value> =
                self.users.iter().skip(start.saturating_sub(1)).take(count).cloned().collect();
            let body = json!({
                "schemas": [LIST_RESPONSE],
                "totalResults": (self.total)(self.users.len(), page.len()),
                "itemsPerPage": (self.items)(count, page.len()),
                "startIndex": start,
                "Resources": page,
            });
            Ok(Reply::Body(body.to_string().into_bytes()))
        }
    }

    fn read(server: &mut Fake, count: u64) -> Result<Listing, String> {
        read_all(server, "Users", count, &mut |_, _| {}).map(|l| l.expect("an endpoint"))
    }

    fn ids(l: &Listing) -> Vec<String> {
        l.resources.iter().map(|r| r["id"].as_str().unwrap_or_default().to_owned()).collect()
    }

    #[test]
    fn an_honest_server_is_read_whole_and_in_order() {
        for n in [0, 1, 9, 10, 11, 25, 30] {
            let mut s = fake(n, 100);
            let l = read(&mut s, 10).expect("read");
            let want: Vec<String> = (1..=n).map(|i| format!("u{i:03}")).collect();
            assert_eq!(ids(&l), want, "{n} users");
            assert!(l.notes.is_empty(), "{:?}", l.notes);
        }
    }

    #[test]
    fn a_short_last_page_ends_the_read_without_an_empty_one() {
        let mut s = fake(25, 100);
        read(&mut s, 10).expect("read");
        assert_eq!(s.asked.len(), 3, "{:?}", s.asked);
    }

    #[test]
    fn a_total_counting_only_the_page_loses_nobody() {
        let mut s = fake(25, 100);
        s.total = |_, len| len as u64;
        let l = read(&mut s, 10).expect("read");
        assert_eq!(l.resources.len(), 25);
        assert!(l.notes.iter().any(|n| n.contains("totalResults")), "{:?}", l.notes);
    }

    #[test]
    fn a_total_too_big_stops_at_the_empty_page() {
        let mut s = fake(25, 100);
        s.total = |n, _| n as u64 + 7;
        let l = read(&mut s, 10).expect("read");
        assert_eq!(l.resources.len(), 25);
        assert!(l.notes.iter().any(|n| n.contains("counted 32")), "{:?}", l.notes);
    }

    #[test]
    fn items_per_page_other_than_the_page_is_not_trusted() {
        // The server says it serves the page size asked for, and serves at most 4.
        let mut s = fake(23, 4);
        s.items = |_, _| 10;
        let l = read(&mut s, 10).expect("read");
        assert_eq!(l.resources.len(), 23);
        assert!(l.notes.iter().any(|n| n.contains("itemsPerPage (10)")), "{:?}", l.notes);
    }

    #[test]
    fn a_capped_page_with_a_wrong_total_loses_nobody() {
        let mut s = fake(23, 4);
        s.total = |_, len| len as u64;
        s.items = |asked, _| asked as u64;
        assert_eq!(read(&mut s, 10).expect("read").resources.len(), 23);
    }

    #[test]
    fn a_server_that_ignores_start_index_is_an_error() {
        let mut s = fake(25, 100);
        s.ignore_start = true;
        let e = read(&mut s, 10).expect_err("refused");
        assert!(e.contains("ignore startIndex"), "{e}");
    }

    #[test]
    fn a_server_that_ignores_start_index_is_read_when_one_page_holds_all() {
        let mut s = fake(5, 100);
        s.ignore_start = true;
        let l = read(&mut s, 10).expect("read");
        assert_eq!(l.resources.len(), 5);
        assert!(l.notes.iter().any(|n| n.contains("ignores startIndex")), "{:?}", l.notes);
    }

    #[test]
    fn an_endpoint_the_server_lacks_is_none() {
        struct NoGroups;
        impl Get for NoGroups {
            fn get(&mut self, _: &str) -> Result<Reply, String> {
                Ok(Reply::Missing(404))
            }
        }
        let l = read_all(&mut NoGroups, "Groups", 10, &mut |_, _| {}).expect("read");
        assert!(l.is_none());
    }

    #[test]
    fn not_a_list_response_is_an_error() {
        struct Html;
        impl Get for Html {
            fn get(&mut self, _: &str) -> Result<Reply, String> {
                Ok(Reply::Body(b"<html>login</html>".to_vec()))
            }
        }
        let e = read_all(&mut Html, "Users", 10, &mut |_, _| {}).expect_err("refused");
        assert!(e.contains("not a SCIM ListResponse"), "{e}");
    }
}
