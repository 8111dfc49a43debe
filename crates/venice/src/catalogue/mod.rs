//! The video model catalogue: each model's constraints, cached on disk, and the check that
//! keeps a request a model cannot take from ever leaving the machine.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{Error, UserAction};
use crate::types::models::{Deprecation, ModelList, VideoConstraints, VideoModelType};
use crate::types::video::{QueueVideoRequest, QuoteVideoRequest};

/// One video model and its constraints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoModel {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `private` (zero retention; these give a `download_url`) or `anonymized`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<Deprecation>,
    #[serde(default)]
    pub offline: bool,
    pub constraints: VideoConstraints,
}

/// The video models and when they were fetched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCatalogue {
    /// Unix seconds of the fetch.
    pub fetched_at_unix: u64,
    pub models: Vec<VideoModel>,
}

/// Why a request was refused before sending. Messages name the allowed values.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstraintError {
    #[error(
        "There is no video model called `{model}` in Venice's model list. Pick one from the list (or refresh it)."
    )]
    UnknownModel { model: String },
    #[error("{model} takes {field} {}; got {got}.", join_or(.allowed))]
    NotAllowed {
        model: String,
        field: &'static str,
        allowed: Vec<String>,
        got: String,
    },
    #[error("{model} does not take {field}; leave it out.")]
    FieldNotTaken { model: String, field: &'static str },
    #[error("{model} does not let you switch audio on or off; leave `audio` out.")]
    AudioNotConfigurable { model: String },
    #[error("{model} needs {field}.")]
    Missing { model: String, field: &'static str },
    #[error("The prompt is empty; {model} needs a prompt.")]
    EmptyPrompt { model: String },
    #[error("The {field} is {got} characters; {model} takes at most {limit}. Shorten it.")]
    TooLong {
        model: String,
        field: &'static str,
        limit: u32,
        got: usize,
    },
    #[error("{field} must be an https:// URL or a data:image/...;base64, URL; got {got}.")]
    BadImageUrl { field: &'static str, got: String },
}

impl ConstraintError {
    /// Prompt problems are the user's words; the rest are settings.
    pub fn user_action(&self) -> UserAction {
        match self {
            ConstraintError::EmptyPrompt { .. } | ConstraintError::TooLong { .. } => {
                UserAction::ChangePrompt
            }
            _ => UserAction::ChangeRequest,
        }
    }
}

fn join_or(v: &[String]) -> String {
    match v {
        [] => "nothing".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn check_image_url(field: &'static str, url: &str) -> Result<(), ConstraintError> {
    let ok =
        url.starts_with("https://") || (url.starts_with("data:image/") && url.contains(";base64,"));
    if ok {
        Ok(())
    } else {
        Err(ConstraintError::BadImageUrl {
            field,
            got: short(url),
        })
    }
}

fn check_choice(
    model: &str,
    field: &'static str,
    allowed: &[String],
    got: Option<&str>,
) -> Result<(), ConstraintError> {
    match got {
        None => Ok(()),
        Some(_) if allowed.is_empty() => Err(ConstraintError::FieldNotTaken {
            model: model.into(),
            field,
        }),
        Some(g) if allowed.iter().any(|a| a == g) => Ok(()),
        Some(g) => Err(ConstraintError::NotAllowed {
            model: model.into(),
            field,
            allowed: allowed.to_vec(),
            got: g.into(),
        }),
    }
}

fn is_upscaler(m: &VideoModel) -> bool {
    m.id.contains("upscale")
}

impl VideoModel {
    /// Checks the pricing fields shared by quote and queue.
    fn check_common(
        &self,
        duration: &str,
        aspect_ratio: Option<&str>,
        resolution: Option<&str>,
        audio: Option<bool>,
    ) -> Result<(), ConstraintError> {
        let c = &self.constraints;
        let id = self.id.as_str();
        if c.durations.is_empty() {
            if !duration.is_empty() {
                return Err(ConstraintError::FieldNotTaken {
                    model: id.into(),
                    field: "duration",
                });
            }
        } else {
            check_choice(id, "duration", &c.durations, Some(duration))?;
        }
        check_choice(id, "aspect ratio", &c.aspect_ratios, aspect_ratio)?;
        if is_upscaler(self) && resolution.is_some() {
            return Err(ConstraintError::FieldNotTaken {
                model: id.into(),
                field: "resolution (use upscale_factor)",
            });
        }
        check_choice(id, "resolution", &c.resolutions, resolution)?;
        if audio.is_some() && !c.audio_configurable {
            return Err(ConstraintError::AudioNotConfigurable { model: id.into() });
        }
        Ok(())
    }
}

impl ModelCatalogue {
    /// Builds the catalogue from `GET /models?type=video`, fetched now.
    pub fn from_list(list: &ModelList) -> Self {
        Self::from_list_at(list, SystemTime::now())
    }

    /// Same, with an explicit fetch time. Models without readable video constraints are skipped.
    pub fn from_list_at(list: &ModelList, fetched_at: SystemTime) -> Self {
        let models = list
            .data
            .iter()
            .filter_map(|m| {
                Some(VideoModel {
                    id: m.id.clone(),
                    name: m.model_spec.name.clone(),
                    privacy: m.model_spec.privacy.clone(),
                    deprecation: m.model_spec.deprecation.clone(),
                    offline: m.model_spec.offline.unwrap_or(false),
                    constraints: m.video_constraints()?,
                })
            })
            .collect();
        ModelCatalogue {
            fetched_at_unix: fetched_at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs(),
            models,
        }
    }

    /// Reads a catalogue saved by [`ModelCatalogue::save`].
    pub fn load_cached(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            action: "read the model cache",
            path: path.into(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Io {
            action: "read the model cache",
            path: path.into(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }

    /// Writes the catalogue as JSON (temp file + rename, so a crash never leaves half a file).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let io = |source| Error::Io {
            action: "write the model cache",
            path: path.into(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, &json).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// How old the catalogue is.
    pub fn age(&self) -> Duration {
        self.age_at(SystemTime::now())
    }

    /// How old the catalogue is at `now`.
    pub fn age_at(&self, now: SystemTime) -> Duration {
        let fetched = UNIX_EPOCH + Duration::from_secs(self.fetched_at_unix);
        now.duration_since(fetched).unwrap_or_default()
    }

    /// A model by id.
    pub fn get(&self, id: &str) -> Option<&VideoModel> {
        self.models.iter().find(|m| m.id == id)
    }

    fn model(&self, id: &str) -> Result<&VideoModel, ConstraintError> {
        self.get(id)
            .ok_or_else(|| ConstraintError::UnknownModel { model: id.into() })
    }

    /// Checks a queue request against the model's constraints.
    pub fn validate(&self, r: &QueueVideoRequest) -> Result<(), ConstraintError> {
        let m = self.model(&r.model)?;
        let c = &m.constraints;
        let id = m.id.as_str();
        m.check_common(
            &r.duration,
            r.aspect_ratio.as_deref(),
            r.resolution.as_deref(),
            r.audio,
        )?;
        if r.prompt.trim().is_empty() {
            return Err(ConstraintError::EmptyPrompt { model: id.into() });
        }
        let limit = c.prompt_limit();
        for (field, text) in [
            ("prompt", Some(&r.prompt)),
            ("negative prompt", r.negative_prompt.as_ref()),
        ] {
            if let Some(t) = text {
                let n = t.chars().count();
                if n > limit as usize {
                    return Err(ConstraintError::TooLong {
                        model: id.into(),
                        field,
                        limit,
                        got: n,
                    });
                }
            }
        }
        if r.upscale_factor.is_some() && !is_upscaler(m) {
            return Err(ConstraintError::FieldNotTaken {
                model: id.into(),
                field: "upscale_factor",
            });
        }
        if let Some(f) = r.upscale_factor
            && ![1, 2, 4].contains(&f)
        {
            return Err(ConstraintError::NotAllowed {
                model: id.into(),
                field: "upscale_factor",
                allowed: vec!["1".into(), "2".into(), "4".into()],
                got: f.to_string(),
            });
        }
        match c.model_type {
            VideoModelType::ImageToVideo => {
                let refs = r
                    .reference_image_urls
                    .as_ref()
                    .is_some_and(|v| !v.is_empty());
                if r.image_url.is_none() && !refs {
                    return Err(ConstraintError::Missing {
                        model: id.into(),
                        field: "a start image (image_url)",
                    });
                }
            }
            VideoModelType::Video => {
                if r.video_url.is_none() {
                    return Err(ConstraintError::Missing {
                        model: id.into(),
                        field: "an input video (video_url)",
                    });
                }
            }
            VideoModelType::TextToVideo => {
                if r.image_url.is_some() {
                    return Err(ConstraintError::FieldNotTaken {
                        model: id.into(),
                        field: "image_url (it is text-to-video)",
                    });
                }
            }
            VideoModelType::Other(_) => {}
        }
        if r.video_url.is_some() && !c.video_input {
            return Err(ConstraintError::FieldNotTaken {
                model: id.into(),
                field: "video_url",
            });
        }
        if r.audio_url.is_some() && !c.audio_input {
            return Err(ConstraintError::FieldNotTaken {
                model: id.into(),
                field: "audio_url",
            });
        }
        if let Some(u) = &r.image_url {
            check_image_url("image_url", u)?;
        }
        if let Some(u) = &r.end_image_url {
            check_image_url("end_image_url", u)?;
        }
        for u in r.reference_image_urls.iter().flatten() {
            check_image_url("reference_image_urls", u)?;
        }
        Ok(())
    }

    /// Checks a quote request (the pricing fields) against the model's constraints.
    pub fn validate_quote(&self, r: &QuoteVideoRequest) -> Result<(), ConstraintError> {
        let m = self.model(&r.model)?;
        m.check_common(
            &r.duration,
            r.aspect_ratio.as_deref(),
            r.resolution.as_deref(),
            r.audio,
        )
    }
}

#[cfg(test)]
mod tests;
