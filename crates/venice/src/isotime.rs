//! ISO 8601 timestamps to and from Unix milliseconds, for the usage history's filters and entries.

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` to Unix milliseconds.
pub(crate) fn parse_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let (rest, offset_ms) = if let Some(r) = text.strip_suffix(['Z', 'z']) {
        (r, 0)
    } else {
        let at = text.len().checked_sub(6)?;
        let (r, off) = text.split_at_checked(at)?;
        let sign = match off.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        let (h, m) = off.get(1..)?.split_once(':')?;
        (r, sign * (digits(h, 2)? * 3600 + digits(m, 2)? * 60) * 1000)
    };
    let (date, time) = rest.split_once(['T', 't'])?;
    let mut date_parts = date.splitn(3, '-');
    let y = digits(date_parts.next()?, 4)?;
    let m = digits(date_parts.next()?, 2)?;
    let d = digits(date_parts.next()?, 2)?;
    let (clock, fraction) = match time.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (time, None),
    };
    let mut clock_parts = clock.splitn(3, ':');
    let h = digits(clock_parts.next()?, 2)?;
    let min = digits(clock_parts.next()?, 2)?;
    let s = digits(clock_parts.next()?, 2)?;
    let milli = match fraction {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let first3: String = f.chars().chain("000".chars()).take(3).collect();
            first3.parse::<i64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let valid = (1..=12).contains(&m) && (1..=31).contains(&d) && h < 24 && min < 60 && s < 61;
    valid.then(|| {
        (days_from_civil(y, m, d) * 86_400 + h * 3600 + min * 60 + s) * 1000 + milli - offset_ms
    })
}

fn digits(text: &str, len: usize) -> Option<i64> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Its inverse.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_the_specs_examples() {
        assert_eq!(format_ms(1_781_550_310_504), "2026-06-15T19:05:10.504Z");
        assert_eq!(
            parse_ms("2026-06-15T19:05:10.504Z"),
            Some(1_781_550_310_504)
        );
        assert_eq!(parse_ms("2026-07-01T00:00:00Z"), Some(1_782_864_000_000));
        assert_eq!(
            parse_ms("2026-07-01T02:00:00+02:00"),
            Some(1_782_864_000_000)
        );
        assert_eq!(
            parse_ms("2026-06-30T23:00:00-01:00"),
            Some(1_782_864_000_000)
        );
        for ms in [0, 951_782_400_999, 1_709_164_800_000, 4_102_444_800_000] {
            assert_eq!(parse_ms(&format_ms(ms)), Some(ms));
        }
        for bad in [
            "",
            "2026-07-01",
            "2026-07-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "soon",
        ] {
            assert_eq!(parse_ms(bad), None, "{bad}");
        }
    }
}
