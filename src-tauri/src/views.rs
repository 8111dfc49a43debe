//! Engine records as the UI sees them (`studio_api` types), and the generator form as an engine
//! request. Pure conversions, no I/O except the image check.

use std::path::{Path, PathBuf};

use studio_api::{
    GenerateForm, ImageCheck, JobEventView, JobStateView, JobView, ModelKind, ModelOption,
    VideoView,
};
use studio_core::images::{self, MAX_IMAGE_BYTES};
use studio_core::{JobEvent, JobParams, JobRecord, JobState};
use venice::{VideoModel, VideoModelType};

use crate::error::invalid;

/// The most videos one Generate may queue (each is paid).
pub const MAX_COUNT: u32 = 10;
/// Larger images get no inline preview (it would cross IPC as a data URL).
const MAX_PREVIEW_BYTES: u64 = 8 * 1024 * 1024;

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn state(state: JobState) -> JobStateView {
    match state {
        JobState::Submitting => JobStateView::Submitting,
        JobState::Queued => JobStateView::Queued,
        JobState::Processing => JobStateView::Processing,
        JobState::Downloading => JobStateView::Downloading,
        JobState::Ready => JobStateView::Ready,
        JobState::Failed => JobStateView::Failed,
        JobState::OutcomeUnknown => JobStateView::OutcomeUnknown,
    }
}

/// A ledger row as a queue card / gallery item.
pub fn job(record: &JobRecord) -> JobView {
    let video = record
        .media
        .as_ref()
        .filter(|_| record.removed_at_ms.is_none())
        .map(|m| VideoView {
            url: crate::media_server::url_for(&m.path),
            path: text(&m.path),
            bytes: m.bytes,
            seconds: m.seconds,
            width: m.width,
            height: m.height,
            thumbnail: m.thumbnail.as_deref().map(text),
        });
    JobView {
        id: record.id.0.clone(),
        state: state(record.state),
        theme: record.params.theme.clone(),
        prompt: record.params.prompt.clone(),
        model: record.params.model.clone(),
        duration: record.params.duration.clone(),
        aspect_ratio: record.params.aspect_ratio.clone(),
        resolution: record.params.resolution.clone(),
        progress: record.progress,
        eta_ms: record.eta_ms,
        created_at_ms: record.created_at_ms,
        updated_at_ms: record.updated_at_ms,
        cost_usd: if record.counts_as_spent() {
            record.quote_usd
        } else {
            0.0
        },
        failure: record.failure.clone(),
        credits_refunded: record.credits_refunded,
        video,
        can_fetch_again: record.state == studio_core::JobState::Failed
            && record.queue_id.is_some()
            && !record.venice_copy_deleted,
        project_id: record.params.shot.as_ref().map(|s| s.project_id.clone()),
    }
}

/// An engine event as pushed on `JOB_EVENT`.
pub fn event(event: &JobEvent) -> JobEventView {
    match event {
        JobEvent::Queued { id, .. } => JobEventView::Queued { id: id.0.clone() },
        JobEvent::Progress {
            id,
            percent,
            eta_ms,
        } => JobEventView::Progress {
            id: id.0.clone(),
            percent: *percent,
            eta_ms: *eta_ms,
        },
        JobEvent::Downloading { id, bytes, total } => JobEventView::Downloading {
            id: id.0.clone(),
            bytes: *bytes,
            total: *total,
        },
        JobEvent::Ready { id, path, cost_usd } => JobEventView::Ready {
            id: id.0.clone(),
            path: text(path),
            cost_usd: *cost_usd,
        },
        JobEvent::Failed {
            id,
            reason,
            credits_refunded,
        } => JobEventView::Failed {
            id: id.0.clone(),
            reason: reason.clone(),
            credits_refunded: *credits_refunded,
        },
        JobEvent::OutcomeUnknown { id, reason } => JobEventView::OutcomeUnknown {
            id: id.0.clone(),
            reason: reason.clone(),
        },
        JobEvent::Stalled { id, reason } => JobEventView::Stalled {
            id: id.0.clone(),
            reason: reason.clone(),
        },
    }
}

/// `2026-09-24T00:00:00.000Z` → `2026-09-24`.
fn day(date: &str) -> String {
    date.get(..10)
        .filter(|d| d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or(date)
        .to_string()
}

/// A catalogue entry as a generator option.
pub fn model(model: &VideoModel) -> ModelOption {
    let c = &model.constraints;
    ModelOption {
        id: model.id.clone(),
        name: model.name.clone().unwrap_or_else(|| model.id.clone()),
        kind: match c.model_type {
            VideoModelType::TextToVideo => ModelKind::TextToVideo,
            VideoModelType::ImageToVideo => ModelKind::ImageToVideo,
            _ => ModelKind::Other,
        },
        durations: c.durations.clone(),
        resolutions: c.resolutions.clone(),
        aspect_ratios: c.aspect_ratios.clone(),
        audio_configurable: c.audio_configurable,
        prompt_limit: c.prompt_limit(),
        deprecated_on: model.deprecation.as_ref().map(|d| {
            d.date
                .as_deref()
                .or(d.removes_at.as_deref())
                .map(day)
                .unwrap_or_else(|| "soon".to_string())
        }),
        offline: model.offline,
        image_min_short_side: c.reference_image_min_short_side_pixels,
        image_min_aspect: c.reference_image_min_aspect_ratio,
        image_max_aspect: c.reference_image_max_aspect_ratio,
    }
}

fn some_text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The generator form as an engine request, and how many videos to make.
pub fn request(form: &GenerateForm) -> Result<(JobParams, u32), studio_api::UiError> {
    if form.model.trim().is_empty() {
        return Err(invalid("Pick a video model first."));
    }
    if form.prompt.trim().is_empty() {
        return Err(invalid(
            "Write a prompt first (or write a theme and let the studio write it).",
        ));
    }
    if form.count > MAX_COUNT {
        return Err(invalid(format!(
            "At most {MAX_COUNT} videos at once; you asked for {}.",
            form.count
        )));
    }
    let request = JobParams {
        theme: some_text(&form.theme),
        prompt: form.prompt.trim().to_string(),
        model: form.model.trim().to_string(),
        duration: form.duration.trim().to_string(),
        aspect_ratio: some_text(&form.aspect_ratio),
        resolution: some_text(&form.resolution),
        audio: form.audio,
        image_path: some_text(&form.image_path).map(PathBuf::from),
        shot: None,
        references: Vec::new(),
    };
    Ok((request, form.count.max(1)))
}

/// Checks a start-frame image for `model` (when known) and says what is wrong in words.
pub fn image_check(path: &Path, model: Option<&VideoModel>) -> ImageCheck {
    let mut problems = Vec::new();
    let info = match images::inspect(path) {
        Ok(info) => Some(info),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let bytes = info.as_ref().map_or(0, |i| i.bytes);
    if let Some(info) = &info {
        if info.mime.is_none() {
            problems.push("It is not a PNG, JPEG or WebP image.".to_string());
        }
        if info.bytes > MAX_IMAGE_BYTES {
            problems.push(format!(
                "It is {:.1} MB; Venice takes images up to {} MB.",
                info.bytes as f64 / 1_048_576.0,
                MAX_IMAGE_BYTES / 1_048_576
            ));
        }
    }
    if let Some(model) = model {
        let c = &model.constraints;
        if c.model_type != VideoModelType::ImageToVideo {
            problems.push(format!(
                "{} makes videos from text only; pick an image-to-video model to use a start frame.",
                model.id
            ));
        }
        if let Some((w, h)) = info
            .as_ref()
            .and_then(|i| i.width.zip(i.height))
            .filter(|(w, h)| *w > 0 && *h > 0)
        {
            if let Some(min) = c.reference_image_min_short_side_pixels
                && w.min(h) < min
            {
                problems.push(format!(
                    "It is {w}×{h}; {} needs at least {min} pixels on the short side.",
                    model.id
                ));
            }
            let aspect = f64::from(w) / f64::from(h);
            let low = c.reference_image_min_aspect_ratio;
            let high = c.reference_image_max_aspect_ratio;
            if low.is_some_and(|low| aspect < low - 1e-6)
                || high.is_some_and(|high| aspect > high + 1e-6)
            {
                problems.push(format!(
                    "Its shape ({w}×{h}, {aspect:.2}:1) is outside what {} takes ({}:1 to {}:1).",
                    model.id,
                    low.map_or("any".into(), |v| format!("{v:.2}")),
                    high.map_or("any".into(), |v| format!("{v:.2}")),
                ));
            }
        } else if info.is_some() {
            problems.push("Its size in pixels could not be read.".to_string());
        }
    }
    let preview = info
        .as_ref()
        .filter(|i| i.mime.is_some() && i.bytes <= MAX_PREVIEW_BYTES)
        .and_then(|_| images::image_data_url(path).ok());
    ImageCheck {
        path: text(path),
        mime: info.as_ref().and_then(|i| i.mime).map(str::to_string),
        width: info.as_ref().and_then(|i| i.width),
        height: info.as_ref().and_then(|i| i.height),
        bytes,
        problems,
        preview,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_trimmed_request() {
        let form = GenerateForm {
            theme: Some("  ".into()),
            prompt: " neon rain ".into(),
            model: "m".into(),
            duration: "5s".into(),
            aspect_ratio: Some("16:9".into()),
            resolution: Some(String::new()),
            count: 0,
            ..Default::default()
        };
        let (request, count) = request(&form).expect("valid");
        assert_eq!(request.prompt, "neon rain");
        assert_eq!(request.theme, None);
        assert_eq!(request.resolution, None);
        assert_eq!(count, 1);
        let too_many = GenerateForm { count: 11, ..form };
        assert!(request_err(&too_many).contains("At most 10"));
    }

    fn request_err(form: &GenerateForm) -> String {
        match request(form) {
            Ok(_) => String::new(),
            Err(e) => e.message,
        }
    }

    #[test]
    fn a_missing_image_is_a_problem_in_words() {
        let check = image_check(Path::new("/nonexistent/frame.png"), None);
        assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
        assert!(check.problems[0].contains("frame.png"));
        assert_eq!(check.preview, None);
    }

    #[test]
    fn deprecation_dates_read_as_days() {
        assert_eq!(day("2026-09-24T00:00:00.000Z"), "2026-09-24");
        assert_eq!(day("soon"), "soon");
    }
}
