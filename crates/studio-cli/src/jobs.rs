//! `studio jobs`, `studio resume`, `studio open` and `studio dismiss`: the ledger's jobs.

use std::time::Duration;

use serde_json::json;
use studio_core::{JobRecord, JobState};

use crate::exit::{Code, Failure, jobs_code};
use crate::generate::result_line;
use crate::output::{Out, ago, ok_fields, short_id, table, usd};
use crate::{progress, session};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn progress_cell(job: &JobRecord) -> String {
    match job.state {
        JobState::Ready => "100%".into(),
        JobState::Queued | JobState::Processing | JobState::Downloading => {
            format!("{:.0}%", job.progress * 100.0)
        }
        _ => "-".into(),
    }
}

fn cost_cell(job: &JobRecord) -> String {
    if job.counts_as_spent() {
        usd(job.quote_usd)
    } else {
        format!("{} (not charged)", usd(job.quote_usd))
    }
}

fn last_cell(job: &JobRecord) -> String {
    match (&job.media, &job.failure) {
        (Some(media), _) => media.path.display().to_string(),
        (None, Some(failure)) => failure.chars().take(100).collect(),
        _ => String::new(),
    }
}

pub fn list(out: Out) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let jobs = studio.jobs()?;
    let now = now_ms();
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            vec![
                short_id(&j.id.0).to_string(),
                j.state.to_string(),
                j.params.model.clone(),
                progress_cell(j),
                cost_cell(j),
                ago(j.created_at_ms, now),
                last_cell(j),
            ]
        })
        .collect();
    if jobs.is_empty() {
        out.line(
            "No jobs yet. `studio generate --theme \"...\" --model M --duration 5s` makes one.",
        );
    } else {
        out.line(table(
            &[
                "ID",
                "STATE",
                "MODEL",
                "PROGRESS",
                "COST",
                "CREATED",
                "PATH / FAILURE",
            ],
            &rows,
        ));
    }
    let (session_spent, total_spent) = studio.spent_usd()?;
    let _ = session_spent;
    let mut doc = ok_fields(Code::Ok);
    doc["jobs"] = json!(jobs);
    doc["spent_total_usd"] = json!(total_spent);
    out.document(doc);
    Ok(Code::Ok)
}

fn unknown_advice(job: &JobRecord) -> String {
    let id = short_id(&job.id.0);
    format!(
        "Job {id} ({}): outcome unknown. It was NOT sent again. `studio settle {id}` asks \
         Venice's usage whether it was charged; or check your Venice usage \
         (venice.ai/settings/api) yourself, then `studio dismiss {id}` to settle it.",
        job.params.model
    )
}

pub async fn resume(out: Out, wait: bool, delete_after_download: bool) -> Result<Code, Failure> {
    let studio = session::open_fetching(None, delete_after_download)?;
    let events = studio.subscribe();
    let _poller = studio.start_poller()?;
    let unknown: Vec<JobRecord> = studio
        .jobs()?
        .into_iter()
        .filter(|j| j.state == JobState::OutcomeUnknown)
        .collect();
    for job in &unknown {
        out.line(unknown_advice(job));
    }
    let in_flight = studio.in_flight()?;
    if in_flight.is_empty() {
        out.line("No unfinished jobs to resume.");
    } else {
        out.line(format!("Resuming {} job(s).", in_flight.len()));
    }
    let finished = if in_flight.is_empty() {
        Vec::new()
    } else if wait {
        progress::wait(&studio, &in_flight, events, out).await?
    } else {
        progress::refresh(&studio, &in_flight, events, out, Duration::from_secs(30)).await?
    };
    for job in &finished {
        out.line(result_line(job));
    }
    let code = jobs_code(finished.iter().chain(unknown.iter()));
    let mut doc = ok_fields(code);
    doc["jobs"] = json!(finished);
    doc["outcome_unknown"] = json!(unknown);
    out.document(doc);
    Ok(code)
}

pub fn open(out: Out, id: &str, launch: bool) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let job = studio.job(id)?;
    let Some(media) = job.media.as_ref().filter(|_| job.state == JobState::Ready) else {
        return Err(Failure::usage(format!(
            "Job {} is {}, not ready yet; there is no video to open. {}",
            short_id(&job.id.0),
            job.state,
            match job.state {
                JobState::Failed | JobState::OutcomeUnknown => "`studio jobs` shows why.",
                _ => "`studio resume --wait` fetches it.",
            }
        )));
    };
    if !media.path.is_file() {
        return Err(Failure::new(
            Code::Failure,
            format!(
                "The video of job {} was saved at {} but is no longer there (moved or deleted).",
                short_id(&job.id.0),
                media.path.display()
            ),
        ));
    }
    out.line(media.path.display().to_string());
    let mut doc = ok_fields(Code::Ok);
    doc["path"] = json!(media.path);
    doc["job"] = json!(job);
    if launch && let Err(e) = open::that_detached(&media.path) {
        return Err(Failure::new(
            Code::Failure,
            format!(
                "Could not open the video with the system's player ({e}); it is at {}",
                media.path.display()
            ),
        ));
    }
    out.document(doc);
    Ok(Code::Ok)
}

pub fn dismiss(out: Out, id: &str) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let job = studio.job(id)?;
    // The engine refuses anything but an outcome-unknown job.
    let job = studio.dismiss_unknown(&job.id)?;
    out.line(format!(
        "Dismissed job {}. It stays in `studio jobs` as failed and is never sent again.",
        short_id(&job.id.0)
    ));
    let mut doc = ok_fields(Code::Ok);
    doc["job"] = json!(job);
    out.document(doc);
    Ok(Code::Ok)
}

/// `studio fetch-again ID [--wait]`: a failed job whose video Venice may still hold goes back to
/// being fetched. Nothing is queued or paid again.
pub async fn fetch_again(out: Out, id: &str, wait: bool) -> Result<Code, Failure> {
    let studio = session::open(None)?;
    let job = studio.job(id)?;
    let events = studio.subscribe();
    let poller = match studio.start_poller() {
        Ok(poller) => Some(poller),
        Err(studio_core::Error::AlreadyRunning(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let job = studio.fetch_again(&job.id)?;
    out.line(format!(
        "Fetching job {} again from Venice (queue id {}); nothing is paid again.",
        short_id(&job.id.0),
        job.queue_id.as_deref().unwrap_or("?")
    ));
    let jobs = if wait {
        let _follow = poller.is_none().then(|| {
            studio.follow_ledger(std::slice::from_ref(&job.id), Duration::from_millis(500))
        });
        let done = progress::wait(&studio, std::slice::from_ref(&job), events, out).await?;
        for job in &done {
            out.line(result_line(job));
        }
        done
    } else {
        if poller.is_some() {
            out.line("`studio resume --wait` brings it home (or the app, when it runs).");
        }
        vec![job]
    };
    let code = jobs_code(&jobs);
    let mut doc = ok_fields(code);
    doc["jobs"] = json!(jobs);
    out.document(doc);
    Ok(code)
}
