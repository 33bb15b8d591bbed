//! Date-time helpers: WATS sends ISO-8601 strings with up to 7 fractional digits
//! and an offset (`2026-01-30T22:01:41.4707353+01:00`, `...Z`). The models keep the
//! original string; these functions give the typed view.

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, SecondsFormat, TimeZone};

/// Parse a WATS date-time. Any number of fractional digits is accepted (beyond 9
/// they are truncated), `Z` or `±hh:mm` offsets, and a naive value (no offset) is
/// read as local time. `None` if the text is not a date-time.
///
/// ```
/// let t = wats_core::time::parse("2026-01-30T22:01:41.4707353+01:00").unwrap();
/// assert_eq!(t.offset().local_minus_utc(), 3600);
/// assert_eq!(t.timestamp_subsec_nanos(), 470_735_300);
/// ```
pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t);
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
}

/// Format a date-time the way WATS clients send it: RFC 3339 with microseconds and
/// the given offset (`Z` is never used, the offset is written as `+00:00`).
pub fn format(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// The current local time with its UTC offset, formatted by [`format()`].
pub fn now_local() -> String {
    format(&Local::now().fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_and_client_forms() {
        let z = parse("2026-01-30T21:01:41.4707353Z").unwrap();
        let o = parse("2026-01-30T22:01:41.4707353+01:00").unwrap();
        assert_eq!(z, o);
        assert!(parse("2026-01-30T10:49:36.919+00:00").is_some());
        assert!(parse("2026-01-30T10:49:36").is_some());
        assert!(parse("yesterday").is_none());
        let now = now_local();
        assert!(parse(&now).is_some(), "{now}");
    }
}
