//! The whole video's price without calling Venice: which (model, duration, resolution, aspect,
//! audio) combinations to quote, once each; their sum over the shots; and the budget check that
//! says by how much a plan is over and which alternatives would fit.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::board::Storyboard;
use crate::error::Error;

/// The settings every shot of a video shares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSettings {
    pub model: String,
    pub resolution: Option<String>,
    pub aspect_ratio: Option<String>,
}

/// One combination to quote: every shot with the same key costs the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PriceKey {
    pub model: String,
    /// Seconds generated (for display and order).
    pub seconds: u32,
    /// The request's `duration` value.
    pub duration: String,
    pub resolution: Option<String>,
    pub aspect_ratio: Option<String>,
    /// `Some(false)` where the model lets audio be switched off (the song is the soundtrack).
    pub audio: Option<bool>,
}

impl PriceKey {
    /// The `/video/quote` request for this combination.
    pub fn quote_request(&self) -> venice::QuoteVideoRequest {
        venice::QuoteVideoRequest {
            resolution: self.resolution.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
            audio: self.audio,
            ..venice::QuoteVideoRequest::new(&self.model, &self.duration)
        }
    }
}

/// The price key of shot `shot` (`None` if there is no such shot).
pub fn price_key(board: &Storyboard, settings: &VideoSettings, shot: usize) -> Option<PriceKey> {
    let s = board.shots.get(shot)?;
    Some(PriceKey {
        model: settings.model.clone(),
        seconds: s.generate_s,
        duration: s.duration.clone(),
        resolution: settings.resolution.clone(),
        aspect_ratio: settings.aspect_ratio.clone(),
        audio: board.limits.audio_configurable.then_some(false),
    })
}

/// The distinct combinations to quote, shortest first: a storyboard of 40 shots on a model with
/// 5 s and 10 s clips needs at most two quotes.
pub fn price_requests(board: &Storyboard, settings: &VideoSettings) -> Vec<PriceKey> {
    let mut keys: Vec<PriceKey> = (0..board.shots.len())
        .filter_map(|i| price_key(board, settings, i))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// What the whole video costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WholePrice {
    pub usd: f64,
    pub shots: usize,
    /// Seconds of video paid for.
    pub seconds_generated: u32,
    /// Seconds of it the render uses (the song's length).
    pub seconds_used: f64,
}

/// Adds up the quotes (`prices`, from [`price_requests`]) over every shot.
pub fn total(
    board: &Storyboard,
    settings: &VideoSettings,
    prices: &HashMap<PriceKey, f64>,
) -> Result<WholePrice, Error> {
    let mut usd = 0.0;
    for i in 0..board.shots.len() {
        let Some(key) = price_key(board, settings, i) else {
            continue;
        };
        let price = prices.get(&key).ok_or_else(|| Error::MissingPrice {
            what: describe_key(&key),
        })?;
        usd += price;
    }
    Ok(WholePrice {
        usd,
        shots: board.shots.len(),
        seconds_generated: board.seconds_generated(),
        seconds_used: board.shots.iter().map(|s| s.length_s()).sum(),
    })
}

fn describe_key(key: &PriceKey) -> String {
    let mut s = format!("{} for {} s", key.model, key.seconds);
    for v in [&key.resolution, &key.aspect_ratio].into_iter().flatten() {
        let _ = write!(s, ", {v}");
    }
    s
}

/// A plan that costs more than the budget: by how much, and what would fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.message())]
pub struct OverBudget {
    pub total: WholePrice,
    pub budget_usd: f64,
    pub over_usd: f64,
    /// The alternatives within the budget, cheapest first: (label, USD).
    pub fits: Vec<(String, f64)>,
}

impl OverBudget {
    fn message(&self) -> String {
        let mut s = format!(
            "The whole video costs ${:.2} ({} shots, {} s generated), ${:.2} over the budget of ${:.2}.",
            self.total.usd,
            self.total.shots,
            self.total.seconds_generated,
            self.over_usd,
            self.budget_usd
        );
        if self.fits.is_empty() {
            s.push_str(
                " None of the alternatives fits either: raise the budget, or plan longer shots (a higher minimum shot length) on a model with shorter clips.",
            );
        } else {
            let list: Vec<String> = self
                .fits
                .iter()
                .map(|(label, usd)| format!("{label}: ${usd:.2}"))
                .collect();
            let _ = write!(
                s,
                " Within the budget: {}. Pick one of those or raise the budget.",
                list.join("; ")
            );
        }
        s
    }
}

/// Refuses a price over `budget_usd`, listing the `alternatives` (label, price) that fit.
pub fn check_budget(
    total: &WholePrice,
    budget_usd: f64,
    alternatives: &[(String, WholePrice)],
) -> Result<(), OverBudget> {
    // Cents: a price equal to the budget fits.
    if total.usd <= budget_usd + 0.005 {
        return Ok(());
    }
    let mut fits: Vec<(String, f64)> = alternatives
        .iter()
        .filter(|(_, p)| p.usd <= budget_usd + 0.005)
        .map(|(label, p)| (label.clone(), p.usd))
        .collect();
    fits.sort_by(|a, b| a.1.total_cmp(&b.1));
    Err(OverBudget {
        total: total.clone(),
        budget_usd,
        over_usd: total.usd - budget_usd,
        fits,
    })
}
