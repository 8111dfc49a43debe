//! Tauri's build step: reads ../tauri.conf.json (the top-level config, beside the root Cargo.toml),
//! the capabilities in src-tauri/capabilities/, and the plugins' permission manifests. The app's
//! commands get `allow-<command>` permissions, so the capability must name each one it grants.
//! The command list is the contract's (`studio_api::commands::ALL`), the one place it lives.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&studio_api::commands::ALL));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build failed: {error:#}");
    }
}
