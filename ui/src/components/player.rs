//! The in-app player (streamed from the shell's loopback media server) with Save as…, Reveal in
//! folder and Delete (confirmed), for a single clip (a job) or a music video (a render).
//! Escape or the close button closes it.

use yew::prelude::*;

use crate::app::use_store;
use crate::bridge;
use crate::format;
use crate::state::Action;

#[component(Player)]
pub fn player() -> Html {
    let store = use_store();
    let confirming = use_state(|| false);
    let busy = use_state(|| false);
    let saved = use_state(|| None::<String>);
    let media_error = use_state(|| None::<String>);
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(el) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let Some(id) = store.playing.clone() else {
        return html! {};
    };
    let job = store.job(&id).cloned();
    let render = store.video.render(&id).cloned();
    let is_render = render.is_some();
    // The video and the lines under it: a render's song and project, else the job's prompt.
    let media = match (&render, &job) {
        (Some(r), _) => Some((
            r.video.clone(),
            html! {
                <>
                    <p class="player__prompt"><span class="tile__badge tile__badge--inline">{ "Music video" }</span>{ " " }{ &r.song_title }</p>
                    <p class="muted small">
                        { &r.project_name }
                        if let Some(s) = r.video.seconds { { " · " }{ crate::state::video_view::clock(s) } }
                        if r.video.bytes > 0 { { " · " }{ format::bytes(r.video.bytes) } }
                    </p>
                </>
            },
        )),
        (None, Some(j)) => j.video.clone().map(|v| {
            let bytes = v.bytes;
            (
                v,
                html! {
                    <>
                        <p class="player__prompt">{ &j.prompt }</p>
                        <p class="muted small">
                            { store.model(&j.model).map_or(j.model.clone(), |m| m.name.clone()) }
                            { " · " }{ format::usd(j.cost_usd) }
                            if bytes > 0 { { " · " }{ format::bytes(bytes) } }
                        </p>
                    </>
                },
            )
        }),
        (None, None) => None,
    };
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::ClosePlayer))
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());

    let content = match media {
        None => html! {
            <div class="player__empty">
                if job.is_none() && !is_render {
                    <div class="spinner" aria-hidden="true"></div>
                    <p class="muted">{ "Loading this video…" }</p>
                } else {
                    <p class="muted">{ "This video is no longer in the library." }</p>
                }
            </div>
        },
        Some((video, info)) => {
            let save = {
                let (store, id, busy, saved) =
                    (store.clone(), id.clone(), busy.clone(), saved.clone());
                Callback::from(move |_: MouseEvent| {
                    let (d, id, busy, saved) =
                        (store.dispatcher(), id.clone(), busy.clone(), saved.clone());
                    busy.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = bridge::save_video_dialog(id).await;
                        busy.set(false);
                        match result {
                            Ok(Some(dest)) => saved.set(Some(dest)),
                            Ok(None) => {}
                            Err(e) => d.dispatch(Action::Error(e)),
                        }
                    });
                })
            };
            let reveal = {
                let (store, id) = (store.clone(), id.clone());
                Callback::from(move |_: MouseEvent| {
                    let (d, id) = (store.dispatcher(), id.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = bridge::reveal_video(id).await {
                            d.dispatch(Action::Error(e));
                        }
                    });
                })
            };
            let on_media_error = {
                let media_error = media_error.clone();
                Callback::from(move |e: Event| {
                    let video: web_sys::HtmlMediaElement = e.target_unchecked_into();
                    let code = video.error().map(|e| e.code());
                    let why = match code {
                        Some(2) => "network error",
                        Some(3) => "it could not be decoded",
                        Some(4) => "the format is not supported here",
                        _ => "unknown error",
                    };
                    media_error.set(Some(why.to_string()));
                })
            };
            let ask = {
                let confirming = confirming.clone();
                Callback::from(move |_: MouseEvent| confirming.set(true))
            };
            let cancel = {
                let confirming = confirming.clone();
                Callback::from(move |_: MouseEvent| confirming.set(false))
            };
            let delete = {
                let (store, id, busy) = (store.clone(), id.clone(), busy.clone());
                Callback::from(move |_: MouseEvent| {
                    let (d, id, busy) = (store.dispatcher(), id.clone(), busy.clone());
                    busy.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = bridge::delete_video(id.clone()).await;
                        busy.set(false);
                        match result {
                            Ok(()) => d.dispatch(Action::VideoDeleted(id)),
                            Err(e) => d.dispatch(Action::Error(e)),
                        }
                    });
                })
            };
            html! {
                <>
                    <video class="player__video" data-testid="video-player"
                           src={video.url.clone().unwrap_or_else(|| bridge::asset_url(&video.path))}
                           controls=true autoplay=true playsinline=true preload="auto" onerror={on_media_error}
                           poster={video.thumbnail.as_deref().map(bridge::asset_url)}></video>
                    if let Some(why) = &*media_error {
                        <p class="notice notice--error" role="alert">
                            { format!("This video cannot be played in the app ({why}). Reveal it in its folder to open it with another player.") }
                        </p>
                    }
                    <div class="player__info">
                        { info }
                        if let Some(dest) = &*saved { <p class="ok-text small">{ "Saved to " }{ dest }</p> }
                    </div>
                    <div class="player__actions">
                        <button class="btn btn--secondary" data-testid="save-as" onclick={save} disabled={*busy}>{ "Save as…" }</button>
                        <button class="btn btn--secondary" data-testid="reveal" onclick={reveal}>{ "Reveal in folder" }</button>
                        <div class="header__spacer"></div>
                        if *confirming {
                            <span class="warn-text small">{ if is_render { "Delete this music video's file? Its clips stay." } else { "Delete this video file?" } }</span>
                            <button class="btn btn--danger" data-testid="delete-confirm" onclick={delete} disabled={*busy}>{ "Delete" }</button>
                            <button class="btn btn--ghost" onclick={cancel}>{ "Keep" }</button>
                        } else {
                            <button class="btn btn--ghost btn--danger-text" data-testid="delete-video" onclick={ask}>{ "Delete…" }</button>
                        }
                    </div>
                </>
            }
        }
    };

    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog dialog--player" role="dialog" aria-modal="true" aria-label="Video player" onclick={stop}>
                <div class="dialog__head">
                    <h2>{ if is_render { "Music video" } else { "Video" } }</h2>
                    <button class="btn btn--icon" ref={close_ref} onclick={close} aria-label="Close the player (Escape)">{ "×" }</button>
                </div>
                { content }
            </div>
        </div>
    }
}
