//! `SimConfig`: how a sim instance listens, authenticates, times its jobs and funds its account.

use std::time::Duration;

use crate::clips::ClipConfig;

/// How a [`crate::VeniceSim`] behaves. `Default` is a 2-second job on a free port with $50, serving
/// the bundled fixture MP4s.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// `Some(k)`: only `Authorization: Bearer k` is accepted, anything else is 401.
    /// `None`: any non-empty bearer token is accepted. A missing header is always 401.
    pub api_key: Option<String>,
    /// Wall time from queue until the video is ready.
    pub job_duration: Duration,
    /// Reported `average_execution_time` (P80, ms). `execution_duration` is
    /// `elapsed / job_duration * average_execution_ms`, so progress approaches 1.0.
    pub average_execution_ms: u64,
    /// Starting USD balance; each queue deducts its quote; 402 when the quote exceeds it.
    pub balance_usd: f64,
    /// Opt-in: the MP4 every finished job delivers instead of its bundled fixture (benchmarks that
    /// need a large file). `None`, the default, serves the fixture for the job's aspect ratio.
    pub served_video: Option<ServedVideo>,
    /// Opt-in: every finished job delivers a clip made for it with ffmpeg (the requested duration,
    /// aspect ratio and resolution, a colour and number per shot; see [`ClipConfig`]), so a whole
    /// music video can be made from the sim. `None`, the default, serves the bundled fixtures.
    /// [`SimConfig::served_video`] wins over this.
    pub clips: Option<ClipConfig>,
    /// How long after it is made a charge shows up in `/billing/usage-history` (usage Venice has not
    /// finished recording). Zero, the default: at once. [`crate::VeniceSim::set_usage_delay`]
    /// changes it while running.
    pub usage_delay: Duration,
}

/// An MP4 served in place of the fixtures (see [`SimConfig::served_video`]). Cheap to clone;
/// `Debug` shows only its size. The sim does not check it: serve a valid MP4.
#[derive(Clone, PartialEq, Eq)]
pub struct ServedVideo(pub bytes::Bytes);

impl std::fmt::Debug for ServedVideo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServedVideo({} bytes)", self.0.len())
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            api_key: None,
            job_duration: Duration::from_secs(2),
            average_execution_ms: 145_000,
            balance_usd: 50.0,
            served_video: None,
            clips: None,
            usage_delay: Duration::ZERO,
        }
    }
}
