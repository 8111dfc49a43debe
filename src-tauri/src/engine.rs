//! The app's state: which engine runs (none until there is a key, live with the user's key, or
//! the demo against the in-process Venice test double), its poller, the task that pushes its job
//! events to the UI, and rebuilding all of it when the key or the settings change.

use std::path::PathBuf;
use std::time::Duration;

use studio_api::{ErrorCode, JOB_EVENT, KeyStatus, Settings, UiError};
use studio_core::{PollerHandle, Studio, StudioPaths, keychain};
use tauri::{AppHandle, Manager, Runtime};
use venice::{ApiKey, Client, ClientConfig};
use venice_sim::{SimConfig, VeniceSim};

use crate::error::{from_core, internal, needs_key};
use crate::generation::Generators;
use crate::keystore::KeyStore;
use crate::{notify, settings, tray, views};

/// `STUDIO_DEMO=1` starts the app in demo mode.
pub const DEMO_ENV: &str = "STUDIO_DEMO";
/// The key the demo sends to the in-process test double. Not a secret: it opens nothing.
pub const DEMO_KEY: &str = "demo-key-not-a-secret";
/// In demo mode jobs take this long, so progress is visible.
pub const DEMO_JOB: Duration = Duration::from_secs(7);

/// How long an engine restart waits for the old engine's queue calls to be answered; past it the
/// ledger hands them over (see [`AppState::start`]).
const RESTART_WAIT: Duration = Duration::from_secs(15);

/// How the app starts; tests point everything at temp folders.
#[derive(Debug, Clone)]
pub struct Options {
    /// Ledger, settings, key file (the OS app-data folder).
    pub data_dir: PathBuf,
    /// The media folder until the user picks another.
    pub default_media_dir: PathBuf,
    /// Start in demo mode (`STUDIO_DEMO=1`).
    pub force_demo: bool,
    /// Use the OS keychain (tests switch it off).
    pub use_keychain: bool,
    /// How long a demo job takes.
    pub demo_job: Duration,
    /// Time between two retrieves of a demo job.
    pub demo_poll: Duration,
    /// `VENICE_BASE_URL`, for pointing a live key at a local test double.
    pub base_url: Option<String>,
    /// Tray icon and notifications (off under the mock runtime).
    pub desktop: bool,
}

impl Options {
    /// The user's folders (the same ones as the `studio` CLI) and the environment.
    pub fn from_env() -> Result<Self, studio_core::Error> {
        let paths = StudioPaths::for_user()?;
        Ok(Self {
            data_dir: paths.data_dir,
            default_media_dir: paths.media_dir,
            force_demo: std::env::var(DEMO_ENV).is_ok_and(|v| v == "1" || v == "true"),
            use_keychain: true,
            demo_job: DEMO_JOB,
            demo_poll: Duration::from_secs(1),
            base_url: std::env::var("VENICE_BASE_URL")
                .ok()
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty()),
            desktop: true,
        })
    }

    /// Demo jobs live apart from paid ones.
    pub fn demo_paths(&self) -> StudioPaths {
        let root = self.data_dir.join("demo");
        StudioPaths {
            media_dir: root.join("media"),
            data_dir: root,
        }
    }
}

/// What the engine talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Demo,
}

/// What to start.
#[derive(Debug)]
pub enum Want {
    Nothing,
    Live(ApiKey),
    Demo,
}

/// A running engine.
#[derive(Debug)]
pub struct Engine {
    pub mode: Mode,
    pub studio: Studio,
    /// `None` when another studio already drives the jobs in this folder.
    poller: Option<PollerHandle>,
    poller_error: Option<UiError>,
    _sim: Option<VeniceSim>,
    forwarder: tauri::async_runtime::JoinHandle<()>,
    /// Its projects' "Generate all" tasks.
    pub generators: Generators,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.forwarder.abort();
        self.generators.stop_all();
        if let Some(poller) = self.poller.take() {
            poller.stop();
        }
    }
}

#[derive(Debug)]
enum Slot {
    NoKey,
    Running(Engine),
    Failed(UiError),
}

/// Managed by Tauri; every command reaches the engine through it.
#[derive(Debug)]
pub struct AppState {
    pub options: Options,
    pub keys: KeyStore,
    /// Files the Open dialogs returned in this run: the webview may have them read.
    pub picked: crate::picked::PickedFiles,
    slot: tokio::sync::Mutex<Slot>,
}

impl AppState {
    pub fn new(options: Options) -> Self {
        Self {
            keys: KeyStore::new(&options.data_dir, options.use_keychain),
            options,
            picked: crate::picked::PickedFiles::default(),
            slot: tokio::sync::Mutex::new(Slot::NoKey),
        }
    }

    /// The engine to call (cheap clone) and its mode.
    pub async fn studio(&self) -> Result<(Studio, Mode), UiError> {
        match &*self.slot.lock().await {
            Slot::Running(engine) => Ok((engine.studio.clone(), engine.mode)),
            Slot::NoKey => Err(needs_key()),
            Slot::Failed(error) => Err(error.clone()),
        }
    }

    /// The engine, if its poller runs (so new paid jobs are followed to the end).
    pub async fn studio_for_generate(&self) -> Result<Studio, UiError> {
        match &*self.slot.lock().await {
            Slot::Running(Engine {
                poller_error: Some(error),
                ..
            }) => Err(error.clone()),
            Slot::Running(engine) => Ok(engine.studio.clone()),
            Slot::NoKey => Err(needs_key()),
            Slot::Failed(error) => Err(error.clone()),
        }
    }

    /// The engine (only if its poller runs: a chain waits on it) and its "Generate all" tasks.
    pub async fn generators(&self) -> Result<(Studio, Generators), UiError> {
        let studio = self.studio_for_generate().await?;
        match &*self.slot.lock().await {
            Slot::Running(engine) => Ok((studio, engine.generators.clone())),
            Slot::NoKey => Err(needs_key()),
            Slot::Failed(error) => Err(error.clone()),
        }
    }

    pub async fn mode(&self) -> Option<Mode> {
        match &*self.slot.lock().await {
            Slot::Running(engine) => Some(engine.mode),
            _ => None,
        }
    }

    /// The settings (saved, or the defaults).
    pub fn settings<R: Runtime>(&self, app: &AppHandle<R>) -> Settings {
        settings::load(app, &self.options.data_dir, &self.options.default_media_dir)
    }

    /// What the webview may know about the key: whether one is stored and its last four.
    pub async fn key_status<R: Runtime>(&self, app: &AppHandle<R>) -> KeyStatus {
        let stored = self.keys.load(app);
        KeyStatus {
            is_set: stored.is_some(),
            last_four: stored.as_ref().and_then(keychain::last_four),
            demo: self.mode().await == Some(Mode::Demo),
        }
    }

    /// Stops the running engine (its jobs stay in the ledger) and starts `want`.
    pub async fn start<R: Runtime>(&self, app: &AppHandle<R>, want: Want) -> Result<(), UiError> {
        let mut slot = self.slot.lock().await;
        // A queue call of the old engine still waiting for Venice records its answer (the queue
        // id, or that it was refused) before another engine takes the folder. Should the wait run
        // out, the ledger still hands the job over: the new poller leaves young submissions alone
        // and picks up whatever the old engine queues afterwards.
        if let Slot::Running(engine) = &*slot {
            // Bounded, so a save never freezes the window for a whole request timeout.
            if !engine.studio.wait_for_submissions(RESTART_WAIT).await {
                tracing::warn!("restarting the engine with a queue call still unanswered");
            }
        }
        // The old poller must let go of the data folder before a new one takes it.
        *slot = Slot::NoKey;
        let result = match want {
            Want::Nothing => {
                tray::set_in_flight(app, 0);
                return Ok(());
            }
            Want::Demo => self.open_demo(app).await,
            Want::Live(key) => self.open_live(app, key).await,
        };
        match result {
            Ok(engine) => {
                *slot = Slot::Running(engine);
                Ok(())
            }
            Err(error) => {
                *slot = Slot::Failed(error.clone());
                Err(error)
            }
        }
    }

    /// Starts the same kind of engine again (after the settings changed).
    pub async fn restart<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), UiError> {
        let want = match self.mode().await {
            Some(Mode::Demo) => Want::Demo,
            _ => match self.keys.load(app) {
                Some(key) => Want::Live(key),
                None => Want::Nothing,
            },
        };
        self.start(app, want).await
    }

    async fn open_demo<R: Runtime>(&self, app: &AppHandle<R>) -> Result<Engine, UiError> {
        let paths = self.options.demo_paths();
        let sim = VeniceSim::start(SimConfig {
            // Every demo job gets a clip of the length and shape asked for (made with ffmpeg,
            // cached), so a whole music video can be made and watched for free.
            clips: Some(venice_sim::ClipConfig::in_dir(
                paths.data_dir.join("demo-clips"),
            )),
            job_duration: self.options.demo_job,
            // Venice's reported average, from which the ETA is worked out, matches the demo's pace.
            average_execution_ms: u64::try_from(self.options.demo_job.as_millis())
                .unwrap_or(u64::MAX),
            // Nothing in the demo costs anything: its account never runs dry, so a long song is
            // never refused for a balance the user could not top up anyway.
            balance_usd: 1_000_000.0,
            ..SimConfig::default()
        })
        .await
        .map_err(|e| internal("start the demo", e))?;
        let client = Client::new(ClientConfig::new(ApiKey::new(DEMO_KEY)).base_url(sim.base_url()))
            .map_err(crate::error::from_venice)?;
        let settings = self.settings(app);
        let mut config = settings::engine_config(&settings);
        config.poll_interval = self.options.demo_poll;
        config.retry_base_delay = Duration::from_millis(200);
        config.retry_max_delay = Duration::from_secs(2);
        open(app, Mode::Demo, client, paths, config, Some(sim))
    }

    async fn open_live<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        key: ApiKey,
    ) -> Result<Engine, UiError> {
        let mut client_config = ClientConfig::new(key);
        if let Some(url) = &self.options.base_url {
            client_config = client_config.base_url(url.clone());
        }
        let client = Client::new(client_config).map_err(crate::error::from_venice)?;
        let settings = self.settings(app);
        let paths = StudioPaths {
            data_dir: self.options.data_dir.clone(),
            media_dir: PathBuf::from(&settings.media_dir),
        };
        open(
            app,
            Mode::Live,
            client,
            paths,
            settings::engine_config(&settings),
            None,
        )
    }
}

/// Opens the ledger, lets the webview load videos and thumbnails from this engine's folders
/// (and nothing else), starts forwarding events, then the poller.
fn open<R: Runtime>(
    app: &AppHandle<R>,
    mode: Mode,
    client: Client,
    paths: StudioPaths,
    config: studio_core::EngineConfig,
    sim: Option<VeniceSim>,
) -> Result<Engine, UiError> {
    let scope = app.asset_protocol_scope();
    // Songs are streamed to the music-video screen's `<audio>` from the library's song folder.
    for folder in [&paths.media_dir, &paths.thumbnails(), &paths.song_cache()] {
        std::fs::create_dir_all(folder).map_err(|e| {
            UiError::new(
                ErrorCode::Io,
                format!("Could not create {}: {e}.", folder.display()),
            )
        })?;
        scope
            .allow_directory(folder, true)
            .map_err(|e| internal("allow the media folder", e))?;
    }
    crate::media_server::allow(&[&paths.media_dir, &paths.thumbnails(), &paths.song_cache()]);
    let studio = Studio::open(client, paths, config).map_err(from_core)?;
    let forwarder = forward(app.clone(), studio.clone());
    let (poller, poller_error) = match studio.start_poller() {
        Ok(poller) => (Some(poller), None),
        Err(error) => {
            tracing::warn!("jobs are not followed here: {error}");
            (None, Some(from_core(error)))
        }
    };
    {
        // The tray's count, read off the async workers like the forwarder's updates.
        let (app, studio) = (app.clone(), studio.clone());
        tauri::async_runtime::spawn(async move {
            tray::set_in_flight(&app, in_flight(&studio).await);
        });
    }
    let generators = Generators::default();
    if poller.is_some() {
        generators.resume(app, &studio);
    }
    Ok(Engine {
        mode,
        studio,
        poller,
        poller_error,
        _sim: sim,
        forwarder,
        generators,
    })
}

async fn in_flight(studio: &Studio) -> usize {
    studio.in_flight_count_async().await.unwrap_or(0)
}

/// Pushes every job event to the UI (the UI never polls Venice), keeps the tray's count
/// current, and notifies when a video is ready or failed.
fn forward<R: Runtime>(app: AppHandle<R>, studio: Studio) -> tauri::async_runtime::JoinHandle<()> {
    let mut events = studio.subscribe();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(event) => {
                    crate::events::emit(&app, JOB_EVENT, views::event(&event));
                    if !matches!(
                        event,
                        studio_core::JobEvent::Progress { .. }
                            | studio_core::JobEvent::Downloading { .. }
                    ) {
                        tray::set_in_flight(&app, in_flight(&studio).await);
                    }
                    if event.is_final() {
                        let job = studio.job_async(&event.job_id().0).await.ok();
                        notify::job_settled(&app, job.as_ref(), &event);
                    }
                }
                // Missed some: the UI re-reads the list on its next look; counts are re-read here.
                Err(RecvError::Lagged(_)) => {
                    tray::set_in_flight(&app, in_flight(&studio).await);
                }
                Err(RecvError::Closed) => break,
            }
        }
    })
}
