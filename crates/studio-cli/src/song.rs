//! `studio song analyze FILE [--json]`: tempo, meter, bars and sections of a song file (cached by
//! its content hash), as a table or one JSON object for other tools.

use std::path::Path;
use std::time::Instant;

use serde_json::json;
use studio_core::StudioPaths;

use crate::exit::{Code, Failure};
use crate::output::{Out, ok_fields, table};

pub fn analyze(out: Out, file: &Path) -> Result<Code, Failure> {
    let paths = StudioPaths::for_user()?;
    let started = Instant::now();
    let song = studio_core::songs::analyze(&paths, file)?;
    let took = started.elapsed();
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
    out.line(format!(
        "Analysed in {:.2} s{}",
        took.as_secs_f64(),
        if song.cached {
            " (cached: this audio was analysed before)"
        } else {
            ""
        }
    ));
    let mut doc = ok_fields(Code::Ok);
    if let (Some(doc), Ok(serde_json::Value::Object(fields))) =
        (doc.as_object_mut(), serde_json::to_value(&song))
    {
        doc.extend(fields);
        doc.insert("file".into(), json!(file.display().to_string()));
    }
    out.document(doc);
    Ok(Code::Ok)
}

/// `m:ss.s`.
fn clock(seconds: f64) -> String {
    let minutes = (seconds / 60.0).floor();
    format!("{}:{:04.1}", minutes as u64, seconds - minutes * 60.0)
}
