//! What the music-video screen says and offers, as pure functions tested natively: a shot's
//! time range and badge, the beats the cut and split buttons use, the money bar's texts, the
//! project list's states and delete warning, whether settings are complete, and which dropped
//! files are songs.

use crate::form::allowed;
use studio_api::{
    DeletedProjectView, ImageCheck, JobStateView, ModelKind, ModelOption, PriceView,
    ProjectQuoteView, ProjectSettingsView, ProjectSummary, ProjectView, ShotStateView, ShotView,
};

use super::Load;
use crate::format;

/// Selects `model` for project settings, keeping only values it allows.
pub fn apply_model(settings: &mut ProjectSettingsView, model: &ModelOption) {
    settings.model = model.id.clone();
    settings.aspect_ratio = allowed(
        settings.aspect_ratio.as_deref(),
        &model.aspect_ratios,
        "16:9",
    );
    settings.resolution = allowed(settings.resolution.as_deref(), &model.resolutions, "720p");
    if model.kind != ModelKind::ImageToVideo {
        settings.continuity = false;
    }
}

/// What is wrong with a project's settings, in words, or `None`.
pub fn settings_problem(
    settings: &ProjectSettingsView,
    model: Option<&ModelOption>,
    reference: Option<&Load<ImageCheck>>,
) -> Option<String> {
    if settings.theme.trim().is_empty() {
        return Some("Write a theme: what the video is about.".into());
    }
    let Some(model) = model else {
        return Some("Choose a video model.".into());
    };
    if model.offline {
        return Some(format!(
            "{} is offline at Venice right now: choose another model.",
            model.name
        ));
    }
    if model.kind == ModelKind::ImageToVideo && settings.reference_paths.is_empty() {
        return Some(format!(
            "{} makes video from an image: pick a reference image.",
            model.name
        ));
    }
    match reference {
        Some(Load::Loading) => return Some("Checking the reference image…".into()),
        Some(Load::Failed(e)) => {
            return Some(format!(
                "The reference image could not be checked: {}",
                e.message
            ));
        }
        Some(Load::Ready(c)) if !c.problems.is_empty() => {
            return Some(format!(
                "The reference image can't be used: {}",
                c.problems.join("; ")
            ));
        }
        _ => {}
    }
    if settings
        .budget_usd
        .is_some_and(|b| !(b.is_finite() && b > 0.0))
    {
        return Some("The budget must be more than $0 (or left empty).".into());
    }
    None
}

/// The budget field's value: empty is no budget; what is not a number stays as NaN (refused by
/// [`settings_problem`]).
pub fn parse_budget(raw: &str) -> Option<f64> {
    match raw.trim() {
        "" => None,
        t => Some(t.parse().unwrap_or(f64::NAN)),
    }
}

/// What the budget field shows: the text typed while it still means the budget, else the
/// budget itself.
pub fn budget_text(typed: Option<&str>, budget_usd: Option<f64>) -> String {
    let same = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        (None, None) => true,
        _ => false,
    };
    match typed {
        Some(t) if same(parse_budget(t), budget_usd) => t.to_string(),
        _ => budget_usd
            .filter(|b| b.is_finite())
            .map(|b| b.to_string())
            .unwrap_or_default(),
    }
}

/// A point in the song: `0:16.0`, `1:15.3`.
pub fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (m, rest) = (tenths / 600, tenths % 600);
    format!("{m}:{:02}.{}", rest / 10, rest % 10)
}

/// A shot's span: `0:16.0 – 0:20.0`.
pub fn time_range(start_s: f64, end_s: f64) -> String {
    format!("{} – {}", clock(start_s), clock(end_s))
}

const EPS: f64 = 1e-3;

/// The first beat after `t` and before `limit`.
pub fn next_beat(beats: &[f64], t: f64, limit: f64) -> Option<f64> {
    beats
        .iter()
        .copied()
        .filter(|&b| b > t + EPS && b < limit - EPS)
        .min_by(f64::total_cmp)
}

/// The last beat before `t` and after `floor`.
pub fn previous_beat(beats: &[f64], t: f64, floor: f64) -> Option<f64> {
    beats
        .iter()
        .copied()
        .filter(|&b| b < t - EPS && b > floor + EPS)
        .max_by(f64::total_cmp)
}

/// Where Split cuts a shot: the beat inside it nearest its middle.
pub fn split_point(beats: &[f64], start_s: f64, end_s: f64) -> Option<f64> {
    let mid = (start_s + end_s) / 2.0;
    beats
        .iter()
        .copied()
        .filter(|&b| b > start_s + EPS && b < end_s - EPS)
        .min_by(|a, b| (a - mid).abs().total_cmp(&(b - mid).abs()))
}

/// Where shot `index`'s end cut moves with ◀ and ▶ (`None`: it cannot move that way; the last
/// shot ends with the song and has no cut).
pub fn cut_moves(shots: &[ShotView], beats: &[f64], index: usize) -> (Option<f64>, Option<f64>) {
    let (Some(shot), Some(next)) = (shots.get(index), shots.get(index + 1)) else {
        return (None, None);
    };
    (
        previous_beat(beats, shot.end_s, shot.start_s),
        next_beat(beats, shot.end_s, next.end_s),
    )
}

/// The shot has a clip the render can use.
pub fn has_clip(shot: &ShotView) -> bool {
    shot.state == ShotStateView::Ready
        || shot
            .versions
            .iter()
            .any(|v| v.state == JobStateView::Ready && v.video.is_some())
}

/// The clip a card shows: the chosen version's, else the newest ready one's.
pub fn shown_version(shot: &ShotView) -> Option<&studio_api::VersionView> {
    shot.chosen()
        .filter(|v| v.video.is_some())
        .or_else(|| shot.versions.iter().rev().find(|v| v.video.is_some()))
}

/// The shot's state as `data-state` and the CSS class use it.
pub fn shot_state_name(state: &ShotStateView) -> &'static str {
    match state {
        ShotStateView::Planned => "planned",
        ShotStateView::Generating { .. } => "generating",
        ShotStateView::Ready => "ready",
        ShotStateView::Failed { .. } => "failed",
        ShotStateView::OutcomeUnknown => "outcome_unknown",
    }
}

/// The card's badge: `planned`, `queued`, `generating 40 %`, `ready`, `failed: <reason>`.
pub fn shot_badge(shot: &ShotView) -> String {
    match &shot.state {
        ShotStateView::Planned => "planned".into(),
        ShotStateView::Generating { progress } => {
            let waiting = shot.versions.last().is_some_and(|v| {
                matches!(v.state, JobStateView::Submitting | JobStateView::Queued)
            });
            if waiting && *progress <= 0.0 {
                "queued".into()
            } else {
                format!("generating {} %", format::percent(*progress))
            }
        }
        ShotStateView::Ready => "ready".into(),
        ShotStateView::Failed { reason } => format!("failed: {reason}"),
        ShotStateView::OutcomeUnknown => "outcome unknown: settle it in the Clips queue".into(),
    }
}

/// The overall progress over the shots (0–1): ready shots count whole, generating ones by their
/// progress.
pub fn overall_progress(project: &ProjectView) -> f64 {
    if project.shots.is_empty() {
        return 0.0;
    }
    let done: f64 = project
        .shots
        .iter()
        .map(|s| match s.state {
            ShotStateView::Ready => 1.0,
            ShotStateView::Generating { progress } => progress.clamp(0.0, 1.0),
            _ if has_clip(s) => 1.0,
            _ => 0.0,
        })
        .sum();
    (done / project.shots.len() as f64).clamp(0.0, 1.0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "Shot 3 has" / "Shots 2, 5 and 6 have" (numbers from 1; long lists shortened).
pub(super) fn shot_list(numbers: &[usize]) -> String {
    let shown: Vec<String> = numbers.iter().take(6).map(|n| n.to_string()).collect();
    match numbers.len() {
        1 => format!("Shot {} has", shown[0]),
        n if n <= 6 => {
            let (last, rest) = shown.split_last().expect("at least two");
            format!("Shots {} and {last} have", rest.join(", "))
        }
        n => format!("Shots {} and {} more have", shown.join(", "), n - 6),
    }
}

/// The whole price: `$3.16 for 7 shots`.
pub fn whole_price_text(whole: &PriceView) -> String {
    format!(
        "{} for {}",
        format::usd(whole.usd),
        plural(whole.shots, "shot", "shots")
    )
}

/// Seconds paid for against seconds the render uses: `45 s generated for 41.5 s used`.
pub fn seconds_text(whole: &PriceView) -> String {
    let used = (whole.seconds_used * 10.0).round() / 10.0;
    format!("{} s generated for {used} s used", whole.seconds_generated)
}

/// What is spent and what may be: `$0.90 spent of a $5.00 budget`, `$0.90 spent (no budget)`.
pub fn spend_text(spent_usd: f64, budget_usd: Option<f64>) -> String {
    match budget_usd {
        Some(b) => format!(
            "{} spent of a {} budget",
            format::usd(spent_usd),
            format::usd(b)
        ),
        None => format!("{} spent · no project budget", format::usd(spent_usd)),
    }
}

/// The Generate all button: `Generate all · $3.16` (what is still to spend).
pub fn generate_all_label(quote: Option<&ProjectQuoteView>) -> String {
    match quote {
        Some(q) if q.to_spend.shots > 0 => {
            format!("Generate all · {}", format::usd(q.to_spend.usd))
        }
        _ => "Generate all".into(),
    }
}

/// A card's Regenerate button: `Regenerate · $0.45` (`Generate` before the first version).
pub fn regenerate_label(shot: &ShotView, quote: Option<&ProjectQuoteView>) -> String {
    let verb = if shot.versions.is_empty() {
        "Generate"
    } else {
        "Regenerate"
    };
    match quote.and_then(|q| q.shot_usd.get(shot.index)) {
        Some(usd) => format!("{verb} · {}", format::usd(*usd)),
        None => verb.into(),
    }
}

/// A project's state in the list: `(name, label)`.
pub fn summary_state(s: &ProjectSummary) -> (&'static str, &'static str) {
    if s.generating && !s.paused {
        ("generating", "generating")
    } else if s.paused && s.ready < s.shots {
        ("paused", "paused")
    } else if s.stopped.is_some() && s.ready < s.shots {
        ("stopped", "stopped")
    } else if s.renders > 0 {
        ("rendered", "rendered")
    } else if s.shots > 0 && s.ready == s.shots {
        ("ready", "ready to render")
    } else {
        ("planned", "planned")
    }
}

/// What Delete's confirm step says goes and what stays.
pub fn delete_warning(s: &ProjectSummary) -> String {
    let renders = match s.renders {
        0 => "Deletes the project (it has no rendered video)".to_string(),
        1 => "Deletes the project and its rendered video".to_string(),
        n => format!("Deletes the project and its {n} rendered videos"),
    };
    let clips = match s.ready {
        0 => "; any clips paid for stay in your library.".to_string(),
        1 => "; the 1 paid clip stays in your library.".to_string(),
        n => format!("; the {n} paid clips stay in your library."),
    };
    format!("{renders}{clips}")
}

/// What the list says after a delete (the shell's account).
pub fn deleted_notice(gone: &DeletedProjectView) -> String {
    format!(
        "Deleted “{}”: {} removed; {} kept in your library.",
        gone.name,
        plural(gone.renders_removed, "rendered video", "rendered videos"),
        plural(gone.clips_kept, "paid clip", "paid clips"),
    )
}

/// Audio files the studio can import (by extension).
pub const AUDIO_EXTENSIONS: [&str; 7] = ["mp3", "wav", "flac", "ogg", "m4a", "aac", "opus"];

/// The file's last path part (either slash).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether a dropped file looks like a song the studio can read.
pub fn is_audio(path: &str) -> bool {
    file_name(path)
        .rsplit_once('.')
        .is_some_and(|(_, ext)| AUDIO_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// The message for a dropped file that is no song.
pub fn not_audio_message(path: &str) -> String {
    format!(
        "“{}” is not an audio file the studio can read: drop an MP3, WAV, FLAC, OGG, M4A, AAC or Opus file.",
        file_name(path)
    )
}
