//! `studio-bench`: the engine benchmark of issue 3 §4, against the Venice test double in this
//! process. Prints a report and writes it as JSON (default `target/bench/engine.json`).
//!
//! Phases: (0) the engine's queue path under its queue limiter; (1) many jobs tracked at once by
//! the poller: peak request rates the double saw, RSS, CPU, wall time; (3) from the retrieve that
//! delivered each MP4 to the `Ready` event; a bare client loop as the reference run; (2) download
//! throughput of a large MP4 next to `curl` from the same server.
//!
//! ```text
//! cargo run --release -p studio-bench -- [--jobs 500] [--minutes N] [--mb 128] [--quick]
//! ```
#![allow(clippy::print_stdout)]

mod bigmp4;
mod procstat;
mod queueing;
mod rig;
mod stats;
mod throughput;
mod tracking;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use serde::Serialize;

use rig::Fail;

#[derive(Debug, Parser)]
#[command(about = "Benchmark the studio engine against the Venice test double")]
struct Args {
    /// Jobs tracked at once by the engine's poller.
    #[arg(long, default_value_t = 500)]
    jobs: usize,
    /// Stop the tracking phase after this many minutes (reports jobs completed by then); by
    /// default it runs until every job is ready (about jobs / 110 minutes at the retrieve limit).
    #[arg(long)]
    minutes: Option<f64>,
    /// Simulated generation time of each job on the double.
    #[arg(long, default_value_t = 2.0)]
    job_seconds: f64,
    /// The engine's poll interval per job.
    #[arg(long, default_value_t = 10.0)]
    poll_seconds: f64,
    /// Jobs queued through `Studio::generate` to measure the queue limiter (0 skips the phase).
    #[arg(long, default_value_t = 40)]
    queue_jobs: usize,
    /// Jobs for the reference run (a bare client loop behind the same limiter; 0 skips it).
    #[arg(long, default_value_t = 110)]
    ref_jobs: usize,
    /// Size of the MP4 for the throughput phase, in MB (0 skips the phase).
    #[arg(long, default_value_t = 128)]
    mb: usize,
    /// Runs of each download; the best counts.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// No ffmpeg thumbnails (points the engine at a missing ffmpeg: its documented fallback).
    #[arg(long)]
    no_thumbnails: bool,
    /// A smoke run in well under a minute: 20 jobs, 10 MB, 5 queued, 20 reference jobs (overrides
    /// --jobs, --queue-jobs, --ref-jobs and --mb).
    #[arg(long)]
    quick: bool,
    /// Where the JSON report goes.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Report {
    command: String,
    quick: bool,
    cores: usize,
    queue: Option<queueing::QueueReport>,
    tracking: tracking::EngineReport,
    reference: Option<tracking::ReferenceReport>,
    ratios: Ratios,
    throughput: Option<throughput::ThroughputReport>,
}

#[derive(Debug, Default, Serialize)]
struct Ratios {
    /// Engine-side CPU per job / the bare client loop's.
    engine_cpu_per_job_vs_reference: f64,
    /// Median retrieve → Ready / the bare loop's median retrieve → saved.
    engine_median_latency_vs_reference: f64,
    /// Peak retrieves in 60 s / the limiter's 110.
    retrieve_peak_vs_limit: f64,
    queue_peak_vs_limit: f64,
}

fn main() -> Result<(), Fail> {
    let mut args = Args::parse();
    if args.quick {
        args.jobs = 20;
        args.queue_jobs = 5;
        args.ref_jobs = 20;
        args.mb = 10;
    }
    let workspace = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let bench_dir = workspace.join("target").join("bench");
    let work = bench_dir.join("work");
    std::fs::create_dir_all(&work)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| bench_dir.join("engine.json"));

    // The double gets its own runtime so its CPU can be told apart from the engine's.
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(rig::SIM_THREAD)
        .enable_all()
        .build()?;
    let engine_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name(rig::ENGINE_THREAD)
        .enable_all()
        .build()?;
    let sim = sim_rt.handle().clone();
    let report = engine_rt.block_on(run(&args, &sim, &work))?;
    drop(engine_rt);
    drop(sim_rt);

    print_report(&report);
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("\nJSON report: {}", out.display());
    Ok(())
}

async fn run(
    args: &Args,
    sim: &tokio::runtime::Handle,
    work: &std::path::Path,
) -> Result<Report, Fail> {
    let ffmpeg = if args.no_thumbnails {
        PathBuf::from("/nonexistent/ffmpeg-disabled-by-bench")
    } else {
        PathBuf::from("ffmpeg")
    };
    let queue = if args.queue_jobs > 0 {
        Some(queueing::run(sim, args.queue_jobs, work).await?)
    } else {
        None
    };
    let opts = tracking::Options {
        jobs: args.jobs,
        minutes: args.minutes,
        job_duration: Duration::from_secs_f64(args.job_seconds.max(0.0)),
        poll_interval: Duration::from_secs_f64(args.poll_seconds.max(0.01)),
        ffmpeg: ffmpeg.clone(),
        work: work.to_path_buf(),
    };
    let tracking = tracking::run_engine(sim, &opts).await?;
    let reference = if args.ref_jobs > 0 {
        let ref_opts = tracking::Options {
            jobs: args.ref_jobs,
            minutes: None,
            ..opts.clone()
        };
        let parallel = studio_core::EngineConfig::default().max_parallel_retrieves;
        Some(tracking::run_reference(sim, &ref_opts, parallel).await?)
    } else {
        None
    };
    let throughput = if args.mb > 0 {
        Some(throughput::run(sim, args.mb * 1_000_000, args.runs.max(1), work, ffmpeg).await?)
    } else {
        None
    };
    let ratios = Ratios {
        engine_cpu_per_job_vs_reference: reference.as_ref().map_or(0.0, |r| {
            stats::ratio(tracking.engine_cpu_ms_per_job, r.cpu_ms_per_job)
        }),
        engine_median_latency_vs_reference: reference.as_ref().map_or(0.0, |r| {
            stats::ratio(
                tracking.retrieve_to_ready.median_ms,
                r.retrieve_to_saved.median_ms,
            )
        }),
        retrieve_peak_vs_limit: stats::ratio(
            tracking.rates.retrieve_peak_per_60s as f64,
            f64::from(tracking.rates.retrieve_limit_per_min),
        ),
        queue_peak_vs_limit: queue.as_ref().map_or(0.0, |q| {
            stats::ratio(
                q.queue_peak_per_60s as f64,
                f64::from(q.queue_limit_per_min),
            )
        }),
    };
    Ok(Report {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        quick: args.quick,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        queue,
        tracking,
        reference,
        ratios,
        throughput,
    })
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn print_report(r: &Report) {
    println!(
        "\n=== studio-bench: engine against the Venice double ({} cores) ===",
        r.cores
    );
    println!("command: {}", r.command);
    if let Some(q) = &r.queue {
        println!("\n-- queue path: Studio::generate(count = {}) --", q.jobs);
        println!(
            "queued {}/{} in {:.1} s; peak /video/queue per 60 s: {} (limit {}, ratio {:.2}); per minute {:?}; last call {:.1} s after the first",
            q.queued,
            q.jobs,
            q.wall_s,
            q.queue_peak_per_60s,
            q.queue_limit_per_min,
            r.ratios.queue_peak_vs_limit,
            q.queues_per_minute,
            q.last_queue_after_first_s
        );
    }
    let t = &r.tracking;
    println!(
        "\n-- tracking: {} jobs at once (seeded as queued in {:.1} s), job {:.1} s on the double, poll every {:.1} s, thumbnails: {} --",
        t.jobs, t.seeding_s, t.job_duration_s, t.poll_interval_s, t.thumbnails_with
    );
    match t.stopped_after_minutes {
        Some(m) => println!(
            "measured a fixed window of {m} min: {} ready, {} failed in {:.1} s",
            t.completed, t.failed, t.wall_s
        ),
        None => println!(
            "ran until settled: {} ready, {} failed in {:.1} s",
            t.completed, t.failed, t.wall_s
        ),
    }
    if let Some(all) = t.all_ready_s {
        println!(
            "all {} jobs ready after {all:.1} s ({:.2} jobs/min)",
            t.jobs,
            t.jobs as f64 / all * 60.0
        );
    }
    let rt = &t.rates;
    println!(
        "retrieves: {} ({:.2}/job, {} not 200); peak per any 60 s: {} (limit {}, ratio {:.3}) in the window from {:.1} s; peak per 5 s: {}; per minute {:?}",
        rt.retrieves,
        stats::ratio(rt.retrieves as f64, t.completed as f64),
        rt.non_200_retrieves,
        rt.retrieve_peak_per_60s,
        rt.retrieve_limit_per_min,
        r.ratios.retrieve_peak_vs_limit,
        rt.retrieve_peak_window_start_s,
        rt.retrieve_peak_per_5s,
        rt.retrieves_per_minute
    );
    if let (Some(ms), Some(a), Some(b)) = (
        rt.retrieve_tightest_limit_plus_one_ms,
        rt.retrieve_tightest_from_s,
        rt.retrieve_tightest_to_s,
    ) {
        let verdict = if ms >= 60_000.0 {
            "the limit held at the double"
        } else {
            "more than the limit arrived within 60 s"
        };
        println!(
            "tightest run of {} consecutive retrieves at the double: {ms:.1} ms (from {a:.3} s to {b:.3} s): {verdict}",
            rt.retrieve_limit_per_min + 1
        );
    }
    println!(
        "queue calls by the engine while tracking: {} (peak/60 s {}); completes: {}",
        rt.queues, rt.queue_peak_per_60s, rt.completes
    );
    let c = &t.cpu;
    println!(
        "CPU: process {:.2} s (user {:.2}, sys {:.2}) = double {:.2} + engine side {:.2}; ffmpeg children {:.2} s; engine side {:.2} ms/job; {:.1} % of one core over the phase",
        c.process_s,
        c.user_s,
        c.system_s,
        c.double_s,
        c.engine_side_s,
        c.children_s,
        t.engine_cpu_ms_per_job,
        stats::ratio(c.engine_side_s, t.wall_s) * 100.0
    );
    let m = &t.memory;
    println!(
        "RSS: {:.1} MiB before → {:.1} MiB after (growth {:+.1} MiB); sampled peak {:.1} MiB; VmHWM {:.1} MiB{}",
        mib(m.rss_before_kb),
        mib(m.rss_after_kb),
        m.rss_growth_kb as f64 / 1024.0,
        mib(m.rss_peak_sampled_kb),
        mib(m.vm_hwm_kb),
        if m.hwm_reset {
            " (reset at phase start)"
        } else {
            " (since process start)"
        }
    );
    println!(
        "retrieve that delivered the MP4 → Ready: {}",
        t.retrieve_to_ready.line()
    );
    println!(
        "   retrieve → body in:                  {}",
        t.retrieve_to_body_in.line()
    );
    println!(
        "   body in → Ready (fsync, probe, thumbnail, ledger): {}",
        t.body_in_to_ready.line()
    );
    println!(
        "events lagged: {}; one ledger pass over all {} jobs (wait_until_settled does one per event): {:.1} ms",
        t.events_lagged, t.jobs, t.ledger_scan_ms
    );
    if let Some(f) = &r.reference {
        println!(
            "\n-- reference: bare client loop, {} jobs, same limiter and parallelism, no ledger/probe/thumbnail --",
            f.jobs
        );
        println!(
            "{} saved in {:.1} s; retrieves {} (peak/60 s {}); CPU process {:.2} s = double {:.2} + client side {:.2} ({:.2} ms/job)",
            f.completed,
            f.wall_s,
            f.rates.retrieves,
            f.rates.retrieve_peak_per_60s,
            f.cpu.process_s,
            f.cpu.double_s,
            f.cpu.engine_side_s,
            f.cpu_ms_per_job
        );
        println!(
            "retrieve that delivered the MP4 → saved: {}",
            f.retrieve_to_saved.line()
        );
        println!(
            "ratios engine / reference: CPU per job {:.2}x, median latency {:.2}x",
            r.ratios.engine_cpu_per_job_vs_reference, r.ratios.engine_median_latency_vs_reference
        );
    }
    if let Some(d) = &r.throughput {
        println!(
            "\n-- download throughput: {:.1} MB MP4, POST /video/retrieve on the same double, best of {} --",
            d.file_mb, d.runs
        );
        let line = |name: &str, runs: &throughput::Runs| {
            let all: Vec<String> = runs.seconds.iter().map(|s| format!("{s:.3}")).collect();
            println!(
                "{name:<28} best {:>8.1} MB/s  ({} s)",
                runs.best_mb_per_s,
                all.join(", ")
            );
        };
        line("client (incl. fsync)", &d.client);
        line("curl -o (no fsync)", &d.curl);
        line("curl -o + fsync", &d.curl_fsync);
        line("engine retrieve → Ready", &d.engine_to_ready);
        line("engine retrieve → body in", &d.engine_body_in);
        let fs: Vec<String> = d
            .fsync_after_curl_s
            .iter()
            .map(|s| format!("{s:.3}"))
            .collect();
        println!("fsync after curl alone: {} s", fs.join(", "));
        println!(
            "ratio client / (curl + fsync): {:.3}  (goal ≥ 0.95); client / curl without fsync: {:.3}; engine-to-Ready / (curl + fsync): {:.3}",
            d.ratio_client_vs_curl_fsync,
            d.ratio_client_vs_curl,
            d.ratio_engine_to_ready_vs_curl_fsync
        );
        println!("curl: {}", d.curl_version);
    }
}
