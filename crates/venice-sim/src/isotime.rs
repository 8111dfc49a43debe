//! ISO 8601 UTC timestamps (`2026-06-15T19:05:10.504Z`) to and from Unix milliseconds.

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = crate::ratelimit::civil_from_days(days);
    let (h, min, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC only, as the usage-history filters require).
pub(crate) fn parse_utc(text: &str) -> Option<i64> {
    let rest = text.strip_suffix('Z').or_else(|| text.strip_suffix('z'))?;
    let (date, time) = rest.split_once(['T', 't'])?;
    let mut date_parts = date.splitn(3, '-');
    let y: i64 = digits(date_parts.next()?, 4)?;
    let m: i64 = digits(date_parts.next()?, 2)?;
    let d: i64 = digits(date_parts.next()?, 2)?;
    let (clock, fraction) = match time.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (time, None),
    };
    let mut clock_parts = clock.splitn(3, ':');
    let h: i64 = digits(clock_parts.next()?, 2)?;
    let min: i64 = digits(clock_parts.next()?, 2)?;
    let s: i64 = digits(clock_parts.next()?, 2)?;
    let milli = match fraction {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let first3: String = f.chars().chain("000".chars()).take(3).collect();
            first3.parse::<i64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let valid = (1..=12).contains(&m)
        && (1..=days_in_month(y, m)).contains(&d)
        && h < 24
        && min < 60
        && s < 60;
    valid.then(|| (days_from_civil(y, m, d) * 86_400 + h * 3600 + min * 60 + s) * 1000 + milli)
}

fn digits(text: &str, len: usize) -> Option<i64> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's civil-to-days algorithm (the inverse of `civil_from_days`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_what_is_not_utc() {
        for ms in [0, 1_781_550_310_504, 1_709_164_800_000, 951_782_400_999] {
            assert_eq!(parse_utc(&format_ms(ms)), Some(ms), "{}", format_ms(ms));
        }
        assert_eq!(format_ms(1_781_550_310_504), "2026-06-15T19:05:10.504Z");
        assert_eq!(parse_utc("2026-07-01T00:00:00Z"), Some(1_782_864_000_000));
        assert_eq!(
            parse_utc("2026-06-15T19:05:10.5049Z"),
            Some(1_781_550_310_504)
        );
        for bad in [
            "2026-07-01T00:00:00",
            "2026-07-01T00:00:00+02:00",
            "2026-02-30T00:00:00Z",
            "2026-7-01T00:00:00Z",
            "2026-07-01 00:00:00Z",
            "2026-07-01T24:00:00Z",
            "2026-07-01T00:00:00.Z",
            "yesterday",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
