//! Station names in the form WATS accepts.

/// Longest station name WATS accepts, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Characters that are dropped from station names because WATS rejects them.
///
/// Control characters and the Unicode replacement character (left by a
/// host name that is not valid UTF-8) are dropped as well.
pub const REJECTED_CHARS: &[char] = &['*', '%', '?', '[', ']', '^', '!', '/', '\\'];

/// Puts a station name into the form WATS accepts, or returns `None` when
/// nothing usable remains.
///
/// The steps, in order:
/// 1. drop [`REJECTED_CHARS`], control characters other than white space
///    (tab, line breaks) and `U+FFFD`;
/// 2. trim, and turn every run of white space and dashes that contains white
///    space into a single `-` (so `"line 3 / ict"` becomes `LINE-3-ICT`);
/// 3. upper-case;
/// 4. keep at most [`MAX_NAME_CHARS`] characters (trailing dashes left by the
///    cut are removed).
///
/// ```
/// use wats_station::sanitize_name;
/// assert_eq!(sanitize_name("  line 3 / ict ").as_deref(), Some("LINE-3-ICT"));
/// assert_eq!(sanitize_name("*?!"), None);
/// ```
#[must_use]
pub fn sanitize_name(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| {
            c.is_whitespace()
                || (!c.is_control() && !REJECTED_CHARS.contains(c) && *c != '\u{FFFD}')
        })
        .collect();
    let mut out = String::with_capacity(kept.len());
    // Pending separator: a run of white space and dashes; `spaced` tells
    // whether the run contained white space (then it collapses to one dash).
    let mut run = String::new();
    let mut spaced = false;
    for c in kept.trim().chars() {
        if c.is_whitespace() || c == '-' {
            spaced |= c.is_whitespace();
            run.push(c);
            continue;
        }
        flush_run(&mut out, &mut run, &mut spaced);
        out.extend(c.to_uppercase());
    }
    // `kept` was trimmed, so a trailing run holds dashes only.
    flush_run(&mut out, &mut run, &mut spaced);
    if out.chars().count() > MAX_NAME_CHARS {
        out = out.chars().take(MAX_NAME_CHARS).collect();
        out.truncate(out.trim_end_matches('-').len());
    }
    (!out.is_empty()).then_some(out)
}

fn flush_run(out: &mut String, run: &mut String, spaced: &mut bool) {
    if *spaced {
        out.push('-');
    } else {
        out.push_str(run);
    }
    run.clear();
    *spaced = false;
}

/// Trims an optional free-text field; empty text becomes `None`.
pub(crate) fn clean_text(raw: &str) -> Option<String> {
    let text: String = raw.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitization_table() {
        let long = "a".repeat(150);
        let hundred_a = "A".repeat(100);
        let cut_at_dash = format!("{} b", "a".repeat(99));
        let ninety_nine_a = "A".repeat(99);
        let table: &[(&str, Option<&str>)] = &[
            ("line 3 / ict", Some("LINE-3-ICT")),
            ("  ict-01  ", Some("ICT-01")),
            ("ict\t01", Some("ICT-01")),
            ("a - b", Some("A-B")),
            ("a--b", Some("A--B")),
            ("-a-", Some("-A-")),
            ("st*a%t?i[o]n^!", Some("STATION")),
            ("c:\\tests/ict", Some("C:TESTSICT")),
            ("bell\u{7}\u{0}name\n", Some("BELLNAME")),
            ("line\r\n3", Some("LINE-3")),
            ("host\u{FFFD}name", Some("HOSTNAME")),
            ("olalaptop.example.com", Some("OLALAPTOP.EXAMPLE.COM")),
            ("straße", Some("STRASSE")),
            ("Prüfplatz 7", Some("PRÜFPLATZ-7")),
            ("", None),
            ("   ", None),
            ("*%?[]^!/\\", None),
            ("\u{1}\u{2}", None),
            (long.as_str(), Some(hundred_a.as_str())),
            (cut_at_dash.as_str(), Some(ninety_nine_a.as_str())),
        ];
        for (input, expected) in table {
            assert_eq!(
                sanitize_name(input).as_deref(),
                *expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn sanitized_names_are_fixed_points() {
        for input in ["line 3 / ict", "a - b", "x\u{7}y z", "  Prüf platz "] {
            let once = sanitize_name(input).unwrap();
            assert_eq!(sanitize_name(&once).as_deref(), Some(once.as_str()));
        }
    }

    #[test]
    fn text_fields_are_trimmed_and_empty_is_none() {
        assert_eq!(
            clean_text("  Drammen, Norway "),
            Some("Drammen, Norway".to_owned())
        );
        assert_eq!(clean_text(" \t "), None);
        assert_eq!(clean_text("a\u{0}b"), Some("ab".to_owned()));
    }
}
