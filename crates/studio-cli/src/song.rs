//! `studio song analyze FILE [--json]`: tempo, meter, bars and sections of a song file (cached by
//! its content hash), as a table or one JSON object for other tools; and the user's corrections
//! (`bpm`, `tap`, `downbeat`, `section add|move|delete|label`, `reset`), each printing the song
//! as it now is.

use std::path::Path;
use std::time::Instant;

use serde_json::json;
use studio_core::StudioPaths;
use studio_core::songs::{self, SongAnalysis};

use crate::exit::{Code, Failure};
use crate::output::{Out, ok_fields, table};

/// One correction of a song's analysis.
#[derive(Debug)]
pub enum Edit {
    Bpm(f64),
    Tap(Vec<f64>),
    Downbeat { seconds: f64, meter: Option<usize> },
    AddSection(f64),
    MoveSection { from: f64, to: f64 },
    DeleteSection(f64),
    LabelSection { seconds: f64, label: String },
}

pub fn analyze(out: Out, file: &Path) -> Result<Code, Failure> {
    let paths = StudioPaths::for_user()?;
    let started = Instant::now();
    let song = songs::analyze(&paths, file)?;
    print(out, file, &song, Some(started));
    Ok(Code::Ok)
}

/// Applies `edit`, saves it with the song's other edits, and prints the song as it now is.
pub fn edit(out: Out, file: &Path, edit: Edit) -> Result<Code, Failure> {
    let paths = StudioPaths::for_user()?;
    let (song, done) = songs::edit_overrides(&paths, file, |o, current| {
        Ok(match edit {
            Edit::Bpm(bpm) => {
                o.set_bpm(bpm);
                format!("Tempo set to {bpm:.1} BPM.")
            }
            Edit::Tap(taps) => {
                let tapped = o.set_taps(&taps)?;
                format!(
                    "Tapped {:.1} BPM, beats through {}.",
                    tapped.bpm,
                    clock(tapped.anchor_s)
                )
            }
            Edit::Downbeat { seconds, meter } => {
                o.set_downbeat(seconds, meter)?;
                format!("Bars start at the beat nearest {}.", clock(seconds))
            }
            Edit::AddSection(at) => {
                let landed = o.add_boundary(current, at)?;
                format!(
                    "New section from {} (the bar nearest {at} s).",
                    clock(landed)
                )
            }
            Edit::MoveSection { from, to } => {
                let landed = o.move_boundary(current, from, to)?;
                format!(
                    "The section near {} now starts at {}.",
                    clock(from),
                    clock(landed)
                )
            }
            Edit::DeleteSection(at) => {
                let removed = o.delete_boundary(current, at)?;
                format!(
                    "The section from {} joined the one before it.",
                    clock(removed)
                )
            }
            Edit::LabelSection { seconds, label } => {
                let start = o.label_section(current, seconds, &label)?;
                format!(
                    "The section from {} is now called {}.",
                    clock(start),
                    label.trim()
                )
            }
        })
    })?;
    out.line(done);
    print(out, file, &song, None);
    Ok(Code::Ok)
}

/// Forgets the song's edits and prints the song as analysed.
pub fn reset(out: Out, file: &Path) -> Result<Code, Failure> {
    let paths = StudioPaths::for_user()?;
    let song = songs::clear_overrides(&paths, file)?;
    out.line("Your edits of this song are gone: this is the analysis as found.");
    print(out, file, &song, None);
    Ok(Code::Ok)
}

/// The song as a summary and a section table (with how long the analysis took when `started`
/// is given), or one JSON object.
fn print(out: Out, file: &Path, song: &SongAnalysis, started: Option<Instant>) {
    let a = &song.analysis;
    let tags = [a.tags.artist.as_deref(), a.tags.title.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" — ");
    if !tags.is_empty() {
        out.line(tags);
    }
    out.line(format!("Duration  {}", clock(a.duration_s)));
    let tempo = if a.tempo_curve.is_empty() {
        format!("{:.1} BPM", a.tempo_bpm)
    } else {
        let (low, high) = a
            .tempo_curve
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), p| {
                (l.min(p.bpm), h.max(p.bpm))
            });
        format!("{:.1} BPM (changes: {low:.0}-{high:.0})", a.tempo_bpm)
    };
    out.line(format!("Tempo     {tempo}"));
    out.line(format!(
        "Meter     {}/4, {} bars, {} beats",
        a.beats_per_bar,
        a.downbeats.len(),
        a.beats.len()
    ));
    if !a.beats.is_empty() {
        let sure = format!("Beat      {:.0} % sure", a.beat_confidence * 100.0);
        if a.beat_confidence < studio_core::song::UNSURE && song.overrides.bpm.is_none() {
            out.line(format!(
                "{sure}: hard to hear, so cuts may miss it. Set it with `studio song bpm` or \
                 `studio song tap`, or tap along in the app"
            ));
        } else {
            out.line(sure);
        }
    }
    let rows: Vec<Vec<String>> = a
        .sections
        .iter()
        .map(|s| {
            vec![
                clock(s.start_s),
                clock(s.end_s),
                s.label.clone(),
                format!("{:.0} %", s.energy * 100.0),
            ]
        })
        .collect();
    out.line(table(&["start", "end", "section", "energy"], &rows));
    if let Some(edits) = edits(&song.overrides) {
        out.line(format!(
            "Your edits: {edits} (`studio song reset {}` undoes them)",
            file.display()
        ));
    }
    if let Some(started) = started {
        out.line(format!(
            "Analysed in {:.2} s{}",
            started.elapsed().as_secs_f64(),
            if song.cached {
                " (cached: this audio was analysed before)"
            } else {
                ""
            }
        ));
    }
    let mut doc = ok_fields(Code::Ok);
    if let (Some(doc), Ok(serde_json::Value::Object(fields))) =
        (doc.as_object_mut(), serde_json::to_value(song))
    {
        doc.extend(fields);
        doc.insert("file".into(), json!(file.display().to_string()));
    }
    out.document(doc);
}

/// What the user has changed, in a few words (None when nothing).
fn edits(o: &songs::Overrides) -> Option<String> {
    let mut said = Vec::new();
    if let Some(bpm) = o.bpm {
        said.push(if o.beat_anchor_s.is_some() {
            format!("tempo {bpm:.1} BPM (tapped)")
        } else {
            format!("tempo {bpm:.1} BPM")
        });
    }
    if let Some(n) = o.beats_per_bar {
        said.push(format!("{n} beats a bar"));
    }
    if let Some(t) = o.first_downbeat_s {
        said.push(format!("bars from {}", clock(t)));
    }
    if let Some(starts) = &o.boundaries {
        said.push(format!("{} sections", starts.len() + 1));
    }
    match o.labels.len() {
        0 => {}
        1 => said.push("1 section named".into()),
        n => said.push(format!("{n} sections named")),
    }
    (!said.is_empty()).then(|| said.join(", "))
}

/// `m:ss.s`.
fn clock(seconds: f64) -> String {
    let minutes = (seconds / 60.0).floor();
    format!("{}:{:04.1}", minutes as u64, seconds - minutes * 60.0)
}
