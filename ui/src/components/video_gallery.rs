//! The gallery: finished videos as a grid of thumbnails (a placeholder when there is none); click
//! to play, drag the handle to drop the file onto the desktop or another app.

use studio_api::JobView;
use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::{Action, Load};

#[component(VideoGallery)]
pub fn video_gallery() -> Html {
    let store = use_store();
    let videos: Vec<JobView> = store.gallery().cloned().collect();
    let report = {
        let store = store.clone();
        Callback::from(move |e: studio_api::UiError| store.dispatch(Action::Error(e)))
    };
    let body = if videos.is_empty() {
        match &store.jobs_status {
            Load::Loading => {
                html! { <div class="gallery"><div class="skeleton skeleton--thumb"></div><div class="skeleton skeleton--thumb"></div></div> }
            }
            _ => html! {
                <div class="empty">
                    <svg class="empty__art" viewBox="0 0 48 48" aria-hidden="true">
                        <rect x="6" y="10" width="36" height="28" rx="4" fill="none" stroke="currentColor" stroke-width="2.5" />
                        <path d="M21 18 L31 24 L21 30 Z" fill="currentColor" />
                    </svg>
                    <p>{ "No videos yet." }</p>
                    <p class="muted small">{ "Finished videos land here, ready to play, save or drag into your editor." }</p>
                </div>
            },
        }
    } else {
        html! {
            <ul class="gallery" aria-label="Finished videos">
                { for videos.iter().map(|job| {
                    let id = job.id.clone();
                    let play = {
                        let store = store.clone();
                        let id = id.clone();
                        Callback::from(move |_: MouseEvent| store.dispatch(Action::ShowVideo(id.clone())))
                    };
                    let report = report.clone();
                    let drag_id = id.clone();
                    let on_drag = Callback::from(move |e: MouseEvent| {
                        if e.button() != 0 { return; }
                        e.prevent_default();
                        let (id, report) = (drag_id.clone(), report.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            if let Err(e) = bridge::drag_video(id).await {
                                report.emit(e);
                            }
                        });
                    });
                    let v = job.video.as_ref();
                    let thumb = v.and_then(|v| v.thumbnail.as_deref());
                    let info = [
                        v.and_then(|v| v.seconds).map(|s| format!("{s:.0} s")).or_else(|| Some(job.duration.clone())),
                        v.and_then(|v| Some(format!("{}×{}", v.width?, v.height?))).or_else(|| job.resolution.clone()),
                        v.filter(|v| v.bytes > 0).map(|v| format::bytes(v.bytes)),
                    ].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                    html! {
                        <li class="tile" key={id.clone()}>
                            <button class="tile__thumb" data-testid="gallery-item" data-job-id={id.clone()} onclick={play}
                                    aria-label={format!("Play: {}", job.prompt)} title={job.prompt.clone()}>
                                if let Some(t) = thumb {
                                    <img src={bridge::asset_url(t)} alt="" loading="lazy" />
                                } else {
                                    <span class="tile__placeholder" aria-hidden="true">{ "▶" }</span>
                                }
                                <span class="tile__play" aria-hidden="true">{ "▶" }</span>
                            </button>
                            <div class="tile__caption">
                                <span class="tile__prompt">{ &job.prompt }</span>
                                <span class="muted small">{ info }</span>
                            </div>
                            <button class="tile__drag" data-testid="drag-handle" onmousedown={on_drag}
                                    title="Drag onto the desktop or into another app" aria-label="Drag this video out">
                                { "⠿" }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        }
    };
    html! {
        <div class="card card--grow">
            <div class="card__head">
                <h2>{ "Gallery" }</h2>
                if !videos.is_empty() { <span class="muted small">{ if videos.len() == 1 { "1 video".to_string() } else { format!("{} videos", videos.len()) } }</span> }
            </div>
            { body }
        </div>
    }
}
