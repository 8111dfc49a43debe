//! `venice-sim`: the test double as a standalone server for demo mode and manual use.

use std::time::Duration;

use clap::Parser;
use venice_sim::{ClipConfig, SimConfig, VeniceSim};

/// A local stand-in for Venice's video API (same endpoints, a clip made per job with ffmpeg, fault
/// injection).
#[derive(Debug, Parser)]
#[command(name = "venice-sim", version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Seconds from queue until a video is ready.
    #[arg(long, default_value_t = 10.0)]
    job_seconds: f64,
    /// Accept only this API key (default: any non-empty bearer token).
    #[arg(long, env = "VENICE_SIM_API_KEY")]
    api_key: Option<String>,
    /// Starting USD balance.
    #[arg(long, default_value_t = 50.0)]
    balance_usd: f64,
    /// Serve the bundled fixture MP4s instead of making a clip per job with ffmpeg.
    #[arg(long)]
    fixtures: bool,
    /// Where made clips are cached (default: venice-sim-clips in the system's temp folder).
    #[arg(long, value_name = "DIR")]
    clip_cache: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let job_duration =
        Duration::try_from_secs_f64(args.job_seconds.max(0.0)).unwrap_or(Duration::from_secs(10));
    let config = SimConfig {
        port: args.port,
        api_key: args.api_key,
        job_duration,
        balance_usd: args.balance_usd,
        clips: (!args.fixtures).then(|| match args.clip_cache {
            Some(dir) => ClipConfig::in_dir(dir),
            None => ClipConfig::default(),
        }),
        ..SimConfig::default()
    };
    let sim = VeniceSim::start(config).await?;
    #[allow(clippy::print_stdout)]
    {
        println!("{}", sim.base_url());
    }
    tracing::info!(
        "venice-sim serving {} (jobs take {:?}); control API at http://{}/_sim/; ^C to stop",
        sim.base_url(),
        job_duration,
        sim.addr()
    );
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
