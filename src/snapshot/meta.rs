//! `snapshot.toml`: when the export was taken and the account's seats and owner.

use super::build::StoreBuilder;
use crate::diag::{Diagnostic, Location};
use crate::time::parse_time;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    taken_at: Option<Spanned<toml::Value>>,
    account: Option<RawAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    seats: Option<u64>,
    owner: Option<String>,
}

/// Parses `snapshot.toml` into the builder.
pub fn apply(
    path: &Path,
    bytes: &[u8],
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    let Ok(source) = std::str::from_utf8(bytes) else {
        problems.push(Diagnostic::file(path, "the file is not UTF-8").help("save it as UTF-8"));
        return;
    };
    let raw: RawMeta = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let d = Diagnostic::file(path, crate::hints::toml_message(e.message())).help(
                "snapshot.toml may hold `taken_at` and an [account] table with `seats` and `owner`",
            );
            problems.push(match e.span() {
                Some(span) => d.at(Location::of_offset(source, span.start)),
                None => d,
            });
            return;
        }
    };
    if let Some(t) = raw.taken_at {
        // A quoted string or a TOML date-time (`taken_at = 2026-11-22T06:00:00Z`).
        let text = match t.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            other => other.to_string(),
        };
        match parse_time(&text) {
            Some(time) => builder.taken_at = Some(time),
            None => problems.push(
                Diagnostic::file(path, format!("`{text}` is not a time"))
                    .at(Location::of_offset(source, t.span().start))
                    .field("taken_at")
                    .help(crate::hints::time_hint(&text, None)),
            ),
        }
    }
    if let Some(account) = raw.account {
        builder.seats = account.seats;
        builder.owner =
            account.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(Box::from);
    }
}
