//! The queue: every job not yet in the gallery (in flight, failed, outcome unknown), newest first.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::components::job_card::JobCard;
use crate::state::{Action, Load};

/// Now, in ms since the epoch (the webview's clock).
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

#[component(QueueList)]
pub fn queue_list() -> Html {
    let store = use_store();
    let now = use_state(now_ms);
    let ticking = store.in_flight() > 0;
    {
        let now = now.clone();
        use_effect_with(ticking, move |ticking| {
            now.set(now_ms());
            let timer = ticking.then(|| Interval::new(1000, move || now.set(now_ms())));
            move || drop(timer)
        });
    }
    let jobs: Vec<_> = store.queue().cloned().collect();
    let body = match &store.jobs_status {
        Load::Loading if jobs.is_empty() => html! {
            <div aria-busy="true"><div class="skeleton skeleton--tall"></div></div>
        },
        Load::Failed(e) if jobs.is_empty() => {
            let d = store.dispatcher();
            let retry = Callback::from(move |_: MouseEvent| {
                let d = d.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    d.dispatch(Action::JobsLoaded(bridge::list_jobs().await))
                });
            });
            html! {
                <div class="empty">
                    <p class="error-text">{ "The job list could not be loaded: " }{ &e.message }</p>
                    <button class="btn btn--secondary" onclick={retry}>{ "Retry" }</button>
                </div>
            }
        }
        _ if jobs.is_empty() => html! {
            <div class="empty empty--slim">
                <p class="muted">{ "Nothing in progress. Jobs appear here the moment you press Generate." }</p>
            </div>
        },
        _ => html! {
            <ul class="queue" aria-label="Jobs">
                { for jobs.into_iter().map(|job| {
                    let stalled = store.stalled.get(&job.id).cloned();
                    let download = store.downloads.get(&job.id).copied();
                    let key = job.id.clone();
                    html! { <JobCard {key} {job} now_ms={*now} {stalled} {download} /> }
                }) }
            </ul>
        },
    };
    html! {
        <div class="card">
            <div class="card__head">
                <h2>{ "Queue" }</h2>
                if store.in_flight() > 0 {
                    <span class="muted small">{ format!("{} working", store.in_flight()) }</span>
                }
            </div>
            { body }
        </div>
    }
}
