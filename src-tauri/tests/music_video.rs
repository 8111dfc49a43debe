//! A music video through the app's commands, as the webview calls them, in demo mode (the
//! built-in Venice double makes a real clip per shot): the bundled demo song imported and drawn,
//! a storyboard planned on its sections, the whole price with a price per shot, "Generate all"
//! refused over budget with nothing queued, then run, every card ready, the render as long as
//! the song in the gallery, and a render handled like any library video.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{T2V, TestApp};
use serde_json::{Value, json};
use studio_api::commands;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn new_project(app: &TestApp, budget: Option<f64>) -> Value {
    let song_path = app.ok(commands::DEMO_SONG, json!({}));
    let song = app.ok(commands::IMPORT_SONG, json!({ "path": song_path }));
    app.ok(
        commands::NEW_PROJECT,
        json!({ "form": {
            "song_path": song["path"],
            "name": null,
            "settings": {
                "theme": "A runner through a neon city at night",
                "style": "", "subject": "", "reference_paths": [],
                "model": T2V, "aspect_ratio": "16:9", "resolution": null,
                "continuity": false, "budget_usd": budget
            }
        }}),
    )
}

#[test]
fn the_demo_song_becomes_a_music_video_as_long_as_the_song() {
    let app = TestApp::start(true);
    let song_path = app.ok(commands::DEMO_SONG, json!({}));
    assert!(song_path.as_str().unwrap().ends_with("Neon Run (demo).ogg"));
    let song = app.ok(commands::IMPORT_SONG, json!({ "path": song_path }));
    assert_eq!(song["title"], "Neon Run (demo)");
    assert!((f(&song["duration_s"]) - 41.5).abs() < 0.1);
    assert!((f(&song["tempo_bpm"]) - 120.0).abs() < 1.0);
    assert_eq!(song["beats_per_bar"], 4);
    assert!(
        song["peaks"].as_array().unwrap().len() > 100,
        "peaks to draw"
    );
    let starts: Vec<f64> = song["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| f(&s["start_s"]))
        .collect();
    assert_eq!(starts.len(), 3, "{starts:?}");
    assert!((starts[1] - 16.0).abs() < 0.05 && (starts[2] - 32.0).abs() < 0.05);
    // The <audio> element streams the library copy from the loopback media server.
    let url = song["url"].as_str().expect("a URL to play the song from");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let project = new_project(&app, None);
    let id = project["id"].as_str().unwrap().to_string();
    let shots = project["shots"].as_array().unwrap().clone();
    assert!(shots.len() >= 3);
    assert!(shots.iter().all(|s| s["state"] == "planned"));
    assert!(shots.iter().any(|s| (f(&s["start_s"]) - 16.0).abs() < 0.05));
    assert!(
        shots
            .iter()
            .all(|s| !s["prompt"].as_str().unwrap().is_empty())
    );
    let listed = app.ok(commands::LIST_PROJECTS, json!({}));
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["song_title"], "Neon Run (demo)");

    let quote = app.ok(commands::QUOTE_PROJECT, json!({ "id": id }));
    let each: f64 = quote["shot_usd"].as_array().unwrap().iter().map(f).sum();
    assert!((each - f(&quote["whole"]["usd"])).abs() < 0.005, "{quote}");
    assert!((f(&quote["whole"]["seconds_used"]) - 41.5).abs() < 0.1);
    assert!(quote["over_budget"].is_null());

    let started = app.ok(commands::GENERATE_PROJECT, json!({ "id": id }));
    assert_eq!(started["generating"], true);
    let deadline = Instant::now() + Duration::from_secs(120);
    let ready = loop {
        let now = app.ok(commands::OPEN_PROJECT, json!({ "id": id }));
        if now["ready"] == shots.len() {
            break now;
        }
        assert!(Instant::now() < deadline, "not every shot got ready: {now}");
        std::thread::sleep(Duration::from_millis(200));
    };
    for shot in ready["shots"].as_array().unwrap() {
        assert_eq!(shot["state"], "ready", "{shot}");
        let versions = shot["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 1, "one paid version per shot");
        assert_eq!(versions[0]["chosen"], true);
    }
    // The shots are the project's, not loose clips for the single-clip gallery.
    let jobs = app.ok(commands::LIST_JOBS, json!({}));
    assert!(
        jobs.as_array()
            .unwrap()
            .iter()
            .all(|j| j["project_id"] == id.as_str())
    );

    let render = app.ok(commands::RENDER_PROJECT, json!({ "id": id }));
    assert!(
        (f(&render["video"]["seconds"]) - 41.5).abs() < 0.1,
        "{render}"
    );
    assert_eq!(render["song_title"], "Neon Run (demo)");
    assert!(render["video"]["url"].as_str().is_some());
    let renders = app.ok(commands::LIST_RENDERS, json!({}));
    assert_eq!(renders[0]["id"], render["id"]);
    let events = app.all_events.lock().unwrap().clone();
    let render_events: Vec<&String> = events
        .iter()
        .filter(|(name, _)| name == studio_api::RENDER_EVENT)
        .map(|(_, p)| p)
        .collect();
    assert!(render_events.iter().any(|p| p.contains("\"progress\"")));
    assert!(render_events.iter().any(|p| p.contains("\"done\"")));
    let project_events: Vec<&String> = events
        .iter()
        .filter(|(name, _)| name == studio_api::PROJECT_EVENT)
        .map(|(_, p)| p)
        .collect();
    assert!(
        project_events
            .iter()
            .any(|p| p.contains(&id) && p.contains("\"error\":null")),
        "generate all said it ended: {project_events:?}"
    );

    // A render is a library video: deleting it by its id removes the file.
    let file = std::path::PathBuf::from(render["video"]["path"].as_str().unwrap());
    assert!(file.is_file());
    app.ok(commands::DELETE_VIDEO, json!({ "id": render["id"] }));
    assert!(!file.exists());
    assert_eq!(app.ok(commands::LIST_RENDERS, json!({})), json!([]));
}

#[test]
fn over_budget_generate_all_is_refused_before_anything_is_queued() {
    let app = TestApp::start(true);
    let project = new_project(&app, Some(0.05));
    let id = project["id"].as_str().unwrap();
    let quote = app.ok(commands::QUOTE_PROJECT, json!({ "id": id }));
    let reason = quote["over_budget"].as_str().expect("over budget");
    assert!(reason.contains("$0.05"), "{reason}");
    let (code, message) = app.err(commands::GENERATE_PROJECT, json!({ "id": id }));
    assert_eq!(code, "over_budget");
    assert_eq!(message, reason);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        app.ok(commands::LIST_JOBS, json!({})),
        json!([]),
        "nothing queued"
    );
}

#[test]
fn projects_are_renamed_duplicated_edited_and_deleted() {
    let app = TestApp::start(true);
    let project = new_project(&app, None);
    let id = project["id"].as_str().unwrap();
    let renamed = app.ok(
        commands::RENAME_PROJECT,
        json!({ "id": id, "name": "Night run" }),
    );
    assert_eq!(renamed["name"], "Night run");
    let (code, _) = app.err(commands::RENAME_PROJECT, json!({ "id": id, "name": "  " }));
    assert_ne!(code, "internal");
    let n = project["shots"].as_array().unwrap().len();
    let split = app.ok(
        commands::EDIT_STORYBOARD,
        json!({ "id": id, "edit": { "edit": "split", "shot": 0, "at_s": 4.0 } }),
    );
    assert_eq!(split["shots"].as_array().unwrap().len(), n + 1);
    let relabelled = app.ok(
        commands::EDIT_SONG,
        json!({ "id": id, "edit": { "edit": "label_section", "at_s": 32.0, "label": "drop" } }),
    );
    assert!(
        relabelled["song"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["label"] == "drop")
    );
    assert_eq!(relabelled["song"]["edited"], true);
    let copy = app.ok(commands::DUPLICATE_PROJECT, json!({ "id": id }));
    assert_ne!(copy["id"], id);
    assert_eq!(
        app.ok(commands::LIST_PROJECTS, json!({}))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let deleted = app.ok(commands::DELETE_PROJECT, json!({ "id": id }));
    assert_eq!(deleted["name"], "Night run");
    assert_eq!(deleted["clips_kept"], 0);
    let (code, _) = app.err(commands::OPEN_PROJECT, json!({ "id": id }));
    assert_eq!(code, "not_found");
    let (code, message) = app.err(commands::IMPORT_SONG, json!({ "path": "/tmp/notes.txt" }));
    assert_eq!(code, "invalid_input");
    assert!(message.contains("notes.txt"), "{message}");
}

/// Issue 15, item 2: Venice takes 20 s to answer a Generate-all queue call (longer than the
/// engine restart waits) and the user saves the settings meanwhile, which replaces the engine.
/// The call's answer is still recorded (the job keeps its queue id and its clip comes home),
/// the new engine carries the run on, and every shot is queued exactly once.
#[test]
fn a_settings_save_during_a_slow_generate_all_queue_call_loses_nothing() {
    let sim = tauri::async_runtime::block_on(venice_sim::VeniceSim::start(venice_sim::SimConfig {
        job_duration: Duration::from_millis(500),
        ..venice_sim::SimConfig::default()
    }))
    .unwrap();
    let app = TestApp::with_base_url(false, Some(sim.base_url()));
    app.ok(commands::SET_KEY, json!({"key": "sk-test-0123456789wxyz"}));
    let mut settings = app.ok(commands::GET_SETTINGS, json!({}));
    settings["poll_interval_secs"] = json!(2);
    app.ok(
        commands::SAVE_SETTINGS,
        json!({"settings": settings.clone()}),
    );
    let project = new_project(&app, None);
    let id = project["id"].as_str().unwrap().to_string();
    let shots = project["shots"].as_array().unwrap().len();
    sim.inject(
        venice_sim::Endpoint::VideoQueue,
        venice_sim::Fault::SlowBody {
            delay: Duration::from_secs(20),
        },
    );
    app.ok(commands::GENERATE_PROJECT, json!({ "id": id }));
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim.count(venice_sim::Endpoint::VideoQueue) == 0 {
        assert!(
            Instant::now() < deadline,
            "the first queue call never went out"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The user saves the settings while Venice has not answered: the engine is replaced.
    settings["poll_interval_secs"] = json!(3);
    app.ok(commands::SAVE_SETTINGS, json!({"settings": settings}));
    let deadline = Instant::now() + Duration::from_secs(90);
    let done = loop {
        let now = app.ok(commands::OPEN_PROJECT, json!({ "id": id }));
        let states: Vec<&str> = now["shots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["state"].as_str().unwrap_or_default())
            .collect();
        assert!(
            !states
                .iter()
                .any(|s| *s == "outcome_unknown" || *s == "failed"),
            "a shot was lost: {states:?}"
        );
        if now["ready"] == shots {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "not every shot got ready: {states:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for shot in done["shots"].as_array().unwrap() {
        assert_eq!(shot["versions"].as_array().unwrap().len(), 1, "{shot}");
    }
    assert_eq!(
        sim.count(venice_sim::Endpoint::VideoQueue),
        shots,
        "one queue call per shot"
    );
}
