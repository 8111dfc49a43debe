//! One storyboard card: "Shot 3", its time range and section, its state (with progress while it
//! is made), the shown clip's thumbnail, the prompt (saved on leaving the field), the cut tools
//! (split on the beat nearest the middle, merge with the next, move the end cut a beat either
//! way), Regenerate with its price, and the versions with the chosen one marked. Selecting the
//! card (click, Enter or Space) plays its part of the song.

use studio_api::{JobStateView, ShotStateView, ShotView, StoryboardEditView};
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::components::music_video::project_command;
use crate::form::PromptCount;
use crate::format;
use crate::state::Action;
use crate::state::jobs::state_label;
use crate::state::video::{VideoAction, Work};
use crate::state::video_view::{clock, shot_badge, shot_state_name, time_range};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub shot: ShotView,
    pub project_id: AttrValue,
    /// Where ◀ moves the end cut (`None`: it cannot).
    pub prev_cut: Option<f64>,
    /// Where ▶ moves the end cut.
    pub next_cut: Option<f64>,
    /// Where Split cuts (`None`: no beat inside the shot).
    pub split_at: Option<f64>,
    pub has_next: bool,
    pub regenerate_label: AttrValue,
    pub selected: bool,
    /// A command runs on the project: edits wait.
    pub busy: bool,
    pub prompt_limit: Option<u32>,
    pub thumb: Option<AttrValue>,
}

#[component(ShotCard)]
pub fn shot_card(props: &Props) -> Html {
    let store = use_store();
    let shot = &props.shot;
    let index = shot.index;
    let number = index + 1;
    // The prompt as typed, until it is saved on leaving the field (the field shows it: a
    // controlled textarea would otherwise snap back to the saved prompt on every render).
    let draft = use_state(|| None::<String>);
    let card_ref = use_node_ref();
    let generating = matches!(shot.state, ShotStateView::Generating { .. });
    let edit_blocked = props.busy || generating;

    let select = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Action::Video(VideoAction::SelectShot(index)))
        })
    };
    let on_key = {
        let (store, card_ref) = (store.clone(), card_ref.clone());
        Callback::from(move |e: KeyboardEvent| {
            // Only keys on the card itself: Enter and Space in its fields and buttons are theirs.
            // (Yew delegates events, so `current_target` is not the card.)
            let on_card = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|t| card_ref.get().is_some_and(|card| card == t));
            if on_card && (e.key() == "Enter" || e.key() == " ") {
                e.prevent_default();
                store.dispatch(Action::Video(VideoAction::SelectShot(index)));
            }
        })
    };
    // Controls inside the card do their own thing, not "select the card".
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    let stop_key = Callback::from(|e: KeyboardEvent| e.stop_propagation());

    let edit = |edit: StoryboardEditView| {
        let (store, id) = (store.clone(), props.project_id.to_string());
        Callback::from(move |_: MouseEvent| {
            let (id2, edit) = (id.clone(), edit.clone());
            project_command(store.dispatcher(), id.clone(), Work::Edit, async move {
                bridge::edit_storyboard(id2, &edit).await
            });
        })
    };
    let on_prompt_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            draft.set(Some(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ));
        })
    };
    let on_prompt_blur = {
        let (store, id, saved, draft) = (
            store.clone(),
            props.project_id.to_string(),
            shot.prompt.clone(),
            draft.clone(),
        );
        Callback::from(move |e: FocusEvent| {
            let text = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            let text = text.trim().to_string();
            draft.set(None);
            if text == saved.trim() || text.is_empty() {
                return;
            }
            store.dispatch(Action::Video(VideoAction::PromptEdited {
                shot: index,
                text: text.clone(),
            }));
            let id2 = id.clone();
            project_command(store.dispatcher(), id.clone(), Work::Edit, async move {
                bridge::edit_storyboard(id2, &StoryboardEditView::Prompt { shot: index, text })
                    .await
            });
        })
    };
    let regenerate = {
        let (store, id) = (store.clone(), props.project_id.to_string());
        Callback::from(move |_: MouseEvent| {
            let id2 = id.clone();
            project_command(store.dispatcher(), id.clone(), Work::Edit, async move {
                bridge::regenerate_shot(id2, index).await
            });
        })
    };
    let prompt = (*draft).clone().unwrap_or_else(|| shot.prompt.clone());
    let count = props
        .prompt_limit
        .map(|limit| PromptCount::of(&prompt, limit));
    let state = shot_state_name(&shot.state);
    let progress = match shot.state {
        ShotStateView::Generating { progress } => Some(format::percent(progress)),
        _ => None,
    };
    let range = time_range(shot.start_s, shot.end_s);

    html! {
        <li class={classes!("shot-card", format!("shot-card--{state}"), props.selected.then_some("shot-card--selected"))}
            ref={card_ref} data-testid="shot-card" data-index={index.to_string()} data-state={state} tabindex="0"
            aria-current={props.selected.then_some("true")}
            aria-label={format!("Shot {number}, {range}, {}: {}. Enter plays this part of the song.", shot.section_label, shot_badge(shot))}
            onclick={select} onkeydown={on_key}>
            <div class="shot-card__head">
                <strong>{ format!("Shot {number}") }</strong>
                <span class="shot-card__range">{ range }</span>
                <span class="shot-card__section">{ &shot.section_label }</span>
            </div>
            <div class="shot-card__thumb">
                if let Some(src) = props.thumb.clone() {
                    <img {src} alt="" loading="lazy" />
                } else {
                    <span class="shot-card__none" aria-hidden="true">{ number }</span>
                }
            </div>
            <span class={classes!("state-pill", "shot-card__badge", format!("state-pill--{}", pill_class(&shot.state)))}
                  data-testid="shot-state" title={shot_badge(shot)}>
                { shot_badge(shot) }
            </span>
            if let Some(percent) = progress {
                <progress data-testid="shot-progress" max="100" value={percent.to_string()}
                          aria-label={format!("Shot {number}: {percent}% made")}></progress>
            }
            <div class="shot-card__controls" onclick={stop} onkeydown={stop_key}>
                <label class="visually-hidden" for={format!("shot-prompt-{index}")}>{ format!("Prompt for shot {number}") }</label>
                <textarea id={format!("shot-prompt-{index}")} class={classes!("shot-card__prompt", count.is_some_and(|c| c.is_over()).then_some("invalid"))}
                          data-testid="shot-prompt" value={prompt} rows="4"
                          oninput={on_prompt_input} onfocusout={on_prompt_blur} />
                if let Some(c) = count {
                    <span class={classes!("counter", c.is_over().then_some("counter--over"))}>
                        { format::count_of(c.used, c.limit) }
                    </span>
                }
                <div class="shot-card__tools" role="group" aria-label={format!("Cuts of shot {number}")}>
                    <button class="btn btn--small btn--ghost" data-testid="shot-split"
                            disabled={edit_blocked || props.split_at.is_none()}
                            title={props.split_at.map_or("No beat inside this shot to split on".into(), |t| format!("Split at {}", clock(t)))}
                            onclick={edit(StoryboardEditView::Split { shot: index, at_s: props.split_at.unwrap_or(shot.start_s) })}>
                        { "Split" }
                    </button>
                    <button class="btn btn--small btn--ghost" data-testid="shot-merge"
                            disabled={edit_blocked || !props.has_next}
                            title={if props.has_next { format!("Merge with shot {}", number + 1) } else { "The last shot has no next one".into() }}
                            onclick={edit(StoryboardEditView::Merge { shot: index })}>
                        { "Merge ▸" }
                    </button>
                    <span class="shot-card__cut" role="group" aria-label="Move the end cut">
                        <span class="shot-card__cut-label" aria-hidden="true">{ "Cut" }</span>
                        <button class="btn btn--small btn--ghost" data-testid="shot-cut-earlier"
                                disabled={edit_blocked || props.prev_cut.is_none()}
                                aria-label="Cut ◀: move the end cut to the previous beat"
                                title={props.prev_cut.map_or("The end cut cannot move earlier".into(), |t| format!("Move the end cut to {}", clock(t)))}
                                onclick={edit(StoryboardEditView::MoveCut { cut: index, to_s: props.prev_cut.unwrap_or(shot.end_s) })}>
                            { "◀" }
                        </button>
                        <button class="btn btn--small btn--ghost" data-testid="shot-cut-later"
                                disabled={edit_blocked || props.next_cut.is_none()}
                                aria-label="Cut ▶: move the end cut to the next beat"
                                title={props.next_cut.map_or("The end cut cannot move later".into(), |t| format!("Move the end cut to {}", clock(t)))}
                                onclick={edit(StoryboardEditView::MoveCut { cut: index, to_s: props.next_cut.unwrap_or(shot.end_s) })}>
                            { "▶" }
                        </button>
                    </span>
                </div>
                <div class="shot-card__foot">
                    if !shot.versions.is_empty() {
                        <div class="shot-card__versions" role="group" aria-label={format!("Versions of shot {number}")}>
                            { for shot.versions.iter().enumerate().map(|(i, v)| {
                                let usable = v.state == JobStateView::Ready && v.video.is_some();
                                let choose = {
                                    let (store, id, job_id, chosen) = (store.clone(), props.project_id.to_string(), v.job_id.clone(), v.chosen);
                                    Callback::from(move |_: MouseEvent| {
                                        if chosen { return; }
                                        store.dispatch(Action::Video(VideoAction::VersionChosen { shot: index, job_id: job_id.clone() }));
                                        let (id2, job_id) = (id.clone(), job_id.clone());
                                        project_command(store.dispatcher(), id.clone(), Work::Edit, async move {
                                            bridge::choose_version(id2, job_id).await
                                        });
                                    })
                                };
                                let title = if v.chosen {
                                    format!("Version {} ({}): the render uses it", i + 1, format::usd(v.cost_usd))
                                } else if usable {
                                    format!("Use version {} ({}) in the render", i + 1, format::usd(v.cost_usd))
                                } else {
                                    format!("Version {}: {}", i + 1, state_label(v.state).to_lowercase())
                                };
                                html! {
                                    <button class={classes!("version", v.chosen.then_some("version--chosen"), format!("version--{}", crate::state::jobs::state_name(v.state)))}
                                            data-testid="shot-version" data-job-id={v.job_id.clone()}
                                            aria-pressed={v.chosen.to_string()} disabled={!usable || props.busy}
                                            {title} onclick={choose}>
                                        { format!("v{}", i + 1) }
                                    </button>
                                }
                            }) }
                        </div>
                    }
                    <button class="btn btn--small btn--secondary" data-testid="regenerate-shot"
                            disabled={edit_blocked} onclick={regenerate}
                            title="One more version of this shot (the others stay; pick the one the render uses)">
                        { props.regenerate_label.clone() }
                    </button>
                </div>
            </div>
        </li>
    }
}

/// The state pill's colour class (shared with the queue's pills).
fn pill_class(state: &ShotStateView) -> &'static str {
    match state {
        ShotStateView::Planned => "planned",
        ShotStateView::Generating { .. } => "processing",
        ShotStateView::Ready => "ready",
        ShotStateView::Failed { .. } => "failed",
        ShotStateView::OutcomeUnknown => "outcome_unknown",
    }
}
