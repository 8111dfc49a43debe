//! The toolbar under the waveform: type or tap the tempo, shift the bars by a beat, relabel, split
//! or join the selected section, reset to the analysis. Every change is one [`SongEditView`].

use std::rc::Rc;

use studio_api::{SongEditView, SongView};
use yew::prelude::*;

use super::song_format::{bpm_value, clock, tempo};

/// The tempi the song analysis accepts (typed or tapped).
pub const BPM_MIN: f64 = 20.0;
pub const BPM_MAX: f64 = 300.0;
/// The fewest taps a tempo is taken from.
pub const MIN_TAPS: usize = 4;
/// A pause this long between taps starts a new series.
pub const TAP_RESET_MS: f64 = 3000.0;
/// The longest section label the analysis keeps.
pub const MAX_LABEL_CHARS: usize = 40;

#[derive(Properties, PartialEq)]
pub struct SongToolsProps {
    pub song: Rc<SongView>,
    /// The section picked on the waveform.
    #[prop_or_default]
    pub selected_section: Option<usize>,
    /// Where the song is now: (seconds, playing). Taps and "Split here" read it.
    pub now: Callback<(), (f64, bool)>,
    /// Changes each time the panel's `T` key asks for a tap (0: none yet).
    #[prop_or_default]
    pub tap_key: u32,
    pub on_edit: Callback<SongEditView>,
    /// Closes the section tools.
    pub on_unselect: Callback<()>,
    #[prop_or_default]
    pub busy: bool,
}

#[component(SongTools)]
pub fn song_tools(props: &SongToolsProps) -> Html {
    let song = &props.song;
    let busy = props.busy;
    let bpm_draft = use_state(|| None::<String>);
    let bpm_error = use_state(|| None::<String>);
    // The tempo last sent, so that leaving the field after Enter does not send it again.
    let bpm_sent = use_mut_ref(|| None::<String>);
    let label_draft = use_state(|| None::<String>);
    let taps = use_mut_ref(Taps::default);
    let bpm_ref = use_node_ref();
    let label_ref = use_node_ref();
    let redraw = use_force_update();

    // A new selection (or a new song) starts from what the song says.
    {
        let label_draft = label_draft.clone();
        let key = (props.selected_section, song.clone());
        use_effect_with(key, move |_| label_draft.set(None));
    }
    {
        let (bpm_draft, bpm_error, bpm_sent) = (bpm_draft.clone(), bpm_error.clone(), bpm_sent.clone());
        // Also when the same tempo comes back (the edit was refused or changed nothing).
        use_effect_with(song.clone(), move |_| {
            *bpm_sent.borrow_mut() = None;
            bpm_draft.set(None);
            bpm_error.set(None);
        });
    }

    let tap = {
        let (taps, redraw, now) = (taps.clone(), redraw.clone(), props.now.clone());
        Rc::new(move || {
            let (position, playing) = now.emit(());
            let playing_at = playing.then_some(position);
            taps.borrow_mut().tap(js_sys::Date::now(), playing_at, position);
            redraw.force_update();
        })
    };
    {
        let tap = tap.clone();
        use_effect_with(props.tap_key, move |key| {
            if *key != 0 && !busy {
                tap();
            }
        });
    }
    let on_tap = {
        let tap = tap.clone();
        Callback::from(move |_: MouseEvent| tap())
    };
    let tapped = taps.borrow().bpm();
    let tap_count = taps.borrow().count();
    let apply_taps = {
        let (taps, redraw, on_edit) = (taps.clone(), redraw.clone(), props.on_edit.clone());
        Callback::from(move |_: MouseEvent| {
            let times = taps.borrow().times().to_vec();
            *taps.borrow_mut() = Taps::default();
            redraw.force_update();
            on_edit.emit(SongEditView::Tap { times });
        })
    };

    // Reads the field itself: a value set without an input event (a test driver's clear) counts too.
    let apply_bpm = {
        let (bpm_draft, bpm_error, on_edit) = (bpm_draft.clone(), bpm_error.clone(), props.on_edit.clone());
        let (current, bpm_ref, bpm_sent) = (song.tempo_bpm, bpm_ref.clone(), bpm_sent.clone());
        Rc::new(move |leaving: bool| {
            let Some(text) = bpm_ref.cast::<web_sys::HtmlInputElement>().map(|i| i.value()) else { return };
            if text.trim().is_empty() {
                // Emptied: the placeholder shows the tempo; Enter puts it back, leaving keeps it
                // empty (a test driver's clear leaves the field before typing).
                bpm_error.set(None);
                bpm_draft.set(leaving.then(String::new));
                return;
            }
            if text.trim() == bpm_value(current) {
                bpm_draft.set(None);
                bpm_error.set(None);
                return;
            }
            match parse_bpm(&text) {
                Ok(bpm) if (bpm - current).abs() < 0.05 => {
                    bpm_draft.set(None);
                    bpm_error.set(None);
                }
                // Stays as typed until the song comes back with its new tempo; sent once.
                Ok(bpm) => {
                    bpm_error.set(None);
                    if *bpm_sent.borrow() != Some(text.clone()) {
                        *bpm_sent.borrow_mut() = Some(text.clone());
                        on_edit.emit(SongEditView::Bpm { bpm });
                    }
                    bpm_draft.set(Some(text));
                }
                Err(why) => {
                    bpm_draft.set(Some(text));
                    bpm_error.set(Some(why));
                }
            }
        })
    };
    let on_bpm_input = {
        let bpm_draft = bpm_draft.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            bpm_draft.set(Some(input.value()));
        })
    };
    let on_bpm_key = {
        let (apply, bpm_draft, bpm_error) = (apply_bpm.clone(), bpm_draft.clone(), bpm_error.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                apply(false);
            }
            "Escape" => {
                bpm_draft.set(None);
                bpm_error.set(None);
            }
            _ => {}
        })
    };
    let on_bpm_blur = {
        let apply = apply_bpm.clone();
        Callback::from(move |_: FocusEvent| apply(true))
    };

    let shift = |beats: i32| {
        let on_edit = props.on_edit.clone();
        Callback::from(move |_: MouseEvent| on_edit.emit(SongEditView::ShiftBars { beats }))
    };
    let reset = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |_: MouseEvent| on_edit.emit(SongEditView::Reset))
    };

    let section_tools = match props.selected_section.and_then(|i| song.sections.get(i).map(|s| (i, s))) {
        None => html! {
            <span class="song-tools__hint muted small">{ "Click a section on the waveform to rename, split or join it." }</span>
        },
        Some((i, section)) => {
            let at_s = section.start_s;
            let label_value = (*label_draft).clone().unwrap_or_else(|| section.label.clone());
            let on_label_input = {
                let label_draft = label_draft.clone();
                Callback::from(move |e: InputEvent| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    label_draft.set(Some(input.value()));
                })
            };
            let on_label_key = {
                let (label_draft, on_edit, old) = (label_draft.clone(), props.on_edit.clone(), section.label.clone());
                let label_ref = label_ref.clone();
                Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                    "Enter" => {
                        e.prevent_default();
                        let typed = label_ref.cast::<web_sys::HtmlInputElement>().map(|i| i.value());
                        if let Some(label) = typed.as_deref().and_then(|l| clean_label(l, &old)) {
                            on_edit.emit(SongEditView::LabelSection { at_s, label });
                        }
                        label_draft.set(None);
                    }
                    "Escape" => label_draft.set(None),
                    _ => {}
                })
            };
            let split = {
                let (now, on_edit) = (props.now.clone(), props.on_edit.clone());
                Callback::from(move |_: MouseEvent| {
                    let (at_s, _) = now.emit(());
                    on_edit.emit(SongEditView::AddSection { at_s });
                })
            };
            let join = {
                let on_edit = props.on_edit.clone();
                Callback::from(move |_: MouseEvent| on_edit.emit(SongEditView::DeleteSection { at_s }))
            };
            let close = {
                let on_unselect = props.on_unselect.clone();
                Callback::from(move |_: MouseEvent| on_unselect.emit(()))
            };
            html! {
                <div class="song-tools__group" role="group" aria-label="Section">
                    <span class="song-tools__name">{ format!("Section at {}", clock(at_s)) }</span>
                    <input type="text" class="song-tools__label" data-testid="section-label-input" ref={label_ref}
                           aria-label="Section label (Enter renames)" maxlength={MAX_LABEL_CHARS.to_string()}
                           value={label_value} oninput={on_label_input} onkeydown={on_label_key} disabled={busy} />
                    <button class="btn btn--ghost song-tools__btn" onclick={split} disabled={busy}
                            title="Start a new section at the playhead (on the nearest bar)">{ "Split here" }</button>
                    if i > 0 {
                        <button class="btn btn--ghost song-tools__btn" onclick={join} disabled={busy}
                                title="Make this section part of the one before it">{ "Join with previous" }</button>
                    }
                    <button class="btn btn--icon song-tools__close" onclick={close}
                            aria-label="Close the section tools">{ "×" }</button>
                </div>
            }
        }
    };

    let bpm_value_shown = (*bpm_draft).clone().unwrap_or_else(|| bpm_value(song.tempo_bpm));
    html! {
        <div class="song-tools" role="toolbar" aria-label="Song corrections">
            <div class="song-tools__group" role="group" aria-label="Tempo">
                <span class="song-tools__name">{ "Tempo" }</span>
                <span class="song-tools__value" data-testid="song-tempo">{ tempo(song.tempo_bpm, song.beats_per_bar) }</span>
                <input type="number" class={classes!("song-tools__bpm", bpm_error.is_some().then_some("invalid"))}
                       data-testid="bpm-input" aria-label="Tempo in BPM (Enter applies)"
                       min={BPM_MIN.to_string()} max={BPM_MAX.to_string()} step="0.1" inputmode="decimal"
                       ref={bpm_ref} value={bpm_value_shown} placeholder={bpm_value(song.tempo_bpm)} oninput={on_bpm_input.reform(Event::from)}
                       onchange={on_bpm_input} onkeydown={on_bpm_key}
                       onblur={on_bpm_blur} disabled={busy} />
                <button class="btn btn--ghost song-tools__btn" data-testid="tap-tempo" onclick={on_tap} disabled={busy}
                        title="Tap along with the beat, at least 4 times (or press T)">{ "Tap" }</button>
                if let Some(bpm) = tapped {
                    <span class="song-tools__value song-tools__tapped" aria-live="polite">
                        { format!("{} BPM tapped", bpm_value(bpm)) }
                    </span>
                    <button class="btn btn--secondary song-tools__btn" onclick={apply_taps}
                            disabled={busy || !(BPM_MIN..=BPM_MAX).contains(&bpm)}>{ "Apply taps" }</button>
                } else if tap_count > 0 {
                    <span class="muted small" aria-live="polite">
                        { format!("{tap_count} of {MIN_TAPS} taps") }
                    </span>
                }
                if let Some(why) = &*bpm_error {
                    <span class="error-text small" role="alert">{ why }</span>
                }
            </div>
            <div class="song-tools__group" role="group" aria-label="Bars">
                <span class="song-tools__name">{ "Bars" }</span>
                <button class="btn btn--ghost song-tools__btn" data-testid="bars-earlier" onclick={shift(-1)}
                        disabled={busy} aria-label="Bars start one beat earlier">{ "◀ One beat earlier" }</button>
                <button class="btn btn--ghost song-tools__btn" data-testid="bars-later" onclick={shift(1)}
                        disabled={busy} aria-label="Bars start one beat later">{ "One beat later ▶" }</button>
            </div>
            { section_tools }
            if song.edited {
                <button class="btn btn--ghost btn--danger-text song-tools__btn song-tools__reset" data-testid="song-reset"
                        onclick={reset} disabled={busy}
                        title="Forget every correction of tempo, bars and sections">{ "Reset to the analysis" }</button>
            }
        </div>
    }
}

/// A typed tempo, or what to type instead.
pub fn parse_bpm(text: &str) -> Result<f64, String> {
    let bpm = text.trim().replace(',', ".").parse::<f64>().ok().filter(|b| b.is_finite());
    match bpm {
        Some(b) if (BPM_MIN..=BPM_MAX).contains(&b) => Ok(b),
        _ => Err(format!("Type a tempo from {BPM_MIN:.0} to {BPM_MAX:.0} BPM.")),
    }
}

/// A typed label worth sending: trimmed, not empty, not the one it has, at most
/// [`MAX_LABEL_CHARS`] characters.
pub fn clean_label(typed: &str, current: &str) -> Option<String> {
    let label: String = typed.trim().chars().take(MAX_LABEL_CHARS).collect();
    (!label.is_empty() && label != current).then_some(label)
}

/// Taps on the beat, in song time: the audio's time while the song plays; while it is paused, the
/// wall clock since the previous tap added to that tap's time (the first tap is at the playhead).
/// A pause of more than [`TAP_RESET_MS`], or a tap earlier than the one before (the song was
/// seeked back), starts a new series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Taps {
    times: Vec<f64>,
    /// The previous tap: wall clock (ms) and song time (s).
    last: Option<(f64, f64)>,
}

impl Taps {
    pub fn tap(&mut self, wall_ms: f64, playing_at: Option<f64>, position: f64) {
        if let Some((wall, _)) = self.last
            && !(wall_ms - wall <= TAP_RESET_MS && wall_ms >= wall)
        {
            *self = Self::default();
        }
        let t = match (playing_at, self.last) {
            (Some(t), _) => t,
            (None, Some((wall, song))) => song + (wall_ms - wall) / 1000.0,
            (None, None) => position,
        };
        if self.times.last().is_some_and(|prev| t <= *prev) {
            self.times.clear();
        }
        self.times.push(t);
        self.last = Some((wall_ms, t));
    }

    pub fn count(&self) -> usize {
        self.times.len()
    }

    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// The tapped tempo once there are [`MIN_TAPS`]: the median interval, as the analysis takes it.
    pub fn bpm(&self) -> Option<f64> {
        if self.times.len() < MIN_TAPS {
            return None;
        }
        let mut gaps: Vec<f64> = self.times.windows(2).map(|w| w[1] - w[0]).collect();
        gaps.sort_by(f64::total_cmp);
        let n = gaps.len();
        let median = if n % 2 == 1 { gaps[n / 2] } else { 0.5 * (gaps[n / 2 - 1] + gaps[n / 2]) };
        (median > 0.0).then(|| 60.0 / median)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_while_playing_use_the_songs_time() {
        let mut taps = Taps::default();
        for (i, t) in [10.0, 10.5, 11.0, 11.5].iter().enumerate() {
            // The wall clock is ignored while playing (it may drift from the audio).
            taps.tap(1000.0 + i as f64 * 480.0, Some(*t), *t);
        }
        assert_eq!(taps.times(), [10.0, 10.5, 11.0, 11.5]);
        assert_eq!(taps.bpm(), Some(120.0));
    }

    #[test]
    fn taps_while_paused_count_from_the_playhead_by_the_wall_clock() {
        let mut taps = Taps::default();
        for i in 0..4 {
            taps.tap(5000.0 + f64::from(i) * 600.0, None, 20.0);
        }
        let times = taps.times();
        assert_eq!(times.len(), 4);
        assert!((times[0] - 20.0).abs() < 1e-9 && (times[3] - 21.8).abs() < 1e-9, "{times:?}");
        assert!((taps.bpm().expect("4 taps") - 100.0).abs() < 1e-9);
    }

    #[test]
    fn three_taps_are_not_a_tempo_and_one_stray_tap_does_not_spoil_it() {
        let mut taps = Taps::default();
        for i in 0..3 {
            taps.tap(f64::from(i) * 500.0, Some(f64::from(i) * 0.5), 0.0);
        }
        assert_eq!(taps.bpm(), None);
        assert_eq!(taps.count(), 3);
        // One late tap among steady ones: the median keeps 120.
        for t in [1.6, 2.0, 2.5, 3.0] {
            taps.tap(t * 1000.0, Some(t), t);
        }
        assert_eq!(taps.bpm(), Some(120.0));
    }

    #[test]
    fn a_long_pause_or_a_seek_back_starts_again() {
        let mut taps = Taps::default();
        for i in 0..4 {
            taps.tap(f64::from(i) * 500.0, Some(f64::from(i) * 0.5), 0.0);
        }
        assert_eq!(taps.count(), 4);
        // 3.1 s after the last tap.
        taps.tap(1500.0 + 3100.0, Some(5.0), 5.0);
        assert_eq!(taps.times(), [5.0]);
        // Within 3 s still adds up.
        taps.tap(4600.0 + 2900.0, Some(7.9), 7.9);
        assert_eq!(taps.count(), 2);
        // The song was seeked back: these taps cannot follow the earlier ones.
        taps.tap(8000.0, Some(1.0), 1.0);
        assert_eq!(taps.times(), [1.0]);
    }

    #[test]
    fn typed_tempi_are_checked_like_the_analysis_does() {
        assert_eq!(parse_bpm(" 128 "), Ok(128.0));
        assert_eq!(parse_bpm("92,5"), Ok(92.5));
        let why = parse_bpm("900").expect_err("too fast");
        assert!(why.contains("20") && why.contains("300"), "{why}");
        assert!(parse_bpm("").is_err());
        assert!(parse_bpm("fast").is_err());
        assert!(parse_bpm("NaN").is_err());
    }

    #[test]
    fn labels_are_trimmed_and_only_sent_when_they_change() {
        assert_eq!(clean_label("  drop ", "chorus").as_deref(), Some("drop"));
        assert_eq!(clean_label("chorus", "chorus"), None);
        assert_eq!(clean_label("   ", "chorus"), None);
        assert_eq!(clean_label(&"x".repeat(60), "chorus").map(|l| l.len()), Some(MAX_LABEL_CHARS));
    }
}
