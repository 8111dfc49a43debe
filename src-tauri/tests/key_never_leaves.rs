//! The key goes in once (`set_key`) and never comes back out: with a recognisable fake key set
//! (live mode, against a local Venice test double that accepts only that key), every command is
//! called and neither any answer, any event of any name (the webview may listen to all of them),
//! nor any log line holds the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{I2V, T2V, TestApp, form, png};
use serde_json::json;
use studio_api::commands;
use tauri::Manager;
use venice_sim::{SimConfig, VeniceSim};

const KEY: &str = "sk-FAKE-KEY-recognisable-0123456789-wxyz";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_command_event_or_log_line_returns_the_key() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        // Tauri's `app::emit` spans name every event emitted (see the check at the end).
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::NEW)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber in this test binary");

    let sim = tauri::async_runtime::block_on(VeniceSim::start(SimConfig {
        api_key: Some(KEY.to_string()),
        job_duration: std::time::Duration::from_millis(500),
        ..SimConfig::default()
    }))
    .unwrap();
    let app = TestApp::with_base_url(false, Some(sim.base_url()));
    let mut answers = Vec::new();
    let mut call = |cmd: &str, args: serde_json::Value| {
        let answer = app.invoke(cmd, args);
        let text = match &answer {
            Ok(v) | Err(v) => v.to_string(),
        };
        answers.push(format!("{cmd}: {text}"));
        answer
    };

    let status = call(commands::SET_KEY, json!({"key": KEY})).unwrap();
    assert_eq!(status["last_four"], "wxyz");
    let mut settings = call(commands::GET_SETTINGS, json!({})).unwrap();
    settings["poll_interval_secs"] = json!(2);
    call(commands::SAVE_SETTINGS, json!({"settings": settings})).unwrap();
    call(commands::KEY_STATUS, json!({})).unwrap();
    // The double accepts only this key, so these prove the key reached Venice (and only there).
    call(commands::LIST_MODELS, json!({})).unwrap();
    call(commands::BALANCE, json!({})).unwrap();
    let prompt = call(
        commands::GENERATE_PROMPT,
        json!({"theme": "Cyberpunk neon city", "model": T2V}),
    )
    .unwrap();
    let prompt = prompt["prompt"].as_str().unwrap().to_string();
    call(commands::QUOTE, json!({"form": form(&prompt)})).unwrap();
    let jobs = call(commands::GENERATE, json!({"form": form(&prompt)})).unwrap();
    let id = jobs[0]["id"].as_str().unwrap().to_string();
    let ready = app.wait_settled(&id);
    assert_eq!(ready["state"], "ready", "{ready}");
    call(commands::LIST_JOBS, json!({})).unwrap();
    let image = app.path("frame.png");
    png(&image, 1280, 720);
    // Picked in the Open dialog (answered here: no window system), so the shell may read it.
    *app.app
        .state::<venice_studio_lib::folder_dialog::FolderDialogAnswer>()
        .0
        .lock()
        .unwrap() = Some(image.clone());
    call(commands::PICK_IMAGE, json!({"model": I2V})).unwrap();
    call(
        commands::CHECK_IMAGE,
        json!({"path": image.to_str().unwrap(), "model": I2V}),
    )
    .unwrap();
    // The folder dialog answers "cancelled" here (no window system); a drag of no library file
    // is refused before any window is touched.
    call(commands::PICK_MEDIA_DIR, json!({})).unwrap();
    let _ = call(commands::DRAG_VIDEO, json!({"id": "no-such-job"}));
    let settings = call(commands::GET_SETTINGS, json!({})).unwrap();
    call(commands::SAVE_SETTINGS, json!({"settings": settings})).unwrap();
    let _ = call(commands::DISMISS_JOB, json!({"id": id}));
    let _ = call(commands::FETCH_AGAIN, json!({"id": id}));
    // The dialogs are not opened here (no window system); their argument errors are answers too.
    let _ = call(commands::PICK_IMAGE, json!({}));
    let _ = call(commands::SAVE_VIDEO_DIALOG, json!({}));
    let _ = call(commands::REVEAL_VIDEO, json!({"id": "no-such-job"}));
    call(commands::DELETE_VIDEO, json!({"id": id})).unwrap();
    // A music video, every command of it, with the live key.
    assert!(call(commands::PICK_SONG, json!({})).unwrap().is_null(), "cancelled");
    let song_path = call(commands::DEMO_SONG, json!({})).unwrap();
    let song = call(commands::IMPORT_SONG, json!({"path": song_path})).unwrap();
    let mut project_settings = json!({
        "theme": "Cyberpunk neon city", "style": "", "subject": "", "reference_paths": [],
        "model": T2V, "aspect_ratio": "16:9", "resolution": null, "continuity": false,
        "budget_usd": null
    });
    let project = call(
        commands::NEW_PROJECT,
        json!({"form": {"song_path": song["path"], "name": null, "settings": project_settings}}),
    )
    .unwrap();
    let pid = project["id"].as_str().unwrap().to_string();
    call(commands::LIST_PROJECTS, json!({})).unwrap();
    call(commands::QUOTE_PROJECT, json!({"id": pid})).unwrap();
    call(
        commands::EDIT_STORYBOARD,
        json!({"id": pid, "edit": {"edit": "prompt", "shot": 0, "text": "A runner"}}),
    )
    .unwrap();
    call(
        commands::EDIT_SONG,
        json!({"id": pid, "edit": {"edit": "label_section", "at_s": 16.0, "label": "verse"}}),
    )
    .unwrap();
    project_settings["style"] = json!("grainy film");
    call(
        commands::UPDATE_PROJECT,
        json!({"id": pid, "name": "Key test", "settings": project_settings}),
    )
    .unwrap();
    call(commands::GENERATE_PROJECT, json!({"id": pid})).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let made = loop {
        let now = call(commands::OPEN_PROJECT, json!({"id": pid})).unwrap();
        if now["ready"] == now["shots"].as_array().unwrap().len() {
            break now;
        }
        assert!(std::time::Instant::now() < deadline, "shots not ready: {now}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let job = made["shots"][0]["versions"][0]["job_id"].clone();
    call(commands::CHOOSE_VERSION, json!({"id": pid, "job_id": job})).unwrap();
    call(commands::PAUSE_PROJECT, json!({"id": pid})).unwrap();
    call(commands::RENDER_PROJECT, json!({"id": pid})).unwrap();
    call(commands::CANCEL_RENDER, json!({"id": pid})).unwrap();
    call(commands::LIST_RENDERS, json!({})).unwrap();
    call(commands::REGENERATE_SHOT, json!({"id": pid, "index": 0})).unwrap();
    let copy = call(commands::DUPLICATE_PROJECT, json!({"id": pid})).unwrap();
    call(commands::RENAME_PROJECT, json!({"id": copy["id"], "name": "Copy"})).unwrap();
    call(commands::DELETE_PROJECT, json!({"id": copy["id"]})).unwrap();
    // A rejected key is reported without repeating it.
    sim.inject(
        venice_sim::Endpoint::BillingBalance,
        venice_sim::Fault::Unauthorized,
    );
    let rejected = call(commands::BALANCE, json!({})).unwrap_err();
    assert_eq!(rejected["code"], "key_rejected");
    call(commands::START_DEMO, json!({})).unwrap();
    call(commands::CLEAR_KEY, json!({})).unwrap();
    call(commands::KEY_STATUS, json!({})).unwrap();

    let called: std::collections::HashSet<&str> = answers
        .iter()
        .map(|a| a.split(':').next().unwrap())
        .collect();
    for name in commands::ALL {
        assert!(called.contains(name), "{name} was not called");
    }
    let secret_part = "recognisable-0123456789";
    for answer in &answers {
        assert!(!answer.contains(secret_part), "the key came back: {answer}");
    }
    let events = app.all_events.lock().unwrap().clone();
    assert!(
        events.iter().any(|(name, _)| name == studio_api::JOB_EVENT),
        "events were captured"
    );
    for (name, payload) in &events {
        assert!(
            !payload.contains(secret_part),
            "the `{name}` event holds the key: {payload}"
        );
    }
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(!logs.is_empty(), "logs were captured");
    assert!(!logs.contains(secret_part), "a log line holds the key");
    // Every event anything emitted was listened to above (Tauri has no catch-all listener).
    let emitted: std::collections::BTreeSet<&str> = logs
        .split("event=EventName(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(!emitted.is_empty(), "Tauri's emit spans were traced");
    for name in emitted {
        assert!(
            common::EVERY_EVENT.contains(&name),
            "`{name}` was emitted but the test does not listen to it: add it to EVERY_EVENT"
        );
    }
}
