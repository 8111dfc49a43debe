//! Request validation the way Venice does it: 400 DetailedError for bad fields, 404 for unknown models.

use serde_json::{Map, Value, json};

use crate::fixtures::{Catalog, VideoModel};
use crate::reply::Reply;

/// Fields of QueueVideoRequest in openapi.yaml.
const QUEUE_FIELDS: &[&str] = &[
    "model",
    "consents",
    "prompt",
    "negative_prompt",
    "duration",
    "aspect_ratio",
    "omni_reference_task_type",
    "resolution",
    "upscale_factor",
    "audio",
    "image_url",
    "end_image_url",
    "audio_url",
    "video_url",
    "reference_image_urls",
    "reference_video_urls",
    "reference_audio_urls",
    "reference_document_urls",
    "elements",
    "scene_image_urls",
    "keyframes",
];

/// Fields of QuoteVideoRequest.
const QUOTE_FIELDS: &[&str] = &[
    "model",
    "duration",
    "aspect_ratio",
    "resolution",
    "upscale_factor",
    "audio",
    "video_url",
    "reference_video_total_duration",
];

/// Fields of RetrieveVideoRequest / CompleteVideoRequest (additionalProperties: false).
const RETRIEVE_FIELDS: &[&str] = &["model", "queue_id", "delete_media_on_completion"];
const COMPLETE_FIELDS: &[&str] = &["model", "queue_id"];

/// Collects field problems into Venice's DetailedError shape.
#[derive(Debug, Default)]
struct Problems {
    list: Vec<(String, String)>,
}

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.list.push((field.to_owned(), message.into()));
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `400 {"error":"Invalid request parameters","details":{"_errors":[],"field":{"_errors":[...]}},"issues":[...]}`
    fn reply(&self) -> Reply {
        let mut details = Map::new();
        details.insert("_errors".into(), json!([]));
        let mut issues = Vec::new();
        for (field, message) in &self.list {
            if field.is_empty() {
                if let Some(Value::Array(a)) = details.get_mut("_errors") {
                    a.push(json!(message));
                }
            } else {
                let entry = details
                    .entry(field.clone())
                    .or_insert_with(|| json!({"_errors": []}));
                if let Some(Value::Array(a)) = entry.get_mut("_errors") {
                    a.push(json!(message));
                }
            }
            let path: Vec<&str> = if field.is_empty() {
                vec![]
            } else {
                vec![field.as_str()]
            };
            issues.push(json!({"code": "custom", "path": path, "message": message}));
        }
        Reply::json(
            400,
            &json!({"error": "Invalid request parameters", "details": details, "issues": issues}),
        )
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Object check, no nulls, no unknown keys.
fn object<'a>(
    body: Option<&'a Value>,
    allowed: &[&str],
    p: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    let Some(Value::Object(map)) = body else {
        p.add(
            "",
            format!(
                "Expected object, received {}",
                body.map_or("nothing", type_name)
            ),
        );
        return None;
    };
    for (k, v) in map {
        if !allowed.contains(&k.as_str()) {
            p.add("", format!("Unrecognized key: \"{k}\""));
        } else if v.is_null() {
            p.add(
                k,
                "Expected a value, received null (omit optional fields instead of sending null)",
            );
        }
    }
    Some(map)
}

fn string<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    required: bool,
    p: &mut Problems,
) -> Option<&'a str> {
    match map.get(key) {
        None if required => {
            p.add(key, "Required");
            None
        }
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            p.add(
                key,
                format!("Expected string, received {}", type_name(other)),
            );
            None
        }
    }
}

fn boolean(map: &Map<String, Value>, key: &str, p: &mut Problems) -> Option<bool> {
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            p.add(
                key,
                format!("Expected boolean, received {}", type_name(other)),
            );
            None
        }
    }
}

fn model_not_found(model: &str) -> Reply {
    Reply::json(404, &json!({"error": format!("Model not found: {model}")}))
}

/// Checks a value against one of the model's constraint lists.
fn in_list(
    model: &VideoModel<'_>,
    list_key: &str,
    field: &str,
    value: Option<&str>,
    p: &mut Problems,
) {
    let Some(value) = value else { return };
    let allowed = model.list(list_key);
    if allowed.is_empty() {
        p.add(
            field,
            format!("{field} is not supported by {}; omit it", model.id()),
        );
    } else if !allowed.contains(&value) {
        p.add(
            field,
            format!(
                "Invalid option \"{value}\": expected one of {}",
                allowed.join(", ")
            ),
        );
    }
}

/// A quote or queue request that passed validation.
#[derive(Debug)]
pub(crate) struct VideoParams {
    pub model: String,
    /// The prompt (queue requests; `None` on quotes or when absent).
    pub prompt: Option<String>,
    pub duration: String,
    pub resolution: Option<String>,
    pub aspect_ratio: Option<String>,
    /// Whether the video will have generated audio (model can, and it was not switched off).
    pub audio_on: bool,
    pub private: bool,
}

/// Validates `/video/quote` (`queue == false`) or `/video/queue` bodies.
pub(crate) fn video(
    body: Option<&Value>,
    catalog: &Catalog,
    queue: bool,
) -> Result<VideoParams, Reply> {
    let mut p = Problems::default();
    let allowed = if queue { QUEUE_FIELDS } else { QUOTE_FIELDS };
    let Some(map) = object(body, allowed, &mut p) else {
        return Err(p.reply());
    };
    let model_id = string(map, "model", true, &mut p);
    let duration = string(map, "duration", true, &mut p);
    let resolution = string(map, "resolution", false, &mut p);
    let aspect_ratio = string(map, "aspect_ratio", false, &mut p);
    let audio = boolean(map, "audio", &mut p);
    let Some(model_id) = model_id else {
        return Err(p.reply());
    };
    let Some(model) = catalog.video_model(model_id) else {
        return Err(if p.is_empty() {
            model_not_found(model_id)
        } else {
            p.reply()
        });
    };
    in_list(&model, "durations", "duration", duration, &mut p);
    in_list(&model, "resolutions", "resolution", resolution, &mut p);
    in_list(
        &model,
        "aspect_ratios",
        "aspect_ratio",
        aspect_ratio,
        &mut p,
    );
    if audio.is_some() && !model.audio_configurable() {
        p.add(
            "audio",
            format!("audio is not configurable for {}; omit it", model.id()),
        );
    }
    let is_upscaler = model.id().contains("upscale");
    if map.contains_key("upscale_factor") {
        if !is_upscaler {
            p.add(
                "upscale_factor",
                format!(
                    "upscale_factor is only for upscale models, not {}",
                    model.id()
                ),
            );
        } else if !matches!(
            map.get("upscale_factor").and_then(Value::as_u64),
            Some(1 | 2 | 4)
        ) {
            p.add("upscale_factor", "Expected 1, 2 or 4");
        }
    }
    if queue {
        queue_media(map, &model, &mut p);
    }
    if !p.is_empty() {
        return Err(p.reply());
    }
    Ok(VideoParams {
        model: model.id().to_owned(),
        prompt: map.get("prompt").and_then(Value::as_str).map(str::to_owned),
        duration: duration.unwrap_or("5s").to_owned(),
        resolution: resolution.map(str::to_owned),
        aspect_ratio: aspect_ratio.map(str::to_owned),
        audio_on: model.audio() && audio != Some(false),
        private: model.is_private(),
    })
}

fn is_media_url(s: &str, kind: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://") || s.starts_with(&format!("data:{kind}/"))
}

/// Queue-only checks: prompt, and the media inputs each model type needs.
fn queue_media(map: &Map<String, Value>, model: &VideoModel<'_>, p: &mut Problems) {
    let kind = model.model_type();
    let prompt = string(map, "prompt", kind != "video", p);
    let limit = model.prompt_limit();
    match prompt {
        Some(s) if s.trim().is_empty() => {
            p.add("prompt", "String must contain at least 1 character(s)")
        }
        Some(s) if s.chars().count() > limit => {
            p.add(
                "prompt",
                format!(
                    "String must contain at most {limit} character(s) for {}",
                    model.id()
                ),
            );
        }
        _ => {}
    }
    if let Some(neg) = string(map, "negative_prompt", false, p)
        && neg.chars().count() > limit
    {
        p.add(
            "negative_prompt",
            format!("String must contain at most {limit} character(s)"),
        );
    }
    let image_url = string(map, "image_url", false, p);
    let end_image_url = string(map, "end_image_url", false, p);
    let video_url = string(map, "video_url", false, p);
    for (field, value, media) in [
        ("image_url", image_url, "image"),
        ("end_image_url", end_image_url, "image"),
        ("video_url", video_url, "video"),
    ] {
        if let Some(v) = value
            && !is_media_url(v, media)
        {
            p.add(
                field,
                format!("Must be an http(s) URL or a data:{media}/... URL"),
            );
        }
    }
    match kind {
        "image-to-video" => {
            let reference_model = model.id().contains("reference-to-video");
            let has_refs = ["reference_image_urls", "reference_video_urls", "elements"]
                .iter()
                .any(|k| map.contains_key(*k));
            if image_url.is_none() && !(reference_model && has_refs) {
                p.add(
                    "image_url",
                    format!(
                        "image_url is required for image-to-video model {}",
                        model.id()
                    ),
                );
            }
        }
        "text-to-video" => {
            if image_url.is_some() {
                p.add(
                    "image_url",
                    format!(
                        "image_url is not supported by text-to-video model {}",
                        model.id()
                    ),
                );
            }
        }
        _ => {
            if video_url.is_none() && !model.id().contains("motion-control") {
                p.add(
                    "video_url",
                    format!("video_url is required for {}", model.id()),
                );
            }
        }
    }
}

/// Validated `/video/retrieve` or `/video/complete` body.
#[derive(Debug)]
pub(crate) struct JobRef {
    pub model: String,
    pub queue_id: String,
    pub delete_media_on_completion: bool,
}

/// Validates retrieve (`retrieve == true`) or complete bodies.
pub(crate) fn job_ref(
    body: Option<&Value>,
    catalog: &Catalog,
    retrieve: bool,
) -> Result<JobRef, Reply> {
    let mut p = Problems::default();
    let allowed = if retrieve {
        RETRIEVE_FIELDS
    } else {
        COMPLETE_FIELDS
    };
    let Some(map) = object(body, allowed, &mut p) else {
        return Err(p.reply());
    };
    let model = string(map, "model", true, &mut p);
    let queue_id = string(map, "queue_id", true, &mut p);
    let delete = boolean(map, "delete_media_on_completion", &mut p);
    match (model, queue_id) {
        (Some(model), Some(queue_id)) if p.is_empty() => {
            if catalog.video_model(model).is_none() {
                return Err(model_not_found(model));
            }
            Ok(JobRef {
                model: model.to_owned(),
                queue_id: queue_id.to_owned(),
                delete_media_on_completion: delete.unwrap_or(false),
            })
        }
        _ => Err(p.reply()),
    }
}

/// Validated chat request.
#[derive(Debug)]
pub(crate) struct ChatParams {
    pub model: String,
    pub messages: Vec<Value>,
    pub max_tokens: Option<u64>,
}

/// Validates `/chat/completions`: model (a text model), non-empty messages, no nulls.
pub(crate) fn chat(body: Option<&Value>, catalog: &Catalog) -> Result<ChatParams, Reply> {
    let mut p = Problems::default();
    let Some(Value::Object(map)) = body else {
        p.add("", "Expected object");
        return Err(p.reply());
    };
    for (k, v) in map {
        if v.is_null() {
            p.add(
                k,
                "Expected a value, received null (omit optional fields instead of sending null)",
            );
        }
    }
    let model = string(map, "model", true, &mut p);
    let messages = match map.get("messages") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        Some(Value::Array(_)) => {
            p.add("messages", "Array must contain at least 1 element(s)");
            vec![]
        }
        None => {
            p.add("messages", "Required");
            vec![]
        }
        Some(other) => {
            p.add(
                "messages",
                format!("Expected array, received {}", type_name(other)),
            );
            vec![]
        }
    };
    let max_tokens = ["max_completion_tokens", "max_tokens"]
        .iter()
        .find_map(|k| map.get(*k)?.as_u64());
    let Some(model) = model else {
        return Err(p.reply());
    };
    if !p.is_empty() {
        return Err(p.reply());
    }
    if catalog.text_model(model).is_none() {
        return Err(model_not_found(model));
    }
    Ok(ChatParams {
        model: model.to_owned(),
        messages,
        max_tokens,
    })
}
