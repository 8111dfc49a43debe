//! What a soak round must find, counted from the double's side (its charges and queue calls)
//! against the ledger the `studio` processes left: every queue call was claimed, no shot was
//! charged twice, no project spent past its budget, every charge is in the ledger with its queue
//! id or settled from the usage history.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use studio_core::{EngineConfig, JobRecord, Studio, StudioPaths};
use venice::{ApiKey, Client, ClientConfig};
use venice_sim::{Endpoint, VeniceSim};

/// The round's verdict.
pub struct Found {
    pub summary: String,
    pub problems: Vec<String>,
}

/// An engine on the round's folder (no poller), as the checks read it.
pub fn open(sim: &VeniceSim, dir: &Path) -> Result<Studio, String> {
    let client = Client::new(ClientConfig::new(ApiKey::new(super::KEY)).base_url(sim.base_url()))
        .map_err(|e| e.to_string())?;
    let paths = StudioPaths {
        data_dir: dir.join("data"),
        media_dir: dir.join("media"),
    };
    let config = EngineConfig {
        settle_delay: Duration::ZERO,
        ..EngineConfig::default()
    };
    Studio::open(client, paths, config).map_err(|e| e.to_string())
}

pub async fn check(
    sim: &VeniceSim,
    dir: &Path,
    projects: &[(String, Option<f64>)],
) -> Result<Found, String> {
    let studio = open(sim, dir)?;
    // Jobs whose queue call went unanswered are settled from the double's usage history.
    let settled = studio.settle_all_unknown().await.map_err(|e| e.to_string())?;
    let jobs: Vec<JobRecord> = studio.jobs().map_err(|e| e.to_string())?;
    let charges = sim.charged_jobs();
    let mut problems = Vec::new();

    // Every queue call came from a claimed row (a row may stand for a call that a kill -9 cut
    // off before it was sent; never the other way round).
    let calls = sim.count(Endpoint::VideoQueue);
    if calls > jobs.len() {
        problems.push(format!("{calls} queue calls but only {} ledger rows", jobs.len()));
    }

    // Every charge is in the ledger with its queue id, or settled as charged.
    let by_queue_id: HashMap<&str, &JobRecord> = jobs
        .iter()
        .filter_map(|j| j.queue_id.as_deref().map(|q| (q, j)))
        .collect();
    let without_id = charges
        .iter()
        .filter(|c| !by_queue_id.contains_key(c.queue_id.as_str()))
        .count();
    let settled_charged = jobs.iter().filter(|j| j.charged_usd.is_some()).count();
    if without_id > settled_charged {
        problems.push(format!(
            "{without_id} charges have no job with their queue id, and only {settled_charged} \
             jobs were settled as charged"
        ));
    }

    // Never two charged jobs for one shot span.
    let mut per_span: HashMap<(String, i64, i64), usize> = HashMap::new();
    for job in &jobs {
        let charged = job
            .queue_id
            .as_deref()
            .is_some_and(|q| charges.iter().any(|c| c.queue_id == q))
            || job.charged_usd.is_some();
        if let (true, Some(link)) = (charged, &job.params.shot) {
            *per_span
                .entry((link.project_id.clone(), link.start_ms, link.end_ms))
                .or_default() += 1;
        }
    }
    for ((project, start, end), n) in &per_span {
        if *n > 1 {
            problems.push(format!(
                "shot {start}-{end} ms of project {} was charged {n} times",
                &project[..8.min(project.len())]
            ));
        }
    }

    // Spend within each project's budget, from the double's charges (a charge without a job
    // is the project's whose shot has that prompt).
    let mut spent: HashMap<&str, f64> = HashMap::new();
    for charge in &charges {
        let project = by_queue_id
            .get(charge.queue_id.as_str())
            .copied()
            .or_else(|| jobs.iter().find(|j| j.params.prompt == charge.prompt))
            .and_then(|j| j.params.shot.as_ref())
            .map(|s| s.project_id.as_str());
        if let Some(project) = project {
            *spent.entry(project).or_default() += charge.usd;
        }
    }
    for (id, budget) in projects {
        let used = spent.get(id.as_str()).copied().unwrap_or(0.0);
        if let Some(budget) = budget
            && used > budget + 0.005
        {
            problems.push(format!(
                "project {} spent ${used:.2} of a ${budget:.2} budget",
                &id[..8]
            ));
        }
    }

    let ready = jobs
        .iter()
        .filter(|j| j.state == studio_core::JobState::Ready)
        .count();
    let unknown = jobs
        .iter()
        .filter(|j| j.state == studio_core::JobState::OutcomeUnknown)
        .count();
    let summary = format!(
        "{calls} queue calls, {} charges, {} rows ({ready} ready, {unknown} still unknown), {} \
         settled now ({settled_charged} as charged), spend {}",
        charges.len(),
        jobs.len(),
        settled.len(),
        projects
            .iter()
            .map(|(id, budget)| {
                let used = spent.get(id.as_str()).copied().unwrap_or(0.0);
                match budget {
                    Some(b) => format!("${used:.2} of ${b:.2}"),
                    None => format!("${used:.2} (no budget)"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Found { summary, problems })
}
