//! How money, durations, sizes and counts read on screen (pure functions, tested natively).

/// Dollars with cents: `$0.35`, `$12.00`; sub-cent prices keep three decimals (`$0.004`).
pub fn usd(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let value = if value.abs() < 0.0005 { 0.0 } else { value };
    if value != 0.0 && value.abs() < 0.01 {
        format!("${value:.3}")
    } else if value < 0.0 {
        format!("-${:.2}", -value)
    } else {
        format!("${value:.2}")
    }
}

/// A time span for people: `45 s`, `2 min 05 s`, `1 h 03 min`.
pub fn span_ms(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    if secs < 60 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("{} h {:02} min", secs / 3600, (secs % 3600) / 60)
    }
}

/// What the ETA line says: `about 45 s left`, or `almost done` under two seconds.
pub fn eta(eta_ms: Option<i64>) -> Option<String> {
    let ms = eta_ms?;
    if ms < 2000 {
        Some("almost done".into())
    } else {
        Some(format!("about {} left", span_ms(ms)))
    }
}

/// File sizes: `812 KB`, `4.2 MB`.
pub fn bytes(n: u64) -> String {
    const KB: f64 = 1000.0;
    let n = n as f64;
    if n < KB {
        format!("{n} B")
    } else if n < KB * KB {
        format!("{:.0} KB", n / KB)
    } else if n < KB * KB * KB {
        format!("{:.1} MB", n / (KB * KB))
    } else {
        format!("{:.2} GB", n / (KB * KB * KB))
    }
}

/// The prompt counter: `123 / 2500`.
pub fn count_of(used: usize, limit: u32) -> String {
    format!("{used} / {limit}")
}

/// A percentage for a progress bar, from the 0..=1 progress of a job.
pub fn percent(progress: f64) -> u32 {
    if !progress.is_finite() {
        return 0;
    }
    (progress.clamp(0.0, 1.0) * 100.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_a_price() {
        assert_eq!(usd(0.35), "$0.35");
        assert_eq!(usd(12.0), "$12.00");
        assert_eq!(usd(0.004), "$0.004");
        assert_eq!(usd(-0.0001), "$0.00");
        assert_eq!(usd(-1.5), "-$1.50");
        assert_eq!(usd(f64::NAN), "—");
    }

    #[test]
    fn spans_and_etas_read_naturally() {
        assert_eq!(span_ms(45_000), "45 s");
        assert_eq!(span_ms(125_000), "2 min 05 s");
        assert_eq!(span_ms(3_780_000), "1 h 03 min");
        assert_eq!(span_ms(-5), "0 s");
        assert_eq!(eta(Some(30_000)).as_deref(), Some("about 30 s left"));
        assert_eq!(eta(Some(900)).as_deref(), Some("almost done"));
        assert_eq!(eta(None), None);
    }

    #[test]
    fn sizes_counts_and_percentages() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(812_000), "812 KB");
        assert_eq!(bytes(4_200_000), "4.2 MB");
        assert_eq!(count_of(123, 2500), "123 / 2500");
        assert_eq!(percent(0.424), 42);
        assert_eq!(percent(1.7), 100);
        assert_eq!(percent(f64::NAN), 0);
    }
}
