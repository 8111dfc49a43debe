//! The music-video projects, most recently changed first: name, song, shots ready, spend, state
//! and thumbnail; Open, Duplicate, Rename (in place) and Delete (a confirm step saying what goes
//! and what stays). "New music video" starts one.

use studio_api::ProjectSummary;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::video::VideoAction;
use crate::state::video_view::{clock, delete_warning, summary_state};
use crate::state::{Action, Load};

#[component(ProjectList)]
pub fn project_list() -> Html {
    let store = use_store();
    // The project being renamed and the name typed so far.
    let renaming = use_state(|| None::<(String, String)>);
    // The project a rename is open for, taken by whichever of Enter, Escape and leaving the
    // field comes first (removing the field can fire a late blur).
    let rename_open = use_mut_ref(|| None::<String>);
    let confirming = use_state(|| None::<String>);
    let busy = use_state(|| None::<String>);
    // The rename field takes the focus when it opens (`autofocus` only works on page load).
    {
        let editing = renaming.as_ref().map(|(id, _)| id.clone());
        use_effect_with(editing, |editing| {
            if editing.is_some()
                && let Some(input) = gloo::utils::document()
                    .query_selector("[data-testid=project-rename-input]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            {
                let _ = input.focus();
                input.select();
            }
        });
    }

    let new_project = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::Video(VideoAction::StartNew)))
    };
    let dismiss = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Action::Video(VideoAction::DismissNotice))
        })
    };
    let item = |p: &ProjectSummary| -> Html {
        let id = p.id.clone();
        let open = {
            let (store, id) = (store.clone(), id.clone());
            Callback::from(move |_: MouseEvent| {
                store.dispatch(Action::Video(VideoAction::Open(id.clone())))
            })
        };
        let duplicate = {
            let (store, id, busy) = (store.clone(), id.clone(), busy.clone());
            Callback::from(move |_: MouseEvent| {
                let (d, id, busy) = (store.dispatcher(), id.clone(), busy.clone());
                busy.set(Some(id.clone()));
                wasm_bindgen_futures::spawn_local(async move {
                    let result = bridge::duplicate_project(id).await.map(|_| ());
                    busy.set(None);
                    d.dispatch(Action::Video(VideoAction::ProjectsChanged(result)));
                });
            })
        };
        let start_rename = {
            let (renaming, rename_open, id, name) = (
                renaming.clone(),
                rename_open.clone(),
                id.clone(),
                p.name.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                *rename_open.borrow_mut() = Some(id.clone());
                renaming.set(Some((id.clone(), name.clone())))
            })
        };
        let ask_delete = {
            let (confirming, id) = (confirming.clone(), id.clone());
            Callback::from(move |_: MouseEvent| confirming.set(Some(id.clone())))
        };
        let keep = {
            let confirming = confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(None))
        };
        let delete = {
            let (store, id, busy, confirming) =
                (store.clone(), id.clone(), busy.clone(), confirming.clone());
            Callback::from(move |_: MouseEvent| {
                let (d, id, busy, confirming) = (
                    store.dispatcher(),
                    id.clone(),
                    busy.clone(),
                    confirming.clone(),
                );
                busy.set(Some(id.clone()));
                wasm_bindgen_futures::spawn_local(async move {
                    let result = bridge::delete_project(id.clone()).await;
                    busy.set(None);
                    confirming.set(None);
                    d.dispatch(Action::Video(VideoAction::ProjectDeleted { id, result }));
                });
            })
        };
        let is_busy = busy.as_deref() == Some(id.as_str());
        let (state, state_label) = summary_state(p);
        let editing = renaming
            .as_ref()
            .filter(|(rid, _)| *rid == id)
            .map(|(_, name)| name.clone());
        let title = if let Some(name) = editing {
            let commit = {
                let (store, renaming, rename_open, busy, id, old) = (
                    store.clone(),
                    renaming.clone(),
                    rename_open.clone(),
                    busy.clone(),
                    id.clone(),
                    p.name.clone(),
                );
                move |name: String| {
                    if rename_open.borrow_mut().take().as_deref() != Some(id.as_str()) {
                        return;
                    }
                    renaming.set(None);
                    let name = name.trim().to_string();
                    if name.is_empty() || name == old {
                        return;
                    }
                    let (d, id, busy) = (store.dispatcher(), id.clone(), busy.clone());
                    busy.set(Some(id.clone()));
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = bridge::rename_project(id, name).await.map(|_| ());
                        busy.set(None);
                        d.dispatch(Action::Video(VideoAction::ProjectsChanged(result)));
                    });
                }
            };
            let on_input = {
                let (renaming, id) = (renaming.clone(), id.clone());
                Callback::from(move |e: InputEvent| {
                    let v = e.target_unchecked_into::<HtmlInputElement>().value();
                    renaming.set(Some((id.clone(), v)));
                })
            };
            let on_key = {
                let (renaming, rename_open, commit) =
                    (renaming.clone(), rename_open.clone(), commit.clone());
                Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                    "Enter" => commit(e.target_unchecked_into::<HtmlInputElement>().value()),
                    "Escape" => {
                        e.stop_propagation();
                        *rename_open.borrow_mut() = None;
                        renaming.set(None);
                    }
                    _ => {}
                })
            };
            let on_blur = Callback::from(move |e: FocusEvent| {
                commit(e.target_unchecked_into::<HtmlInputElement>().value())
            });
            html! {
                <input type="text" class="project-item__rename" data-testid="project-rename-input"
                       aria-label="New name (Enter saves, Escape cancels)" value={name}
                       oninput={on_input} onkeydown={on_key} onfocusout={on_blur} />
            }
        } else {
            html! { <h3 class="project-item__name" title={p.name.clone()}>{ &p.name }</h3> }
        };
        html! {
            <li class="project-item" key={id.clone()} data-testid="project-item" data-project-id={id.clone()}
                data-state={state}>
                <button class="project-item__thumb" onclick={open.clone()} tabindex="-1" aria-hidden="true">
                    if let Some(t) = &p.thumbnail {
                        <img src={bridge::asset_url(t)} alt="" loading="lazy" />
                    } else {
                        <span class="tile__placeholder">{ "♪" }</span>
                    }
                </button>
                <div class="project-item__info">
                    { title }
                    <span class="muted small">
                        { format!("{} · {}", p.song_title, clock(p.duration_s)) }
                    </span>
                    <span class="small project-item__facts">
                        <span class={classes!("state-pill", format!("state-pill--{}", pill(state)))}>{ state_label }</span>
                        <span>{ format!("{} of {} shots ready", p.ready, p.shots) }</span>
                        <span>{ format!("{} spent", format::usd(p.spent_usd)) }</span>
                        if p.renders > 0 {
                            <span>{ if p.renders == 1 { "1 render".to_string() } else { format!("{} renders", p.renders) } }</span>
                        }
                    </span>
                </div>
                <div class="project-item__actions">
                    if confirming.as_deref() == Some(id.as_str()) {
                        <p class="warn-text small project-item__confirm" data-testid="delete-project-warning">{ delete_warning(p) }</p>
                        <button class="btn btn--danger" data-testid="delete-project-confirm" onclick={delete} disabled={is_busy}>
                            { if is_busy { "Deleting…" } else { "Delete" } }
                        </button>
                        <button class="btn btn--ghost" onclick={keep}>{ "Keep" }</button>
                    } else {
                        <button class="btn btn--primary" data-testid="project-open" onclick={open}>{ "Open" }</button>
                        <button class="btn btn--ghost" data-testid="project-duplicate" onclick={duplicate} disabled={is_busy}
                                title="A copy of the settings and storyboard, without clips or renders">{ "Duplicate" }</button>
                        <button class="btn btn--ghost" data-testid="project-rename" onclick={start_rename} disabled={is_busy}>{ "Rename" }</button>
                        <button class="btn btn--ghost btn--danger-text" data-testid="project-delete" onclick={ask_delete} disabled={is_busy}>{ "Delete…" }</button>
                    }
                </div>
            </li>
        }
    };

    let body = match &store.video.projects {
        Load::Loading => html! {
            <div aria-busy="true"><div class="skeleton skeleton--tall"></div><div class="skeleton skeleton--tall"></div></div>
        },
        Load::Failed(e) => {
            let store = store.clone();
            let retry = Callback::from(move |_: MouseEvent| {
                store.dispatch(Action::Video(VideoAction::ShowList))
            });
            html! {
                <div class="empty">
                    <p class="error-text">{ "The projects could not be loaded: " }{ &e.message }</p>
                    <button class="btn btn--secondary" onclick={retry}>{ "Retry" }</button>
                </div>
            }
        }
        Load::Ready(list) if list.is_empty() => html! {
            <div class="empty">
                <svg class="empty__art" viewBox="0 0 48 48" aria-hidden="true">
                    <path d="M18 34 V12 L38 8 V30" fill="none" stroke="currentColor" stroke-width="2.5" />
                    <circle cx="14" cy="34" r="5" fill="currentColor" />
                    <circle cx="34" cy="30" r="5" fill="currentColor" />
                </svg>
                <p>{ "No music videos yet." }</p>
                <p class="muted small">{ "Start with a song of your own or the demo song: the studio cuts it into shots on the beat and shows the whole price before anything is made." }</p>
            </div>
        },
        Load::Ready(list) => html! {
            <ul class="project-list" aria-label="Music video projects">
                { for list.iter().map(item) }
            </ul>
        },
    };

    html! {
        <section class="card" data-testid="project-list" aria-label="Music videos">
            <div class="card__head">
                <h2>{ "Music videos" }</h2>
                <button class="btn btn--primary" data-testid="new-project" onclick={new_project}>
                    <span aria-hidden="true">{ "+ " }</span>{ "New music video" }
                </button>
            </div>
            if let Some(notice) = &store.video.notice {
                <div class="notice notice--ok" role="status" data-testid="project-notice">
                    <span>{ notice }</span>
                    <button class="btn btn--link" onclick={dismiss}>{ "OK" }</button>
                </div>
            }
            { body }
        </section>
    }
}

/// The state pill's colour class for a project state.
fn pill(state: &str) -> &'static str {
    match state {
        "generating" => "processing",
        "paused" => "outcome_unknown",
        "stopped" => "failed",
        "rendered" | "ready" => "ready",
        _ => "planned",
    }
}
