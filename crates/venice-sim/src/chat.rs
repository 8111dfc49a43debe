//! `/chat/completions`: a deterministic, video-prompt-like reply built from the last user message
//! (or JSON for a `response_format`, see [`crate::structured`]).

use serde_json::{Value, json};

use crate::structured::Format;

/// The theme inside the user's message: the first "quoted" part if there is one, else the whole text.
pub(crate) fn theme_of(user_text: &str) -> String {
    let quoted = ['"', '“', '”', '«', '»']
        .iter()
        .find_map(|&open| {
            let start = user_text.find(open)? + open.len_utf8();
            let rest = &user_text[start..];
            let end = rest.find(['"', '”', '»'])?;
            Some(rest[..end].trim().to_owned())
        })
        .filter(|t| !t.is_empty());
    let theme = quoted.unwrap_or_else(|| {
        user_text
            .split_whitespace()
            .take(40)
            .collect::<Vec<_>>()
            .join(" ")
    });
    if theme.is_empty() {
        "an untitled song".to_owned()
    } else {
        theme
    }
}

/// The text of the last `user` message (string content or the text parts of an array).
pub(crate) fn last_user_text(messages: &[Value]) -> String {
    messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .and_then(|m| m.get("content"))
        .map(|c| match c {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        })
        .unwrap_or_default()
}

/// The reply text and whether it was cut short by `max_tokens` (≈ one token per word).
pub(crate) fn reply_text(user_text: &str, max_tokens: Option<u64>) -> (String, bool) {
    let theme = theme_of(user_text);
    let full = format!(
        "Cinematic music video shot inspired by \"{theme}\": a slow dolly-in through a dreamlike scene that \
         embodies {theme}, moody volumetric light, rich teal and amber color grading, gentle camera sway \
         on the beat, shallow depth of field, 35mm film grain, smooth motion, no text, no logos."
    );
    let words: Vec<&str> = full.split_whitespace().collect();
    match max_tokens {
        Some(max) if (words.len() as u64) > max => {
            let keep = usize::try_from(max.max(1)).unwrap_or(usize::MAX);
            (words[..keep.min(words.len())].join(" "), true)
        }
        _ => (full, false),
    }
}

/// Rough token count (~4 characters per token).
pub(crate) fn approx_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4).max(1)
}

/// The whole OpenAI-shaped response body.
pub(crate) fn completion(
    model: &str,
    model_spec: Option<&Value>,
    messages: &[Value],
    max_tokens: Option<u64>,
    format: &Format,
) -> Value {
    let user = last_user_text(messages);
    let (content, cut, completion_tokens) =
        match crate::structured::content(format, &user, &reply_text(&user, None).0) {
            // JSON is cut at max_tokens (~4 characters each) like any other answer.
            Some(json) => {
                let tokens = approx_tokens(&json);
                match max_tokens {
                    Some(max) if tokens > max => {
                        let keep = usize::try_from(max.saturating_mul(4)).unwrap_or(usize::MAX);
                        (json.chars().take(keep).collect(), true, max)
                    }
                    _ => (json, false, tokens),
                }
            }
            None => {
                let (text, cut) = reply_text(&user, max_tokens);
                let words = text.split_whitespace().count() as u64;
                (text, cut, words)
            }
        };
    let prompt_chars: String = messages
        .iter()
        .filter_map(|m| m.get("content"))
        .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
        .collect();
    let prompt_tokens = approx_tokens(&prompt_chars);
    let price = |kind: &str| {
        model_spec
            .and_then(|m| {
                m.get("model_spec")?
                    .get("pricing")?
                    .get(kind)?
                    .get("usd")?
                    .as_f64()
            })
            .unwrap_or(1.0)
    };
    let usd = (prompt_tokens as f64 * price("input") + completion_tokens as f64 * price("output"))
        / 1_000_000.0;
    let usd = (usd * 1e8).round() / 1e8;
    let id = format!("chatcmpl-{}", uuid::Uuid::new_v4().simple());
    let created = crate::ratelimit::unix_secs(std::time::SystemTime::now());
    json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "reasoning_content": null, "tool_calls": []},
            "finish_reason": if cut { "length" } else { "stop" },
            "logprobs": null,
            "stop_reason": null
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": null,
            "completion_tokens_details": null
        },
        "cost": {"usd": usd, "diem": 0},
        "prompt_logprobs": null
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_theme_is_used() {
        let (t, cut) = reply_text(
            "Write a video prompt for the theme \"neon rain over Venice\".",
            None,
        );
        assert!(t.contains("neon rain over Venice"));
        assert!(!cut);
        let (short, cut) = reply_text("theme: \"x\"", Some(5));
        assert!(cut);
        assert_eq!(short.split_whitespace().count(), 5);
    }

    #[test]
    fn unquoted_and_parts() {
        let msgs = vec![
            json!({"role": "system", "content": "You write prompts."}),
            json!({"role": "user", "content": [{"type": "text", "text": "lonely lighthouse"}]}),
        ];
        assert_eq!(theme_of(&last_user_text(&msgs)), "lonely lighthouse");
    }
}
