//! The Music video tab: the project list, the new-project page, or an open project (its song
//! with the waveform, its settings, the money bar, the storyboard's cards, the render and the
//! project's renders).

use std::future::Future;
use std::rc::Rc;

use studio_api::{ImageCheck, ProjectSettingsView, ProjectView, SongEditView, UiError};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::components::{
    money_bar::MoneyBar, new_project::NewProject, project_list::ProjectList,
    project_settings::ProjectSettings, render_panel::RenderPanel, song_panel::SongPanel,
    storyboard::Storyboard, video_gallery::VideoGallery,
};
use crate::state::video::{Page, VideoAction, Work, next_ticket};
use crate::state::video_view::{clock, settings_problem};
use crate::state::{Action, AppState, Load};

/// Runs a command on a project whose answer is the project as it now is: marks the project busy
/// with `work` until the answer (or the error, shown as a toast) arrives.
pub fn project_command<F>(
    d: UseReducerDispatcher<AppState>,
    project_id: String,
    work: Work,
    call: F,
) where
    F: Future<Output = Result<ProjectView, UiError>> + 'static,
{
    let ticket = next_ticket();
    d.dispatch(Action::Video(VideoAction::Working { ticket, work }));
    wasm_bindgen_futures::spawn_local(async move {
        let result = call.await;
        d.dispatch(Action::Video(VideoAction::ProjectLoaded {
            project_id,
            ticket,
            result,
        }));
    });
}

/// The settings being edited on an open project, until saved.
#[derive(Clone, Debug, PartialEq)]
struct SettingsDraft {
    project_id: String,
    name: String,
    settings: ProjectSettingsView,
}

#[component(MusicVideo)]
pub fn music_video() -> Html {
    let store = use_store();
    let draft = use_state(|| None::<SettingsDraft>);
    let check = use_state(|| None::<Load<ImageCheck>>);
    let saving = use_state(|| false);

    let back = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::Video(VideoAction::ShowList)))
    };
    let id = match &store.video.page {
        Page::List => return html! { <div class="mv-page"><ProjectList /></div> },
        Page::New => return html! { <NewProject /> },
        Page::Project(id) => id.clone(),
    };
    let back_button = html! {
        <button class="btn btn--ghost" data-testid="back-to-projects" onclick={back}>
            <span aria-hidden="true">{ "← " }</span>{ "Projects" }
        </button>
    };
    let Some(p) = store.video.project.clone() else {
        let body = match &store.video.project_error {
            Some(e) => {
                let retry = {
                    let store = store.clone();
                    Callback::from(move |_: MouseEvent| {
                        store.dispatch(Action::Video(VideoAction::Refresh))
                    })
                };
                html! {
                    <div class="empty">
                        <p class="error-text">{ "This project could not be opened: " }{ &e.message }</p>
                        <button class="btn btn--secondary" onclick={retry}>{ "Retry" }</button>
                    </div>
                }
            }
            None => html! {
                <div class="center-screen" aria-busy="true">
                    <div class="spinner" aria-hidden="true"></div>
                    <p class="muted">{ "Opening the project…" }</p>
                </div>
            },
        };
        return html! {
            <div class="mv-page" data-testid="music-video-project" data-project-id={id}>
                <div class="mv-head">{ back_button }</div>
                { body }
            </div>
        };
    };

    let busy = store.video.working.is_some();
    let on_edit = {
        let (store, id) = (store.clone(), p.id.clone());
        Callback::from(move |edit: SongEditView| {
            let id2 = id.clone();
            project_command(store.dispatcher(), id.clone(), Work::Edit, async move {
                bridge::edit_song(id2, &edit).await
            });
        })
    };
    let shots = Rc::new(store.video.shot_spans());

    // The settings: the saved ones until the user changes something.
    let current = draft
        .as_ref()
        .filter(|d| d.project_id == p.id)
        .cloned()
        .unwrap_or_else(|| SettingsDraft {
            project_id: p.id.clone(),
            name: p.name.clone(),
            settings: p.settings.clone(),
        });
    let changed = current.name != p.name || current.settings != p.settings;
    let model = store.model(&current.settings.model).cloned();
    let problem =
        settings_problem(&current.settings, model.as_ref(), check.as_ref()).or_else(|| {
            current
                .name
                .trim()
                .is_empty()
                .then(|| "Give the project a name.".into())
        });
    let on_settings = {
        let (draft, current) = (draft.clone(), current.clone());
        Callback::from(move |settings: ProjectSettingsView| {
            draft.set(Some(SettingsDraft {
                settings,
                ..current.clone()
            }))
        })
    };
    let on_name = {
        let (draft, current) = (draft.clone(), current.clone());
        Callback::from(move |e: InputEvent| {
            let name = e.target_unchecked_into::<HtmlInputElement>().value();
            draft.set(Some(SettingsDraft {
                name,
                ..current.clone()
            }))
        })
    };
    let on_check = {
        let check = check.clone();
        Callback::from(move |c: Option<Load<ImageCheck>>| check.set(c))
    };
    let undo = {
        let (draft, check) = (draft.clone(), check.clone());
        Callback::from(move |_: MouseEvent| {
            draft.set(None);
            check.set(None);
        })
    };
    let save = {
        let (store, draft, saving, current) = (
            store.clone(),
            draft.clone(),
            saving.clone(),
            current.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let ticket = next_ticket();
            let d = store.dispatcher();
            d.dispatch(Action::Video(VideoAction::Working {
                ticket,
                work: Work::Save,
            }));
            saving.set(true);
            let (draft, saving, current) = (draft.clone(), saving.clone(), current.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = bridge::update_project(
                    current.project_id.clone(),
                    current.name.trim().to_string(),
                    &current.settings,
                )
                .await;
                saving.set(false);
                if result.is_ok() {
                    draft.set(None);
                }
                d.dispatch(Action::Video(VideoAction::ProjectLoaded {
                    project_id: current.project_id,
                    ticket,
                    result,
                }));
            });
        })
    };
    let s = &p.settings;
    let summary = [
        store
            .model(&s.model)
            .map_or_else(|| s.model.clone(), |m| m.name.clone()),
        s.aspect_ratio.clone().unwrap_or_default(),
        s.resolution.clone().unwrap_or_default(),
        s.theme.clone(),
    ]
    .into_iter()
    .filter(|x| !x.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");

    html! {
        <div class="mv-page" data-testid="music-video-project" data-project-id={p.id.clone()}>
            <div class="mv-head">
                { back_button }
                <div class="mv-head__title">
                    <h2 data-testid="project-name">{ &p.name }</h2>
                    <span class="muted small">
                        { format!("{} · {} · {} shots", p.song.title, clock(p.song.duration_s), p.shots.len()) }
                    </span>
                </div>
            </div>
            <section class="card mv-song" aria-label="Song">
                <SongPanel song={Rc::new(p.song.clone())} shots={shots}
                           selected_shot={store.video.selected_shot}
                           play_span={store.video.play_span()} {on_edit} {busy} />
            </section>
            <details class="card mv-settings" data-testid="project-settings">
                <summary>
                    <span class="mv-settings__title">{ "Project settings" }</span>
                    <span class="muted small mv-settings__summary">{ summary }</span>
                </summary>
                <div class="mv-settings__body">
                    <div class="field">
                        <label for="project-rename">{ "Name" }</label>
                        <input id="project-rename" type="text" data-testid="project-name-input"
                               value={current.name.clone()} oninput={on_name} />
                    </div>
                    <ProjectSettings value={current.settings.clone()} on_change={on_settings}
                                     check={(*check).clone()} {on_check} id_prefix="open" disabled={*saving} />
                    <div class="mv-settings__actions">
                        if changed {
                            <p class="hint">
                                { "A new model plans the storyboard again for its clip lengths; a new theme, style or subject writes the prompts again (shots you edited keep theirs)." }
                            </p>
                        }
                        if let (true, Some(why)) = (changed, problem.clone()) {
                            <p class="warn-text small" data-testid="settings-reason">{ why }</p>
                        }
                        <div class="row row--end row--wrap">
                            <button class="btn btn--ghost" onclick={undo} disabled={!changed || *saving}>{ "Undo changes" }</button>
                            <button class="btn btn--primary" data-testid="save-settings" onclick={save}
                                    disabled={!changed || problem.is_some() || busy || *saving}>
                                { if *saving { "Saving…" } else { "Save settings" } }
                            </button>
                        </div>
                    </div>
                </div>
            </details>
            <MoneyBar />
            <Storyboard />
            <RenderPanel />
            <VideoGallery project_id={Some(AttrValue::from(p.id.clone()))} />
        </div>
    }
}
