//! The money bar above the storyboard: the whole price, seconds generated against seconds used,
//! the project's spend and budget, and Generate all (its label the price still to spend,
//! disabled with the reason shown) or Pause; the overall progress while shots are made.

use studio_api::ShotStateView;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::components::music_video::project_command;
use crate::format;
use crate::state::video::Work;
use crate::state::video_view::{
    generate_all_label, has_clip, overall_progress, seconds_text, spend_text, whole_price_text,
};

#[component(MoneyBar)]
pub fn money_bar() -> Html {
    let store = use_store();
    let Some(p) = store.video.project.clone() else {
        return html! {};
    };
    let quote = store.video.project_quote().cloned();
    let block = store.video.generate_all_block();
    let generating = p.generating && !p.paused;
    let generate = {
        let (store, id, blocked) = (store.clone(), p.id.clone(), block.is_some());
        Callback::from(move |_: MouseEvent| {
            if blocked {
                return;
            }
            let id2 = id.clone();
            project_command(store.dispatcher(), id.clone(), Work::Generate, async move {
                bridge::generate_project(id2).await
            });
        })
    };
    let pause = {
        let (store, id) = (store.clone(), p.id.clone());
        Callback::from(move |_: MouseEvent| {
            let id2 = id.clone();
            project_command(store.dispatcher(), id.clone(), Work::Pause, async move {
                bridge::pause_project(id2).await
            });
        })
    };
    let (whole, seconds) = match &quote {
        Some(q) => (whole_price_text(&q.whole), seconds_text(&q.whole)),
        None => match &store.video.quote.error {
            Some(_) => ("price unavailable".to_string(), String::new()),
            None => ("pricing…".to_string(), String::new()),
        },
    };
    let spend = spend_text(
        p.spent_usd,
        quote
            .as_ref()
            .map_or(p.settings.budget_usd, |q| q.budget_usd),
    );
    let ready = p
        .shots
        .iter()
        .filter(|s| s.state == ShotStateView::Ready || has_clip(s))
        .count();
    let show_progress = store.video.anything_generating();
    let percent = format::percent(overall_progress(&p));

    html! {
        <section class="money-bar" data-testid="money-bar" aria-label="Price and generation">
            <div class="money-bar__figures">
                <div class="money-bar__whole">
                    <span class="price__label">{ "Whole price" }</span>
                    <strong class="money-bar__price" data-testid="whole-price"
                            data-state={if quote.is_some() { "ready" } else { "loading" }}>{ whole }</strong>
                </div>
                <span class="money-bar__fact" data-testid="seconds-used">{ seconds }</span>
                <span class="money-bar__fact" data-testid="project-spend">{ spend }</span>
                if let Some(e) = &store.video.quote.error {
                    <span class="error-text small">{ &e.message }</span>
                }
            </div>
            <div class="money-bar__actions">
                if generating || p.paused {
                    <button class="btn btn--secondary" data-testid="pause-generation" onclick={pause}
                            disabled={!generating || store.video.working.is_some()}
                            title="No new shot is queued; the ones already queued finish.">
                        { if p.paused { "Paused" } else { "Pause" } }
                    </button>
                }
                <button class="btn btn--primary" data-testid="generate-all" onclick={generate}
                        disabled={block.is_some()} aria-describedby="generate-all-reason">
                    { generate_all_label(quote.as_ref()) }
                </button>
            </div>
            <p id="generate-all-reason" class={classes!("money-bar__reason", block.is_none().then_some("gone"))}
               data-testid="generate-all-reason" aria-live="polite">
                { block.clone().unwrap_or_default() }
            </p>
            if let (Some(why), false) = (&p.stopped, generating) {
                <p class="money-bar__stopped error-text small" data-testid="generate-stopped" role="alert">
                    { format!("Generate all stopped: {why}") }
                </p>
            }
            if show_progress {
                <div class="money-bar__progress">
                    <progress data-testid="overall-progress" max="100" value={percent.to_string()}
                              aria-label={format!("{percent}% of the shots made")}></progress>
                    <span class="muted small">
                        { format!("{ready} of {} shots ready · {percent} %", p.shots.len()) }
                    </span>
                </div>
            } else if p.paused && ready < p.shots.len() {
                <p class="muted small money-bar__note">
                    { format!("Paused with {ready} of {} shots ready: Generate all goes on with the rest.", p.shots.len()) }
                </p>
            }
        </section>
    }
}
