//! Fitting text for people to the width of their terminal: lines longer than the width
//! break at spaces, and the continuation lines hang under the line's own indent, two
//! columns further in. Runs of spaces that align columns inside a line are kept.
//!
//! The width is `COLUMNS` when it is set to a number, else the width of the terminal on
//! standard output, else 80 (a pipe, a file, a CI log).

/// The width used when neither `COLUMNS` nor the terminal says.
pub const DEFAULT_WIDTH: usize = 80;

/// The narrowest width honoured; below it every reason would be cut into words.
pub const MIN_WIDTH: usize = 40;

/// The width to fit standard output to: `COLUMNS`, else the terminal's, else 80.
pub fn width() -> usize {
    width_of(std::io::stdout())
}

/// The width to fit messages on standard error to.
pub fn stderr_width() -> usize {
    width_of(std::io::stderr())
}

fn width_of(stream: impl std::os::fd::AsFd) -> usize {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&w| w > 0);
    let from_terminal = || {
        terminal_size::terminal_size_of(stream)
            .map(|(terminal_size::Width(w), _)| usize::from(w))
            .filter(|&w| w > 0)
    };
    from_env.or_else(from_terminal).unwrap_or(DEFAULT_WIDTH).max(MIN_WIDTH)
}

/// `text` with every line at most `width` columns wide (a word longer than a whole line
/// is cut, the only case where a line breaks inside a word).
pub fn fit(text: &str, width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if columns(body) <= width {
            out.push_str(line);
            continue;
        }
        fit_line(body, width, &mut out);
        out.push_str(newline);
    }
    out
}

/// Breaks one line that is too wide.
fn fit_line(line: &str, width: usize, out: &mut String) {
    let indent = line.len() - line.trim_start_matches(' ').len();
    // The continuation indent: two columns in from the line's, but never more than half
    // the width, so that a deep line still has room for its words.
    let hang = (indent + 2).min(width / 2);
    let mut used = 0;
    let mut has_word = false;
    for (gap, word) in words(line) {
        let w = columns(word);
        let mut g = gap.len();
        if has_word && used + g + w > width {
            out.push('\n');
            push_spaces(out, hang);
            used = hang;
            g = 0;
        } else {
            out.push_str(gap);
        }
        used += g;
        if used + w > width {
            used = cut(word, width, hang, used, out);
        } else {
            out.push_str(word);
            used += w;
        }
        has_word = true;
    }
}

/// Writes a word too long for any line in pieces, each piece filling the rest of a line;
/// returns the columns used on the last line.
fn cut(word: &str, width: usize, hang: usize, mut used: usize, out: &mut String) -> usize {
    for c in word.chars() {
        let w = char_columns(c);
        if used + w > width && used > hang {
            out.push('\n');
            push_spaces(out, hang);
            used = hang;
        }
        out.push(c);
        used += w;
    }
    used
}

/// The words of a line, each with the spaces before it.
fn words(line: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = line;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let gap_end = rest.len() - rest.trim_start_matches(' ').len();
        let (gap, after) = rest.split_at(gap_end);
        let word_end = after.find(' ').unwrap_or(after.len());
        let (word, tail) = after.split_at(word_end);
        rest = tail;
        Some((gap, word))
    })
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The columns a terminal gives `text`.
pub fn columns(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// The columns of one character: 0 for combining marks and zero-width characters, 2 for
/// the wide characters of East Asian scripts and emoji, else 1.
fn char_columns(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036F | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFE00..=0xFE0F => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_untouched() {
        let text = "  a    b\nc\n";
        assert_eq!(fit(text, 80), text);
    }

    #[test]
    fn long_lines_break_at_spaces_and_hang() {
        let line = format!("  {}", "word ".repeat(30).trim_end());
        let fitted = fit(&line, 40);
        for l in fitted.lines() {
            assert!(columns(l) <= 40, "{l:?}");
        }
        let lines: Vec<&str> = fitted.lines().collect();
        assert!(lines[0].starts_with("  word"));
        assert!(lines[1].starts_with("    word"), "{:?}", lines[1]);
        assert_eq!(fitted.split_whitespace().count(), 30);
    }

    #[test]
    fn alignment_inside_the_first_line_is_kept() {
        let line = format!("  mark_idle        Pat Lee (u004) {}", "x ".repeat(40));
        let fitted = fit(&line, 60);
        assert!(fitted.starts_with("  mark_idle        Pat Lee (u004) x"), "{fitted}");
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut() {
        let line = format!("  see {}", "a".repeat(100));
        let fitted = fit(&line, 40);
        assert!(fitted.lines().all(|l| columns(l) <= 40), "{fitted}");
        assert_eq!(fitted.matches('a').count(), 100);
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(columns("日本"), 4);
        let fitted = fit(&"日本語 ".repeat(20), 40);
        assert!(fitted.lines().all(|l| columns(l) <= 40), "{fitted}");
    }

    #[test]
    fn every_word_survives_in_order() {
        let text = "first line that is rather long and goes on and on and on and on and on\n\
                    \n      second   line  with gaps that also goes on and on and on and on\n";
        let fitted = fit(text, 40);
        let a: Vec<&str> = text.split_whitespace().collect();
        let b: Vec<&str> = fitted.split_whitespace().collect();
        assert_eq!(a, b);
        assert!(fitted.lines().all(|l| columns(l) <= 40));
        assert!(fitted.ends_with('\n'));
    }
}
