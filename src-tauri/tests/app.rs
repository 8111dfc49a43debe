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
fn capabilities_grant_exactly_the_contract_commands() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities/default.json");
    let capability: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("default capability"))
            .expect("JSON");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    let mut expected = vec!["core:default".to_string()];
    expected.extend(
        studio_api::commands::ALL
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-"))),
    );
    assert_eq!(capability["permissions"], serde_json::json!(expected));
}

#[test]
fn the_contract_holds_only_commands_the_ui_calls() {
    // What the UI's bridge (its only way to the shell) invokes: `commands::NAME` and any
    // `"plugin:…|…"` call. A command the UI never calls is surface for nothing.
    let bridge =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bridge.rs"))
            .expect("ui/src/bridge.rs");
    let code = bridge.split("#[cfg(test)]").next().unwrap_or_default();
    let called: std::collections::BTreeSet<String> = code
        .split("commands::")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            (!name.is_empty()).then(|| name.to_lowercase())
        })
        .collect();
    let plugin_calls: Vec<&str> = code
        .match_indices("\"plugin:")
        .map(|(i, _)| &code[i..])
        .collect();
    assert!(plugin_calls.is_empty(), "the UI calls plugins directly");
    let contract: std::collections::BTreeSet<String> = studio_api::commands::ALL
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        contract, called,
        "contract commands vs. the ones ui/src/bridge.rs calls"
    );
}

#[test]
fn build_script_gives_every_contract_command_a_permission() {
    let build =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/build.rs"))
            .expect("build.rs");
    // One list: the build script hands tauri-build the contract's, and writes none of its own.
    assert!(
        build.contains(".commands(&studio_api::commands::ALL)"),
        "build.rs takes its command list from studio_api::commands::ALL"
    );
    let own: Vec<&str> = build
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.strip_suffix("\","))
        .collect();
    assert!(own.is_empty(), "a second command list in build.rs: {own:?}");
}

#[test]
fn the_asset_protocol_is_on_with_an_empty_static_scope() {
    // The scope is set at run time to the media and thumbnail folders alone.
    let config = config();
    let asset = &config["app"]["security"]["assetProtocol"];
    assert_eq!(asset["enable"], true);
    assert_eq!(asset["scope"], serde_json::json!([]));
    let csp = &config["app"]["security"]["csp"];
    let images = csp["img-src"].as_str().expect("set");
    assert!(images.contains("asset:") && images.contains("http://asset.localhost"));
    // Videos stream from the loopback media server (WebKitGTK cannot play asset: URLs), never
    // from a blob: that would hold the whole file in memory.
    let media = csp["media-src"].as_str().expect("set");
    assert!(
        media.contains("http://127.0.0.1:*") && !media.contains("blob:"),
        "{media}"
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

#[test]
fn the_smoke_test_waits_for_the_line_the_shell_logs_when_the_ui_is_up() {
    let smoke =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("xtask/src/smoke.rs"))
            .expect("xtask/src/smoke.rs");
    let line = venice_studio_lib::commands::key::UI_UP_LOG;
    assert!(
        smoke.contains(&format!("const UI_UP_LOG: &str = \"{line}\";")),
        "xtask's smoke test waits for {line:?}"
    );
}
