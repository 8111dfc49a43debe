//! The command wiring, through the same IPC path the webview uses (mock runtime, no window
//! system): every contract command is registered and granted, errors arrive as `{code, message}`,
//! and demo mode makes a video end to end against the in-process test double.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{I2V, T2V, TestApp, form, png};
use serde_json::json;
use studio_api::commands;
use tauri::Manager;
use venice_studio_lib::folder_dialog::FolderDialogAnswer;

#[test]
fn every_contract_command_is_registered_and_granted() {
    let app = TestApp::start(false);
    for name in commands::ALL {
        // Arguments are left out on purpose: a registered, granted command answers with a
        // complaint about its arguments or a UiError, never "not found" / "not allowed".
        let answer = app.invoke(name, json!({}));
        let text = match &answer {
            Ok(v) | Err(v) => v.to_string(),
        };
        assert!(
            !text.contains("not found") && !text.contains("not allowed"),
            "{name}: {text}"
        );
    }
}

#[test]
fn commands_outside_the_capability_are_refused() {
    let app = TestApp::start(false);
    for cmd in [
        "plugin:store|get",
        "plugin:opener|open_url",
        "plugin:dialog|open",
        "plugin:notification|notify",
        // A drag offers a file to other apps: only library files, through `drag_video`.
        "plugin:drag|start_drag",
        "no_such_command",
    ] {
        let answer = app.invoke(cmd, json!({}));
        let error = answer.expect_err(cmd).to_string();
        assert!(
            error.contains("not allowed") || error.contains("not found"),
            "{cmd}: {error}"
        );
    }
}

#[test]
fn without_a_key_the_ui_is_told_to_onboard() {
    let app = TestApp::start(false);
    let status = app.ok(commands::KEY_STATUS, json!({}));
    assert_eq!(
        status,
        json!({"is_set": false, "last_four": null, "demo": false})
    );
    for name in [
        commands::LIST_MODELS,
        commands::LIST_JOBS,
        commands::BALANCE,
    ] {
        let (code, message) = app.err(name, json!({}));
        assert_eq!(code, "needs_key", "{name}");
        assert!(message.contains("demo"), "{message}");
    }
    let (code, _) = app.err(commands::SET_KEY, json!({"key": "   "}));
    assert_eq!(code, "invalid_input");
}

#[test]
fn try_the_demo_switches_to_the_built_in_double() {
    let app = TestApp::start(false);
    let status = app.ok(commands::START_DEMO, json!({}));
    assert_eq!(status["demo"], true);
    assert_eq!(status["is_set"], false);
    let models = app.ok(commands::LIST_MODELS, json!({}));
    assert!(models.as_array().unwrap().len() > 10);
}

#[test]
fn demo_mode_makes_a_video_and_the_library_manages_it() {
    let app = TestApp::start(true);
    assert_eq!(app.ok(commands::KEY_STATUS, json!({}))["demo"], true);

    let models = app.ok(commands::LIST_MODELS, json!({}));
    let t2v = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == T2V)
        .expect("the demo lists the real models");
    assert_eq!(t2v["kind"], "text_to_video");
    assert!(t2v["durations"].as_array().unwrap().contains(&json!("5s")));

    let prompt = app.ok(
        commands::GENERATE_PROMPT,
        json!({"theme": "Cyberpunk neon city", "model": T2V}),
    );
    let prompt = prompt["prompt"].as_str().unwrap().to_string();
    assert!(!prompt.is_empty());

    let quote = app.ok(commands::QUOTE, json!({"form": form(&prompt)}));
    assert!(quote["usd"].as_f64().unwrap() > 0.0, "{quote}");
    assert_eq!(quote["over_budget"], serde_json::Value::Null);

    let jobs = app.ok(commands::GENERATE, json!({"form": form(&prompt)}));
    let job = &jobs.as_array().unwrap()[0];
    assert_eq!(job["state"], "queued");
    let id = job["id"].as_str().unwrap().to_string();

    // The demo's ETA fits its pace (a 1.5 s job here), not Venice's minutes.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let running = app.ok(commands::LIST_JOBS, json!({}));
    if let Some(eta) = running[0]["eta_ms"].as_i64() {
        assert!(eta <= 1500, "eta {eta} ms for a 1.5 s demo job");
    }

    let ready = app.wait_settled(&id);
    assert_eq!(ready["state"], "ready", "{ready}");
    let video = ready["video"]["path"].as_str().unwrap().to_string();
    assert!(std::path::Path::new(&video).is_file());
    assert!(
        video.starts_with(app.path("data/demo").to_str().unwrap()),
        "demo videos stay apart from paid ones: {video}"
    );

    // The UI was told, without polling: queued … ready, for this job.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let events = app.events.lock().unwrap().clone();
    let kinds: Vec<String> = events
        .iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(e).unwrap())
        .filter(|e| e["id"] == id.as_str())
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("queued"),
        "{kinds:?}"
    );
    assert_eq!(kinds.last().map(String::as_str), Some("ready"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "progress"), "{kinds:?}");

    // A ready job is not an unknown outcome.
    let (code, _) = app.err(commands::DISMISS_JOB, json!({"id": id}));
    assert_eq!(code, "invalid_input");

    app.ok(commands::DELETE_VIDEO, json!({"id": id}));
    assert!(!std::path::Path::new(&video).exists());
    let jobs = app.ok(commands::LIST_JOBS, json!({}));
    let after = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id.as_str())
        .unwrap();
    assert_eq!(after["video"], serde_json::Value::Null);
    assert!(
        after["cost_usd"].as_f64().unwrap() > 0.0,
        "the cost stays on record"
    );
    let (code, _) = app.err(commands::REVEAL_VIDEO, json!({"id": id}));
    assert_eq!(code, "not_found");
    let (code, _) = app.err(commands::DRAG_VIDEO, json!({"id": id}));
    assert_eq!(
        code, "not_found",
        "only a file in the library can be dragged out"
    );

    let balance = app.ok(commands::BALANCE, json!({}));
    assert!(balance["usd"].as_f64().unwrap() > 0.0, "{balance}");
}

#[test]
fn errors_arrive_as_code_and_message() {
    let app = TestApp::start(true);
    let mut bad = form("A neon city at night");
    bad["duration"] = json!("99s");
    let (code, message) = app.err(commands::QUOTE, json!({"form": bad}));
    assert_eq!(code, "invalid_input");
    assert!(
        message.contains("5s"),
        "names the allowed values: {message}"
    );

    let (code, _) = app.err(commands::DISMISS_JOB, json!({"id": "no-such-job"}));
    assert_eq!(code, "not_found");
    let (code, _) = app.err(
        commands::GENERATE_PROMPT,
        json!({"theme": "   ", "model": T2V}),
    );
    assert_eq!(code, "invalid_input");
    let (code, _) = app.err(commands::QUOTE, json!({"form": form("")}));
    assert_eq!(code, "invalid_input");

    // Over budget: refused before anything is queued, with spent and remaining.
    let mut settings = app.ok(commands::GET_SETTINGS, json!({}));
    settings["budget_session_usd"] = json!(0.01);
    app.ok(commands::SAVE_SETTINGS, json!({"settings": settings}));
    let (code, message) = app.err(commands::GENERATE, json!({"form": form("A neon city")}));
    assert_eq!(code, "over_budget", "{message}");
    assert!(message.contains("budget"), "{message}");
    assert_eq!(app.ok(commands::LIST_JOBS, json!({})), json!([]));
}

#[test]
fn settings_persist_and_bad_ones_are_refused() {
    let app = TestApp::start(false);
    let settings = app.ok(commands::GET_SETTINGS, json!({}));
    assert_eq!(settings["poll_interval_secs"], 10);
    assert_eq!(settings["media_dir"], app.path("media").to_str().unwrap());

    let mut fast = settings.clone();
    fast["poll_interval_secs"] = json!(1);
    let (code, message) = app.err(commands::SAVE_SETTINGS, json!({"settings": fast}));
    assert_eq!(code, "invalid_input");
    assert!(message.contains("poll interval"), "{message}");

    let mut changed = settings.clone();
    changed["default_model"] = json!(T2V);
    changed["budget_total_usd"] = json!(25.0);
    changed["delete_after_download"] = json!(true);
    let saved = app.ok(commands::SAVE_SETTINGS, json!({"settings": changed}));
    assert_eq!(saved, changed);
    assert_eq!(app.ok(commands::GET_SETTINGS, json!({})), changed);
    assert!(app.path("media").is_dir(), "the media folder is created");
    assert!(app.path("data/settings.json").is_file());
}

#[test]
fn start_frames_are_checked_against_the_model() {
    let app = TestApp::start(true);
    // Files reach the checks through the Open dialog (answered here: no window system).
    let pick = |file: &std::path::Path| {
        *app.app.state::<FolderDialogAnswer>().0.lock().unwrap() = Some(file.to_path_buf());
        app.ok(commands::PICK_IMAGE, json!({"model": I2V}));
    };
    let small = app.path("small.png");
    png(&small, 200, 100);
    pick(&small);
    let check = app.ok(
        commands::CHECK_IMAGE,
        json!({"path": small.to_str().unwrap(), "model": I2V}),
    );
    assert_eq!(check["mime"], "image/png");
    assert_eq!(
        (check["width"].clone(), check["height"].clone()),
        (json!(200), json!(100))
    );
    let problems = check["problems"].to_string();
    assert!(
        problems.contains("300 pixels on the short side"),
        "{problems}"
    );
    assert!(
        check["preview"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,"),
        "{check}"
    );

    let good = app.path("good.png");
    png(&good, 1280, 720);
    pick(&good);
    let check = app.ok(
        commands::CHECK_IMAGE,
        json!({"path": good.to_str().unwrap(), "model": I2V}),
    );
    assert_eq!(check["problems"], json!([]), "{check}");

    let check = app.ok(
        commands::CHECK_IMAGE,
        json!({"path": good.to_str().unwrap(), "model": T2V}),
    );
    assert!(
        check["problems"].to_string().contains("text only"),
        "{check}"
    );

    let text = app.path("notes.png");
    std::fs::write(&text, "not an image").unwrap();
    pick(&text);
    let check = app.ok(
        commands::CHECK_IMAGE,
        json!({"path": text.to_str().unwrap(), "model": I2V}),
    );
    assert!(
        check["problems"].to_string().contains("not a PNG"),
        "{check}"
    );
    let (code, _) = app.err(
        commands::CHECK_IMAGE,
        json!({"path": good.to_str().unwrap(), "model": "no-such-model"}),
    );
    assert_eq!(code, "invalid_input");
}

#[test]
fn the_key_is_stored_for_the_user_only_and_cleared() {
    let app = TestApp::start(false);
    let status = app.ok(commands::SET_KEY, json!({"key": "sk-test-0123456789wxyz"}));
    assert_eq!(
        status,
        json!({"is_set": true, "last_four": "wxyz", "demo": false})
    );
    let file = app.path("data/key.json");
    assert!(
        file.is_file(),
        "the keychain is off in tests: the file fallback holds it"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "readable by the user only");
    }
    let cleared = app.ok(commands::CLEAR_KEY, json!({}));
    assert_eq!(cleared["is_set"], false);
    assert!(!file.exists());
}

#[test]
fn the_media_folder_changes_only_through_the_dialog_and_never_to_the_apps_folders() {
    let sim = tauri::async_runtime::block_on(venice_sim::VeniceSim::start(venice_sim::SimConfig {
        job_duration: std::time::Duration::from_millis(300),
        ..venice_sim::SimConfig::default()
    }))
    .unwrap();
    let app = TestApp::with_base_url(false, Some(sim.base_url()));
    app.ok(commands::SET_KEY, json!({"key": "sk-test-0123456789wxyz"}));
    let settings = app.ok(commands::GET_SETTINGS, json!({}));

    // The webview cannot widen what it may read by saving a path: not the data folder, not `/`,
    // not any other folder.
    for folder in [app.path("data"), "/".into(), app.path("elsewhere")] {
        let mut widened = settings.clone();
        widened["media_dir"] = json!(folder.to_str().unwrap());
        let (code, message) = app.err(commands::SAVE_SETTINGS, json!({"settings": widened}));
        assert_eq!(code, "invalid_input", "{}: {message}", folder.display());
        assert!(message.contains("Choose"), "{message}");
    }
    assert_eq!(app.ok(commands::GET_SETTINGS, json!({})), settings);

    // A video in the first folder.
    let prompt = "A neon city at night, rain on the streets";
    let jobs = app.ok(commands::GENERATE, json!({"form": form(prompt)}));
    let id = jobs[0]["id"].as_str().unwrap().to_string();
    let ready = app.wait_settled(&id);
    assert_eq!(ready["state"], "ready", "{ready}");
    let old_url = ready["video"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("{ready}"))
        .to_string();

    // The dialog (answered here, there is no window system) may not pick the app's own folders.
    let answer = |folder: Option<std::path::PathBuf>| {
        *app.app.state::<FolderDialogAnswer>().0.lock().unwrap() = folder;
    };
    answer(Some(app.path("data/thumbnails")));
    let (code, message) = app.err(commands::PICK_MEDIA_DIR, json!({}));
    assert_eq!(code, "invalid_input");
    assert!(message.contains("inside the app's own folder"), "{message}");
    answer(None);
    assert_eq!(
        app.ok(commands::PICK_MEDIA_DIR, json!({})),
        json!(null),
        "cancelled"
    );

    answer(Some(app.path("new-media")));
    let saved = app.ok(commands::PICK_MEDIA_DIR, json!({}));
    let new_dir = std::fs::canonicalize(app.path("new-media")).unwrap();
    assert_eq!(saved["media_dir"], new_dir.to_str().unwrap());
    assert_eq!(app.ok(commands::GET_SETTINGS, json!({})), saved);

    // The video saved before the change still plays, and new ones land in the new folder.
    let old =
        tauri::async_runtime::block_on(async { reqwest::get(&old_url).await.unwrap().status() });
    assert_eq!(old, 200, "{old_url}");
    let jobs = app.ok(commands::GENERATE, json!({"form": form(prompt)}));
    let ready = app.wait_settled(jobs[0]["id"].as_str().unwrap());
    let path = ready["video"]["path"].as_str().unwrap();
    assert!(path.starts_with(new_dir.to_str().unwrap()), "{path}");
    let url = ready["video"]["url"].as_str().unwrap().to_string();
    let new = tauri::async_runtime::block_on(async { reqwest::get(&url).await.unwrap().status() });
    assert_eq!(new, 200, "{url}");
}

#[test]
fn the_balance_rides_out_a_brief_outage() {
    let sim = tauri::async_runtime::block_on(venice_sim::VeniceSim::start(
        venice_sim::SimConfig::default(),
    ))
    .unwrap();
    let app = TestApp::with_base_url(false, Some(sim.base_url()));
    app.ok(commands::SET_KEY, json!({"key": "sk-test-0123456789wxyz"}));
    sim.inject(
        venice_sim::Endpoint::BillingBalance,
        venice_sim::Fault::Unavailable,
    );
    let balance = app.ok(commands::BALANCE, json!({}));
    assert!(balance["usd"].as_f64().unwrap() > 0.0, "{balance}");
    assert_eq!(sim.pending_faults(venice_sim::Endpoint::BillingBalance), 0);
}

#[test]
fn a_settings_save_during_a_submission_leaves_the_job_queued_with_its_queue_id() {
    let sim = tauri::async_runtime::block_on(venice_sim::VeniceSim::start(venice_sim::SimConfig {
        job_duration: std::time::Duration::from_millis(500),
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
    let spent_before = app.ok(
        commands::QUOTE,
        json!({"form": form("A neon city at night")}),
    )["spent_session_usd"]
        .as_f64()
        .unwrap();
    // Venice is slow to answer this queue call...
    sim.inject(
        venice_sim::Endpoint::VideoQueue,
        venice_sim::Fault::SlowBody {
            delay: std::time::Duration::from_millis(1500),
        },
    );
    let generating = std::thread::spawn({
        let webview = app.webview.clone();
        move || {
            common::invoke(
                &webview,
                commands::GENERATE,
                json!({"form": form("A neon city at night")}),
            )
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sim.count(venice_sim::Endpoint::VideoQueue) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the queue call never went out"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // ...and meanwhile the user saves the settings, which restarts the engine.
    settings["poll_interval_secs"] = json!(3);
    app.ok(commands::SAVE_SETTINGS, json!({"settings": settings}));
    let jobs = generating.join().unwrap().expect("generate answers");
    let job = &jobs[0];
    assert_eq!(job["state"], "queued", "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let done = app.wait_settled(&id);
    assert_eq!(done["state"], "ready", "{done}");
    assert_eq!(sim.count(venice_sim::Endpoint::VideoQueue), 1, "paid once");
    // One budget session for the whole app run: the save did not reset what was spent.
    let spent_after = app.ok(
        commands::QUOTE,
        json!({"form": form("A neon city at night")}),
    )["spent_session_usd"]
        .as_f64()
        .unwrap();
    assert!(
        spent_after > spent_before,
        "{spent_before} -> {spent_after}"
    );
}

#[test]
fn only_files_from_the_dialog_or_the_library_are_read_for_the_webview() {
    let app = TestApp::start(true);
    let answer = |file: Option<std::path::PathBuf>| {
        *app.app.state::<FolderDialogAnswer>().0.lock().unwrap() = file;
    };
    let image = app.path("holiday.png");
    png(&image, 1280, 720);
    let secret = app.path("secret.txt");
    std::fs::write(&secret, "a file of the user's the webview never was given").unwrap();

    // Named by the webview itself: refused, and nothing about the file comes back.
    for path in [&image, &secret] {
        let (code, message) = app.err(
            commands::CHECK_IMAGE,
            json!({"path": path.to_str().unwrap(), "model": I2V}),
        );
        assert_eq!(code, "invalid_input", "{message}");
        assert!(message.contains("Choose"), "{message}");
        assert!(
            !message.contains("bytes") && !message.contains("MB"),
            "{message}"
        );
    }
    // Nor is it sent to Venice as a start frame or a project's reference.
    let mut with_image = common::form("A fox in the snow");
    with_image["model"] = json!(I2V);
    with_image["aspect_ratio"] = json!(null);
    with_image["image_path"] = json!(image.to_str().unwrap());
    let (code, message) = app.err(commands::GENERATE, json!({"form": with_image.clone()}));
    assert_eq!(code, "invalid_input", "{message}");
    assert!(message.contains("Choose"), "{message}");
    let song_path = app.ok(commands::DEMO_SONG, json!({}));
    let song = app.ok(commands::IMPORT_SONG, json!({ "path": song_path }));
    let project_form = json!({ "form": {
        "song_path": song["path"],
        "name": null,
        "settings": {
            "theme": "A fox in the snow",
            "style": "", "subject": "", "reference_paths": [image.to_str().unwrap()],
            "model": T2V, "aspect_ratio": "16:9", "resolution": null,
            "continuity": false, "budget_usd": null
        }
    }});
    let (code, message) = app.err(commands::NEW_PROJECT, project_form.clone());
    assert_eq!(code, "invalid_input", "{message}");
    assert!(message.contains("Choose"), "{message}");
    assert_eq!(app.ok(commands::LIST_PROJECTS, json!({})), json!([]));

    // Chosen in the dialog: checked, and from then on it may be used.
    answer(Some(image.clone()));
    let picked = app.ok(commands::PICK_IMAGE, json!({"model": I2V}));
    assert_eq!(picked["problems"], json!([]), "{picked}");
    let check = app.ok(
        commands::CHECK_IMAGE,
        json!({"path": picked["path"], "model": I2V}),
    );
    assert_eq!(check["mime"], "image/png");
    let project = app.ok(commands::NEW_PROJECT, project_form);
    assert_eq!(
        project["settings"]["reference_paths"],
        json!([image.to_str().unwrap()])
    );
    // Saving the project's settings again keeps its reference.
    let id = project["id"].as_str().unwrap();
    let saved = app.ok(
        commands::UPDATE_PROJECT,
        json!({"id": id, "name": project["name"], "settings": project["settings"]}),
    );
    assert_eq!(saved["settings"], project["settings"]);
    let jobs = app.ok(commands::GENERATE, json!({"form": with_image}));
    assert_eq!(jobs[0]["state"], "queued", "{jobs}");

    // Files in the library (here the demo's media folder) are the studio's own.
    let media = app.path("data/demo/media");
    std::fs::create_dir_all(&media).unwrap();
    let in_library = media.join("frame.png");
    png(&in_library, 1280, 720);
    let check = app.ok(
        commands::CHECK_IMAGE,
        json!({"path": in_library.to_str().unwrap(), "model": I2V}),
    );
    assert_eq!(check["problems"], json!([]), "{check}");
}
