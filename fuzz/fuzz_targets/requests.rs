//! The bulk requests sheet, `roster::offboard::requests::parse`, on arbitrary bytes. A sheet that
//! parses is planned as `roster offboard --requests` on `examples/acme` with
//! `policies/default.toml` and actor u002.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use roster::engine::scenario::{Command, Scenario};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    match roster::offboard::requests::parse(Path::new("sheet.csv"), data) {
        Err(e) => common::check_error(&e),
        Ok(sheet) => {
            // Lines end at LF, CRLF or a lone CR, as an editor counts them.
            let lines = 1 + data
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
                .count() as u64;
            let mut previous = 1;
            for r in &sheet.rows {
                assert!(!r.user.is_empty(), "a row without a user was accepted");
                assert!(r.also.iter().all(|(_, v)| !v.is_empty()), "an empty user column kept");
                assert!(r.line > previous, "row on line {} after line {previous}", r.line);
                assert!(r.line <= lines, "row on line {} of a {lines}-line sheet", r.line);
                previous = r.line;
            }
            let store = common::acme();
            let scenario = Scenario {
                command: Command::Offboard,
                actor: Some("u002".into()),
                sheet: Some(sheet),
                ..Scenario::default()
            };
            let as_of = store.taken_at.expect("acme has taken_at");
            match scenario.plan(common::default_policy(), store, as_of) {
                Ok(plan) => common::check_plan_with(&plan, store, common::default_policy()),
                Err(e) => common::check_error(&e),
            }
        }
    }
});
