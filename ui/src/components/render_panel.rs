//! Render: the finished music video from every shot's chosen clip and the song. Enabled once
//! every shot has a clip (else it says which have none); progress from the render events and
//! Cancel while it runs. The finished video opens in the player and joins the gallery.

use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::Action;
use crate::state::video::VideoAction;

#[component(RenderPanel)]
pub fn render_panel() -> Html {
    let store = use_store();
    let Some(p) = store.video.project.clone() else {
        return html! {};
    };
    let run = store.video.rendering.get(&p.id).cloned();
    let block = store.video.render_block();
    let render = {
        let (store, id, blocked) = (store.clone(), p.id.clone(), block.is_some());
        Callback::from(move |_: MouseEvent| {
            if blocked {
                return;
            }
            let (d, id) = (store.dispatcher(), id.clone());
            d.dispatch(Action::Video(VideoAction::RenderStarted(id.clone())));
            wasm_bindgen_futures::spawn_local(async move {
                let result = bridge::render_project(id.clone()).await;
                d.dispatch(Action::Video(VideoAction::RenderAnswer {
                    project_id: id,
                    result,
                }));
            });
        })
    };
    let cancel = {
        let (store, id) = (store.clone(), p.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (d, id) = (store.dispatcher(), id.clone());
            d.dispatch(Action::Video(VideoAction::RenderCancelling(id.clone())));
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = bridge::cancel_render(id).await {
                    d.dispatch(Action::Error(e));
                }
            });
        })
    };

    html! {
        <section class="card render-panel" aria-label="Render">
            <div class="card__head">
                <h2>{ "Render" }</h2>
                <span class="muted small">{ "Every shot's chosen clip, cut on the beat, with the song." }</span>
            </div>
            if let Some(run) = run {
                <div class="render-panel__progress" role="status">
                    <progress data-testid="render-progress" max="100"
                              value={format::percent(run.fraction).to_string()}
                              aria-label={format!("Rendering: {}% done", format::percent(run.fraction))}></progress>
                    <span class="small">
                        { if run.cancelling { "Cancelling…".to_string() } else { format!("Rendering… {} %", format::percent(run.fraction)) } }
                    </span>
                    <button class="btn btn--ghost" data-testid="cancel-render" onclick={cancel}
                            disabled={run.cancelling}>
                        { "Cancel" }
                    </button>
                </div>
            } else {
                <div class="render-panel__go">
                    <button class="btn btn--primary btn--big" data-testid="render" onclick={render}
                            disabled={block.is_some()} aria-describedby="render-reason">
                        { "Render the music video" }
                    </button>
                    <p id="render-reason" class={classes!("money-bar__reason", block.is_none().then_some("gone"))}
                       data-testid="render-reason" aria-live="polite">
                        { block.unwrap_or_default() }
                    </p>
                </div>
            }
        </section>
    }
}
