//! A mock-runtime app (no window system) with its folders in a temp dir, and a way to call its
//! commands by name exactly as the webview does.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewWindow, WebviewWindowBuilder};
use venice_studio_lib::{Options, builder};

pub const T2V: &str = "kling-2.6-pro-text-to-video";
pub const I2V: &str = "happyhorse-1-1-image-to-video";

pub struct TestApp {
    pub app: App<MockRuntime>,
    pub webview: WebviewWindow<MockRuntime>,
    pub dir: tempfile::TempDir,
    /// Every `job-event` payload pushed to the UI, as JSON text.
    pub events: Arc<Mutex<Vec<String>>>,
    /// Every event of [`EVERY_EVENT`] anything emitted: (name, payload as JSON text).
    pub all_events: Arc<Mutex<Vec<(String, String)>>>,
}

/// Every event name the app, Tauri and the app's plugins emit (Tauri has no wildcard listener).
/// The key-leak test checks, from Tauri's own `app::emit` trace spans, that nothing was emitted
/// under a name missing here, so a new event cannot slip past it.
pub const EVERY_EVENT: &[&str] = &[
    studio_api::JOB_EVENT,
    studio_api::SHOW_VIDEO_EVENT,
    studio_api::RENDER_EVENT,
    studio_api::PROJECT_EVENT,
    studio_api::SHOW_PROJECT_EVENT,
    // tauri-plugin-store: every set/delete/clear, with the value.
    "store://change",
    // Tauri's window and webview events.
    "tauri://created",
    "tauri://error",
    "tauri://close-requested",
    "tauri://destroyed",
    "tauri://focus",
    "tauri://blur",
    "tauri://resize",
    "tauri://move",
    "tauri://scale-change",
    "tauri://theme-changed",
    "tauri://drag-enter",
    "tauri://drag-over",
    "tauri://drag-drop",
    "tauri://drag-leave",
    "tauri://webview-created",
    "tauri://window-created",
];

pub fn options(dir: &std::path::Path, demo: bool, base_url: Option<String>) -> Options {
    Options {
        data_dir: dir.join("data"),
        default_media_dir: dir.join("media"),
        force_demo: demo,
        use_keychain: false,
        demo_job: Duration::from_millis(1500),
        demo_poll: Duration::from_millis(200),
        base_url,
        desktop: false,
    }
}

impl TestApp {
    pub fn start(demo: bool) -> Self {
        Self::with_base_url(demo, None)
    }

    /// `base_url`: a live key talks to this Venice (a test double).
    pub fn with_base_url(demo: bool, base_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = builder(mock_builder(), options(dir.path(), demo, base_url))
            .build(tauri::generate_context!(test = true))
            .expect("mock app builds");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window builds");
        // No window system here: folder dialogs answer from this (set it before a pick; `None`
        // is a cancel).
        app.manage(venice_studio_lib::folder_dialog::FolderDialogAnswer::default());
        // What `setup` does in the real app (the mock runtime never runs `setup`).
        venice_studio_lib::media_server::start().expect("the media server starts");
        venice_studio_lib::start(app.handle());
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        app.listen_any(studio_api::JOB_EVENT, move |event| {
            sink.lock().unwrap().push(event.payload().to_string());
        });
        let all_events = Arc::new(Mutex::new(Vec::new()));
        for name in EVERY_EVENT {
            let sink = all_events.clone();
            app.listen_any(*name, move |event| {
                let payload = event.payload().to_string();
                sink.lock().unwrap().push((name.to_string(), payload));
            });
        }
        Self {
            app,
            webview,
            dir,
            events,
            all_events,
        }
    }

    /// Calls a command as the webview does; `Err` is the error payload.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke(&self.webview, cmd, args)
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// The `{code, message}` a command failed with.
    pub fn err(&self, cmd: &str, args: Value) -> (String, String) {
        let error = match self.invoke(cmd, args) {
            Ok(v) => panic!("{cmd} should fail, answered {v}"),
            Err(e) => e,
        };
        let code = error["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{cmd}: not a UiError: {error}"))
            .to_string();
        let message = error["message"].as_str().unwrap_or_default().to_string();
        assert!(!message.is_empty(), "{cmd}: empty message");
        (code, message)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Polls `list_jobs` until `id` is settled.
    pub fn wait_settled(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let jobs = self.ok("list_jobs", json!({}));
            let job = jobs
                .as_array()
                .unwrap()
                .iter()
                .find(|j| j["id"] == id)
                .cloned()
                .expect("job listed");
            if ["ready", "failed", "outcome_unknown"].contains(&job["state"].as_str().unwrap()) {
                return job;
            }
            assert!(Instant::now() < deadline, "job never settled: {job}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Calls a command on `webview` as the page does (usable from another thread: the app is not).
pub fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let response = get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        },
    )?;
    Ok(response.deserialize::<Value>().unwrap_or(Value::Null))
}

pub fn form(prompt: &str) -> Value {
    json!({
        "theme": "Cyberpunk neon city",
        "prompt": prompt,
        "model": T2V,
        "duration": "5s",
        "aspect_ratio": "16:9",
        "resolution": null,
        "audio": null,
        "image_path": null,
        "count": 1
    })
}

/// A PNG header with the given size (enough for the size check; the pixels are never decoded).
pub fn png(path: &std::path::Path, width: u32, height: u32) {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(&13u32.to_be_bytes());
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::write(path, bytes).unwrap();
}
