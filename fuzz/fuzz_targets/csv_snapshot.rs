//! The CSV snapshot loader, `roster::snapshot::parse_folder`, on arbitrary bytes.
//!
//! Input: `users.csv` 0x1E `teams.csv` 0x1E `records.csv` 0x1E `snapshot.toml` 0x1E
//! `blocked_emails.csv`; a missing part is a missing file. The policy is
//! `policies/default.toml`. Loading must end in a store or in positioned errors, never in
//! a panic; a store must be consistent (unique ids, references resolved or dangling).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::snapshot::{self, CsvFiles, Link};
use std::collections::HashSet;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let parts = common::sections(data, 5);
    let part = |i: usize| parts.get(i).map(|p| p.to_vec());
    let files = CsvFiles {
        users: part(0).unwrap_or_default(),
        teams: part(1),
        records: part(2),
        meta: part(3),
        blocked_emails: part(4),
    };
    match snapshot::parse_folder(Path::new("fuzz"), &files, common::default_policy()) {
        Err(e) => common::check_error(&e),
        Ok(store) => {
            // No silent row loss: a snapshot that loads has one user, team and record per
            // data row, as the csv crate itself counts them.
            let rows = |bytes: &Option<Vec<u8>>| {
                bytes.as_deref().map_or(0, |b| {
                    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
                    csv::ReaderBuilder::new()
                        .has_headers(true)
                        .flexible(true)
                        .from_reader(b)
                        .byte_records()
                        .count()
                })
            };
            assert_eq!(store.users.len(), rows(&Some(files.users.clone())), "users.csv rows lost");
            assert_eq!(store.teams.len(), rows(&files.teams), "teams.csv rows lost");
            assert_eq!(store.records.len(), rows(&files.records), "records.csv rows lost");
            let ids: HashSet<&str> = store.users.iter().map(|u| &*u.id).collect();
            assert_eq!(ids.len(), store.users.len(), "duplicate user ids were loaded");
            for (i, u) in store.users.iter().enumerate() {
                assert!(!u.id.is_empty());
                assert_eq!(store.user_ix(&u.id).map(|x| x.index()), Some(i));
                if let Link::Dangling(m) = &u.manager {
                    assert!(store.user_ix(m).is_none(), "a resolvable manager left dangling");
                }
            }
            let teams: HashSet<&str> = store.teams.iter().map(|t| &*t.id).collect();
            assert_eq!(teams.len(), store.teams.len(), "duplicate team ids were loaded");
            let records: HashSet<&str> = store.records.iter().map(|r| &*r.id).collect();
            assert_eq!(records.len(), store.records.len(), "duplicate record ids were loaded");
        }
    }
});
