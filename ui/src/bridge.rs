//! The only way the UI talks to the shell: typed calls to its commands (`window.__TAURI__.core.invoke`),
//! job events (`window.__TAURI__.event.listen`), asset URLs for local files (`convertFileSrc`), the
//! file dialogs and the drag-out (all on the Rust side). Errors arrive as `studio_api::UiError`. Outside the webview (native
//! tests) every call answers with an "unavailable" error.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use studio_api::{
    BalanceView, DeletedProjectView, ErrorCode, GenerateForm, ImageCheck, JobView, KeyStatus,
    ModelOption, ProjectForm, ProjectQuoteView, ProjectSettingsView, ProjectSummary, ProjectView,
    PromptResult, QuoteView, RenderView, Settings, SongEditView, SongView, StoryboardEditView,
    UiError, commands,
};

/// What a call says when the page runs outside the desktop app.
pub const NO_SHELL: &str = "The desktop shell is not answering. Start the studio with `cargo xtask run` (the page alone cannot reach Venice).";

/// Calls a shell command with JSON arguments and decodes its answer.
pub async fn call<R: DeserializeOwned>(cmd: &str, args: Value) -> Result<R, UiError> {
    let answer = imp::invoke_json(cmd, &args.to_string()).await?;
    serde_json::from_str(&answer).map_err(|e| {
        UiError::new(
            ErrorCode::Internal,
            format!("The app sent an answer to `{cmd}` the window does not understand ({e})."),
        )
    })
}

/// Turns whatever a rejected `invoke` carried into a `UiError`: the shell's `{code, message}`, or
/// a plain string (an unknown command, a missing permission), or a thrown JS error.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn decode_error(cmd: &str, json: Option<&str>, text: Option<&str>) -> UiError {
    if let Some(e) = json.and_then(|j| serde_json::from_str::<UiError>(j).ok()) {
        return e;
    }
    let text = text.unwrap_or("unknown error");
    if text.contains("not found") || text.contains("not allowed") {
        return UiError::new(
            ErrorCode::Internal,
            format!("This version of the app cannot do that yet (`{cmd}`: {text})."),
        );
    }
    UiError::new(ErrorCode::Internal, format!("`{cmd}` failed: {text}"))
}

fn arg<T: Serialize>(name: &str, value: &T) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(
        name.into(),
        serde_json::to_value(value).unwrap_or(Value::Null),
    );
    Value::Object(map)
}

pub async fn key_status() -> Result<KeyStatus, UiError> {
    call(commands::KEY_STATUS, json!({})).await
}

pub async fn set_key(key: String) -> Result<KeyStatus, UiError> {
    call(commands::SET_KEY, json!({ "key": key })).await
}

pub async fn clear_key() -> Result<KeyStatus, UiError> {
    call(commands::CLEAR_KEY, json!({})).await
}

pub async fn start_demo() -> Result<KeyStatus, UiError> {
    call(commands::START_DEMO, json!({})).await
}

pub async fn list_models() -> Result<Vec<ModelOption>, UiError> {
    call(commands::LIST_MODELS, json!({})).await
}

pub async fn generate_prompt(theme: String, model: String) -> Result<PromptResult, UiError> {
    call(
        commands::GENERATE_PROMPT,
        json!({ "theme": theme, "model": model }),
    )
    .await
}

pub async fn quote(form: &GenerateForm) -> Result<QuoteView, UiError> {
    call(commands::QUOTE, arg("form", form)).await
}

pub async fn generate(form: &GenerateForm) -> Result<Vec<JobView>, UiError> {
    call(commands::GENERATE, arg("form", form)).await
}

pub async fn list_jobs() -> Result<Vec<JobView>, UiError> {
    call(commands::LIST_JOBS, json!({})).await
}

pub async fn dismiss_job(id: String) -> Result<JobView, UiError> {
    call(commands::DISMISS_JOB, json!({ "id": id })).await
}

pub async fn fetch_again(id: String) -> Result<JobView, UiError> {
    call(commands::FETCH_AGAIN, json!({ "id": id })).await
}

pub async fn delete_video(id: String) -> Result<(), UiError> {
    call(commands::DELETE_VIDEO, json!({ "id": id })).await
}

pub async fn reveal_video(id: String) -> Result<(), UiError> {
    call(commands::REVEAL_VIDEO, json!({ "id": id })).await
}

pub async fn get_settings() -> Result<Settings, UiError> {
    call(commands::GET_SETTINGS, json!({})).await
}

pub async fn save_settings(settings: &Settings) -> Result<Settings, UiError> {
    call(commands::SAVE_SETTINGS, arg("settings", settings)).await
}

/// The native folder dialog for the media folder (on the Rust side, which checks and saves the
/// choice). The saved settings, or `None` when cancelled.
pub async fn pick_media_dir() -> Result<Option<Settings>, UiError> {
    call(commands::PICK_MEDIA_DIR, json!({})).await
}

pub async fn balance() -> Result<BalanceView, UiError> {
    call(commands::BALANCE, json!({})).await
}

pub async fn check_image(path: String, model: String) -> Result<ImageCheck, UiError> {
    call(
        commands::CHECK_IMAGE,
        json!({ "path": path, "model": model }),
    )
    .await
}

/// The native Open dialog for a start image (on the Rust side), checked for `model`.
/// `None`: cancelled.
pub async fn pick_image(model: String) -> Result<Option<ImageCheck>, UiError> {
    call(commands::PICK_IMAGE, json!({ "model": model })).await
}

/// The native Save dialog for a video (on the Rust side), then the copy. The saved path, or
/// `None` when cancelled.
pub async fn save_video_dialog(id: String) -> Result<Option<String>, UiError> {
    call(commands::SAVE_VIDEO_DIALOG, json!({ "id": id })).await
}

/// Starts dragging a finished video out of the window. The shell looks the file up in the library
/// by the job's id and starts the native drag itself, so only library files can be dragged.
pub async fn drag_video(id: String) -> Result<(), UiError> {
    call(commands::DRAG_VIDEO, json!({ "id": id })).await
}

// Music videos.

/// The native Open dialog for a song (on the Rust side): the picked file's path, `None` when
/// cancelled. Then [`import_song`].
pub async fn pick_song() -> Result<Option<String>, UiError> {
    call(commands::PICK_SONG, json!({})).await
}

/// The path of the bundled demo song.
pub async fn demo_song() -> Result<String, UiError> {
    call(commands::DEMO_SONG, json!({})).await
}

/// Analyses a song file (picked, dropped or the demo) and copies it into the library.
pub async fn import_song(path: String) -> Result<SongView, UiError> {
    call(commands::IMPORT_SONG, json!({ "path": path })).await
}

/// Plans a new project's storyboard and writes its prompts (nothing is spent on video).
pub async fn new_project(form: &ProjectForm) -> Result<ProjectView, UiError> {
    call(commands::NEW_PROJECT, arg("form", form)).await
}

pub async fn list_projects() -> Result<Vec<ProjectSummary>, UiError> {
    call(commands::LIST_PROJECTS, json!({})).await
}

pub async fn open_project(id: String) -> Result<ProjectView, UiError> {
    call(commands::OPEN_PROJECT, json!({ "id": id })).await
}

/// The whole price of a project (free; creates nothing).
pub async fn quote_project(id: String) -> Result<ProjectQuoteView, UiError> {
    call(commands::QUOTE_PROJECT, json!({ "id": id })).await
}

pub async fn edit_storyboard(
    id: String,
    edit: &StoryboardEditView,
) -> Result<ProjectView, UiError> {
    call(
        commands::EDIT_STORYBOARD,
        json!({ "id": id, "edit": serde_json::to_value(edit).unwrap_or(Value::Null) }),
    )
    .await
}

pub async fn edit_song(id: String, edit: &SongEditView) -> Result<ProjectView, UiError> {
    call(
        commands::EDIT_SONG,
        json!({ "id": id, "edit": serde_json::to_value(edit).unwrap_or(Value::Null) }),
    )
    .await
}

pub async fn update_project(
    id: String,
    name: String,
    settings: &ProjectSettingsView,
) -> Result<ProjectView, UiError> {
    call(
        commands::UPDATE_PROJECT,
        json!({
            "id": id,
            "name": name,
            "settings": serde_json::to_value(settings).unwrap_or(Value::Null),
        }),
    )
    .await
}

/// "Generate all": refused by the shell before any queue call when over budget.
pub async fn generate_project(id: String) -> Result<ProjectView, UiError> {
    call(commands::GENERATE_PROJECT, json!({ "id": id })).await
}

pub async fn pause_project(id: String) -> Result<ProjectView, UiError> {
    call(commands::PAUSE_PROJECT, json!({ "id": id })).await
}

/// The version (a job) of a shot the render uses.
pub async fn choose_version(id: String, job_id: String) -> Result<ProjectView, UiError> {
    call(
        commands::CHOOSE_VERSION,
        // Tauri matches a command's `job_id` argument as `jobId` unless the command says
        // `rename_all = "snake_case"`; both spellings are sent so either works.
        json!({ "id": id, "job_id": job_id.clone(), "jobId": job_id }),
    )
    .await
}

/// One more version of shot `index` (from 0).
pub async fn regenerate_shot(id: String, index: usize) -> Result<ProjectView, UiError> {
    call(
        commands::REGENERATE_SHOT,
        json!({ "id": id, "index": index }),
    )
    .await
}

/// Starts the render; its progress arrives on `RENDER_EVENT`.
pub async fn render_project(id: String) -> Result<RenderView, UiError> {
    call(commands::RENDER_PROJECT, json!({ "id": id })).await
}

pub async fn cancel_render(id: String) -> Result<(), UiError> {
    call(commands::CANCEL_RENDER, json!({ "id": id })).await
}

/// Every finished music video, newest first.
pub async fn list_renders() -> Result<Vec<RenderView>, UiError> {
    call(commands::LIST_RENDERS, json!({})).await
}

pub async fn duplicate_project(id: String) -> Result<ProjectView, UiError> {
    call(commands::DUPLICATE_PROJECT, json!({ "id": id })).await
}

pub async fn rename_project(id: String, name: String) -> Result<ProjectView, UiError> {
    call(commands::RENAME_PROJECT, json!({ "id": id, "name": name })).await
}

/// Deletes a project and its renders; its paid clips stay in the library.
pub async fn delete_project(id: String) -> Result<DeletedProjectView, UiError> {
    call(commands::DELETE_PROJECT, json!({ "id": id })).await
}

/// Tauri's own event when files are dropped on the window (`dragDropEnabled`, the default).
pub const DRAG_DROP_EVENT: &str = "tauri://drag-drop";

/// The payload of [`DRAG_DROP_EVENT`]: the dropped files' paths (the drop position is not used).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct DropPayload {
    #[serde(default)]
    pub paths: Vec<String>,
}

/// The asset-protocol URL of a local file (video or thumbnail) for `<video>`/`<img>`.
pub fn asset_url(path: &str) -> String {
    imp::convert_file_src(path)
}

/// Listens to a shell event carrying `T`; stops listening when dropped.
pub fn listen<T: DeserializeOwned + 'static>(event: &str, on: impl Fn(T) + 'static) -> Listener {
    imp::listen(
        event,
        Box::new(move |payload: String| {
            if let Ok(value) = serde_json::from_str::<T>(&payload) {
                on(value);
            }
        }),
    )
}

pub use imp::Listener;

#[cfg(target_arch = "wasm32")]
mod imp {
    //! The browser side: wasm-bindgen bindings to Tauri's global API (`withGlobalTauri`).

    use std::cell::RefCell;
    use std::rc::Rc;

    use js_sys::{Function, JSON, Reflect};
    use studio_api::{ErrorCode, UiError};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
        async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = convertFileSrc, catch)]
        fn convert_file_src_js(path: &str) -> Result<JsValue, JsValue>;

        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
        fn listen_js(event: &str, handler: &Function) -> Result<js_sys::Promise, JsValue>;
    }

    fn shell_present() -> bool {
        web_sys::window()
            .and_then(|w| Reflect::get(&w, &JsValue::from_str("__TAURI__")).ok())
            .is_some_and(|t| !t.is_undefined())
    }

    fn stringify(value: &JsValue) -> Option<String> {
        if value.is_undefined() {
            return Some("null".into());
        }
        JSON::stringify(value).ok().and_then(|s| s.as_string())
    }

    pub async fn invoke_json(cmd: &str, args: &str) -> Result<String, UiError> {
        invoke_args(cmd, args).await
    }

    async fn invoke_args(cmd: &str, args: &str) -> Result<String, UiError> {
        if !shell_present() {
            return Err(UiError::new(ErrorCode::Internal, super::NO_SHELL));
        }
        let args = JSON::parse(args).unwrap_or_else(|_| js_sys::Object::new().into());
        match invoke(cmd, args).await {
            Ok(value) => Ok(stringify(&value).unwrap_or_else(|| "null".into())),
            Err(err) => {
                let text = err
                    .as_string()
                    .or_else(|| {
                        err.dyn_ref::<js_sys::Error>()
                            .map(|e| String::from(e.message()))
                    })
                    .or_else(|| stringify(&err));
                Err(super::decode_error(
                    cmd,
                    stringify(&err).as_deref(),
                    text.as_deref(),
                ))
            }
        }
    }

    pub fn convert_file_src(path: &str) -> String {
        convert_file_src_js(path)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| format!("asset://localhost/{path}"))
    }

    /// A registered listener: unregisters on drop (also when registration finishes after the drop).
    pub struct Listener {
        handler: Option<Closure<dyn FnMut(JsValue)>>,
        unlisten: Rc<RefCell<Option<Function>>>,
        dropped: Rc<RefCell<bool>>,
    }

    impl std::fmt::Debug for Listener {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Listener")
        }
    }

    pub fn listen(event: &str, on: Box<dyn Fn(String)>) -> Listener {
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let payload = Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
            if let Some(json) = stringify(&payload) {
                on(json);
            }
        });
        let unlisten = Rc::new(RefCell::new(None));
        let dropped = Rc::new(RefCell::new(false));
        if shell_present()
            && let Ok(promise) = listen_js(event, handler.as_ref().unchecked_ref())
        {
            {
                let (unlisten, dropped) = (unlisten.clone(), dropped.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(f) = wasm_bindgen_futures::JsFuture::from(promise).await
                        && let Ok(f) = f.dyn_into::<Function>()
                    {
                        if *dropped.borrow() {
                            let _ = f.call0(&JsValue::NULL);
                        } else {
                            *unlisten.borrow_mut() = Some(f);
                        }
                    }
                });
            }
        }
        Listener {
            handler: Some(handler),
            unlisten,
            dropped,
        }
    }

    impl Drop for Listener {
        fn drop(&mut self) {
            *self.dropped.borrow_mut() = true;
            match self.unlisten.borrow_mut().take() {
                Some(f) => {
                    let _ = f.call0(&JsValue::NULL);
                }
                // Still registering: the handler must outlive that, then it is unregistered.
                None => {
                    if let Some(h) = self.handler.take() {
                        h.forget();
                    }
                }
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    //! Native builds (tests): there is no shell.

    use studio_api::{ErrorCode, UiError};

    pub async fn invoke_json(_cmd: &str, _args: &str) -> Result<String, UiError> {
        Err(UiError::new(ErrorCode::Internal, super::NO_SHELL))
    }

    pub fn convert_file_src(path: &str) -> String {
        format!("asset://localhost/{path}")
    }

    #[derive(Debug)]
    pub struct Listener;

    pub fn listen(_event: &str, _on: Box<dyn Fn(String)>) -> Listener {
        Listener
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_errors_decode_to_their_code_and_message() {
        let e = decode_error(
            "quote",
            Some(r#"{"code":"over_budget","message":"Over your session budget."}"#),
            None,
        );
        assert_eq!(
            e,
            UiError::new(ErrorCode::OverBudget, "Over your session budget.")
        );
        let e = decode_error(
            "quote",
            Some(r#""Command quote not found""#),
            Some("Command quote not found"),
        );
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(e.message.contains("cannot do that yet"));
        let e = decode_error("balance", None, Some("boom"));
        assert_eq!(e.message, "`balance` failed: boom");
    }

    #[test]
    fn outside_the_app_calls_fail_with_a_clear_message() {
        let result = futures_lite_block_on(key_status());
        assert_eq!(result.unwrap_err().message, NO_SHELL);
        assert!(asset_url("/m/a.mp4").ends_with("/m/a.mp4"));
    }

    /// A minimal executor for futures that finish on first poll.
    fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the native bridge never waits"),
        }
    }
}
