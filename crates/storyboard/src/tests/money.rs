//! The whole price: identical combinations quoted once, summed over every shot; the budget
//! refusal says by how much and what would fit.

use std::collections::HashMap;

use super::fixtures::{five_and_ten, planned, quiet_then_loud};
use crate::{
    Error, ModelLimits, PriceKey, VideoSettings, WholePrice, check_budget, price_requests, total,
};

fn settings() -> VideoSettings {
    VideoSettings {
        model: "wan-2.5-preview-text-to-video".into(),
        resolution: Some("720p".into()),
        aspect_ratio: Some("16:9".into()),
    }
}

#[test]
fn identical_combinations_are_quoted_once_and_summed_per_shot() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    let keys = price_requests(&board, &settings());
    let seconds: Vec<u32> = keys.iter().map(|k| k.seconds).collect();
    assert_eq!(seconds, [5, 10], "{} shots, two quotes", board.shots.len());
    assert!(
        keys.iter().all(|k| k.audio == Some(false)),
        "the song is the sound"
    );
    let q = keys[1].quote_request();
    assert_eq!(q.duration, "10s");
    assert_eq!(q.resolution.as_deref(), Some("720p"));
    assert_eq!(q.audio, Some(false));

    let prices: HashMap<PriceKey, f64> = keys
        .iter()
        .map(|k| (k.clone(), if k.seconds == 5 { 0.5 } else { 1.25 }))
        .collect();
    let whole = total(&board, &settings(), &prices).unwrap_or_else(|e| panic!("{e}"));
    let fives = board.shots.iter().filter(|s| s.generate_s == 5).count();
    let tens = board.shots.len() - fives;
    assert!(fives > 0 && tens > 0);
    assert!((whole.usd - (fives as f64 * 0.5 + tens as f64 * 1.25)).abs() < 1e-9);
    assert_eq!(whole.shots, board.shots.len());
    assert_eq!(whole.seconds_generated, (fives * 5 + tens * 10) as u32);
    assert!((whole.seconds_used - 60.0).abs() < 1e-9);
    assert!(whole.seconds_generated as f64 >= whole.seconds_used);

    let mut partial = prices.clone();
    partial.remove(&keys[0]);
    let err = total(&board, &settings(), &partial).expect_err("no 5 s price");
    assert!(matches!(err, Error::MissingPrice { .. }), "{err}");
}

#[test]
fn a_model_without_an_audio_switch_gets_no_audio_field() {
    let mut model = ModelLimits::with_seconds(&[5, 10], 2500);
    model.audio_configurable = false;
    let board = planned(&quiet_then_loud(), &model);
    assert!(
        price_requests(&board, &settings())
            .iter()
            .all(|k| k.audio.is_none())
    );
}

fn price(usd: f64) -> WholePrice {
    WholePrice {
        usd,
        shots: 12,
        seconds_generated: 80,
        seconds_used: 60.0,
    }
}

#[test]
fn over_budget_says_by_how_much_and_what_fits() {
    let alternatives = vec![
        ("a cheaper resolution 480p".to_owned(), price(4.2)),
        ("model ltx-2-fast".to_owned(), price(2.75)),
        ("1080p".to_owned(), price(18.0)),
    ];
    let over = check_budget(&price(12.4), 10.0, &alternatives).expect_err("over");
    let text = over.to_string();
    assert!(text.contains("$12.40"), "{text}");
    assert!(text.contains("$2.40 over the budget of $10.00"), "{text}");
    assert!(
        text.contains("model ltx-2-fast: $2.75; a cheaper resolution 480p: $4.20"),
        "{text}"
    );
    assert!(
        !text.contains("1080p"),
        "what does not fit is not offered: {text}"
    );
    assert!((over.over_usd - 2.4).abs() < 1e-9);

    let none = check_budget(&price(12.4), 1.0, &alternatives).expect_err("over");
    assert!(none.fits.is_empty());
    assert!(none.to_string().contains("raise the budget"), "{none}");

    assert!(check_budget(&price(10.0), 10.0, &alternatives).is_ok());
    assert!(check_budget(&price(9.99), 10.0, &[]).is_ok());
}
