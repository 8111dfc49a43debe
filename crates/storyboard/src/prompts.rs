//! Prompts for the shots: the chat request that asks for exactly one prompt per shot (with a
//! JSON schema for the answer), the check of its answer, the composition of each final prompt
//! (`<shot prompt>. <style>. <subject>`, within the model's limit, never cutting a word), and
//! simple prompts made without the chat.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::board::Storyboard;
use crate::error::Error;

/// A chat request's parts: the caller adds the model and sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequestParts {
    pub system: String,
    pub user: String,
    /// `response_format.json_schema` (`{name, strict, schema}`) for an answer
    /// `{"shots":[{"index":int,"prompt":string}]}` with one entry per shot.
    pub json_schema: Value,
}

impl ChatRequestParts {
    /// The `response_format` that asks for an answer matching [`Self::json_schema`].
    pub fn response_format(&self) -> venice::ResponseFormat {
        venice::ResponseFormat::JsonSchema {
            json_schema: self.json_schema.clone(),
        }
    }

    /// The system and user messages.
    pub fn messages(&self) -> Vec<venice::ChatMessage> {
        vec![
            venice::ChatMessage::system(&self.system),
            venice::ChatMessage::user(&self.user),
        ]
    }
}

/// Characters left for a shot's own words once the style line and subject are added.
fn shot_budget(limit: u32, style: &str, subject: &str) -> usize {
    let tail = compose("", style, subject).chars().count();
    (limit as usize).saturating_sub(tail)
}

fn clock(t: f64) -> String {
    let t = t.max(0.0);
    let minutes = (t / 60.0).floor();
    format!("{}:{:04.1}", minutes as u64, t - minutes * 60.0)
}

fn loudness(energy: f64, board: &Storyboard) -> &'static str {
    if energy >= board.options.high_energy {
        "loud"
    } else if energy < board.options.quiet_energy {
        "quiet"
    } else {
        "medium"
    }
}

/// Where a shot sits in the song, in words.
fn place(board: &Storyboard, i: usize) -> String {
    let shot = &board.shots[i];
    let n = board.shots.len();
    let mut parts = Vec::new();
    if i == 0 {
        parts.push("the opening shot".to_owned());
    } else if i + 1 == n {
        parts.push("the final shot".to_owned());
    } else {
        let middle = (shot.start_s + shot.end_s) / 2.0 / board.song_duration_s.max(1e-9);
        parts.push(format!("{:.0} % into the song", middle * 100.0));
    }
    let first_of_section = i == 0 || board.shots[i - 1].section != shot.section;
    if first_of_section && i > 0 {
        parts.push(format!("the {} begins", shot.section_label));
    }
    parts.join(", ")
}

/// The chat request for one prompt per shot, from the theme, each shot's time range, section,
/// energy and place in the song. `style` and `subject` are added to every prompt afterwards, so
/// the chat is told to leave them out.
pub fn prompt_request(
    board: &Storyboard,
    theme: &str,
    style: &str,
    subject: &str,
) -> ChatRequestParts {
    let n = board.shots.len();
    let budget = shot_budget(board.limits.prompt_char_limit, style, subject);
    let system = format!(
        "You write the shot list of a music video made of AI-generated clips, one clip per shot. \
For every shot write one prompt for a text-to-video model: one to three sentences saying what \
is seen (subject, setting, action, camera movement, light), at most {budget} characters. \
Follow the music: quiet shots slow, wide and calm; loud shots close, fast and dynamic; mark a \
new section with a change of place or angle. Keep people, places and colours consistent from \
shot to shot so the video is one piece. Leave out the visual style and the subject \
description (they are added to every prompt), on-screen text, sound and music. Answer with \
JSON only: {{\"shots\":[{{\"index\":0,\"prompt\":\"...\"}}]}} with exactly {n} entries, \
indexes 0 to {last}, one per shot.",
        last = n.saturating_sub(1)
    );
    let mut user = format!("Theme: {}\n", theme.trim());
    if !style.trim().is_empty() {
        user.push_str(&format!(
            "Style (added to every prompt): {}\n",
            style.trim()
        ));
    }
    if !subject.trim().is_empty() {
        user.push_str(&format!(
            "Subject (added to every prompt): {}\n",
            subject.trim()
        ));
    }
    user.push_str(&format!(
        "The song is {} long; {n} shots:\n",
        clock(board.song_duration_s)
    ));
    for (i, shot) in board.shots.iter().enumerate() {
        user.push_str(&format!(
            "- shot {i}: {}–{} ({:.1} s), {}, {} (energy {:.2}), {}",
            clock(shot.start_s),
            clock(shot.end_s),
            shot.length_s(),
            shot.section_label,
            loudness(shot.energy, board),
            shot.energy,
            place(board, i),
        ));
        if shot.edited && !shot.prompt.trim().is_empty() {
            user.push_str(&format!(
                "; the user wrote this shot's prompt (keep it in mind; yours is not used): \"{}\"",
                shot.prompt.trim()
            ));
        }
        user.push('\n');
    }
    user.push_str(&format!("Write exactly {n} prompts, one per shot."));
    let json_schema = json!({
        "name": "storyboard_prompts",
        "strict": true,
        "schema": {
            "type": "object",
            "properties": {
                "shots": {
                    "type": "array",
                    "minItems": n,
                    "maxItems": n,
                    "items": {
                        "type": "object",
                        "properties": {
                            "index": {"type": "integer", "minimum": 0, "maximum": n.saturating_sub(1)},
                            "prompt": {"type": "string", "minLength": 1}
                        },
                        "required": ["index", "prompt"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["shots"],
            "additionalProperties": false
        }
    });
    ChatRequestParts {
        system,
        user,
        json_schema,
    }
}

#[derive(Deserialize)]
struct Answer {
    shots: Vec<AnswerShot>,
}

#[derive(Deserialize)]
struct AnswerShot {
    index: usize,
    prompt: String,
}

/// The JSON inside a ```json fence, or the text as it is.
fn unfence(text: &str) -> &str {
    let t = text.trim();
    let Some(inner) = t.strip_prefix("```") else {
        return t;
    };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.strip_suffix("```").unwrap_or(inner).trim()
}

/// Checks the chat's answer (JSON, one non-empty prompt per shot, indexes 0..n each once) and
/// sets each shot's prompt to `<its prompt>. <style>. <subject>` within `char_limit`
/// characters. Shots the user edited keep their prompt. A bad answer is
/// [`Error::BadPromptAnswer`]: ask once more.
pub fn apply_prompts(
    board: &Storyboard,
    answer_json: &str,
    style: &str,
    subject: &str,
    char_limit: u32,
) -> Result<Storyboard, Error> {
    let bad = |reason: String| Error::BadPromptAnswer { reason };
    let answer: Answer = serde_json::from_str(unfence(answer_json))
        .map_err(|e| bad(format!("the answer is not the JSON asked for ({e})")))?;
    let n = board.shots.len();
    if answer.shots.len() != n {
        return Err(bad(format!(
            "it gave {} prompts for {n} shots",
            answer.shots.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut prompts = vec![String::new(); n];
    for a in answer.shots {
        if a.index >= n || !seen.insert(a.index) {
            return Err(bad(format!(
                "shot index {} is out of range or repeated (shots are 0 to {})",
                a.index,
                n.saturating_sub(1)
            )));
        }
        if a.prompt.trim().is_empty() {
            return Err(bad(format!("the prompt for shot {} is empty", a.index)));
        }
        prompts[a.index] = a.prompt;
    }
    let mut out = board.clone();
    for (shot, prompt) in out.shots.iter_mut().zip(prompts) {
        if !shot.edited {
            shot.prompt = compose_prompt(&prompt, style, subject, char_limit);
        }
    }
    Ok(out)
}

/// Parts joined as sentences: trimmed, empty ones left out, no doubled full stops.
fn compose(shot: &str, style: &str, subject: &str) -> String {
    [shot, style, subject]
        .iter()
        .map(|p| p.trim().trim_end_matches('.').trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(". ")
}

/// `<shot>. <style>. <subject>` in at most `limit` characters: the shot's words are shortened
/// first (at a word boundary) so the style and subject stay whole; only when those alone do not
/// fit is the whole cut, again at a word boundary.
pub fn compose_prompt(shot: &str, style: &str, subject: &str, limit: u32) -> String {
    let whole = compose(shot, style, subject);
    if whole.chars().count() <= limit as usize {
        return whole;
    }
    let budget = shot_budget(limit, style, subject);
    let shot_words = trim_to_words(shot.trim(), budget.saturating_sub(2));
    if !shot_words.is_empty() && budget > 2 {
        let composed = compose(&shot_words, style, subject);
        if composed.chars().count() <= limit as usize {
            return composed;
        }
    }
    trim_to_words(&whole, limit as usize)
}

/// The longest start of `text` of at most `limit` characters that ends at a word boundary
/// (trailing commas and the like dropped); a single word longer than `limit` is cut.
pub fn trim_to_words(text: &str, limit: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let cut: String = text.chars().take(limit).collect();
    let next_is_space = text.chars().nth(limit).is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        cut.as_str()
    } else {
        match cut.rfind(char::is_whitespace) {
            Some(at) => &cut[..at],
            None => cut.as_str(),
        }
    };
    kept.trim_end()
        .trim_end_matches([',', ';', ':', '-', '–', '—'])
        .trim_end()
        .to_owned()
}

const QUIET: [&str; 3] = [
    "a calm, wide establishing view, the camera drifting slowly",
    "a still, atmospheric moment in soft light, slow push in",
    "a lingering wide shot, gentle movement",
];
const MID: [&str; 3] = [
    "a steady tracking shot following the action",
    "a medium shot with a smooth camera move",
    "a walking pace glide through the scene",
];
const LOUD: [&str; 3] = [
    "fast, close and dynamic, quick camera motion",
    "an energetic handheld rush, bright flashes of light",
    "a sweeping fast orbit around the action",
];

/// Simple prompts from the theme and each shot's section, without the chat (offline, demo):
/// `<theme>, <section> scene: <camera and pace for its energy>. <style>. <subject>`, within
/// the model's limit. Shots the user edited keep their prompt.
pub fn fallback_prompts(board: &Storyboard, theme: &str, style: &str, subject: &str) -> Storyboard {
    let mut out = board.clone();
    let limit = board.limits.prompt_char_limit;
    let theme = theme.trim();
    for (i, shot) in out.shots.iter_mut().enumerate() {
        if shot.edited {
            continue;
        }
        let pool = if shot.energy >= board.options.high_energy {
            &LOUD
        } else if shot.energy < board.options.quiet_energy {
            &QUIET
        } else {
            &MID
        };
        let scene = pool[i % pool.len()];
        let lead = if theme.is_empty() {
            format!("{} scene: {scene}", shot.section_label)
        } else {
            format!("{theme}, {} scene: {scene}", shot.section_label)
        };
        shot.prompt = compose_prompt(&lead, style, subject, limit);
    }
    out
}
