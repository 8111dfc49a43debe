//! JSON answers for `/chat/completions` with a `response_format`: the storyboard's shot prompts
//! (`{"shots":[{"index","prompt"}]}`), an instance of any other `json_schema`, or `{...}` for `json_object`.
//!
//! The shots are read from the user message: every line naming a shot (`Shot 3`, `shot #3`,
//! `index 3`, `"index": 3`, or a line starting `3.`/`3)`/`3:`) is one shot, in order, and its
//! text (section label, energy) flavours the prompt. Failing that, the count comes from the
//! schema's `minItems`, else `N shots` in the text, else 1 (indexes from 1). The theme is a
//! `Theme:` line if there is one, else what [`crate::chat::theme_of`] finds.

use serde_json::{Map, Value, json};

/// What the request asked the answer to look like.
#[derive(Debug, PartialEq)]
pub(crate) enum Format {
    /// Plain text (no `response_format`, or `text`).
    Text,
    /// `{"type":"json_object"}`.
    JsonObject,
    /// `{"type":"json_schema","json_schema":{...}}`: the schema (OpenAI's `{name, schema}` form
    /// or Venice's documented bare schema).
    JsonSchema(Value),
}

/// The request body's `response_format`.
pub(crate) fn format_of(body: Option<&Value>) -> Format {
    let Some(rf) = body.and_then(|b| b.get("response_format")) else {
        return Format::Text;
    };
    match rf.get("type").and_then(Value::as_str) {
        Some("json_object") => Format::JsonObject,
        Some("json_schema") => {
            let js = rf.get("json_schema").cloned().unwrap_or(Value::Null);
            let schema = js.get("schema").cloned().unwrap_or(js);
            Format::JsonSchema(schema)
        }
        _ => Format::Text,
    }
}

/// Whether the request asks for a JSON answer.
pub(crate) fn asks_json(body: Option<&Value>) -> bool {
    format_of(body) != Format::Text
}

/// The JSON text answering `format`; `None` for plain text. `plain` is the text answer.
pub(crate) fn content(format: &Format, user_text: &str, plain: &str) -> Option<String> {
    let value = match format {
        Format::Text => return None,
        Format::JsonObject => json!({ "prompt": plain }),
        Format::JsonSchema(schema) if shots_schema(schema) => shots_answer(schema, user_text),
        Format::JsonSchema(schema) => instance(schema, plain, 0),
    };
    Some(value.to_string())
}

/// An object schema with a `shots` array (of objects with `prompt`, when items are described).
fn shots_schema(schema: &Value) -> bool {
    let Some(shots) = schema.get("properties").and_then(|p| p.get("shots")) else {
        return false;
    };
    let item_props = shots.get("items").and_then(|i| i.get("properties"));
    item_props.is_none_or(|p| p.get("prompt").is_some())
}

/// One storyboard shot as the user message describes it.
#[derive(Debug, PartialEq)]
struct ShotLine {
    index: i64,
    text: String,
}

/// `{"shots":[{"index", "prompt"}, ...]}`, one per shot in the user message.
fn shots_answer(schema: &Value, user_text: &str) -> Value {
    let theme = theme(user_text);
    let mut shots = shot_lines(user_text);
    if shots.is_empty() {
        let min_items = schema
            .pointer("/properties/shots/minItems")
            .and_then(Value::as_u64);
        let n = min_items.or_else(|| count_in_text(user_text)).unwrap_or(1);
        shots = (1..=n.min(500) as i64)
            .map(|index| ShotLine {
                index,
                text: String::new(),
            })
            .collect();
    }
    let total = shots.len();
    let list: Vec<Value> = shots
        .iter()
        .enumerate()
        .map(
            |(i, shot)| json!({"index": shot.index, "prompt": shot_prompt(&theme, shot, i, total)}),
        )
        .collect();
    json!({ "shots": list })
}

const FRAMING: [&str; 6] = [
    "wide establishing shot",
    "slow push-in close-up",
    "low-angle tracking shot",
    "overhead drone shot",
    "handheld medium shot",
    "silhouette against the light",
];
const LIGHT: [&str; 5] = [
    "neon reflections on wet surfaces",
    "golden backlight and drifting haze",
    "cold blue moonlight",
    "flickering practical lights",
    "soft pastel dawn light",
];

/// One varied prompt: theme, framing, the section's mood, light.
fn shot_prompt(theme: &str, shot: &ShotLine, position: usize, total: usize) -> String {
    let lower = shot.text.to_lowercase();
    let section = [
        "intro",
        "pre-chorus",
        "chorus",
        "verse",
        "bridge",
        "drop",
        "breakdown",
        "build",
        "outro",
        "hook",
        "solo",
    ]
    .into_iter()
    .find(|s| lower.contains(s));
    let energy = energy_of(&lower);
    let pace = match (energy, section) {
        (Some(e), _) if e >= 0.66 => "fast energetic motion cut on the beat",
        (Some(e), _) if e < 0.33 => "calm, slow lingering motion",
        (_, Some("chorus" | "drop" | "hook")) => "fast energetic motion cut on the beat",
        (_, Some("intro" | "outro" | "breakdown")) => "calm, slow lingering motion",
        _ => "steady flowing motion",
    };
    let moment = match section {
        Some(s) => format!("the {s}"),
        None if position == 0 => "the opening".to_owned(),
        None if position + 1 == total => "the finale".to_owned(),
        None => format!("moment {} of {total}", position + 1),
    };
    let salt = position + theme.len();
    format!(
        "Shot {}: {theme}, {}, {pace} for {moment}, {}, cinematic, no text.",
        // Counted from 1, as the app and the CLI number shots (the clip's caption shows it).
        shot.index + 1,
        FRAMING[salt % FRAMING.len()],
        LIGHT[(salt / 2 + position) % LIGHT.len()],
    )
}

/// `energy 0.8`, `energy: 0.8`, `energy=0.8`, `"energy": 0.8`.
fn energy_of(lower: &str) -> Option<f64> {
    let at = lower.find("energy")? + "energy".len();
    let rest = lower[at..].trim_start_matches(['"', ':', '=', ' ']);
    let num: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse().ok()
}

/// The theme: a `Theme:` line, else the quoted or leading text.
fn theme(user_text: &str) -> String {
    let from_line = user_text.lines().find_map(|line| {
        let l = line.trim().trim_start_matches(['-', '*', ' ']);
        l.get(..6).filter(|p| p.eq_ignore_ascii_case("theme:"))?;
        let t = l[6..].trim().trim_matches(['"', '“', '”', '\'']).trim();
        (!t.is_empty()).then(|| t.to_owned())
    });
    from_line.unwrap_or_else(|| crate::chat::theme_of(user_text))
}

/// The shots listed in the text: a JSON array of objects with `index`, else one per line.
fn shot_lines(text: &str) -> Vec<ShotLine> {
    if let Some(list) = json_list(text) {
        return list;
    }
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .filter_map(|line| {
            let index = line_index(line)?;
            seen.insert(index).then(|| ShotLine {
                index,
                text: line.to_owned(),
            })
        })
        .collect()
}

/// The first `[...]` in the text that parses as a list of objects with an integer `index`.
fn json_list(text: &str) -> Option<Vec<ShotLine>> {
    text.match_indices('[').find_map(|(at, _)| {
        let mut stream = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Value>();
        let Some(Ok(Value::Array(items))) = stream.next() else {
            return None;
        };
        let shots: Vec<ShotLine> = items
            .iter()
            .filter_map(|item| {
                Some(ShotLine {
                    index: item.get("index")?.as_i64()?,
                    text: item.to_string(),
                })
            })
            .collect();
        (!shots.is_empty() && shots.len() == items.len()).then_some(shots)
    })
}

/// The shot index a line names, if it names one.
fn line_index(line: &str) -> Option<i64> {
    let lower = line.trim().to_lowercase();
    for key in ["shot", "\"index\"", "index"] {
        let mut rest = lower.as_str();
        while let Some(at) = rest.find(key) {
            let after = &rest[at + key.len()..];
            rest = after;
            if after.starts_with(char::is_alphabetic) {
                continue;
            }
            let digits: String = after
                .trim_start_matches([' ', '#', ':', '='])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
        }
    }
    // "3. ...", "3) ...", "3: ..."
    let digits: String = lower.chars().take_while(char::is_ascii_digit).collect();
    let after = lower[digits.len()..].chars().next();
    match (digits.parse().ok(), after) {
        (Some(n), Some('.' | ')' | ':')) => Some(n),
        _ => None,
    }
}

/// `12 shots` in the text.
fn count_in_text(text: &str) -> Option<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        w[1].to_lowercase()
            .starts_with("shots")
            .then(|| w[0].parse().ok())
            .flatten()
    })
}

/// A value valid for a (simple) JSON schema: required and listed properties filled by type.
fn instance(schema: &Value, text: &str, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(v) = schema.get("const") {
        return v.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return instance(first, text, depth + 1);
        }
    }
    let kind = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().find_map(Value::as_str).unwrap_or("null"),
        Some(Value::String(t)) => t.as_str(),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    out.insert(name.clone(), instance(sub, text, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => {
            let n = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .min(50);
            let item = schema
                .get("items")
                .cloned()
                .unwrap_or(json!({"type": "string"}));
            Value::Array((0..n).map(|_| instance(&item, text, depth + 1)).collect())
        }
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "required": ["shots"], "properties": {"shots": {"type": "array",
            "items": {"type": "object", "required": ["index", "prompt"],
                      "properties": {"index": {"type": "integer"}, "prompt": {"type": "string"}}}}}})
    }

    #[test]
    fn formats_are_read_in_both_shapes() {
        let openai = json!({"response_format": {"type": "json_schema",
            "json_schema": {"name": "storyboard", "strict": true, "schema": schema()}}});
        assert_eq!(format_of(Some(&openai)), Format::JsonSchema(schema()));
        let venice = json!({"response_format": {"type": "json_schema", "json_schema": schema()}});
        assert_eq!(format_of(Some(&venice)), Format::JsonSchema(schema()));
        let obj = json!({"response_format": {"type": "json_object"}});
        assert_eq!(format_of(Some(&obj)), Format::JsonObject);
        assert_eq!(format_of(Some(&json!({}))), Format::Text);
        assert!(shots_schema(&schema()));
        assert!(!shots_schema(
            &json!({"properties": {"name": {"type": "string"}}})
        ));
    }

    #[test]
    fn shot_lines_in_many_spellings() {
        let text = "Theme: \"Cyberpunk neon city\"\nStyle: grainy\nShots:\n\
                    Shot 0 (0.0-8.0 s, intro, energy 0.2)\n- shot #1: verse, energy=0.5\n\
                    index 2 chorus energy: 0.9\n3. outro\nShot 3 again\n";
        let lines = shot_lines(text);
        let idx: Vec<i64> = lines.iter().map(|l| l.index).collect();
        assert_eq!(idx, [0, 1, 2, 3]);
        assert_eq!(theme(text), "Cyberpunk neon city");
        let answer = shots_answer(&schema(), text);
        let shots = answer["shots"].as_array().unwrap();
        assert_eq!(shots.len(), 4);
        assert!(shots[0]["prompt"].as_str().unwrap().contains("calm"));
        assert!(shots[2]["prompt"].as_str().unwrap().contains("energetic"));
        for s in shots {
            let p = s["prompt"].as_str().unwrap();
            assert!(p.contains("Cyberpunk neon city") && p.len() < 400, "{p}");
        }
        let distinct: std::collections::HashSet<_> =
            shots.iter().map(|s| s["prompt"].to_string()).collect();
        assert_eq!(distinct.len(), 4);
    }

    #[test]
    fn the_storyboard_planners_format() {
        // As crates/storyboard's prompt_request writes it.
        let text = "Theme: Cyberpunk neon city\nStyle (added to every prompt): 35mm film\n\
                    The song is 1:00.0 long; 3 shots:\n\
                    - shot 0: 0:00.0–0:16.0 (16.0 s), A, quiet (energy 0.21), the opening shot\n\
                    - shot 1: 0:16.0–0:32.0 (16.0 s), A, medium (energy 0.50), 40 % into the song\n\
                    - shot 2: 0:32.0–1:00.0 (28.0 s), B, loud (energy 0.95), the final shot, the B begins\n\
                    Write exactly 3 prompts, one per shot.";
        let s = json!({"properties": {"shots": {"type": "array", "minItems": 3, "maxItems": 3,
            "items": {"properties": {"index": {"type": "integer"}, "prompt": {"type": "string"}}}}}});
        let answer = shots_answer(&s, text);
        let shots = answer["shots"].as_array().unwrap();
        let idx: Vec<i64> = shots.iter().map(|s| s["index"].as_i64().unwrap()).collect();
        assert_eq!(idx, [0, 1, 2]);
        let p0 = shots[0]["prompt"].as_str().unwrap();
        assert!(
            p0.starts_with("Shot 1: Cyberpunk neon city,") && p0.contains("calm"),
            "{p0}"
        );
        assert!(shots[2]["prompt"].as_str().unwrap().contains("energetic"));
    }

    #[test]
    fn a_json_list_in_the_message_is_used() {
        let text = "Write prompts for \"rainy Venice\". Shots: [{\"index\": 4, \"section\": \"verse\"}, {\"index\": 5, \"section\": \"chorus\", \"energy\": 1.0}]";
        let answer = shots_answer(&schema(), text);
        assert_eq!(answer["shots"][0]["index"], 4);
        assert_eq!(answer["shots"][1]["index"], 5);
        assert!(
            answer["shots"][1]["prompt"]
                .as_str()
                .unwrap()
                .contains("rainy Venice")
        );
    }

    #[test]
    fn counts_without_indexes() {
        assert_eq!(count_in_text("please write 6 shots for it"), Some(6));
        let s = json!({"properties": {"shots": {"type": "array", "minItems": 3}}});
        assert_eq!(
            shots_answer(&s, "lonely lighthouse")["shots"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            shots_answer(&schema(), "lonely lighthouse")["shots"][0]["index"],
            1
        );
    }

    #[test]
    fn other_schemas_get_an_instance() {
        let s = json!({"type": "object", "properties": {"title": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "bpm": {"type": "integer", "minimum": 60}, "mood": {"enum": ["dark", "light"]}}});
        let v = instance(&s, "x", 0);
        assert_eq!(
            v,
            json!({"title": "x", "tags": ["x", "x"], "bpm": 60, "mood": "dark"})
        );
        let obj = content(&Format::JsonObject, "", "hello").unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&obj).unwrap(),
            json!({"prompt": "hello"})
        );
        assert_eq!(content(&Format::Text, "", "hello"), None);
    }
}
