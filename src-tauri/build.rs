//! Tauri's build step: reads ../tauri.conf.json (the top-level config, beside the root Cargo.toml),
//! the capabilities in src-tauri/capabilities/, and the plugins' permission manifests.
fn main() {
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build failed: {error:#}");
    }
}
