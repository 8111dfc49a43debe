//! One job in the queue: prompt, model, state, progress with ETA, elapsed time and cost; what
//! went wrong and what to do for failed, stalled and outcome-unknown jobs; a music video's shot
//! (shown here only to be settled) is tagged with its project.

use studio_api::{JobStateView, JobView};
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::Action;
use crate::state::jobs::{OUTCOME_UNKNOWN_HELP, failure_advice, state_label, state_name};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub job: JobView,
    pub now_ms: i64,
    pub stalled: Option<String>,
    pub download: Option<(u64, Option<u64>)>,
}

#[component(JobCard)]
pub fn job_card(props: &Props) -> Html {
    let store = use_store();
    let dismissing = use_state(|| false);
    let job = &props.job;
    let state = job.state;
    let in_flight = matches!(
        state,
        JobStateView::Submitting
            | JobStateView::Queued
            | JobStateView::Processing
            | JobStateView::Downloading
    );
    let end = if in_flight && props.now_ms > 0 {
        props.now_ms
    } else {
        job.updated_at_ms
    };
    let elapsed = format::span_ms(end - job.created_at_ms);
    let percent = format::percent(job.progress);
    let model_name = store
        .model(&job.model)
        .map_or_else(|| job.model.clone(), |m| m.name.clone());
    let details: Vec<&str> = [
        Some(job.duration.as_str()),
        job.aspect_ratio.as_deref(),
        job.resolution.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();

    let shot_of = job.project_id.as_deref().map(|pid| {
        store
            .video
            .project_name(pid)
            .unwrap_or_else(|| "a music video".into())
    });

    let dismiss = {
        let (store, id, dismissing) = (store.clone(), job.id.clone(), dismissing.clone());
        Callback::from(move |_: MouseEvent| {
            dismissing.set(true);
            let (d, id, dismissing) = (store.dispatcher(), id.clone(), dismissing.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::dismiss_job(id).await {
                    Ok(job) => d.dispatch(Action::JobUpdated(job)),
                    Err(e) => d.dispatch(Action::Error(e)),
                }
                dismissing.set(false);
            });
        })
    };

    let fetching = use_state(|| false);
    let fetch_again = {
        let (store, id, fetching) = (store.clone(), job.id.clone(), fetching.clone());
        Callback::from(move |_: MouseEvent| {
            fetching.set(true);
            let (d, id, fetching) = (store.dispatcher(), id.clone(), fetching.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::fetch_again(id).await {
                    Ok(job) => d.dispatch(Action::JobUpdated(job)),
                    Err(e) => d.dispatch(Action::Error(e)),
                }
                fetching.set(false);
            });
        })
    };

    let progress_line = if in_flight {
        let eta = match (state, props.download) {
            (JobStateView::Downloading, Some((bytes, Some(total)))) => {
                format!(
                    "downloading {} of {}",
                    format::bytes(bytes),
                    format::bytes(total)
                )
            }
            (JobStateView::Downloading, Some((bytes, None))) => {
                format!("downloading {}", format::bytes(bytes))
            }
            (JobStateView::Queued | JobStateView::Submitting, _) => "waiting for Venice".into(),
            _ => format::eta(job.eta_ms).unwrap_or_else(|| "estimating…".into()),
        };
        html! {
            <div class="job__progress">
                <progress data-testid="job-progress" data-percent={percent.to_string()} max="100"
                          value={percent.to_string()} aria-label={format!("{percent}% done")}></progress>
                <div class="job__meta">
                    <span>{ format!("{percent}%") }</span>
                    <span data-testid="job-eta">{ eta }</span>
                </div>
            </div>
        }
    } else {
        html! {}
    };

    html! {
        <li class={classes!("job", format!("job--{}", state_name(state)))} data-testid="job-card"
            data-job-id={job.id.clone()} data-state={state_name(state)}>
            <div class="job__top">
                <span class={classes!("state-pill", format!("state-pill--{}", state_name(state)))}>
                    { state_label(state) }
                </span>
                <span class="job__model">{ model_name }{ " · " }{ details.join(" · ") }</span>
                <span class="job__cost" title="Cost">{ format::usd(job.cost_usd) }</span>
            </div>
            if let Some(name) = shot_of {
                <span class="tag tag--shot" data-testid="job-shot-of">{ format!("Shot of {name}") }</span>
            }
            <p class="job__prompt" title={job.prompt.clone()}>{ &job.prompt }</p>
            { progress_line }
            <div class="job__meta job__meta--foot">
                <span>{ "Elapsed " }{ elapsed }</span>
            </div>
            if let Some(reason) = &props.stalled {
                <p class="notice notice--warn" role="status">{ "Waiting: " }{ reason }</p>
            }
            if state == JobStateView::Failed {
                <div class="notice notice--error" data-testid="job-failure">
                    <strong>{ job.failure.clone().unwrap_or_else(|| "The job failed.".into()) }</strong>
                    <span>{ failure_advice(job) }</span>
                    if job.can_fetch_again {
                        <button class="btn btn--secondary" data-testid="job-fetch-again"
                                title="Venice may still have this video: fetch it again. Nothing is paid again."
                                onclick={fetch_again} disabled={*fetching}>
                            { if *fetching { "Fetching…" } else { "Fetch again (free)" } }
                        </button>
                    }
                </div>
            }
            if state == JobStateView::OutcomeUnknown {
                <div class="notice notice--warn" data-testid="job-failure">
                    if let Some(reason) = &job.failure { <strong>{ reason }</strong> }
                    <span>{ OUTCOME_UNKNOWN_HELP }</span>
                    <button class="btn btn--secondary" data-testid="job-dismiss" onclick={dismiss} disabled={*dismissing}>
                        { if *dismissing { "Dismissing…" } else { "Dismiss" } }
                    </button>
                </div>
            }
        </li>
    }
}
