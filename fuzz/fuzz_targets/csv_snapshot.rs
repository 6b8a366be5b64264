//! The CSV snapshot loader, `roster::snapshot::parse_folder`, on arbitrary bytes.
//!
//! Input: `users.csv` 0x1E `teams.csv` 0x1E `records.csv` 0x1E `snapshot.toml` 0x1E
//! `blocked_emails.csv`; a missing part is a missing file. The policy is
//! `policies/default.toml`. Loading must end in a store or in positioned errors, never in
//! a panic; a store must be consistent (unique ids, references resolved or dangling).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::snapshot::{self, CsvFiles};
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
    match snapshot::parse_folder(Path::new("fuzz"), &files, common::default_policy().reading(), &snapshot::Silent) {
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
            common::check_store(&store);
        }
    }
});
