//! RFC 3339 UTC timestamps with microseconds, formatted without chrono.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Splits a [`SystemTime`] into whole seconds since the Unix epoch (floored,
/// so negative before 1970) and the microseconds within that second.
fn split(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_micros(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            let micros = d.subsec_micros();
            if micros == 0 {
                (-secs, 0)
            } else {
                (-secs - 1, 1_000_000 - micros)
            }
        }
    }
}

/// Converts days since 1970-01-01 into a proleptic Gregorian (year, month, day).
///
/// Howard Hinnant's `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both values are in small, known ranges.
    (year, month as u32, day as u32)
}

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// `YYYY-MM-DDTHH:MM:SS.` for a whole second since the epoch.
fn second_prefix(secs: i64, out: &mut Vec<u8>) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    if (0..=9999).contains(&year) {
        let y = year as u32;
        push_2(out, y / 100);
        push_2(out, y % 100);
    } else {
        out.extend_from_slice(itoa::Buffer::new().format(year).as_bytes());
    }
    out.push(b'-');
    push_2(out, month);
    out.push(b'-');
    push_2(out, day);
    out.push(b'T');
    push_2(out, sod / 3600);
    out.push(b':');
    push_2(out, sod / 60 % 60);
    out.push(b':');
    push_2(out, sod % 60);
    out.push(b'.');
}

/// The last second formatted on this thread (lines mostly share a second).
struct Cache {
    secs: i64,
    prefix: String,
}

thread_local! {
    static CACHE: RefCell<Cache> = const {
        RefCell::new(Cache { secs: i64::MIN, prefix: String::new() })
    };
}

fn push_prefix_uncached(out: &mut String, secs: i64) {
    let mut bytes = Vec::with_capacity(24);
    second_prefix(secs, &mut bytes);
    // Only ASCII digits and punctuation were written.
    out.push_str(std::str::from_utf8(&bytes).unwrap_or_default());
}

/// Appends `t` as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (RFC 3339, UTC, microseconds).
///
/// Years outside 0..=9999 are written with as many digits as they need (and a
/// leading `-` before year 0); such lines are not RFC 3339 but stay parseable.
pub(crate) fn write_rfc3339(out: &mut String, t: SystemTime) {
    let (secs, micros) = split(t);
    let cached = CACHE.try_with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            return false;
        };
        if cache.secs != secs {
            cache.prefix.clear();
            push_prefix_uncached(&mut cache.prefix, secs);
            cache.secs = secs;
        }
        out.push_str(&cache.prefix);
        true
    });
    if cached != Ok(true) {
        push_prefix_uncached(out, secs);
    }
    let mut frac = [b'0', b'0', b'0', b'0', b'0', b'0', b'Z'];
    let mut m = micros;
    for digit in frac[..6].iter_mut().rev() {
        *digit = b'0' + (m % 10) as u8;
        m /= 10;
    }
    out.push_str(std::str::from_utf8(&frac).unwrap_or("000000Z"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn fmt(t: SystemTime) -> String {
        let mut s = String::new();
        write_rfc3339(&mut s, t);
        s
    }

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(fmt(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        // 2023-11-14T22:13:20Z is 1_700_000_000 seconds after the epoch.
        let t = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(fmt(t), "2023-11-14T22:13:20.123456Z");
        // Leap day.
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29T00:00:00Z
        assert_eq!(fmt(t), "2000-02-29T00:00:00.000000Z");
        // Last second of a year.
        let t = UNIX_EPOCH + Duration::from_secs(1_704_067_199) + Duration::from_micros(999_999);
        assert_eq!(fmt(t), "2023-12-31T23:59:59.999999Z");
    }

    #[test]
    fn cached_second_is_reused_and_refreshed() {
        let base = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(fmt(base), "2023-11-14T22:13:20.000000Z");
        assert_eq!(
            fmt(base + Duration::from_micros(7)),
            "2023-11-14T22:13:20.000007Z"
        );
        assert_eq!(
            fmt(base + Duration::from_secs(1)),
            "2023-11-14T22:13:21.000000Z"
        );
        assert_eq!(
            fmt(base - Duration::from_secs(86_400)),
            "2023-11-13T22:13:20.000000Z"
        );
        assert_eq!(fmt(base), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn before_the_epoch() {
        let t = UNIX_EPOCH - Duration::from_micros(1);
        assert_eq!(fmt(t), "1969-12-31T23:59:59.999999Z");
        let t = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(fmt(t), "1969-12-31T00:00:00.000000Z");
    }

    #[test]
    fn agrees_with_day_count_over_many_years() {
        // Every 1st of March from 1900 to 2400: month and day stay fixed while
        // the year advances by one; checks the era and leap-year arithmetic.
        let mut days: i64 = -25_508; // 1900-03-01
        for year in 1900..2400 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!((y, m, d), (year, 3, 1), "days={days}");
            let next = year + 1;
            let leap = (next % 4 == 0 && next % 100 != 0) || next % 400 == 0;
            days += if leap { 366 } else { 365 };
        }
    }
}
