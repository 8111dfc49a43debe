//! Tauri's build step: reads ../tauri.conf.json (the top-level config, beside the root Cargo.toml),
//! the capabilities in src-tauri/capabilities/, and the plugins' permission manifests. The app's
//! commands get `allow-<command>` permissions, so the capability must name each one it grants.

/// Every app command (the same list as `studio_api::commands::ALL`; a test checks they agree).
const COMMANDS: &[&str] = &[
    "key_status",
    "set_key",
    "clear_key",
    "start_demo",
    "list_models",
    "generate_prompt",
    "quote",
    "generate",
    "list_jobs",
    "dismiss_job",
    "delete_video",
    "reveal_video",
    "get_settings",
    "save_settings",
    "pick_media_dir",
    "balance",
    "check_image",
    "pick_image",
    "save_video_dialog",
    "drag_video",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build failed: {error:#}");
    }
}
