//! The song drawn from its analysis: waveform, section bands with labels, beat ticks, bar lines,
//! shot boundaries, the playhead, and draggable section boundaries that snap to downbeats.
//!
//! Two SVG layers share one box: the shapes in a `viewBox="0 0 1000 140"` stretched to the box
//! (`preserveAspectRatio="none"`, strokes kept thin with `vector-effect`), and on top a
//! viewBox-less layer for text and handles, positioned with percentages so nothing is stretched.
//! No inline styles (CSP): every colour and size is a class in song.css or an SVG attribute.

use std::rc::Rc;

use studio_api::{SectionView, SongEditView, SongView};
use yew::prelude::*;

use super::song_format::clock;

/// The shapes layer's coordinate space (the box is 140 px tall, so y is in pixels).
pub const VIEW_W: f64 = 1000.0;
pub const VIEW_H: f64 = 140.0;
/// The waveform's middle line and half height, under the label rows, over the ticks.
const WAVE_MID: f64 = 76.0;
const WAVE_AMP: f64 = 40.0;
/// More points than this is wasted on a 1000-unit-wide drawing: peaks are merged down to it.
const MAX_POINTS: usize = 2000;
/// Beat ticks and bar lines rise from the bottom edge this far.
const BEAT_TOP: f64 = 128.0;
const BAR_TOP: f64 = 112.0;
/// Shot boundaries start under the section label row.
const SHOT_TOP: f64 = 20.0;
/// Two times closer than this are the same time.
const EPS: f64 = 1e-3;
/// A click this soon after a boundary was let go belongs to the drag (WebKit sends it to the
/// element under the pointer, not to the handle that had the pointer captured).
const CLICK_AFTER_DRAG_MS: f64 = 400.0;
/// How many section colours song.css defines (`band--0` … `band--7`).
pub const BAND_COLOURS: usize = 8;

#[derive(Properties, PartialEq)]
pub struct WaveformProps {
    pub song: Rc<SongView>,
    /// (start_s, end_s) per shot, in order.
    #[prop_or_default]
    pub shots: Rc<Vec<(f64, f64)>>,
    #[prop_or_default]
    pub selected_shot: Option<usize>,
    #[prop_or_default]
    pub selected_section: Option<usize>,
    /// The playhead line; its owner moves it (`x1`/`x2` in viewBox units) without re-rendering this.
    pub playhead: NodeRef,
    /// A click on the drawing: the song time under the pointer.
    pub on_seek: Callback<f64>,
    /// A click on a section's band: its index.
    pub on_select_section: Callback<usize>,
    /// A section boundary moved (drag or arrow keys): [`SongEditView::MoveSection`].
    pub on_edit: Callback<SongEditView>,
    /// An edit is being applied: boundaries do not move.
    #[prop_or_default]
    pub busy: bool,
}

/// A boundary being dragged: which section starts at it, where it was, where it would go.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Drag {
    section: usize,
    from_s: f64,
    to_s: f64,
}

#[component(Waveform)]
pub fn waveform(props: &WaveformProps) -> Html {
    let song = &props.song;
    let span = span_s(song);
    // Built once per song, not per frame or per drag step.
    let wave = use_memo(song.clone(), |s| peaks_path(&s.peaks));
    let beats = use_memo(song.clone(), |s| {
        let span = span_s(s);
        (
            ticks_path(&s.beats, span, BEAT_TOP),
            ticks_path(&s.downbeats, span, BAR_TOP),
        )
    });
    let box_ref = use_node_ref();
    let drag = use_mut_ref(|| None::<Drag>);
    // When a handle was last let go: the click that follows a drag is not a seek.
    let released_at = use_mut_ref(|| f64::NEG_INFINITY);
    let ghost = use_state_eq(|| None::<Drag>);

    // The song time under a pointer at `client_x`.
    let time_at = {
        let box_ref = box_ref.clone();
        move |client_x: i32| -> Option<f64> {
            let el = box_ref.cast::<web_sys::Element>()?;
            let rect = el.get_bounding_client_rect();
            (rect.width() > 0.0)
                .then(|| ((f64::from(client_x) - rect.left()) / rect.width()).clamp(0.0, 1.0) * span)
        }
    };

    let on_click = {
        let (on_seek, on_select) = (props.on_seek.clone(), props.on_select_section.clone());
        let (time_at, song, released_at) = (time_at.clone(), song.clone(), released_at.clone());
        Callback::from(move |e: MouseEvent| {
            if js_sys::Date::now() - *released_at.borrow() < CLICK_AFTER_DRAG_MS {
                return;
            }
            let Some(t) = time_at(e.client_x()) else { return };
            if let Some(i) = section_at(&song.sections, t) {
                on_select.emit(i);
            }
            on_seek.emit(t);
        })
    };

    let sections = &song.sections;
    let bands = sections.iter().enumerate().map(|(i, s)| {
        let mut class = classes!("band", format!("band--{}", band_class(&s.label)));
        if props.selected_section == Some(i) {
            class.push("band--selected");
        }
        html! {
            <rect key={i} class={class} data-testid="section-band" data-label={s.label.clone()}
                  x={num(x_of(s.start_s, span))} y="0" height={num(VIEW_H)}
                  width={num((x_of(s.end_s, span) - x_of(s.start_s, span)).max(0.0))} />
        }
    });
    let labels = sections.iter().enumerate().map(|(i, s)| {
        let class = classes!(
            "section-label",
            format!("section-label--{}", band_class(&s.label)),
            (props.selected_section == Some(i)).then_some("section-label--selected"),
        );
        // A nested viewport the band's width clips a long label to its own band.
        html! {
            <svg key={i} class="section-label-clip" x={pct(s.start_s, span)} y="0" height="20"
                 width={pct_width(s.start_s, s.end_s, span)}>
                <text class={class} data-testid="section-label" x="6" y="14">{ &s.label }</text>
            </svg>
        }
    });
    let selected_shot = props
        .selected_shot
        .and_then(|i| props.shots.get(i).map(|s| (i, *s)))
        .map(|(i, (a, b))| {
            html! {
                <rect key={i} class="shot-span" x={num(x_of(a, span))} y="0"
                      width={num((x_of(b, span) - x_of(a, span)).max(0.0))} height={num(VIEW_H)} />
            }
        });
    let shot_lines = props.shots.iter().enumerate().filter(|(_, (a, _))| *a > EPS).map(|(i, (a, _))| {
        let x = num(x_of(*a, span));
        html! {
            <line key={i} class="shot-line" x1={x.clone()} x2={x} y1={num(SHOT_TOP)} y2={num(VIEW_H)}
                  vector-effect="non-scaling-stroke" />
        }
    });
    let shot_numbers = props.shots.iter().enumerate().map(|(i, (a, b))| {
        let class = classes!("shot-number", (props.selected_shot == Some(i)).then_some("shot-number--selected"));
        html! {
            <svg key={i} class="section-label-clip" x={pct(*a, span)} y="20" height="16" width={pct_width(*a, *b, span)}>
                <text class={class} x="3" y="11">{ i + 1 }</text>
            </svg>
        }
    });

    let handles = sections.iter().enumerate().skip(1).map(|(i, s)| {
        let (lo, hi) = (sections[i - 1].start_s, s.end_s);
        let busy = props.busy;
        let on_down = {
            let (drag, ghost) = (drag.clone(), ghost.clone());
            let from_s = s.start_s;
            Callback::from(move |e: PointerEvent| {
                if busy || e.button() != 0 {
                    return;
                }
                e.prevent_default();
                e.stop_propagation();
                if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                    let _ = target.set_pointer_capture(e.pointer_id());
                }
                let d = Drag { section: i, from_s, to_s: from_s };
                *drag.borrow_mut() = Some(d);
                ghost.set(Some(d));
            })
        };
        let on_move = {
            let (drag, ghost, time_at) = (drag.clone(), ghost.clone(), time_at.clone());
            let downbeats = song.downbeats.clone();
            Callback::from(move |e: PointerEvent| {
                let Some(mut d) = *drag.borrow() else { return };
                let Some(t) = time_at(e.client_x()) else { return };
                d.to_s = snap_boundary(&downbeats, t, lo, hi).unwrap_or(d.from_s);
                *drag.borrow_mut() = Some(d);
                ghost.set(Some(d));
            })
        };
        let on_up = {
            let (drag, ghost, on_edit) = (drag.clone(), ghost.clone(), props.on_edit.clone());
            let released_at = released_at.clone();
            Callback::from(move |e: PointerEvent| {
                let Some(d) = drag.borrow_mut().take() else { return };
                e.stop_propagation();
                *released_at.borrow_mut() = js_sys::Date::now();
                if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                    let _ = target.release_pointer_capture(e.pointer_id());
                }
                ghost.set(None);
                if (d.to_s - d.from_s).abs() > EPS && e.type_() == "pointerup" {
                    on_edit.emit(SongEditView::MoveSection { from_s: d.from_s, to_s: d.to_s });
                }
            })
        };
        let on_key = {
            let (on_edit, downbeats, from_s) = (props.on_edit.clone(), song.downbeats.clone(), s.start_s);
            Callback::from(move |e: KeyboardEvent| {
                let dir = match e.key().as_str() {
                    "ArrowLeft" => -1,
                    "ArrowRight" => 1,
                    _ => return,
                };
                e.prevent_default();
                if busy {
                    return;
                }
                if let Some(to_s) = step_boundary(&downbeats, from_s, dir, lo, hi) {
                    on_edit.emit(SongEditView::MoveSection { from_s, to_s });
                }
            })
        };
        // A click on a handle is not a seek.
        let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
        let x = pct(s.start_s, span);
        let class = classes!("section-handle", busy.then_some("section-handle--busy"));
        html! {
            <g key={i} class={class} data-testid="section-handle" tabindex="0" role="slider"
               aria-label={format!("Section boundary at {}", clock(s.start_s))}
               aria-valuemin={num(lo)} aria-valuemax={num(hi)} aria-valuenow={num(s.start_s)}
               aria-valuetext={clock(s.start_s)} aria-disabled={busy.then_some("true")}
               onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()}
               onpointercancel={on_up} onkeydown={on_key} onclick={stop}>
                <rect class="section-handle__hit" x={x.clone()} transform="translate(-7 0)" y="0" width="14" height="140" />
                <rect class="section-handle__line" x={x.clone()} transform="translate(-1 0)" y="0" width="2" height="140" />
                <rect class="section-handle__grip" x={x} transform="translate(-4 0)" y="58" width="8" height="30" rx="3" />
            </g>
        }
    });

    let ghost_line = ghost.filter(|d| (d.to_s - d.from_s).abs() > EPS).map(|d| {
        let x = num(x_of(d.to_s, span));
        html! {
            <line class="waveform__ghost" x1={x.clone()} x2={x} y1="0" y2={num(VIEW_H)}
                  vector-effect="non-scaling-stroke" />
        }
    });
    let ghost_time = ghost.filter(|d| (d.to_s - d.from_s).abs() > EPS).map(|d| {
        html! {
            <text class="waveform__ghost-time" x={pct(d.to_s, span)} dx="6" y="52">{ clock(d.to_s) }</text>
        }
    });

    html! {
        <div class="waveform-box" ref={box_ref} onclick={on_click}>
            <svg class="waveform" data-testid="waveform" viewBox={format!("0 0 {VIEW_W} {VIEW_H}")}
                 preserveAspectRatio="none" role="img"
                 aria-label={format!("Waveform of {}: click to seek and pick a section", song.title)}>
                <g class="waveform__bands">{ for bands }</g>
                <g>{ for selected_shot }</g>
                <path class="waveform__wave" d={AttrValue::from(Rc::clone(&*wave))} />
                <path class="waveform__beats" d={AttrValue::from(beats.0.clone())} vector-effect="non-scaling-stroke" />
                <path class="waveform__bars" d={AttrValue::from(beats.1.clone())} vector-effect="non-scaling-stroke" />
                <g class="waveform__shots">{ for shot_lines }</g>
                <g>{ for ghost_line }</g>
                <line class="playhead" data-testid="playhead" ref={props.playhead.clone()}
                      x1="0" x2="0" y1="0" y2={num(VIEW_H)} vector-effect="non-scaling-stroke" />
            </svg>
            <svg class="waveform__overlay">
                <g aria-hidden="true">
                    <g>{ for labels }</g>
                    <g>{ for shot_numbers }</g>
                    { for ghost_time }
                </g>
                <g>{ for handles }</g>
            </svg>
        </div>
    }
}

/// The seconds the drawing spans: the song's duration, else the end of what the analysis found.
pub fn span_s(song: &SongView) -> f64 {
    if song.duration_s.is_finite() && song.duration_s > 0.0 {
        return song.duration_s;
    }
    let ends = song.sections.iter().map(|s| s.end_s).chain(song.beats.iter().copied());
    ends.filter(|t| t.is_finite()).fold(1.0, f64::max)
}

/// A time's x in the shapes layer (0..1000).
pub fn x_of(t: f64, span: f64) -> f64 {
    if span.is_nan() || span <= 0.0 || !t.is_finite() {
        return 0.0;
    }
    (t / span).clamp(0.0, 1.0) * VIEW_W
}

/// A time as a percentage of the width, for the overlay layer: `"12.5%"`.
fn pct(t: f64, span: f64) -> String {
    format!("{:.3}%", x_of(t, span) / VIEW_W * 100.0)
}

fn pct_width(a: f64, b: f64, span: f64) -> String {
    format!("{:.3}%", ((x_of(b, span) - x_of(a, span)) / VIEW_W * 100.0).max(0.0))
}

/// A number for an SVG attribute: two decimals at most, no trailing noise.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One filled outline of the waveform, mirrored around the middle line: along the maxima left to
/// right, back along the minima. Peaks are normalised to the loudest, merged down to
/// [`MAX_POINTS`], and never thinner than a hairline (silence still shows). Empty: no path.
pub fn peaks_path(peaks: &[[f32; 2]]) -> Rc<str> {
    let pairs = merge_peaks(peaks, MAX_POINTS);
    if pairs.is_empty() {
        return Rc::from("");
    }
    let loudest = pairs
        .iter()
        .map(|[lo, hi]| lo.abs().max(hi.abs()))
        .fold(0.0_f64, f64::max);
    let gain = if loudest > 1e-3 { 1.0 / loudest } else { 1.0 };
    let n = pairs.len();
    let x = |i: usize| if n == 1 { 0.0 } else { i as f64 / (n - 1) as f64 * VIEW_W };
    let top = |hi: f64| WAVE_MID - (hi * gain * WAVE_AMP).max(0.6);
    let bottom = |lo: f64| WAVE_MID - (lo * gain * WAVE_AMP).min(-0.6);
    let mut d = String::with_capacity(n * 2 * 14 + 8);
    for (i, [_, hi]) in pairs.iter().enumerate() {
        d.push_str(if i == 0 { "M" } else { "L" });
        d.push_str(&format!("{:.1} {:.1}", x(i), top(*hi)));
    }
    if n == 1 {
        d.push_str(&format!("L{VIEW_W:.1} {:.1}", top(pairs[0][1])));
        d.push_str(&format!("L{VIEW_W:.1} {:.1}", bottom(pairs[0][0])));
    }
    for (i, [lo, _]) in pairs.iter().enumerate().rev() {
        d.push_str(&format!("L{:.1} {:.1}", x(i), bottom(*lo)));
    }
    d.push('Z');
    Rc::from(d)
}

/// Peaks as clean `[min, max]` pairs in -1..1 (not-a-number reads 0, swapped pairs are put right),
/// merged so that at most `limit` remain (each keeps the lowest min and highest max it covers).
pub fn merge_peaks(peaks: &[[f32; 2]], limit: usize) -> Vec<[f64; 2]> {
    let clean = |v: f32| if v.is_finite() { f64::from(v).clamp(-1.0, 1.0) } else { 0.0 };
    let pairs = peaks.iter().map(|[a, b]| {
        let (a, b) = (clean(*a), clean(*b));
        [a.min(b), a.max(b)]
    });
    if peaks.len() <= limit || limit == 0 {
        return pairs.collect();
    }
    let all: Vec<[f64; 2]> = pairs.collect();
    (0..limit)
        .map(|k| {
            let (a, b) = (k * all.len() / limit, ((k + 1) * all.len() / limit).max(k * all.len() / limit + 1));
            all[a..b.min(all.len())]
                .iter()
                .fold([f64::MAX, f64::MIN], |[lo, hi], [l, h]| [lo.min(*l), hi.max(*h)])
        })
        .collect()
}

/// Vertical ticks from `top` to the bottom edge, one per time, as one path (700 beats are one
/// element, not 700).
pub fn ticks_path(times: &[f64], span: f64, top: f64) -> Rc<str> {
    let mut d = String::with_capacity(times.len() * 16);
    for t in times.iter().filter(|t| t.is_finite() && **t >= 0.0 && **t <= span) {
        d.push_str(&format!("M{:.2} {top:.0}V{VIEW_H:.0}", x_of(*t, span)));
    }
    Rc::from(d)
}

/// The section playing at `t` (the last one starting at or before it).
pub fn section_at(sections: &[SectionView], t: f64) -> Option<usize> {
    if sections.is_empty() {
        return None;
    }
    Some(sections.iter().rposition(|s| s.start_s <= t + EPS).unwrap_or(0))
}

/// Where a dragged boundary lands: the downbeat nearest `t` strictly between `lo` (the previous
/// section's start) and `hi` (this section's end), so no section is left empty. `None`: no bar fits.
pub fn snap_boundary(downbeats: &[f64], t: f64, lo: f64, hi: f64) -> Option<f64> {
    downbeats
        .iter()
        .copied()
        .filter(|d| d.is_finite() && *d > lo + EPS && *d < hi - EPS)
        .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
}

/// The arrow keys: the downbeat just before (`dir < 0`) or after the boundary at `from`, inside
/// (`lo`, `hi`). `None` at the ends.
pub fn step_boundary(downbeats: &[f64], from: f64, dir: i32, lo: f64, hi: f64) -> Option<f64> {
    let inside = downbeats.iter().copied().filter(|d| d.is_finite() && *d > lo + EPS && *d < hi - EPS);
    if dir < 0 {
        inside.filter(|d| *d < from - EPS).max_by(f64::total_cmp)
    } else {
        inside.filter(|d| *d > from + EPS).min_by(f64::total_cmp)
    }
}

/// The colour class (0..8) of a section label, the same for every section with that label: the
/// analysis's roles and letters have fixed, distinct colours; any other label (one the user typed)
/// a stable hash. Case, spaces and a trailing number do not count (`Chorus 2` is `chorus`).
pub fn band_class(label: &str) -> usize {
    let lower = label.trim().to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    let key = if stem.is_empty() { lower.as_str() } else { stem };
    let fixed = match key {
        "intro" => Some(0),
        "verse" => Some(1),
        "chorus" => Some(2),
        "bridge" => Some(3),
        "outro" => Some(4),
        "pre-chorus" | "prechorus" => Some(5),
        "drop" | "hook" => Some(6),
        "break" | "solo" | "instrumental" => Some(7),
        _ => None,
    };
    if let Some(k) = fixed {
        return k;
    }
    let mut letters = key.chars();
    if let (Some(c @ 'a'..='z'), None) = (letters.next(), letters.next()) {
        return (c as usize - 'a' as usize) % BAND_COLOURS;
    }
    // FNV-1a: stable across runs and builds (std's hasher is seeded).
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % BAND_COLOURS as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(start_s: f64, end_s: f64, label: &str) -> SectionView {
        SectionView { start_s, end_s, label: label.into(), energy: 0.5 }
    }

    fn points(d: &str) -> Vec<(f64, f64)> {
        d.trim_end_matches('Z')
            .split(['M', 'L'])
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut it = p.split(' ').map(|v| v.parse::<f64>().expect("a number"));
                (it.next().expect("x"), it.next().expect("y"))
            })
            .collect()
    }

    #[test]
    fn the_wave_is_one_closed_outline_mirrored_around_the_middle() {
        let d = peaks_path(&[[-0.5, 0.5], [-1.0, 1.0], [0.0, 0.0], [-0.25, 0.5]]);
        assert!(d.starts_with('M') && d.ends_with('Z'), "{d}");
        let p = points(&d);
        assert_eq!(p.len(), 8, "four maxima then four minima: {d}");
        // Left to right along the top, right to left along the bottom, across the full width.
        assert_eq!((p[0].0, p[3].0, p[4].0, p[7].0), (0.0, 1000.0, 1000.0, 0.0));
        // The loudest pair reaches the full half height; silence is a hairline, not nothing.
        assert_eq!(p[1].1, WAVE_MID - WAVE_AMP);
        assert_eq!(p[6].1, WAVE_MID + WAVE_AMP);
        assert!(p[2].1 < WAVE_MID && WAVE_MID - p[2].1 < 1.0, "{:?}", p[2]);
        // Asymmetric peaks stay asymmetric.
        assert_eq!(p[3].1, WAVE_MID - 0.5 * WAVE_AMP);
        assert_eq!(p[4].1, WAVE_MID + 0.25 * WAVE_AMP);
    }

    #[test]
    fn a_quiet_song_is_drawn_as_loud_as_a_loud_one() {
        let quiet = peaks_path(&[[-0.1, 0.1], [-0.05, 0.05]]);
        let loud = peaks_path(&[[-1.0, 1.0], [-0.5, 0.5]]);
        assert_eq!(quiet, loud);
    }

    #[test]
    fn bad_peaks_do_not_break_the_drawing() {
        assert_eq!(&*peaks_path(&[]), "");
        let d = peaks_path(&[[f32::NAN, 3.0], [0.4, -0.2]]);
        assert!(!d.contains("NaN") && !d.contains("inf"), "{d}");
        let p = points(&d);
        assert!(p.iter().all(|(_, y)| (WAVE_MID - WAVE_AMP..=WAVE_MID + WAVE_AMP).contains(y)), "{p:?}");
        // A single pair still spans the width.
        let one = points(&peaks_path(&[[-0.5, 0.5]]));
        assert!(one.iter().any(|(x, _)| *x == 1000.0), "{one:?}");
    }

    #[test]
    fn long_songs_are_merged_down_keeping_the_extremes() {
        let mut peaks = vec![[-0.1_f32, 0.1]; 9000];
        peaks[4321] = [-0.9, 0.8];
        let merged = merge_peaks(&peaks, MAX_POINTS);
        assert_eq!(merged.len(), MAX_POINTS);
        assert!(merged.contains(&[-0.9_f32 as f64, 0.8_f32 as f64]), "the loud moment survives");
        assert_eq!(merge_peaks(&peaks[..10], MAX_POINTS).len(), 10);
        // 2000 pairs of a 6-minute song stay one path of modest size.
        let d = peaks_path(&vec![[-0.3, 0.7]; 2000]);
        assert!(d.len() < 60_000, "{} bytes", d.len());
    }

    #[test]
    fn beats_are_one_path_of_ticks_at_their_times() {
        let d = ticks_path(&[0.0, 30.0, 60.0, 99.0, f64::NAN], 60.0, BEAT_TOP);
        assert_eq!(&*d, "M0.00 128V140M500.00 128V140M1000.00 128V140");
    }

    #[test]
    fn a_boundary_snaps_to_the_nearest_downbeat_inside_its_neighbours() {
        let bars = [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0];
        // Sections: [0, 4) and [4, 10): the boundary at 4 may go to 2, 6 or 8.
        assert_eq!(snap_boundary(&bars, 6.9, 0.0, 10.0), Some(6.0));
        assert_eq!(snap_boundary(&bars, 7.1, 0.0, 10.0), Some(8.0));
        // Dragged past the next boundary: stops at the last bar that leaves the section a bar.
        assert_eq!(snap_boundary(&bars, 11.5, 0.0, 10.0), Some(8.0));
        // Dragged to the very start: never onto the previous section's start.
        assert_eq!(snap_boundary(&bars, -1.0, 0.0, 10.0), Some(2.0));
        assert_eq!(snap_boundary(&bars, 5.0, 4.0, 6.0), None, "no bar strictly between");
        assert_eq!(snap_boundary(&[], 5.0, 0.0, 10.0), None);
    }

    #[test]
    fn arrow_keys_step_one_bar_and_stop_at_the_neighbours() {
        let bars = [0.0, 2.0, 4.0, 6.0, 8.0, 10.0];
        assert_eq!(step_boundary(&bars, 4.0, -1, 0.0, 10.0), Some(2.0));
        assert_eq!(step_boundary(&bars, 4.0, 1, 0.0, 10.0), Some(6.0));
        assert_eq!(step_boundary(&bars, 2.0, -1, 0.0, 10.0), None);
        assert_eq!(step_boundary(&bars, 8.0, 1, 0.0, 10.0), None);
        // A boundary a hair off its bar still steps to the neighbouring bar, not onto itself.
        assert_eq!(step_boundary(&bars, 4.0004, -1, 0.0, 10.0), Some(2.0));
    }

    #[test]
    fn a_repeated_label_keeps_its_colour_and_roles_differ() {
        assert_eq!(band_class("chorus"), band_class("chorus"));
        assert_eq!(band_class("Chorus 2"), band_class("chorus"));
        assert_eq!(band_class(" verse "), band_class("verse"));
        let roles: Vec<usize> =
            ["intro", "verse", "chorus", "bridge", "outro"].iter().map(|l| band_class(l)).collect();
        let mut distinct = roles.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), roles.len(), "{roles:?}");
        let letters: Vec<usize> = ["A", "B", "C", "D", "E", "F", "G", "H"].iter().map(|l| band_class(l)).collect();
        assert_eq!(letters, [0, 1, 2, 3, 4, 5, 6, 7]);
        // A label the user typed gets a colour in range, the same every time.
        let typed = band_class("cold open");
        assert!(typed < BAND_COLOURS);
        assert_eq!(typed, band_class("Cold Open"));
        assert!(band_class("") < BAND_COLOURS && band_class("2") < BAND_COLOURS);
    }

    #[test]
    fn times_map_across_the_width_and_sections_are_found_by_time() {
        assert_eq!(x_of(15.0, 60.0), 250.0);
        assert_eq!(x_of(-2.0, 60.0), 0.0);
        assert_eq!(x_of(75.0, 60.0), 1000.0);
        assert_eq!(x_of(1.0, 0.0), 0.0);
        assert_eq!(pct(15.0, 60.0), "25.000%");
        let s = [section(0.0, 10.0, "intro"), section(10.0, 30.0, "verse"), section(30.0, 60.0, "chorus")];
        assert_eq!(section_at(&s, 0.0), Some(0));
        assert_eq!(section_at(&s, 9.99), Some(0));
        assert_eq!(section_at(&s, 10.0), Some(1));
        assert_eq!(section_at(&s, 59.0), Some(2));
        assert_eq!(section_at(&[], 5.0), None);
        let song = SongView { duration_s: 0.0, sections: s.to_vec(), ..SongView::default() };
        assert_eq!(span_s(&song), 60.0, "without a duration the analysis's end is the span");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(140.0), "140");
    }
}
