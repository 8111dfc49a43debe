//! `studio models`, `studio prompt` and `studio quote`: finding out before spending.

use std::path::PathBuf;

use serde_json::json;
use studio_core::{JobParams, PriceQuote};
use venice::{VideoModel, VideoModelType};

use crate::exit::{Code, Failure};
use crate::output::{Out, ok_fields, usd};
use crate::session;

/// The video model used when `--model` is left out of `studio prompt`.
pub const DEFAULT_VIDEO_MODEL: &str = "wan-2.5-preview-text-to-video";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Video,
    Text,
}

/// Which video models `studio models` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    All,
    TextToVideo,
    ImageToVideo,
}

fn group_name(kind: &VideoModelType) -> String {
    match kind {
        VideoModelType::TextToVideo => "Text to video".into(),
        VideoModelType::ImageToVideo => "Image to video".into(),
        VideoModelType::Video => "Video to video (upscale, motion)".into(),
        VideoModelType::Other(other) => format!("Other ({other})"),
    }
}

fn marks(model: &VideoModel) -> String {
    let mut marks = Vec::new();
    if model.offline {
        marks.push("OFFLINE".to_string());
    }
    if let Some(dep) = &model.deprecation {
        let when = dep
            .date
            .as_deref()
            .or(dep.removes_at.as_deref())
            .unwrap_or("soon");
        // `2026-09-24T00:00:00.000Z` reads better as the day.
        let when = when
            .get(..10)
            .filter(|d| d.as_bytes().get(4) == Some(&b'-'))
            .unwrap_or(when);
        let instead = dep
            .replacement_model_id
            .as_deref()
            .map(|r| format!(", use {r}"))
            .unwrap_or_default();
        marks.push(format!("DEPRECATED (removed {when}{instead})"));
    }
    if marks.is_empty() {
        String::new()
    } else {
        format!("  [{}]", marks.join("; "))
    }
}

fn list_or_dash(values: &[String]) -> String {
    if values.is_empty() {
        "-".into()
    } else {
        values.join(" ")
    }
}

pub async fn models(out: Out, kind: Kind, filter: Filter, refresh: bool) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    if kind == Kind::Text {
        let list = studio.text_models().await?;
        for model in &list.data {
            let spec = &model.model_spec;
            let mut line = format!("{:<40} {}", model.id, spec.name.as_deref().unwrap_or(""));
            if let Some(ctx) = spec.available_context_tokens {
                line.push_str(&format!("  ({ctx:.0} tokens)"));
            }
            if spec.offline == Some(true) {
                line.push_str("  [OFFLINE]");
            }
            if spec.deprecation.is_some() {
                line.push_str("  [DEPRECATED]");
            }
            out.line(line);
        }
        let mut doc = ok_fields(Code::Ok);
        doc["type"] = json!("text");
        doc["models"] = json!(list.data);
        out.document(doc);
        return Ok(Code::Ok);
    }
    let catalogue = studio.catalogue(refresh).await?;
    let wanted = |m: &&VideoModel| match filter {
        Filter::All => true,
        Filter::TextToVideo => m.constraints.model_type == VideoModelType::TextToVideo,
        Filter::ImageToVideo => m.constraints.model_type == VideoModelType::ImageToVideo,
    };
    let chosen: Vec<&VideoModel> = catalogue.models.iter().filter(wanted).collect();
    let mut groups: Vec<(String, Vec<&VideoModel>)> = Vec::new();
    for model in &chosen {
        let name = group_name(&model.constraints.model_type);
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, models)) => models.push(model),
            None => groups.push((name, vec![model])),
        }
    }
    for (index, (group, models)) in groups.iter().enumerate() {
        if index > 0 {
            out.line("");
        }
        out.line(format!("{group} ({})", models.len()));
        for m in models {
            let c = &m.constraints;
            let audio = match (c.audio, c.audio_configurable) {
                (true, true) => "  audio: on/off",
                (true, false) => "  audio: always",
                _ => "",
            };
            out.line(format!("  {}{}", m.id, marks(m)));
            out.line(format!(
                "      durations: {}  resolutions: {}  aspect: {}{audio}",
                list_or_dash(&c.durations),
                list_or_dash(&c.resolutions),
                list_or_dash(&c.aspect_ratios),
            ));
        }
    }
    if chosen.is_empty() {
        out.line("No video models match.");
    }
    let mut doc = ok_fields(Code::Ok);
    doc["type"] = json!("video");
    doc["models"] = json!(chosen);
    out.document(doc);
    Ok(Code::Ok)
}

pub async fn prompt(out: Out, theme: &str, model: &str) -> Result<Code, Failure> {
    let studio = session::open(None)?;
    let written = studio.prompt_from_theme(theme, model).await?;
    out.line(&written.prompt);
    let mut doc = ok_fields(Code::Ok);
    doc["prompt"] = json!(written);
    out.document(doc);
    Ok(Code::Ok)
}

/// What `quote` and `generate` take on the command line about the video itself.
#[derive(Clone, Debug, Default)]
pub struct VideoArgs {
    pub model: String,
    pub duration: String,
    pub aspect: Option<String>,
    pub resolution: Option<String>,
    pub audio: Option<bool>,
    pub image: Option<PathBuf>,
}

impl VideoArgs {
    pub fn request(&self, theme: Option<String>, prompt: String) -> JobParams {
        JobParams {
            theme,
            prompt,
            model: self.model.clone(),
            duration: normalise_duration(&self.duration),
            aspect_ratio: self.aspect.clone(),
            resolution: self.resolution.clone(),
            audio: self.audio,
            image_path: self.image.clone(),
            shot: None,
            references: Vec::new(),
        }
    }
}

/// `5` means `5s`: Venice's durations are written with the unit.
fn normalise_duration(raw: &str) -> String {
    let raw = raw.trim();
    if !raw.is_empty() && raw.chars().all(|c| c.is_ascii_digit()) {
        format!("{raw}s")
    } else {
        raw.to_string()
    }
}

/// The human lines for a quote: price, balance, spent and what the budget leaves.
pub fn quote_lines(quote: &PriceQuote, count: u32, budget: &studio_core::Budget) -> Vec<String> {
    let total = quote.usd * f64::from(count);
    let mut lines = vec![if count > 1 {
        format!(
            "Price: {} each, {} for {count} videos",
            usd(quote.usd),
            usd(total)
        )
    } else {
        format!("Price: {}", usd(quote.usd))
    }];
    if let Some(balance) = quote.balance_usd {
        lines.push(format!("Balance: {}", usd(balance)));
    }
    let mut spent = format!(
        "Spent: {} this session, {} in total",
        usd(quote.spent_session_usd),
        usd(quote.spent_total_usd)
    );
    if let Some(cap) = budget.per_session_usd {
        spent.push_str(&format!(
            "; session budget {}, {} left",
            usd(cap),
            usd((cap - quote.spent_session_usd).max(0.0))
        ));
    }
    if let Some(cap) = budget.total_usd {
        spent.push_str(&format!(
            "; total budget {}, {} left",
            usd(cap),
            usd((cap - quote.spent_total_usd).max(0.0))
        ));
    }
    lines.push(spent);
    if let Some(reason) = &quote.over_budget {
        lines.push(format!("Over budget: {reason}"));
    }
    lines
}

/// A placeholder prompt for quoting: the price does not depend on the words.
pub const QUOTE_PROMPT: &str = "price check";

pub async fn quote(out: Out, video: &VideoArgs, budget: Option<f64>) -> Result<Code, Failure> {
    let studio = session::open(budget)?;
    let request = video.request(None, QUOTE_PROMPT.into());
    let quote = studio.quote(&request).await?;
    for line in quote_lines(&quote, 1, &studio.config().budget) {
        out.line(line);
    }
    let code = if quote.over_budget.is_some() {
        Code::NeedsUser
    } else {
        Code::Ok
    };
    let mut doc = ok_fields(code);
    doc["quote"] = json!(quote);
    doc["budget"] = json!(studio.config().budget);
    out.document(doc);
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_numbers_get_seconds() {
        assert_eq!(normalise_duration("5"), "5s");
        assert_eq!(normalise_duration(" 10s "), "10s");
        assert_eq!(normalise_duration("abc"), "abc");
    }
}
