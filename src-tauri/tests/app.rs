//! Checks on the built app and its configuration (no window needed). Being an integration test,
//! this also makes `cargo test` build the app binary, which `cargo xtask test` then starts under Xvfb.

use std::path::Path;

fn config() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tauri.conf.json");
    let text = std::fs::read_to_string(&path).expect("tauri.conf.json at the top level");
    serde_json::from_str(&text).expect("tauri.conf.json is JSON")
}

#[test]
fn the_app_binary_is_built() {
    let binary = Path::new(env!("CARGO_BIN_EXE_venice-studio"));
    assert!(binary.is_file(), "{} missing", binary.display());
}

#[test]
fn window_and_product_carry_the_app_name() {
    let config = config();
    assert_eq!(config["productName"], venice_studio_lib::APP_NAME);
    assert_eq!(
        config["app"]["windows"][0]["title"],
        venice_studio_lib::APP_NAME
    );
    assert_eq!(config["app"]["windows"][0]["label"], "main");
    assert_eq!(config["app"]["withGlobalTauri"], true);
    assert_eq!(config["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn csp_is_strict() {
    let config = config();
    let csp = config["app"]["security"]["csp"]
        .as_object()
        .expect("csp is set as an object");
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    for (directive, sources) in csp {
        let sources = sources.as_str().expect("string sources");
        assert!(
            !sources.contains("'unsafe-inline'"),
            "{directive} allows unsafe-inline"
        );
        assert!(
            !sources.contains("'unsafe-eval'"),
            "{directive} allows unsafe-eval"
        );
        assert!(
            !sources
                .split_whitespace()
                .any(|s| s == "*" || s == "https:" || s == "http:"),
            "{directive} is open"
        );
    }
}

#[test]
fn capabilities_grant_only_core_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities/default.json");
    let capability: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("default capability"))
            .expect("JSON");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert_eq!(
        capability["permissions"],
        serde_json::json!(["core:default"])
    );
}

#[test]
fn frontend_is_the_trunk_dist() {
    let config = config();
    assert_eq!(config["build"]["frontendDist"], "ui/dist");
    let before = config["build"]["beforeBuildCommand"]["script"]
        .as_str()
        .expect("beforeBuildCommand");
    assert!(
        before.contains("trunk build") && before.contains("--offline"),
        "{before}"
    );
}
