//! The gallery: finished videos as a grid of thumbnails (a placeholder when there is none), music
//! videos first (marked, with the song's title), then single clips; click to play, drag the
//! handle to drop the file onto the desktop or another app. On a project's page it shows only
//! that project's renders.

use studio_api::{JobView, RenderView, UiError};
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::video_view::clock;
use crate::state::{Action, Load};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Only this project's renders (its page); `None`: every render and clip (the Clips screen).
    #[prop_or_default]
    pub project_id: Option<AttrValue>,
}

/// The drag handle's mouse-down: a native drag of the library file with this id.
fn drag_out(id: String, report: Callback<UiError>) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        if e.button() != 0 {
            return;
        }
        e.prevent_default();
        let (id, report) = (id.clone(), report.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = bridge::drag_video(id).await {
                report.emit(e);
            }
        });
    })
}

fn thumb(path: Option<&str>) -> Html {
    match path {
        Some(t) => html! { <img src={bridge::asset_url(t)} alt="" loading="lazy" /> },
        None => html! { <span class="tile__placeholder" aria-hidden="true">{ "▶" }</span> },
    }
}

#[component(VideoGallery)]
pub fn video_gallery(props: &Props) -> Html {
    let store = use_store();
    let project = props.project_id.as_ref().map(|p| p.to_string());
    let videos: Vec<JobView> = if project.is_some() {
        Vec::new()
    } else {
        store.gallery().cloned().collect()
    };
    let renders: Vec<RenderView> = match &project {
        Some(id) => store.video.renders_of(id),
        None => store.video.renders.clone(),
    };
    let report = {
        let store = store.clone();
        Callback::from(move |e: UiError| store.dispatch(Action::Error(e)))
    };
    let play = |id: &str| {
        let (store, id) = (store.clone(), id.to_string());
        Callback::from(move |_: MouseEvent| store.dispatch(Action::ShowVideo(id.clone())))
    };
    let render_tile = |r: &RenderView| {
        let v = &r.video;
        let info = [
            v.seconds.map(clock),
            v.width.zip(v.height).map(|(w, h)| format!("{w}×{h}")),
            (v.bytes > 0).then(|| format::bytes(v.bytes)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        html! {
            <li class="tile tile--render" key={r.id.clone()}>
                <button class="tile__thumb" data-testid="render-item" data-render-id={r.id.clone()}
                        onclick={play(&r.id)} aria-label={format!("Play the music video {}", r.project_name)}
                        title={r.project_name.clone()}>
                    { thumb(v.thumbnail.as_deref()) }
                    <span class="tile__badge">{ "Music video" }</span>
                    <span class="tile__play" aria-hidden="true">{ "▶" }</span>
                </button>
                <div class="tile__caption">
                    <span class="tile__prompt">{ "♪ " }{ &r.song_title }</span>
                    <span class="muted small">{ info }</span>
                </div>
                <button class="tile__drag" data-testid="drag-handle" onmousedown={drag_out(r.id.clone(), report.clone())}
                        title="Drag onto the desktop or into another app" aria-label="Drag this music video out">
                    { "⠿" }
                </button>
            </li>
        }
    };
    let clip_tile = |job: &JobView| {
        let v = job.video.as_ref();
        let info = [
            v.and_then(|v| v.seconds)
                .map(|s| format!("{s:.0} s"))
                .or_else(|| Some(job.duration.clone())),
            v.and_then(|v| Some(format!("{}×{}", v.width?, v.height?)))
                .or_else(|| job.resolution.clone()),
            v.filter(|v| v.bytes > 0).map(|v| format::bytes(v.bytes)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        html! {
            <li class="tile" key={job.id.clone()}>
                <button class="tile__thumb" data-testid="gallery-item" data-job-id={job.id.clone()} onclick={play(&job.id)}
                        aria-label={format!("Play: {}", job.prompt)} title={job.prompt.clone()}>
                    { thumb(v.and_then(|v| v.thumbnail.as_deref())) }
                    <span class="tile__play" aria-hidden="true">{ "▶" }</span>
                </button>
                <div class="tile__caption">
                    <span class="tile__prompt">{ &job.prompt }</span>
                    <span class="muted small">{ info }</span>
                </div>
                <button class="tile__drag" data-testid="drag-handle" onmousedown={drag_out(job.id.clone(), report.clone())}
                        title="Drag onto the desktop or into another app" aria-label="Drag this video out">
                    { "⠿" }
                </button>
            </li>
        }
    };
    let count = videos.len() + renders.len();
    let loading = if project.is_some() {
        store.video.renders_status == Load::Loading && store.video.project.is_none()
    } else {
        store.jobs_status == Load::Loading
    };
    let body = if count == 0 {
        if loading {
            html! { <div class="gallery"><div class="skeleton skeleton--thumb"></div><div class="skeleton skeleton--thumb"></div></div> }
        } else if project.is_some() {
            html! {
                <div class="empty empty--slim">
                    <p class="muted">{ "No render yet. Render puts the finished music video here, ready to play, save or drag out." }</p>
                </div>
            }
        } else {
            html! {
                <div class="empty">
                    <svg class="empty__art" viewBox="0 0 48 48" aria-hidden="true">
                        <rect x="6" y="10" width="36" height="28" rx="4" fill="none" stroke="currentColor" stroke-width="2.5" />
                        <path d="M21 18 L31 24 L21 30 Z" fill="currentColor" />
                    </svg>
                    <p>{ "No videos yet." }</p>
                    <p class="muted small">{ "Finished videos land here, ready to play, save or drag into your editor." }</p>
                </div>
            }
        }
    } else {
        html! {
            <ul class="gallery" aria-label={if project.is_some() { "This project's music videos" } else { "Finished videos" }}>
                { for renders.iter().map(render_tile) }
                { for videos.iter().map(clip_tile) }
            </ul>
        }
    };
    let title = if project.is_some() {
        "Renders"
    } else {
        "Gallery"
    };
    html! {
        <div class={classes!("card", project.is_none().then_some("card--grow"))}>
            <div class="card__head">
                <h2>{ title }</h2>
                if count > 0 {
                    <span class="muted small">{ if count == 1 { "1 video".to_string() } else { format!("{count} videos") } }</span>
                }
            </div>
            { body }
        </div>
    }
}
