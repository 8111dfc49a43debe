//! The song at the top of a music video's page: play/pause with the time, the waveform with its
//! playhead, and the correction tools. It owns the `<audio>` element; the parent gives the song,
//! the shots, and takes the edits ([`SongEditView`]) to send to the shell.
//!
//! The playhead and the time text are moved by hand (attributes and text through `NodeRef`s) on
//! every animation frame while the song plays, so playback never re-renders the drawing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::render::{AnimationFrame, request_animation_frame};
use studio_api::{SongEditView, SongView};
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlMediaElement};
use yew::prelude::*;

use super::song_format::{beats_unsure, position};
use super::song_tools::SongTools;
use super::waveform::{Waveform, span_s, x_of};

#[derive(Properties, PartialEq)]
pub struct SongPanelProps {
    pub song: Rc<SongView>,
    /// Shot boundaries to draw over the waveform: (start_s, end_s) per shot, in order.
    #[prop_or_default]
    pub shots: Rc<Vec<(f64, f64)>>,
    /// The selected shot (its span is highlighted).
    #[prop_or_default]
    pub selected_shot: Option<usize>,
    /// Play this span of the song when it changes: (start_s, end_s, nonce). The nonce changes on each request.
    #[prop_or_default]
    pub play_span: Option<(f64, f64, u32)>,
    /// A song correction the user made; the parent sends it to the shell (EDIT_SONG) and re-renders with the answer.
    pub on_edit: Callback<SongEditView>,
    /// An edit is being applied: controls are disabled and a small "Re-planning…" shows.
    #[prop_or_default]
    pub busy: bool,
    /// Reports the playhead (seconds) as the song plays, for the parent (may be ignored). Sent when
    /// it moves by a tenth of a second or more, not on every frame.
    #[prop_or_default]
    pub on_time: Callback<f64>,
}

type Paint = Rc<RefCell<Option<Rc<dyn Fn()>>>>;

#[component(SongPanel)]
pub fn song_panel(props: &SongPanelProps) -> Html {
    let song = &props.song;
    let span = span_s(song);
    let audio_ref = use_node_ref();
    let playhead_ref = use_node_ref();
    let time_ref = use_node_ref();
    let playing = use_state_eq(|| false);
    let selected = use_state_eq(|| None::<usize>);
    let tap_key = use_state_eq(|| 0_u32);
    let media_error = use_state_eq(|| None::<String>);
    // Where the song is when there is no audio to ask (no URL, or before it loads).
    let fallback = use_mut_ref(|| 0.0_f64);
    // The end of a `play_span`: playback pauses there.
    let stop_at = use_mut_ref(|| None::<f64>);
    let reported = use_mut_ref(|| i64::MIN);
    let paint_cell: Paint = use_mut_ref(|| None);

    let now = {
        let (audio_ref, fallback) = (audio_ref.clone(), fallback.clone());
        Rc::new(move || -> (f64, bool) {
            match audio_ref.cast::<HtmlMediaElement>() {
                Some(a) if a.ready_state() >= 1 => (a.current_time(), !a.paused()),
                _ => (*fallback.borrow(), false),
            }
        })
    };

    // Moves the playhead and the time text to where the song is; pauses at a span's end.
    let paint: Rc<dyn Fn()> = {
        let (audio_ref, playhead_ref, time_ref) = (audio_ref.clone(), playhead_ref.clone(), time_ref.clone());
        let (stop_at, reported, on_time, now) = (stop_at.clone(), reported.clone(), props.on_time.clone(), now.clone());
        Rc::new(move || {
            let (mut t, playing) = now();
            let end = *stop_at.borrow();
            if let Some(end) = end.filter(|end| playing && t >= *end) {
                *stop_at.borrow_mut() = None;
                if let Some(audio) = audio_ref.cast::<HtmlMediaElement>() {
                    let _ = audio.pause();
                }
                t = end;
            }
            if let Some(line) = playhead_ref.cast::<Element>() {
                let x = format!("{:.2}", x_of(t, span));
                let _ = line.set_attribute("x1", &x);
                let _ = line.set_attribute("x2", &x);
            }
            if let Some(text) = time_ref.cast::<Element>() {
                text.set_text_content(Some(&position(t, span)));
            }
            let tenths = (t * 10.0).round() as i64;
            if *reported.borrow() != tenths {
                *reported.borrow_mut() = tenths;
                on_time.emit(t);
            }
        })
    };
    *paint_cell.borrow_mut() = Some(paint.clone());

    // Follow playback smoothly while it plays.
    {
        let paint_cell = paint_cell.clone();
        use_effect_with(*playing, move |playing| {
            let alive = Rc::new(Cell::new(*playing));
            let frame = Rc::new(RefCell::new(None::<AnimationFrame>));
            if *playing {
                follow(alive.clone(), frame.clone(), paint_cell);
            }
            move || {
                alive.set(false);
                frame.borrow_mut().take();
            }
        });
    }
    // A new song (or the first draw): put the playhead and the time where they belong.
    {
        let paint = paint.clone();
        use_effect_with(song.clone(), move |_| paint());
    }

    let start = {
        let (audio_ref, media_error) = (audio_ref.clone(), media_error.clone());
        Rc::new(move || {
            if let Some(audio) = audio_ref.cast::<HtmlMediaElement>() {
                play(&audio, media_error.clone());
            }
        })
    };
    let toggle = {
        let (audio_ref, start, stop_at) = (audio_ref.clone(), start.clone(), stop_at.clone());
        Rc::new(move || {
            *stop_at.borrow_mut() = None;
            match audio_ref.cast::<HtmlMediaElement>() {
                Some(audio) if !audio.paused() => {
                    let _ = audio.pause();
                }
                Some(_) => start(),
                None => {}
            }
        })
    };
    let seek = {
        let (audio_ref, fallback, stop_at, paint) = (audio_ref.clone(), fallback.clone(), stop_at.clone(), paint.clone());
        Callback::from(move |t: f64| {
            *fallback.borrow_mut() = t;
            *stop_at.borrow_mut() = None;
            if let Some(audio) = audio_ref.cast::<HtmlMediaElement>() {
                audio.set_current_time(t);
            }
            paint();
        })
    };

    // A requested span plays from its start and pauses at its end (only when it changes).
    {
        let (seek, start, stop_at) = (seek.clone(), start.clone(), stop_at.clone());
        let seen = use_mut_ref(|| props.play_span);
        use_effect_with(props.play_span, move |span| {
            if *seen.borrow() != *span {
                *seen.borrow_mut() = *span;
                if let Some((a, b, _)) = *span {
                    seek.emit(a);
                    *stop_at.borrow_mut() = (b > a).then_some(b);
                    start();
                }
            }
        });
    }

    let on_key = {
        let (toggle, tap_key) = (toggle.clone(), tap_key.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() || e.meta_key() || e.alt_key() || e.repeat() {
                return;
            }
            let tag = e
                .target_dyn_into::<Element>()
                .map(|t| t.tag_name().to_ascii_lowercase())
                .unwrap_or_default();
            let typing = matches!(tag.as_str(), "input" | "textarea" | "select");
            match e.key().as_str() {
                // A focused button takes Space itself.
                " " if !typing && tag != "button" => {
                    e.prevent_default();
                    toggle();
                }
                "t" | "T" if !typing => {
                    e.prevent_default();
                    tap_key.set(tap_key.wrapping_add(1).max(1));
                }
                _ => {}
            }
        })
    };
    let on_play_click = {
        let toggle = toggle.clone();
        Callback::from(move |_: MouseEvent| toggle())
    };
    let on_playing = {
        let (playing, media_error) = (playing.clone(), media_error.clone());
        Callback::from(move |_: Event| {
            media_error.set(None);
            playing.set(true);
        })
    };
    let on_stopped = {
        let (playing, paint) = (playing.clone(), paint.clone());
        Callback::from(move |_: Event| {
            playing.set(false);
            paint();
        })
    };
    let on_moved = {
        let paint = paint.clone();
        Callback::from(move |_: Event| paint())
    };
    let on_media_error = {
        let media_error = media_error.clone();
        Callback::from(move |e: Event| {
            let audio: HtmlMediaElement = e.target_unchecked_into();
            let why = match audio.error().map(|e| e.code()) {
                Some(2) => "a network error",
                Some(3) => "it could not be decoded",
                Some(4) => "its format is not supported here",
                _ => "an unknown error",
            };
            media_error.set(Some(format!("The song cannot be played here ({why}); everything else still works.")));
        })
    };
    let on_select_section = {
        let selected = selected.clone();
        Callback::from(move |i: usize| selected.set(Some(i)))
    };
    let on_unselect = {
        let selected = selected.clone();
        Callback::from(move |()| selected.set(None))
    };
    let now_cb = {
        let now = now.clone();
        Callback::from(move |()| now())
    };

    let selected_section = selected.filter(|i| *i < song.sections.len());
    let (play_label, play_icon) = if *playing { ("Pause the song (Space)", "❚❚") } else { ("Play the song (Space)", "▶") };
    html! {
        <section class="song-panel" tabindex="-1" aria-label={format!("Song: {}", song.title)} onkeydown={on_key}>
            <div class="song-panel__head">
                <button class={classes!("btn", "song-play", playing.then_some("song-play--playing"))} data-testid="song-play"
                        aria-label={play_label} title={play_label} onclick={on_play_click}
                        disabled={song.url.is_none()}>{ play_icon }</button>
                <span class="song-time" data-testid="song-time" ref={time_ref} aria-live="off"></span>
                <span class="song-panel__title" title={song.path.clone()}>{ &song.title }</span>
                if props.busy {
                    <span class="song-panel__busy small" role="status">
                        <span class="spinner spinner--small" aria-hidden="true"></span>{ "Re-planning…" }
                    </span>
                }
                if song.url.is_none() {
                    <span class="muted small">{ "The song cannot be played here" }</span>
                } else if let Some(why) = &*media_error {
                    <span class="warn-text small" role="alert">{ why }</span>
                }
            </div>
            if let Some(why) = beats_unsure(song.beat_confidence, song.unsure_below, song.edited, song.beats.len()) {
                <p class="song-panel__unsure warn-text small" data-testid="beats-unsure" role="note">{ why }</p>
            }
            <Waveform song={song.clone()} shots={props.shots.clone()} selected_shot={props.selected_shot}
                      selected_section={selected_section} playhead={playhead_ref} on_seek={seek}
                      on_select_section={on_select_section} on_edit={props.on_edit.clone()} busy={props.busy} />
            <SongTools song={song.clone()} selected_section={selected_section} now={now_cb} tap_key={*tap_key}
                       on_edit={props.on_edit.clone()} on_unselect={on_unselect} busy={props.busy} />
            if let Some(url) = &song.url {
                <audio class="song-panel__audio" ref={audio_ref} src={url.clone()} preload="auto"
                       onplay={on_playing} onpause={on_stopped.clone()} onended={on_stopped}
                       onseeked={on_moved.clone()} ontimeupdate={on_moved.clone()} onloadedmetadata={on_moved}
                       onerror={on_media_error}></audio>
            }
        </section>
    }
}

/// Paints on every animation frame until `alive` turns false.
fn follow(alive: Rc<Cell<bool>>, frame: Rc<RefCell<Option<AnimationFrame>>>, paint: Paint) {
    let next = frame.clone();
    let handle = request_animation_frame(move |_| {
        if !alive.get() {
            return;
        }
        let current = paint.borrow().clone();
        if let Some(paint_now) = current {
            paint_now();
        }
        if alive.get() {
            follow(alive, next, paint);
        }
    });
    *frame.borrow_mut() = Some(handle);
}

/// Starts playback; a refusal (not an interruption by a pause) is shown to the user.
fn play(audio: &HtmlMediaElement, media_error: UseStateHandle<Option<String>>) {
    let Ok(promise) = audio.play() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            let field = |name: &str| {
                js_sys::Reflect::get(&e, &JsValue::from_str(name))
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            if field("name") != "AbortError" {
                media_error.set(Some(format!("The song did not start: {}", field("message"))));
            }
        }
    });
}
