//! The root component: owns the state, loads what the shell knows, listens to its events, and
//! shows the screen the key status calls for (and, on the main screen, the tab chosen: Clips or
//! Music video).

use studio_api::{
    GenerateEndedView, JOB_EVENT, JobEventView, PROJECT_EVENT, RENDER_EVENT, RenderEventView,
    SHOW_PROJECT_EVENT, SHOW_VIDEO_EVENT,
};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::bridge;
use crate::components::{
    error_banner::ErrorBanner, generator_config::GeneratorConfig, header::Header,
    music_video::MusicVideo, onboarding::Onboarding, player::Player, queue_list::QueueList,
    settings::SettingsPanel, theme_input::ThemeInput, unavailable::Unavailable,
    video_gallery::VideoGallery,
};
use crate::state::video::{Tab, VideoAction, next_ticket};
use crate::state::{Action, AppState, Screen};

/// The product's name, as the window title and the heading show it.
pub const APP_NAME: &str = "Venice Music Video Studio";

/// One line on what the studio does.
pub const TAGLINE: &str =
    "Turn an idea and a song into a music video with Venice's AI video models.";

/// The state handle every component reads and dispatches to (a context).
pub type Store = UseReducerHandle<AppState>;

/// The store from the context the root provides.
#[hook]
pub fn use_store() -> Store {
    use_context::<Store>().unwrap_or_else(|| panic!("components render inside <App>"))
}

/// The app's root component.
#[component(App)]
pub fn app() -> Html {
    let store = use_reducer(AppState::default);
    let dispatcher = store.dispatcher();

    // The key status and settings, at start and on Retry.
    {
        let d = dispatcher.clone();
        use_effect_with(store.reload, move |_| {
            let d2 = d.clone();
            spawn_local(async move { d2.dispatch(Action::KeyLoaded(bridge::key_status().await)) });
            spawn_local(
                async move { d.dispatch(Action::SettingsLoaded(bridge::get_settings().await)) },
            );
        });
    }
    // Models and jobs once there is a key or the demo runs.
    let is_main = store.screen() == Screen::Main;
    {
        let d = dispatcher.clone();
        use_effect_with((store.reload, is_main), move |(_, is_main)| {
            if *is_main {
                let d2 = d.clone();
                spawn_local(async move {
                    d2.dispatch(Action::ModelsLoaded(bridge::list_models().await))
                });
                spawn_local(
                    async move { d.dispatch(Action::JobsLoaded(bridge::list_jobs().await)) },
                );
            }
        });
    }
    // The job list again when events asked for it.
    {
        let d = dispatcher.clone();
        use_effect_with(store.jobs_refresh, move |n| {
            if *n > 0 {
                spawn_local(
                    async move { d.dispatch(Action::JobsLoaded(bridge::list_jobs().await)) },
                );
            }
        });
    }
    // Music videos: the project list and the renders (at start and when asked again), the open
    // project (when opened and when events say it changed), and its whole price for every new
    // view of it (answers for an older view are dropped by the reducer).
    {
        let d = dispatcher.clone();
        let deps = (store.reload, is_main, store.video.projects_refresh);
        use_effect_with(deps, move |(_, is_main, _)| {
            if *is_main {
                spawn_local(async move {
                    let result = bridge::list_projects().await;
                    d.dispatch(Action::Video(VideoAction::ProjectsLoaded(result)))
                });
            }
        });
    }
    {
        let d = dispatcher.clone();
        let deps = (store.reload, is_main, store.video.renders_refresh);
        use_effect_with(deps, move |(_, is_main, _)| {
            if *is_main {
                spawn_local(async move {
                    let result = bridge::list_renders().await;
                    d.dispatch(Action::Video(VideoAction::RendersLoaded(result)))
                });
            }
        });
    }
    {
        let d = dispatcher.clone();
        let open = store.video.open_id().map(str::to_string);
        use_effect_with((open, store.video.project_refresh), move |(open, _)| {
            if let Some(id) = open.clone() {
                let ticket = next_ticket();
                spawn_local(async move {
                    let result = bridge::open_project(id.clone()).await;
                    d.dispatch(Action::Video(VideoAction::ProjectLoaded {
                        project_id: id,
                        ticket,
                        result,
                    }))
                });
            }
        });
    }
    {
        let d = dispatcher.clone();
        let loaded = store.video.project.as_ref().map(|p| p.id.clone());
        use_effect_with((loaded, store.video.revision), move |(loaded, revision)| {
            if let Some(id) = loaded.clone() {
                let revision = *revision;
                d.dispatch(Action::Video(VideoAction::QuoteLoading {
                    project_id: id.clone(),
                    revision,
                }));
                spawn_local(async move {
                    let result = bridge::quote_project(id.clone()).await;
                    d.dispatch(Action::Video(VideoAction::QuoteDone {
                        project_id: id,
                        revision,
                        result,
                    }))
                });
            }
        });
    }
    // Job and render events, and tray clicks ("show this video", "open this project"), for the
    // app's lifetime.
    {
        let d = dispatcher.clone();
        use_effect_with((), move |_| {
            let d2 = d.clone();
            let jobs =
                bridge::listen::<JobEventView>(JOB_EVENT, move |e| d2.dispatch(Action::Job(e)));
            let d3 = d.clone();
            let renders = bridge::listen::<RenderEventView>(RENDER_EVENT, move |e| {
                d3.dispatch(Action::Video(VideoAction::Render(e)))
            });
            let d5 = d.clone();
            let ended = bridge::listen::<GenerateEndedView>(PROJECT_EVENT, move |e| {
                d5.dispatch(Action::Video(VideoAction::GenerateEnded(e)))
            });
            let d4 = d.clone();
            let project = bridge::listen::<String>(SHOW_PROJECT_EVENT, move |id| {
                d4.dispatch(Action::Video(VideoAction::Open(id)))
            });
            let show = bridge::listen::<String>(SHOW_VIDEO_EVENT, move |id| {
                d.dispatch(Action::ShowVideo(id))
            });
            move || {
                let _stop = (jobs, renders, ended, project, show);
            }
        });
    }
    // Escape closes the player or Settings.
    {
        let store = store.clone();
        use_effect_with(
            (store.playing.is_some(), store.settings_open),
            move |(playing, settings)| {
                let (playing, settings) = (*playing, *settings);
                let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                    gloo::events::EventListener::new(&doc, "keydown", move |e| {
                        let key = e.clone().dyn_into_key();
                        if key.as_deref() == Some("Escape") {
                            if playing {
                                store.dispatch(Action::ClosePlayer);
                            } else if settings {
                                store.dispatch(Action::CloseSettings);
                            }
                        }
                    })
                });
                move || drop(listener)
            },
        );
    }

    let body = match store.screen() {
        Screen::Starting => html! {
            <div class="center-screen" aria-busy="true">
                <div class="spinner" aria-hidden="true"></div>
                <p class="muted">{ "Starting the studio…" }</p>
            </div>
        },
        Screen::Unavailable(error) => html! { <Unavailable {error} /> },
        Screen::Onboarding => html! { <Onboarding /> },
        Screen::Main if store.video.tab == Tab::MusicVideo => html! { <MusicVideo /> },
        Screen::Main => html! {
            <div class="workspace">
                <section class="column column--create" aria-label="Create">
                    <ThemeInput />
                    <GeneratorConfig />
                </section>
                <section class="column column--results" aria-label="Your videos">
                    <QueueList />
                    <VideoGallery />
                </section>
            </div>
        },
    };
    let overlay = if let (Screen::Main, Some(id)) = (store.screen(), store.playing.clone()) {
        html! { <Player key={id} /> }
    } else if store.settings_open && store.screen() != Screen::Starting {
        html! { <SettingsPanel /> }
    } else {
        html! {}
    };

    html! {
        <ContextProvider<Store> context={store.clone()}>
            <div class={classes!("app", store.is_demo().then_some("app--demo"))}>
                <Header />
                <ErrorBanner />
                <main class="app__main">{ body }</main>
                { overlay }
            </div>
        </ContextProvider<Store>>
    }
}

/// `KeyboardEvent.key` of a DOM event, if it is a keyboard event.
trait KeyOf {
    fn dyn_into_key(self) -> Option<String>;
}

impl KeyOf for web_sys::Event {
    fn dyn_into_key(self) -> Option<String> {
        use wasm_bindgen::JsCast;
        self.dyn_into::<web_sys::KeyboardEvent>()
            .ok()
            .map(|k| k.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_and_name_agree() {
        assert_eq!(APP_NAME, "Venice Music Video Studio");
        assert!(APP_NAME.ends_with(" Music Video Studio"));
        assert!(!TAGLINE.is_empty());
    }
}
