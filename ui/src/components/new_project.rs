//! A new music video: a song (the native dialog, the demo song, or an audio file dropped on the
//! window), analysed with a spinner and then shown with its waveform; the project's settings;
//! "Plan the storyboard", which opens the project.

use std::rc::Rc;

use studio_api::{ErrorCode, ProjectForm, SongEditView, UiError};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge::{self, DRAG_DROP_EVENT, DropPayload};
use crate::components::{project_settings::ProjectSettings, song_panel::SongPanel};
use crate::state::video::VideoAction;
use crate::state::video_view::{clock, file_name, is_audio, not_audio_message};
use crate::state::{Action, AppState};

/// Imports (analyses) a song file and shows it.
fn import(d: UseReducerDispatcher<AppState>, path: String) {
    d.dispatch(Action::Video(VideoAction::SongAnalysing(
        file_name(&path).to_string(),
    )));
    wasm_bindgen_futures::spawn_local(async move {
        let result = bridge::import_song(path).await;
        d.dispatch(Action::Video(VideoAction::SongImported(result)));
    });
}

/// What a song correction on this page says: there is no project to correct yet.
const EDIT_LATER: &str = "Plan the storyboard first: the song's tempo, bars and sections can be corrected on the project's page, and the storyboard is planned again from them.";

#[component(NewProject)]
pub fn new_project() -> Html {
    let store = use_store();
    let drag_over = use_state_eq(|| false);
    let busy = store.video.draft.analysing.is_some() || store.video.draft.planning;

    // Files dropped on the window, while this page shows.
    {
        let (d, drag_over) = (store.dispatcher(), drag_over.clone());
        use_effect_with(busy, move |busy| {
            let busy = *busy;
            let (over_on, over_off) = (drag_over.clone(), drag_over.clone());
            let drop = bridge::listen::<DropPayload>(DRAG_DROP_EVENT, move |payload| {
                drag_over.set(false);
                let Some(path) = payload.paths.first().cloned() else {
                    return;
                };
                if busy {
                    d.dispatch(Action::Error(UiError::new(
                        ErrorCode::InvalidInput,
                        "Wait for the song being analysed (or the plan being made) to finish, then drop the file again.",
                    )));
                } else if is_audio(&path) {
                    import(d.clone(), path);
                } else {
                    d.dispatch(Action::Error(UiError::new(
                        ErrorCode::InvalidInput,
                        not_audio_message(&path),
                    )));
                }
            });
            let enter = bridge::listen::<serde_json::Value>("tauri://drag-enter", move |_| {
                over_on.set(true)
            });
            let leave = bridge::listen::<serde_json::Value>("tauri://drag-leave", move |_| {
                over_off.set(false)
            });
            move || {
                let _stop = (drop, enter, leave);
            }
        });
    }

    let back = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::Video(VideoAction::ShowList)))
    };
    let pick = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            let d = store.dispatcher();
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::pick_song().await {
                    Ok(Some(path)) => import(d, path),
                    Ok(None) => {}
                    Err(e) => d.dispatch(Action::Error(e)),
                }
            });
        })
    };
    let demo = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            let d = store.dispatcher();
            wasm_bindgen_futures::spawn_local(async move {
                match bridge::demo_song().await {
                    Ok(path) => import(d, path),
                    Err(e) => d.dispatch(Action::Error(e)),
                }
            });
        })
    };
    let another = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::Video(VideoAction::ClearSong)))
    };
    let on_song_edit = {
        let store = store.clone();
        Callback::from(move |_: SongEditView| {
            store.dispatch(Action::Error(UiError::new(
                ErrorCode::InvalidInput,
                EDIT_LATER,
            )))
        })
    };
    let on_name = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            let name = e.target_unchecked_into::<HtmlInputElement>().value();
            store.dispatch(Action::Video(VideoAction::DraftName(name)))
        })
    };
    let on_settings = {
        let store = store.clone();
        Callback::from(move |s| store.dispatch(Action::Video(VideoAction::DraftSettings(s))))
    };
    let on_check = {
        let store = store.clone();
        Callback::from(move |c| store.dispatch(Action::Video(VideoAction::DraftReference(c))))
    };
    let draft = store.video.draft.clone();
    let model = store.model(&draft.settings.model).cloned();
    let block = store.video.plan_block(model.as_ref());
    let plan = {
        let (store, draft, blocked) = (store.clone(), draft.clone(), block.is_some());
        Callback::from(move |_: MouseEvent| {
            let Some(song) = draft.song.as_ref().filter(|_| !blocked) else {
                return;
            };
            let name = draft.name.trim();
            let form = ProjectForm {
                song_path: song.path.clone(),
                name: (!name.is_empty()).then(|| name.to_string()),
                settings: draft.settings.clone(),
            };
            let d = store.dispatcher();
            d.dispatch(Action::Video(VideoAction::Planning));
            wasm_bindgen_futures::spawn_local(async move {
                let result = bridge::new_project(&form).await;
                d.dispatch(Action::Video(VideoAction::Planned(result)));
            });
        })
    };

    let song_step = if let Some(name) = &draft.analysing {
        html! {
            <div class="analysing" data-testid="song-analyzing" role="status" aria-busy="true">
                <div class="spinner" aria-hidden="true"></div>
                <p>{ "Analysing the song…" }</p>
                <p class="muted small">{ format!("{name}: tempo, beats, bars and sections") }</p>
            </div>
        }
    } else if let Some(song) = &draft.song {
        html! {
            <>
                <SongPanel song={Rc::new(song.clone())} on_edit={on_song_edit} />
                <p class="hint">
                    { format!("{} · {} · {:.0} BPM. ", song.title, clock(song.duration_s), song.tempo_bpm) }
                    { "Beats, bars and sections can be corrected on the project's page once it is planned." }
                </p>
            </>
        }
    } else {
        html! {
            <div class={classes!("dropzone", (*drag_over).then_some("dropzone--over"))}>
                <svg class="empty__art" viewBox="0 0 48 48" aria-hidden="true">
                    <path d="M18 34 V12 L38 8 V30" fill="none" stroke="currentColor" stroke-width="2.5" />
                    <circle cx="14" cy="34" r="5" fill="currentColor" />
                    <circle cx="34" cy="30" r="5" fill="currentColor" />
                </svg>
                <p>{ "Drop an audio file anywhere on the window, or" }</p>
                <div class="row row--wrap row--center">
                    <button class="btn btn--primary" data-testid="pick-song" onclick={pick}>{ "Choose a song…" }</button>
                    <button class="btn btn--secondary" data-testid="use-demo-song" onclick={demo}>{ "Use the demo song" }</button>
                </div>
                <p class="muted small">{ "MP3, WAV, FLAC, OGG, M4A, AAC or Opus. The demo song is “Neon Run (demo)”, 41.5 s of synth-pop (CC0)." }</p>
            </div>
        }
    };

    html! {
        <div class="mv-page" data-testid="new-project-page">
            <div class="mv-head">
                <button class="btn btn--ghost" data-testid="back-to-projects" onclick={back}>
                    <span aria-hidden="true">{ "← " }</span>{ "Projects" }
                </button>
                <div class="mv-head__title"><h2>{ "New music video" }</h2></div>
            </div>
            <section class={classes!("card", (*drag_over).then_some("card--drop"))} aria-label="Song">
                <div class="card__head">
                    <h2>{ "1 · Song" }</h2>
                    if draft.song.is_some() && !busy {
                        <button class="btn btn--link" data-testid="change-song" onclick={another}>{ "Choose another song" }</button>
                    }
                </div>
                { song_step }
            </section>
            if let Some(song) = &draft.song {
                <section class="card" aria-label="The video">
                    <div class="card__head"><h2>{ "2 · The video" }</h2></div>
                    <div class="field">
                        <label for="new-name">{ "Name" }</label>
                        <input id="new-name" type="text" data-testid="project-name-input"
                               placeholder={format!("{}: <theme>", song.title)}
                               value={draft.name.clone()} oninput={on_name} disabled={draft.planning} />
                    </div>
                    <ProjectSettings value={draft.settings.clone()} on_change={on_settings}
                                     check={draft.reference.clone()} {on_check} id_prefix="new"
                                     disabled={draft.planning} />
                    <div class="generate-bar">
                        if draft.planning {
                            <p class="muted small" role="status" data-testid="planning">
                                <span class="spinner spinner--small" aria-hidden="true"></span>
                                { " Planning the shots on the song's downbeats and writing a prompt for each (a few seconds)…" }
                            </p>
                        } else {
                            <p class="muted small">{ "Nothing is spent on video yet: you see the whole price before anything is made." }</p>
                        }
                        <button class="btn btn--primary btn--big" data-testid="plan-storyboard" onclick={plan}
                                disabled={block.is_some()} aria-describedby="plan-reason">
                            { if draft.planning { "Planning…" } else { "Plan the storyboard" } }
                        </button>
                        <p id="plan-reason" class={classes!("generate-reason", block.is_none().then_some("gone"))}
                           data-testid="plan-reason" aria-live="polite">
                            { block.clone().unwrap_or_default() }
                        </p>
                    </div>
                </section>
            }
        </div>
    }
}
