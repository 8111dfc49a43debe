//! Drives the built desktop app in its real webview through WebDriver (tauri-driver in front of
//! WebKitWebDriver), one named step at a time, with a screenshot after every step.
//!
//! The tests in `tests/` run only when `STUDIO_E2E_APP` names the app binary (and a tauri-driver
//! listens at `STUDIO_E2E_WEBDRIVER`, default `http://127.0.0.1:4444`); otherwise they say so and
//! pass, so a plain `cargo test --workspace` needs no display. `cargo xtask test` starts Xvfb and
//! tauri-driver and sets both. Screenshots go to `STUDIO_E2E_SHOTS` (default `target/screenshots`)
//! as `e2e-NN-step.png`, numbered in the order the steps ran.

use std::fmt;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// The app's name: the window's and the document's title.
pub const APP_NAME: &str = "Venice Music Video Studio";

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(200);

/// Numbers screenshots across all tests of one run (the tests run one at a time).
static SHOT_NUMBER: AtomicU32 = AtomicU32::new(0);

/// Where the app and the WebDriver server are, from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// The app binary tauri-driver starts (absolute path).
    pub app: PathBuf,
    /// tauri-driver's URL.
    pub webdriver: String,
    /// The folder for screenshots.
    pub shots: PathBuf,
}

/// Set to `1` by `cargo xtask test`: a test that cannot run fails instead of skipping.
pub const REQUIRE_ALL_ENV: &str = "STUDIO_REQUIRE_ALL_TESTS";

impl Config {
    /// The configuration, or `None` (after printing why the test is skipped) when
    /// `STUDIO_E2E_APP` is not set.
    pub fn from_env_or_skip(test: &str) -> Option<Self> {
        let Some(app) = std::env::var_os("STUDIO_E2E_APP").filter(|v| !v.is_empty()) else {
            // In `cargo xtask test` (and so CI) a skipped test is a failure, not a pass.
            assert!(
                std::env::var_os(REQUIRE_ALL_ENV).is_none_or(|v| v != "1"),
                "studio-e2e: {test} cannot run: STUDIO_E2E_APP is not set, and \
                 {REQUIRE_ALL_ENV}=1 says no test may be skipped"
            );
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "studio-e2e: SKIPPED {test}: set STUDIO_E2E_APP=/abs/path/to/venice-studio with a \
tauri-driver listening (STUDIO_E2E_WEBDRIVER, default http://127.0.0.1:4444), or run \
`cargo xtask test`, which builds the app and starts Xvfb and tauri-driver"
            );
            return None;
        };
        let webdriver = std::env::var("STUDIO_E2E_WEBDRIVER")
            .unwrap_or_else(|_| "http://127.0.0.1:4444".to_owned());
        let shots = std::env::var_os("STUDIO_E2E_SHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
                root.canonicalize()
                    .unwrap_or(root)
                    .join("target/screenshots")
            });
        Some(Self {
            app: PathBuf::from(app),
            webdriver,
            shots,
        })
    }
}

/// A failed step: what was being done, what went wrong, and the screenshot taken then.
/// `Debug` prints the same readable text, so a test returning it reads well.
pub struct Failure(String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// One look of a wait: done with a value, or not yet (with what was seen, for the message).
#[derive(Debug)]
pub enum Probe<T> {
    /// The awaited thing, found.
    Ready(T),
    /// Not yet; what the page showed instead (may be empty).
    Waiting(String),
}

impl<T> From<Option<T>> for Probe<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or_else(|| Probe::Waiting(String::new()), Probe::Ready)
    }
}

/// One running app under WebDriver.
#[derive(Debug)]
pub struct App {
    client: Client,
    shots: PathBuf,
}

impl App {
    /// Starts a WebDriver session, which starts the app, and waits for its page to mount.
    pub async fn launch(config: &Config) -> Result<Self, Failure> {
        std::fs::create_dir_all(&config.shots).map_err(|error| {
            Failure(format!("cannot create {}: {error}", config.shots.display()))
        })?;
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": config.app },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&config.webdriver)
            .await
            .map_err(|error| {
                Failure(format!(
                    "launch: no WebDriver session at {} for {}: {error}",
                    config.webdriver,
                    config.app.display()
                ))
            })?;
        Ok(Self {
            client,
            shots: config.shots.clone(),
        })
    }

    /// The WebDriver client, for anything the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs one step: `work` within `limit`, then a screenshot `e2e-NN-name.png` whether it
    /// worked or not. A failure names the step, says what went wrong and where the screenshot is.
    pub async fn step<T>(
        &self,
        name: &str,
        limit: Duration,
        work: impl Future<Output = Result<T, String>>,
    ) -> Result<T, Failure> {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(limit, work).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("did not finish within {limit:?}")),
        };
        let shot = self.screenshot(name).await;
        let shot_text = match &shot {
            Ok(path) => path.display().to_string(),
            Err(error) => format!("(no screenshot: {error})"),
        };
        match outcome {
            Ok(value) => {
                eprintln!(
                    "studio-e2e: ok   {name} ({:.1}s) screenshot {shot_text}",
                    started.elapsed().as_secs_f64()
                );
                Ok(value)
            }
            Err(error) => Err(Failure(format!(
                "step `{name}` failed after {:.1}s: {error}\n  screenshot: {shot_text}",
                started.elapsed().as_secs_f64()
            ))),
        }
    }

    /// Saves a WebDriver screenshot as `e2e-NN-name.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let number = SHOT_NUMBER.fetch_add(1, Ordering::SeqCst) + 1;
        let path = self.shots.join(format!("e2e-{number:02}-{name}.png"));
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|error| format!("WebDriver screenshot: {error}"))?;
        std::fs::write(&path, png).map_err(|error| format!("{}: {error}", path.display()))?;
        Ok(path)
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.client
            .execute(script, args)
            .await
            .map_err(|error| format!("script failed: {error}"))
    }

    /// Polls `probe` until it yields [`Probe::Ready`], or fails after `limit` naming `what` and
    /// the last thing it saw. An `Err` from `probe` ends the wait at once (e.g. the job failed).
    pub async fn wait_for<T>(
        &self,
        what: &str,
        limit: Duration,
        mut probe: impl AsyncFnMut() -> Result<Probe<T>, String>,
    ) -> Result<T, String> {
        let started = Instant::now();
        loop {
            let seen = match probe().await? {
                Probe::Ready(value) => return Ok(value),
                Probe::Waiting(seen) => seen,
            };
            if started.elapsed() > limit {
                let seen = if seen.is_empty() {
                    String::new()
                } else {
                    format!("; last seen: {seen}")
                };
                return Err(format!("waited {limit:?} for {what}{seen}"));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The elements with `data-testid="id"` right now (none is not an error).
    pub async fn all_by_testid(&self, id: &str) -> Result<Vec<Element>, String> {
        self.client
            .find_all(Locator::Css(&testid(id)))
            .await
            .map_err(|error| format!("looking for {id}: {error}"))
    }

    /// The first visible element with `data-testid="id"` right now, if any.
    pub async fn visible_testid(&self, id: &str) -> Result<Option<Element>, String> {
        for element in self.all_by_testid(id).await? {
            if element.is_displayed().await.unwrap_or(false) {
                return Ok(Some(element));
            }
        }
        Ok(None)
    }

    /// Waits for a visible element with `data-testid="id"`.
    pub async fn testid(&self, id: &str, limit: Duration) -> Result<Element, String> {
        self.wait_for(
            &format!("a visible [data-testid={id}]"),
            limit,
            || async move { Ok(self.visible_testid(id).await?.into()) },
        )
        .await
    }

    /// Waits for `data-testid="id"` to be visible and enabled (not `disabled`), then clicks it.
    pub async fn click_testid(&self, id: &str, limit: Duration) -> Result<(), String> {
        let what = format!("a visible, enabled [data-testid={id}]");
        let element = self
            .wait_for(&what, limit, || async move {
                let Some(element) = self.visible_testid(id).await? else {
                    return Ok(Probe::Waiting(format!("no visible {id}")));
                };
                match element.is_enabled().await {
                    Ok(true) => Ok(Probe::Ready(element)),
                    Ok(false) => Ok(Probe::Waiting(format!("{id} is disabled"))),
                    Err(error) => Err(error.to_string()),
                }
            })
            .await?;
        element
            .click()
            .await
            .map_err(|error| format!("clicking {id}: {error}"))
    }

    /// The visible text of an element.
    pub async fn text(element: &Element) -> Result<String, String> {
        element
            .text()
            .await
            .map_err(|error| format!("reading text: {error}"))
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) {
        if let Err(error) = self.client.close().await {
            eprintln!("studio-e2e: closing the session: {error}");
        }
    }
}

/// The CSS selector for a `data-testid`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// A dollar amount like `$0.35` or `$12` anywhere in `text`.
pub fn dollar_amount(text: &str) -> Option<f64> {
    let start = text.find('$')? + 1;
    let number: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    number.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dollar_amounts() {
        assert_eq!(dollar_amount("$0.35"), Some(0.35));
        assert_eq!(dollar_amount("Price: $1,234.50 per clip"), Some(1234.5));
        assert_eq!(dollar_amount("loading…"), None);
        assert_eq!(dollar_amount("$"), None);
    }

    #[test]
    fn testid_selector_quotes_the_id() {
        assert_eq!(testid("theme-input"), "[data-testid=\"theme-input\"]");
    }
}
