//! The generator form: what it holds, how a model choice reshapes it, the prompt counter, and why
//! Generate may be disabled. Pure functions, so the rules are tested natively.

use studio_api::{GenerateForm, ImageCheck, ModelKind, ModelOption};

use crate::state::{Load, QuoteStatus};

/// How many videos one Generate may queue.
pub const MAX_COUNT: u32 = 10;

/// What the user has typed and chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct FormState {
    pub theme: String,
    pub prompt: String,
    pub model: String,
    /// The user picked the model themselves: a late default from Settings must not override it.
    pub model_touched: bool,
    pub duration: String,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    pub audio: Option<bool>,
    pub image_path: Option<String>,
    pub count: u32,
}

impl Default for FormState {
    fn default() -> Self {
        Self {
            theme: String::new(),
            prompt: String::new(),
            model: String::new(),
            model_touched: false,
            duration: String::new(),
            aspect_ratio: None,
            resolution: None,
            audio: None,
            image_path: None,
            count: 1,
        }
    }
}

/// `current` when the model allows it, else the preferred value, else the model's first value.
pub(crate) fn allowed(current: Option<&str>, choices: &[String], preferred: &str) -> Option<String> {
    if let Some(c) = current.filter(|c| choices.iter().any(|x| x == c)) {
        return Some(c.to_string());
    }
    choices
        .iter()
        .find(|x| x.as_str() == preferred)
        .or_else(|| choices.first())
        .cloned()
}

impl FormState {
    /// Selects `model` and keeps only values it allows: each control falls back to a sensible
    /// allowed value, or to nothing when the model does not take that field.
    pub fn apply_model(&mut self, model: &ModelOption) {
        self.model = model.id.clone();
        self.duration = allowed(Some(&self.duration), &model.durations, "5s").unwrap_or_default();
        self.aspect_ratio = allowed(self.aspect_ratio.as_deref(), &model.aspect_ratios, "16:9");
        self.resolution = allowed(self.resolution.as_deref(), &model.resolutions, "720p");
        self.audio = if model.audio_configurable {
            Some(self.audio.unwrap_or(true))
        } else {
            None
        };
    }

    /// The request for `quote` and `generate`.
    pub fn request(&self, model: Option<&ModelOption>) -> GenerateForm {
        let image_to_video = model.is_some_and(|m| m.kind == ModelKind::ImageToVideo);
        let theme = self.theme.trim();
        GenerateForm {
            theme: (!theme.is_empty()).then(|| theme.to_string()),
            prompt: self.prompt.trim().to_string(),
            model: self.model.clone(),
            duration: self.duration.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
            resolution: self.resolution.clone(),
            audio: self.audio,
            image_path: if image_to_video {
                self.image_path.clone()
            } else {
                None
            },
            count: self.count,
        }
    }
}

/// Models the generator offers: text- and image-to-video.
pub fn offered(models: &[ModelOption]) -> impl Iterator<Item = &ModelOption> {
    models.iter().filter(|m| m.kind != ModelKind::Other)
}

/// The model a fresh form starts with: the preferred one (Settings) if offered and online, else
/// the first online, current text-to-video model, else any offered model.
pub fn default_model<'a>(
    models: &'a [ModelOption],
    preferred: Option<&str>,
) -> Option<&'a ModelOption> {
    let usable = |m: &&ModelOption| !m.offline;
    preferred
        .and_then(|p| offered(models).filter(usable).find(|m| m.id == p))
        .or_else(|| {
            offered(models)
                .filter(usable)
                .find(|m| m.kind == ModelKind::TextToVideo && m.deprecated_on.is_none())
        })
        .or_else(|| offered(models).find(usable))
        .or_else(|| offered(models).next())
}

/// The prompt's length against the model's limit, counted as Venice counts it (characters of
/// the trimmed prompt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromptCount {
    pub used: usize,
    pub limit: u32,
}

impl PromptCount {
    pub fn of(prompt: &str, limit: u32) -> Self {
        Self {
            used: prompt.trim().chars().count(),
            limit,
        }
    }

    pub fn over_by(&self) -> usize {
        self.used.saturating_sub(self.limit as usize)
    }

    pub fn is_over(&self) -> bool {
        self.over_by() > 0
    }
}

/// What is wrong with the form itself, in words, before any price is asked for.
pub fn form_problem(
    form: &FormState,
    model: Option<&ModelOption>,
    image: Option<&Load<ImageCheck>>,
) -> Option<String> {
    let Some(model) = model else {
        return Some("Choose a video model.".into());
    };
    if model.offline {
        return Some(format!(
            "{} is offline at Venice right now: choose another model.",
            model.name
        ));
    }
    if !model.durations.is_empty() && !model.durations.contains(&form.duration) {
        return Some("Choose a duration.".into());
    }
    if form.prompt.trim().is_empty() {
        return Some("Write a prompt first (or let the theme write one).".into());
    }
    let count = PromptCount::of(&form.prompt, model.prompt_limit);
    if count.is_over() {
        return Some(format!(
            "The prompt is {} characters over {}'s limit of {}: shorten it.",
            count.over_by(),
            model.name,
            model.prompt_limit
        ));
    }
    if model.kind == ModelKind::ImageToVideo {
        match (form.image_path.as_deref(), image) {
            (None, _) => return Some("Pick a start image for this image-to-video model.".into()),
            (Some(_), Some(Load::Loading) | None) => {
                return Some("Checking the start image…".into());
            }
            (Some(_), Some(Load::Failed(e))) => {
                return Some(format!(
                    "The start image could not be checked: {}",
                    e.message
                ));
            }
            (Some(_), Some(Load::Ready(check))) if !check.problems.is_empty() => {
                return Some(format!(
                    "The start image can't be used: {}",
                    check.problems.join("; ")
                ));
            }
            _ => {}
        }
    }
    if form.count == 0 || form.count > MAX_COUNT {
        return Some(format!("Make between 1 and {MAX_COUNT} videos at a time."));
    }
    None
}

/// Why Generate is disabled, or `None` when it may be pressed: the form must be valid, the price
/// known and within the budget, and no generate already under way.
pub fn generate_block(
    problem: Option<String>,
    quote: &QuoteStatus,
    generating: bool,
) -> Option<String> {
    if generating {
        return Some("Submitting…".into());
    }
    if let Some(p) = problem {
        return Some(p);
    }
    match quote {
        QuoteStatus::Idle | QuoteStatus::Loading => Some("Getting the price…".into()),
        QuoteStatus::Failed(e) => Some(format!("No price, so no generate: {}", e.message)),
        QuoteStatus::Ready(q) => q
            .over_budget
            .as_ref()
            .map(|why| format!("Over budget: {why}")),
    }
}
