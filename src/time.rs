//! Instants and durations as the snapshot and the policy spell them.
//!
//! Times are RFC 3339 (any offset) or a bare `YYYY-MM-DD` meaning midnight UTC.
//! Durations are a whole number followed by a unit: `90d`, `24h`, `30m`, `45s`, `2w`.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::fmt::{self, Write as _};

/// An instant, always held in UTC.
pub type Time = DateTime<Utc>;

/// What a time cell must look like, for error messages.
pub const TIME_HINT: &str = "expected RFC 3339 (2026-11-02T08:15:00Z) or YYYY-MM-DD";

/// Parses an RFC 3339 time or a bare date (midnight UTC). Instants outside the years
/// 0001 to 9999 in UTC are refused, so that every time roster writes can be read back.
pub fn parse_time(text: &str) -> Option<Time> {
    use chrono::Datelike;
    parse_any(text).filter(|t| (1..=9999).contains(&t.year()))
}

/// `t` without the white space around it (as `str::trim`), at the cost of two byte
/// checks for the usual cell, which starts and ends with a visible ASCII character.
pub fn trim(t: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| (b'!'..=b'~').contains(b));
    let bytes = t.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        t
    } else {
        t.trim()
    }
}

fn parse_any(text: &str) -> Option<Time> {
    let text = trim(text);
    if let Some(t) = parse_fixed(text.as_bytes()) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    // A space instead of the `T` is common in spreadsheet exports.
    if text.len() > 10 && text.as_bytes().get(10) == Some(&b' ') {
        let joined = format!("{}T{}", &text[..10], &text[11..]);
        if let Ok(t) = DateTime::parse_from_rfc3339(&joined) {
            return Some(t.with_timezone(&Utc));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

/// The fixed-width forms most exports write, read without the general parser:
/// `YYYY-MM-DD`, and `YYYY-MM-DDTHH:MM:SSZ` (or with a space for the `T`). Anything else
/// (offsets, fractions, leap seconds) is left to it (`None`).
fn parse_fixed(b: &[u8]) -> Option<Time> {
    let digits = |from: usize, n: usize| -> Option<u32> {
        let mut v = 0u32;
        for &c in b.get(from..from + n)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    if b.len() != 10 && b.len() != 20 {
        return None;
    }
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let mut seconds = 0u32;
    if b.len() == 20 {
        let separator_ok = matches!(b.get(10), Some(b'T' | b't' | b' '));
        let shape_ok = b.get(13) == Some(&b':') && b.get(16) == Some(&b':');
        if !separator_ok || !shape_ok || !matches!(b.get(19), Some(b'Z' | b'z')) {
            return None;
        }
        let (h, m, s) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        seconds = h * 3600 + m * 60 + s;
    }
    let midnight = date.and_hms_opt(0, 0, 0)?.and_utc();
    midnight.checked_add_signed(TimeDelta::seconds(i64::from(seconds)))
}

/// Formats a time the way plans write it: RFC 3339, UTC, whole seconds (and the
/// fraction, when the time has one).
pub fn format_time(t: Time) -> String {
    use chrono::Timelike;
    if t.nanosecond() != 0 {
        return t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    }
    let mut s = format_date(t);
    let _ = write!(s, "T{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second());
    s
}

/// Formats the calendar date of a time (`2026-11-02`).
pub fn format_date(t: Time) -> String {
    use chrono::Datelike;
    let mut s = String::with_capacity(20);
    let _ = write!(s, "{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
    s
}

/// Whole days from `earlier` to `later` (rounded down; negative when `earlier` is later).
pub fn days_between(earlier: Time, later: Time) -> i64 {
    (later - earlier).num_days()
}

/// `t + d`, or `None` past the end of roster's calendar (the year 9999): a time that
/// cannot be written as four-digit years never comes.
pub fn add(t: Time, d: Duration) -> Option<Time> {
    use chrono::Datelike;
    t.checked_add_signed(d.delta()).filter(|t| t.year() <= 9999)
}

/// `t - d`, or `None` before the start of roster's calendar (the year 1).
pub fn sub(t: Time, d: Duration) -> Option<Time> {
    use chrono::Datelike;
    t.checked_sub_signed(d.delta()).filter(|t| t.year() >= 1)
}

/// The last instant roster writes: 9999-12-31T23:59:59Z.
pub fn last() -> Time {
    parse_time("9999-12-31T23:59:59Z").unwrap_or_default()
}

/// A policy duration, kept in seconds together with the spelling the policy used.
#[derive(Debug, Clone, Copy)]
pub struct Duration {
    seconds: i64,
    /// The unit the policy used (`w`, `d`, `h`, `m`, `s`), kept for messages.
    unit: u8,
}

impl PartialEq for Duration {
    fn eq(&self, other: &Self) -> bool {
        self.seconds == other.seconds
    }
}

impl Eq for Duration {}

impl PartialOrd for Duration {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Duration {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.seconds.cmp(&other.seconds)
    }
}

impl Duration {
    /// A duration of whole seconds.
    pub const fn from_seconds(seconds: i64) -> Self {
        Duration { seconds, unit: 0 }
    }

    /// A duration of whole days.
    pub const fn days(days: i64) -> Self {
        Duration { seconds: days * 86_400, unit: b'd' }
    }

    /// The length in seconds.
    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// The length as a chrono delta.
    pub fn delta(self) -> TimeDelta {
        TimeDelta::seconds(self.seconds)
    }

    /// Parses `14d`, `24h`, `30m`, `45s` or `2w`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| {
            format!("`{text}` is not a duration: it has no unit; {DURATION_HINT}")
        })?;
        let (number, unit) = text.split_at(unit_at);
        if number.is_empty() {
            return Err(format!("`{text}` is not a duration; {DURATION_HINT}"));
        }
        let scale = match unit {
            "w" => 7 * 86_400,
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            _ => return Err(format!("`{text}` is not a duration; {DURATION_HINT}")),
        };
        // Longer than a century is a slip of the keyboard, not a policy.
        let too_long = || {
            format!("`{text}` is too long: durations go up to 100 years (36525d); {DURATION_HINT}")
        };
        let n: i64 = number.parse().map_err(|_| too_long())?;
        let seconds = n.checked_mul(scale).filter(|s| *s <= MAX_DURATION).ok_or_else(too_long)?;
        Ok(Duration { seconds, unit: unit.as_bytes().first().copied().unwrap_or(0) })
    }
}

/// The longest duration a policy may give: 100 years of 365.25 days.
const MAX_DURATION: i64 = 36_525 * 86_400;

/// What a duration must look like, for error messages.
pub const DURATION_HINT: &str =
    "write a whole number and a unit (w, d, h, m or s), such as `90d`, `24h` or `30m`";

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        let scale = match self.unit {
            b'w' => 7 * 86_400,
            b'd' => 86_400,
            b'h' => 3_600,
            b'm' => 60,
            b's' => 1,
            _ => 0,
        };
        if scale != 0 && s % scale == 0 {
            return write!(f, "{}{}", s / scale, self.unit as char);
        }
        if s != 0 && s % 86_400 == 0 {
            write!(f, "{}d", s / 86_400)
        } else if s != 0 && s % 3_600 == 0 {
            write!(f, "{}h", s / 3_600)
        } else if s != 0 && s % 60 == 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Duration::parse(&text).map_err(de::Error::custom)
    }
}

/// Describes how long ago `t` was before `as_of`, in days, for reasons.
pub fn ago(t: Time, as_of: Time) -> String {
    let secs = (as_of - t).num_seconds();
    if secs.abs() < 86_400 {
        let hours = secs / 3_600;
        if secs >= 0 {
            format!("{hours}h before as_of")
        } else {
            format!("{}h after as_of", -hours)
        }
    } else {
        let days = secs / 86_400;
        let plural = |n: i64| if n == 1 { "day" } else { "days" };
        if days >= 0 {
            format!("{days} {} before as_of", plural(days))
        } else {
            format!("{} {} after as_of", -days, plural(-days))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for t in
            ["", " ", "a", " a ", "a b", "\u{a0}a", "a\u{2003}", "\ta\r", "é", " é ", "~", "!x!"]
        {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn parses_rfc3339_and_bare_dates() {
        let a = parse_time("2026-11-02T08:15:00+02:00").unwrap();
        assert_eq!(format_time(a), "2026-11-02T06:15:00Z");
        let b = parse_time("2026-11-02").unwrap();
        assert_eq!(format_time(b), "2026-11-02T00:00:00Z");
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("2026-02-30").is_none());
        assert!(parse_time("2024-02-29").is_some());
        assert!(parse_time("9999-12-31T23:59:59+14:00").is_some());
        assert!(parse_time("0001-01-01").is_some());
    }

    #[test]
    fn the_fixed_width_forms_read_as_the_general_parser_reads_them() {
        for text in [
            "2026-11-02",
            "2026-11-02T08:15:00Z",
            "2026-11-02 08:15:00Z",
            "2024-02-29T23:59:59z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1970-01-01",
            "1969-12-31T23:59:59Z",
        ] {
            let fast = parse_fixed(text.as_bytes());
            let general = DateTime::parse_from_rfc3339(&text.replace(' ', "T"))
                .map(|t| t.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|d| d.and_utc())
                });
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast, general, "{text}");
        }
        for text in [
            "2026-02-30",
            "2026-13-01",
            "2026-11-02T24:00:00Z",
            "2026-11-02T08:15:60Z",
            "2026-11-02T08:15:00+02",
            "2026-1-02",
            "+026-11-02",
        ] {
            assert_eq!(parse_fixed(text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            format_time(parse_time("2026-11-02T08:15:60Z").unwrap()),
            "2026-11-02T08:15:60Z"
        );
    }

    #[test]
    fn times_and_dates_are_written_as_rfc_3339_says() {
        for text in ["2026-11-02T08:15:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            let t = parse_time(text).unwrap();
            assert_eq!(format_time(t), text);
            assert_eq!(format_time(t), t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            assert_eq!(format_date(t), t.format("%Y-%m-%d").to_string());
        }
        let fraction = parse_time("2026-11-02T08:15:00.250+01:00").unwrap();
        assert_eq!(format_time(fraction), "2026-11-02T07:15:00.250Z");
        let leap = parse_time("2026-11-02T08:15:60Z").unwrap();
        assert_eq!(format_time(leap), leap.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }

    #[test]
    fn parses_durations() {
        assert_eq!(Duration::parse("14d").unwrap(), Duration::days(14));
        assert_eq!(Duration::parse("24h").unwrap().seconds(), 86_400);
        assert_eq!(Duration::parse("30m").unwrap().seconds(), 1_800);
        assert_eq!(Duration::parse("2w").unwrap(), Duration::days(14));
        assert!(Duration::parse("14").is_err());
        assert!(Duration::parse("d").is_err());
        assert!(Duration::parse("14 days").is_err());
        assert!(Duration::parse("-3d").is_err());
        assert!(Duration::parse("99999999999999999999d").is_err());
        assert_eq!(Duration::days(14).to_string(), "14d");
        assert_eq!(Duration::from_seconds(3_600).to_string(), "1h");
        assert_eq!(Duration::parse("24h").unwrap().to_string(), "24h");
        assert_eq!(Duration::parse("2w").unwrap().to_string(), "2w");
    }

    #[test]
    fn arithmetic_at_the_edges_of_the_calendar_does_not_panic() {
        let end = parse_time("9999-12-31T23:59:59+14:00").unwrap();
        assert!(Duration::parse("36500000d").is_err(), "longer than a century");
        let century = Duration::parse("36525d").unwrap();
        assert!(add(end, century).is_none(), "past the year 9999 never comes");
        assert!(add(parse_time("2026-01-01").unwrap(), century).is_some());
        assert!(add(DateTime::<Utc>::MAX_UTC, Duration::days(1)).is_none());
        assert!(sub(DateTime::<Utc>::MIN_UTC, Duration::days(1)).is_none());
        let start = parse_time("0001-01-02").unwrap();
        assert!(sub(start, Duration::days(1)).is_some());
        assert!(sub(start, Duration::days(2)).is_none(), "before the year 1");
        assert_eq!(format_time(last()), "9999-12-31T23:59:59Z");
    }
}
