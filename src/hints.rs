//! Hints that name the fix for an input roster cannot read: the help lines of errors about
//! times and TOML values, shared by the snapshot loaders, the policy compiler and the
//! command line.

/// [`TIME_HINT`](crate::time::TIME_HINT), made to fit `text`: a date and time without an offset is told to add one,
/// and a date in another layout (`11/02/2026`) where its format can be declared
/// (`[snapshot.formats]`, for a snapshot `field`).
pub fn time_hint(text: &str, field: Option<&str>) -> String {
    let t = text.trim();
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let iso_date = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    if iso_date
        && matches!(b.get(10), Some(b'T' | b't'))
        && b.len() >= 16
        && crate::time::parse_time(&format!("{t}Z")).is_some()
    {
        return format!(
            "the time has no offset: write `{t}Z` for UTC, or its offset such as `{t}+01:00`"
        );
    }
    let other_layout = t.chars().any(|c| c.is_ascii_digit()) && t.contains(['/', '.']);
    if let Some(field) = field.filter(|_| other_layout) {
        return format!(
            "{}; for the export's own layout, declare it in the policy's [snapshot.formats], such as `{field} = \"%m/%d/%Y\"`",
            crate::time::TIME_HINT
        );
    }
    crate::time::TIME_HINT.to_owned()
}

/// A TOML reader's message in roster's words: no final period, and Rust's integer type
/// names (`expected u64`) as what to write.
pub fn toml_message(message: &str) -> String {
    let m = message.trim().trim_end_matches('.');
    ["u8", "u16", "u32", "u64", "usize"].iter().fold(m.to_owned(), |m, t| {
        m.replace(&format!("expected {t}"), "expected a whole number, 0 or more")
    })
}

/// `did you mean `x`? ` for a near candidate, else nothing: the start of a help text.
pub fn did_you_mean(near: Option<&str>) -> String {
    near.map_or(String::new(), |n| format!("did you mean `{n}`? "))
}

/// The existing path nearest to `path`, each missing part of it replaced by the closest
/// name in its folder (`exmaples/acme` -> `examples/acme`), if every part has one.
pub fn near_file(path: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::path::{Component, PathBuf};
    let mut found = PathBuf::new();
    let mut changed = false;
    for part in path.components() {
        let Component::Normal(name) = part else {
            found.push(part);
            continue;
        };
        let here = found.join(name);
        if std::fs::symlink_metadata(&here).is_ok() {
            found = here;
            continue;
        }
        let dir = if found.as_os_str().is_empty() { PathBuf::from(".") } else { found.clone() };
        let names: Vec<String> = std::fs::read_dir(&dir)
            .ok()?
            .take(10_000)
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        let near = closest(name.to_str()?, names.iter().map(String::as_str))?;
        found.push(near);
        changed = true;
    }
    changed.then_some(found)
}

/// `did you mean PATH? ` for a path with a near file beside it, else nothing.
pub fn did_you_mean_file(path: &std::path::Path) -> String {
    near_file(path).map_or(String::new(), |p| format!("did you mean {}? ", p.display()))
}

/// The candidate closest to `word` (ignoring case and surrounding space), if one is close
/// enough to be a likely typo: for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.trim().to_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.trim().to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            let value = (diagonal + cost).min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_a_likely_typo_only() {
        let headers = ["User ID", "Email Address", "Last Login Date", "Role"];
        assert_eq!(closest("Last Login Data", headers), Some("Last Login Date"));
        assert_eq!(closest("email adress", headers), Some("Email Address"));
        assert_eq!(closest("Status", headers), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn hints_name_the_fix_for_the_text_given() {
        assert!(time_hint("2026-11-22T06:00:00", None).contains("`2026-11-22T06:00:00Z`"));
        let other = time_hint("11/02/2026", Some("last_login_at"));
        assert!(other.contains("last_login_at = \"%m/%d/%Y\""), "{other}");
        assert_eq!(time_hint("11/02/2026", None), crate::time::TIME_HINT);
        assert_eq!(time_hint("yesterday", Some("x")), crate::time::TIME_HINT);
    }

    #[test]
    fn a_mistyped_path_finds_the_near_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let near = near_file(&root.join("polices/defualt.toml"));
        assert_eq!(near, Some(root.join("policies/default.toml")));
        assert_eq!(near_file(&root.join("policies/default.toml")), None, "it exists");
        assert_eq!(near_file(&root.join("zzzzzz/qqqqqq.toml")), None, "nothing near");
    }

    #[test]
    fn toml_messages_say_what_to_write() {
        assert_eq!(
            toml_message("invalid value: integer `-3`, expected u64.\n"),
            "invalid value: integer `-3`, expected a whole number, 0 or more"
        );
    }
}
