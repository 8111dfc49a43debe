//! The pure matching of charges to jobs, without ledger or network.

use venice::UsageEntry;

use super::{Claimant, charge_for};
use crate::ledger::JobId;

/// 2026-07-01T00:00:00Z.
const T0: i64 = 1_782_864_000_000;

fn stamp(ms: i64) -> String {
    let secs = (ms - T0) / 1000;
    format!(
        "2026-07-01T00:{:02}:{:02}.{:03}Z",
        secs / 60,
        secs % 60,
        (ms - T0) % 1000
    )
}

fn charge(sku: &str, usd: f64, at_ms: i64) -> UsageEntry {
    UsageEntry {
        amount: -usd,
        currency: "USD".into(),
        price_per_unit_usd: usd,
        sku: sku.into(),
        timestamp: stamp(at_ms),
        units: 1.0,
        ..UsageEntry::default()
    }
}

fn job(id: &str, usd: f64, created: i64, certain: bool) -> Claimant {
    Claimant {
        id: JobId(id.into()),
        model: "m".into(),
        usd,
        created_at_ms: created,
        window: (created - 1_000, created + 10_000),
        certain,
    }
}

fn id(s: &str) -> JobId {
    JobId(s.into())
}

#[test]
fn a_charge_of_the_model_and_price_in_the_window_is_found() {
    let me = [job("a", 0.35, T0, false)];
    assert_eq!(
        charge_for(&id("a"), &me, &[charge("m-video-unit", 0.35, T0 + 5)]),
        Some(0)
    );
    assert_eq!(
        charge_for(&id("a"), &me, &[charge("m", 0.355, T0 + 5)]),
        Some(0)
    );
    // Wrong model, price more than a cent off, outside the window, nothing charged.
    let misses = [
        charge("n-video-unit", 0.35, T0 + 5),
        charge("mm-video-unit", 0.35, T0 + 5),
        charge("m-video-unit", 0.37, T0 + 5),
        charge("m-video-unit", 0.35, T0 + 10_001),
        charge("m-video-unit", 0.35, T0 - 1_001),
        charge("m-video-unit", 0.0, T0 + 5),
    ];
    assert_eq!(charge_for(&id("a"), &me, &misses), None);
    // An unreadable timestamp is no charge.
    let mut garbled = charge("m-video-unit", 0.35, T0 + 5);
    garbled.timestamp = "soon".into();
    assert_eq!(charge_for(&id("a"), &me, &[garbled]), None);
}

#[test]
fn two_unknown_jobs_and_one_charge_give_it_to_the_older() {
    let both = [job("b", 0.35, T0 + 50, false), job("a", 0.35, T0, false)];
    let one = [charge("m-video-unit", 0.35, T0 + 60)];
    assert_eq!(charge_for(&id("a"), &both, &one), Some(0));
    assert_eq!(charge_for(&id("b"), &both, &one), None);
    let two = [
        charge("m-video-unit", 0.35, T0 + 20),
        charge("m-video-unit", 0.35, T0 + 60),
    ];
    assert_eq!(charge_for(&id("a"), &both, &two), Some(0));
    assert_eq!(charge_for(&id("b"), &both, &two), Some(1));
}

#[test]
fn a_job_venice_surely_charged_takes_its_charge_first() {
    // The queued job was created after the unknown one, but its charge is certain.
    let jobs = [
        job("unknown", 0.35, T0, false),
        job("queued", 0.35, T0 + 30, true),
    ];
    let one = [charge("m-video-unit", 0.35, T0 + 40)];
    assert_eq!(charge_for(&id("unknown"), &jobs, &one), None);
    let two = [
        charge("m-video-unit", 0.35, T0 + 10),
        charge("m-video-unit", 0.35, T0 + 40),
    ];
    assert_eq!(charge_for(&id("unknown"), &jobs, &two), Some(1));
    // A job of another price takes nothing of this price.
    let other_price = [
        job("unknown", 0.35, T0, false),
        job("dear", 0.80, T0 + 30, true),
    ];
    assert_eq!(charge_for(&id("unknown"), &other_price, &one), Some(0));
}

#[test]
fn a_target_that_is_not_a_claimant_gets_nothing() {
    let jobs = [job("a", 0.35, T0, false)];
    assert_eq!(charge_for(&id("zz"), &jobs, &[charge("m", 0.35, T0)]), None);
}
