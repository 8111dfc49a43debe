//! `/chat/completions` with a `response_format`: the storyboard's request for one prompt per shot
//! gets valid JSON for its schema, `Fault::InvalidJson` breaks exactly one such answer, and the
//! request log keeps a continuity frame's `data:` URL (whole in-process, shortened over HTTP).

#![allow(clippy::unwrap_used)]

mod common;

use common::{Harness, I2V, start};
use serde_json::{Value, json};
use venice_sim::{Endpoint, Fault};

const CHAT: &str = "zai-org-glm-5-1";

fn storyboard_request(shots: &[(i64, &str, f64)]) -> Value {
    let mut user = String::from(
        "Theme: \"Cyberpunk neon city\"\nStyle: 35mm film, teal and amber\n\
         Write one video prompt per shot below. Answer with JSON {\"shots\":[{\"index\",\"prompt\"}]}.\n",
    );
    for (index, section, energy) in shots {
        user.push_str(&format!(
            "Shot {index}: {section}, energy {energy:.2}, 4 bars\n"
        ));
    }
    json!({
        "model": CHAT,
        "messages": [
            {"role": "system", "content": "You write storyboards for music videos."},
            {"role": "user", "content": user}
        ],
        "response_format": {"type": "json_schema", "json_schema": {"name": "storyboard", "strict": true,
            "schema": {"type": "object", "required": ["shots"], "additionalProperties": false,
                "properties": {"shots": {"type": "array", "items": {"type": "object",
                    "required": ["index", "prompt"], "additionalProperties": false,
                    "properties": {"index": {"type": "integer"}, "prompt": {"type": "string"}}}}}}}},
        "max_tokens": 4000
    })
}

async fn content(h: &Harness, body: &Value) -> (String, Value) {
    let resp = h.post("/chat/completions", body).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    let text = v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    (text, v)
}

fn twelve_shots() -> Vec<(i64, &'static str, f64)> {
    (0..12)
        .map(|i| {
            let section = match i {
                0..=3 => "intro",
                4..=7 => "verse",
                _ => "chorus",
            };
            (i, section, f64::from(i as u8) / 11.0)
        })
        .collect()
}

#[tokio::test]
async fn the_storyboard_request_gets_one_valid_prompt_per_shot() {
    let h = start(0).await;
    let (text, whole) = content(&h, &storyboard_request(&twelve_shots())).await;
    assert_eq!(whole["choices"][0]["finish_reason"], "stop");
    let answer: Value = serde_json::from_str(&text).expect("the content is JSON");
    let shots = answer["shots"].as_array().unwrap();
    assert_eq!(answer.as_object().unwrap().len(), 1, "only `shots`");
    let indexes: Vec<i64> = shots.iter().map(|s| s["index"].as_i64().unwrap()).collect();
    assert_eq!(indexes, (0..12).collect::<Vec<_>>());
    let mut seen = std::collections::HashSet::new();
    for shot in shots {
        assert_eq!(
            shot.as_object().unwrap().len(),
            2,
            "only index and prompt: {shot}"
        );
        let prompt = shot["prompt"].as_str().unwrap();
        assert!(prompt.contains("Cyberpunk neon city"), "{prompt}");
        assert!(
            prompt.chars().count() <= 1000,
            "fits every model's prompt limit"
        );
        assert!(seen.insert(prompt.to_owned()), "prompts vary: {prompt}");
    }
    assert!(shots[0]["prompt"].as_str().unwrap().contains("calm"));
    assert!(shots[11]["prompt"].as_str().unwrap().contains("energetic"));
    assert!(whole["usage"]["completion_tokens"].as_u64().unwrap() > 100);
}

#[tokio::test]
async fn json_object_and_plain_requests() {
    let h = start(0).await;
    let body = json!({"model": CHAT, "response_format": {"type": "json_object"},
        "messages": [{"role": "user", "content": "Theme: \"paper boats\". One prompt as JSON."}]});
    let (text, _) = content(&h, &body).await;
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["prompt"].as_str().unwrap().contains("paper boats"));

    let plain = json!({"model": CHAT, "messages": [{"role": "user", "content": "paper boats"}]});
    let (text, _) = content(&h, &plain).await;
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "plain text stays text"
    );
}

#[tokio::test]
async fn invalid_json_fault_breaks_one_json_answer_only() {
    let h = start(0).await;
    h.sim.inject(Endpoint::ChatCompletions, Fault::InvalidJson);
    // A plain request first: it passes, the fault waits for a JSON one.
    let plain = json!({"model": CHAT, "messages": [{"role": "user", "content": "rain"}]});
    let (text, _) = content(&h, &plain).await;
    assert!(text.contains("rain"));
    assert_eq!(h.sim.pending_faults(Endpoint::ChatCompletions), 1);

    let request = storyboard_request(&twelve_shots()[..4]);
    let (broken, _) = content(&h, &request).await;
    assert!(serde_json::from_str::<Value>(&broken).is_err(), "{broken}");
    assert!(
        broken.contains("\"shots\""),
        "looks like an answer gone wrong"
    );
    assert_eq!(h.sim.pending_faults(Endpoint::ChatCompletions), 0);

    // The retry gets a good answer.
    let (good, _) = content(&h, &request).await;
    let v: Value = serde_json::from_str(&good).unwrap();
    assert_eq!(v["shots"].as_array().unwrap().len(), 4);

    // The control API takes it too.
    let ctl = format!("http://{}/_sim/faults", h.sim.addr());
    let resp = h
        .http
        .post(&ctl)
        .json(&json!({"endpoint": "chat_completions", "fault": {"kind": "invalid_json"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (broken, _) = content(&h, &request).await;
    assert!(serde_json::from_str::<Value>(&broken).is_err());
}

#[tokio::test]
async fn the_log_keeps_a_continuity_frame_and_the_control_api_shortens_it() {
    let h = start(0).await;
    let frame = format!("data:image/png;base64,{}", "iVBORw0KGgo".repeat(20_000));
    h.queue(
        I2V,
        json!({"image_url": frame, "prompt": "Shot 2: the same street"}),
    )
    .await;
    let queued = h.sim.queue_requests();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["image_url"].as_str(), Some(frame.as_str()));

    let ctl = format!("http://{}/_sim/requests", h.sim.addr());
    let short: Value = h.http.get(&ctl).send().await.unwrap().json().await.unwrap();
    let shown = short[0]["body"]["image_url"].as_str().unwrap();
    assert!(shown.starts_with("data:image/png;base64,iVBOR"), "{shown}");
    assert!(
        shown.contains(&format!("({} chars, sha256 ", frame.len())),
        "{shown}"
    );
    assert!(shown.len() < 200);
    assert_eq!(short[0]["body"]["prompt"], "Shot 2: the same street");
    let full: Value = h
        .http
        .get(format!("{ctl}?full=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(full[0]["body"]["image_url"].as_str(), Some(frame.as_str()));
}
