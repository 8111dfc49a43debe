//! Prompts: the chat request names every shot, the answer is checked before use, and the final
//! prompts keep the style and subject within the model's limit without cutting a word.

use super::fixtures::{five_and_ten, planned, quiet_then_loud};
use crate::{
    Error, ModelLimits, apply_prompts, compose_prompt, fallback_prompts, prompt_request,
    trim_to_words,
};

fn answer(n: usize) -> String {
    let shots: Vec<String> = (0..n)
        .rev()
        .map(|i| format!(r#"{{"index":{i},"prompt":"Shot {i} of the canal."}}"#))
        .collect();
    format!(r#"{{"shots":[{}]}}"#, shots.join(","))
}

#[test]
fn the_chat_request_describes_every_shot_and_asks_for_exactly_that_many() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    let n = board.shots.len();
    let parts = prompt_request(&board, "Venice at night", "35mm film, teal and orange", "");
    assert!(parts.user.contains("Theme: Venice at night"));
    assert!(
        parts
            .user
            .contains("Style (added to every prompt): 35mm film")
    );
    assert!(!parts.user.contains("Subject"), "no empty subject line");
    for i in 0..n {
        assert!(
            parts.user.contains(&format!("- shot {i}: ")),
            "shot {i} listed"
        );
    }
    assert!(
        parts.user.contains("0:30.0–0:34.0 (4.0 s), chorus, loud"),
        "{}",
        parts.user
    );
    assert!(parts.user.contains("the chorus begins"));
    assert!(parts.system.contains(&format!("exactly {n} entries")));
    let items = &parts.json_schema["schema"]["properties"]["shots"];
    assert_eq!(items["minItems"], n);
    assert_eq!(items["maxItems"], n);
    assert_eq!(
        items["items"]["required"],
        serde_json::json!(["index", "prompt"])
    );
    let format = serde_json::to_value(parts.response_format()).unwrap_or_default();
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "storyboard_prompts");
}

#[test]
fn a_good_answer_sets_every_prompt_with_style_and_subject() {
    let board = planned(&quiet_then_loud(), &five_and_ten())
        .set_prompt(2, "My own shot")
        .unwrap_or_else(|e| panic!("{e}"));
    let n = board.shots.len();
    let done = apply_prompts(&board, &answer(n), "Film grain.", "a woman in red", 2500)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        done.shots[0].prompt,
        "Shot 0 of the canal. Film grain. a woman in red"
    );
    assert_eq!(
        done.shots[n - 1].prompt,
        format!("Shot {} of the canal. Film grain. a woman in red", n - 1)
    );
    assert_eq!(
        done.shots[2].prompt, "My own shot",
        "the user's prompt stays"
    );

    let fenced = format!("```json\n{}\n```", answer(n));
    assert!(apply_prompts(&board, &fenced, "", "", 2500).is_ok());
}

#[test]
fn a_bad_answer_is_an_error_to_retry() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    let n = board.shots.len();
    let cases = [
        ("not json at all".to_owned(), "not the JSON"),
        (answer(n - 1), &*format!("{} prompts for {n} shots", n - 1)),
        (
            answer(n).replace(r#""index":0,"#, r#""index":1,"#),
            "out of range or repeated",
        ),
        (
            answer(n).replace("Shot 3 of the canal.", "  "),
            "shot 3 is empty",
        ),
        (r#"{"prompts":[]}"#.to_owned(), "not the JSON"),
    ];
    for (text, says) in cases {
        let err = apply_prompts(&board, &text, "", "", 2500).expect_err("bad answer");
        assert!(matches!(err, Error::BadPromptAnswer { .. }), "{err}");
        assert!(err.to_string().contains(says), "{err} should say {says}");
        assert!(err.to_string().contains("Ask again"));
    }
}

#[test]
fn composed_prompts_fit_the_limit_without_cutting_words() {
    let shot = "A slow glide along the Grand Canal past crumbling palazzi while lanterns sway";
    let style = "Shot on 35mm film";
    let subject = "a gondolier in a striped shirt";
    for limit in [40, 60, 75, 90, 200] {
        let p = compose_prompt(shot, style, subject, limit);
        assert!(p.chars().count() <= limit as usize, "{limit}: {p}");
        let all = format!("{shot}. {style}. {subject}");
        let words: Vec<&str> = all
            .split_whitespace()
            .map(|w| w.trim_end_matches('.'))
            .collect();
        for w in p.split_whitespace() {
            assert!(
                words.contains(&w.trim_end_matches('.')),
                "{limit}: cut word {w:?} in {p}"
            );
        }
        if limit >= 60 {
            assert!(
                p.ends_with(". Shot on 35mm film. a gondolier in a striped shirt"),
                "{p}"
            );
            assert!(p.starts_with("A slow"), "{p}");
        }
    }
    assert!(compose_prompt(shot, style, subject, 200).starts_with(shot));
    assert_eq!(trim_to_words("one two three", 9), "one two");
    assert_eq!(trim_to_words("one two three", 7), "one two");
    assert_eq!(trim_to_words("one, two", 6), "one");
    assert_eq!(trim_to_words("unbreakable", 4), "unbr");
}

#[test]
fn simple_prompts_need_no_chat_and_fit_the_model() {
    let model = ModelLimits::with_seconds(&[5, 10], 120);
    let board = planned(&quiet_then_loud(), &model)
        .set_prompt(0, "Mine")
        .unwrap_or_else(|e| panic!("{e}"));
    let done = fallback_prompts(&board, "Venice at night", "Watercolour", "a black cat");
    assert_eq!(done.shots[0].prompt, "Mine");
    for s in &done.shots[1..] {
        assert!(s.prompt.chars().count() <= 120, "{}", s.prompt);
        assert!(s.prompt.starts_with("Venice at night, "), "{}", s.prompt);
        assert!(s.prompt.contains(&s.section_label), "{}", s.prompt);
        assert!(
            s.prompt.ends_with("Watercolour. a black cat"),
            "{}",
            s.prompt
        );
    }
    let loud = done.shots.iter().find(|s| s.section_label == "chorus");
    let quiet = &done.shots[1];
    assert_ne!(loud.map(|s| &s.prompt), Some(&quiet.prompt));
}
