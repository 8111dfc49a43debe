//! `studio generate`: theme → prompt → quote → queue, and with `--wait` all the way to saved,
//! verified MP4s. Each job is in the ledger before Venice hears of it; nothing is queued twice.

use serde_json::json;
use studio_core::{JobRecord, JobState};

use crate::catalog::{QUOTE_PROMPT, VideoArgs, quote_lines};
use crate::exit::{Code, Failure, jobs_code};
use crate::output::{Out, ok_fields, short_id, usd};
use crate::{progress, session};

#[derive(Debug)]
pub struct GenerateArgs {
    pub theme: Option<String>,
    pub prompt: Option<String>,
    pub video: VideoArgs,
    pub count: u32,
    pub budget: Option<f64>,
    pub wait: bool,
    pub delete_after_download: bool,
}

pub async fn run(out: Out, args: GenerateArgs) -> Result<Code, Failure> {
    if args.count == 0 || args.count > 20 {
        return Err(Failure::usage("--count must be between 1 and 20"));
    }
    let studio = session::open_fetching(args.budget, args.delete_after_download)?;
    // Check the request against the model and price it (free) before anything else is asked.
    let probe = args.video.request(
        None,
        args.prompt.clone().unwrap_or_else(|| QUOTE_PROMPT.into()),
    );
    let quote = studio.quote(&probe).await?;

    let (theme, prompt, written) = match (&args.theme, &args.prompt) {
        (Some(theme), _) => {
            out.note(format!(
                "Writing a prompt for {theme:?} with {}…",
                studio.config().chat_model
            ));
            let written = studio.prompt_from_theme(theme, &args.video.model).await?;
            out.line(format!("Prompt: {}", written.prompt));
            (
                Some(written.theme.clone()),
                written.prompt.clone(),
                Some(written),
            )
        }
        (None, Some(prompt)) => (None, prompt.clone(), None),
        (None, None) => return Err(Failure::usage("give --theme or --prompt")),
    };

    let budget = studio.config().budget;
    for line in quote_lines(&quote, args.count, &budget) {
        out.line(line);
    }
    let (spent_session, spent_total) = studio.spent_usd()?;
    if let Err(e) = budget.check(
        quote.usd * f64::from(args.count),
        spent_session,
        spent_total,
    ) {
        return Err(e.into());
    }

    let request = args.video.request(theme, prompt);
    let events = studio.subscribe();
    // With --wait this process brings the videos home, unless another studio (the app, or
    // `studio resume`) already polls this ledger: then it fetches them, and we watch the ledger.
    let poller = if args.wait {
        match studio.start_poller() {
            Ok(poller) => Some(poller),
            Err(studio_core::Error::AlreadyRunning(_)) => {
                out.note("Another studio (the app, or `studio resume`) is fetching videos from this folder; it will bring these home too. Waiting for it…");
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let jobs = studio.generate(&request, args.count).await?;
    for job in &jobs {
        out.line(submitted_line(job));
    }

    let jobs = if args.wait {
        let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
        let _follow = poller
            .is_none()
            .then(|| studio.follow_ledger(&ids, std::time::Duration::from_millis(500)));
        progress::wait(&studio, &jobs, events, out).await?
    } else {
        jobs
    };
    drop(poller);
    if args.wait {
        for job in &jobs {
            out.line(result_line(job));
        }
    } else if jobs.iter().any(|j| j.state.is_in_flight()) {
        out.line("Venice is making the videos. `studio resume --wait` fetches them (or `studio jobs` to look).");
    }
    let code = jobs_code(&jobs);
    let mut doc = ok_fields(code);
    doc["prompt"] = json!(written);
    doc["quote"] = json!(quote);
    doc["jobs"] = json!(jobs);
    out.document(doc);
    Ok(code)
}

fn submitted_line(job: &JobRecord) -> String {
    let id = short_id(&job.id.0);
    match job.state {
        JobState::Failed => format!(
            "Job {id} was refused: {}",
            job.failure.as_deref().unwrap_or("no reason given")
        ),
        JobState::OutcomeUnknown => format!(
            "Job {id}: outcome unknown. {} Once you know, `studio dismiss {id}`.",
            job.failure.as_deref().unwrap_or("")
        ),
        _ => format!(
            "Queued job {id} ({}, queue id {})",
            usd(job.quote_usd),
            job.queue_id.as_deref().unwrap_or("?")
        ),
    }
}

/// The line for a job after waiting: the video's path and cost, or what went wrong.
pub fn result_line(job: &JobRecord) -> String {
    let id = short_id(&job.id.0);
    match (&job.state, &job.media) {
        (JobState::Ready, Some(media)) => {
            let size = match (media.width, media.height, media.seconds) {
                (Some(w), Some(h), Some(s)) => format!(", {w}x{h}, {s:.1} s"),
                _ => String::new(),
            };
            format!(
                "Ready {id}: {} (cost {}{size})",
                media.path.display(),
                usd(job.quote_usd)
            )
        }
        (JobState::Failed, _) => format!(
            "Failed {id}: {}{}",
            job.failure.as_deref().unwrap_or("no reason given"),
            match job.credits_refunded {
                Some(true) => " (credits refunded)",
                _ => "",
            }
        ),
        (JobState::OutcomeUnknown, _) => format!(
            "Outcome unknown {id}: {} Once you know, `studio dismiss {id}`.",
            job.failure.as_deref().unwrap_or("")
        ),
        (state, _) => format!("{id} is {state}; `studio resume --wait` goes on with it."),
    }
}
