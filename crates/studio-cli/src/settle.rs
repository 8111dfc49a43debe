//! `studio settle JOB [--yes]`: Venice's usage history decides an outcome-unknown job.

use serde_json::json;
use studio_core::Verdict;

use crate::exit::{Code, Failure};
use crate::output::{Out, ok_fields, short_id, usd};
use crate::session;

pub async fn run(out: Out, id: &str, yes: bool) -> Result<Code, Failure> {
    let studio = session::open(None)?;
    let job = studio.job(id)?;
    let settled = studio.settle_unknown(&job.id, yes).await?;
    let short = short_id(&settled.job.id.0);
    let code = match &settled.verdict {
        Verdict::Charged { usd: amount, .. } => {
            out.line(format!(
                "Job {short}: Venice charged {} for it, but its video cannot be fetched (the queue \
                 call never returned the job's id). It stays in the spend; generate it again if \
                 you still want it.",
                usd(*amount)
            ));
            Code::Ok
        }
        Verdict::NotCharged { may_requeue, shot } => {
            out.line(format!(
                "Job {short}: Venice did not charge for it; nothing was spent."
            ));
            out.line(again_hint(&settled.job, *may_requeue, *shot));
            Code::Ok
        }
        Verdict::NotYetKnown { .. } => {
            out.line(format!("Job {short}: {}", settled.message));
            Code::OutcomeUnknown
        }
    };
    let mut doc = ok_fields(code);
    doc["settlement"] = json!(settled);
    out.document(doc);
    Ok(code)
}

/// How to make a job Venice did not charge again: said only with the user's yes.
fn again_hint(job: &studio_core::JobRecord, yes: bool, shot: Option<usize>) -> String {
    if !yes {
        return "Nothing was queued again (`--yes` shows how to make it again).".to_string();
    }
    match (&job.params.shot, shot) {
        (Some(link), Some(index)) => format!(
            "Queue its shot again with `studio video regenerate {} {} --yes`.",
            short_id(&link.project_id),
            index + 1
        ),
        (Some(_), None) => {
            "Its shot is no longer in the project's storyboard; nothing to queue again.".into()
        }
        (None, _) => format!(
            "Make it again with `studio generate --model {} --duration {} --prompt \"...\"` \
             (its prompt is in `studio jobs --json`).",
            job.params.model, job.params.duration
        ),
    }
}
