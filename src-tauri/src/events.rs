//! Events to the UI, always emitted on the main thread. `Emitter::emit` holds Tauri's webview
//! list lock while it hands the script to each webview; from a tokio worker that races the main
//! thread, which takes the same lock to answer the webview's IPC calls, and when the script is
//! evaluated synchronously (Tauri built with `tracing`, as under `cargo test`) the two deadlock:
//! the window froze in the middle of "Generate all" (seven job events at once), both threads
//! waiting on each other (tauri#9453). Posting the emit to the main thread serialises it with the
//! IPC handling; posts keep their order.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

/// Emits `payload` as `event` to every webview, from the main thread.
pub fn emit<R: Runtime, S: Serialize + Clone + Send + 'static>(
    app: &AppHandle<R>,
    event: &'static str,
    payload: S,
) {
    let handle = app.clone();
    let posted = app.run_on_main_thread(move || {
        if let Err(e) = handle.emit(event, payload) {
            tracing::warn!("could not push a {event} event: {e}");
        }
    });
    if let Err(e) = posted {
        tracing::warn!("could not post a {event} event to the main thread: {e}");
    }
}
