//! The render benchmark: 48 clips (5 s, 1280x720, 24 fps, each its own colour, made with lavfi)
//! and a 4-minute song, rendered by [`render::render`] and, side by side, by a plain ffmpeg
//! `filter_complex` concat-and-mux of the same clips at the same settings (x264 veryfast CRF 20,
//! AAC 192k, 30 fps, faststart). Prints both wall times and the ratio (goal: ≤ 1.1×).
//!
//! `cargo run --release -p render --bin render-bench -- [--rounds N] [--dir DIR]`
//! (inputs are made once in DIR, by default target/render-bench).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use render::{CancelFlag, Ffmpeg, RenderPlan, ShotClip, render};

const CLIPS: usize = 48;
const CLIP_S: f64 = 5.0;
const FPS: u32 = 30;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rounds = 2;
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/render-bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--rounds", Some(n)) => rounds = n.parse()?,
            ("--dir", Some(d)) => dir = d.into(),
            _ => return Err("usage: render-bench [--rounds N] [--dir DIR]".into()),
        }
    }
    std::fs::create_dir_all(&dir)?;
    let ffmpeg = Ffmpeg::find(None)?;
    eprintln!("ffmpeg {:?} at {}", ffmpeg.version, ffmpeg.ffmpeg.display());

    let made = Instant::now();
    let clips: Vec<PathBuf> = (0..CLIPS)
        .map(|k| clip(&ffmpeg, &dir, k))
        .collect::<Result<_, _>>()?;
    let song = dir.join("song.mp3");
    let song_s = CLIPS as f64 * CLIP_S;
    if !song.is_file() {
        let source = format!("sine=f=220:r=44100:d={song_s}");
        ffmpeg_ok(
            &ffmpeg,
            &[
                "-f",
                "lavfi",
                "-i",
                &source,
                "-c:a",
                "libmp3lame",
                "-b:a",
                "192k",
            ],
            &song,
        )?;
    }
    eprintln!("inputs ready in {:.1} s", made.elapsed().as_secs_f64());

    let plan = RenderPlan {
        shots: clips
            .iter()
            .enumerate()
            .map(|(k, clip)| ShotClip {
                start_s: k as f64 * CLIP_S,
                end_s: (k + 1) as f64 * CLIP_S,
                clip: Some(clip.clone()),
            })
            .collect(),
        song: song.clone(),
        song_duration_s: song_s,
        width: 1280,
        height: 720,
        fps: FPS,
        out: dir.join("ours.mp4"),
        fill_gaps: false,
    };
    let (mut ours, mut plain) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let started = Instant::now();
        let report = render(&ffmpeg, &plan, |_| {}, &CancelFlag::new())?;
        ours.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        reference(&ffmpeg, &clips, &song, &dir.join("plain.mp4"))?;
        plain.push(started.elapsed().as_secs_f64());
        eprintln!(
            "round {round}: ours {:.2} s ({} frames, {:.3} s), plain ffmpeg {:.2} s",
            ours[round - 1],
            report.frames,
            report.duration_s,
            plain[round - 1]
        );
    }
    let best = |times: &[f64]| times.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = |times: &[f64]| times.iter().sum::<f64>() / times.len() as f64;
    let text = format!(
        "render of {CLIPS} clips x {CLIP_S} s (1280x720 24 fps) + {song_s} s song -> 1280x720 {FPS} fps, x264 {} crf {}:\n  \
         ours  best {:.2} s, mean {:.2} s\n  plain best {:.2} s, mean {:.2} s\n  ratio best {:.3}x, mean {:.3}x (goal <= 1.1x)",
        render::X264_PRESET,
        render::X264_CRF,
        best(&ours),
        mean(&ours),
        best(&plain),
        mean(&plain),
        best(&ours) / best(&plain),
        mean(&ours) / mean(&plain),
    );
    std::io::Write::write_all(&mut std::io::stdout(), format!("{text}\n").as_bytes())?;
    Ok(())
}

/// Clip `k`: 5 s of one colour (hues around the wheel), 1280x720 at 24 fps, H.264.
fn clip(ffmpeg: &Ffmpeg, dir: &Path, k: usize) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let path = dir.join(format!("clip{k:02}.mp4"));
    if !path.is_file() {
        let hue = k as f64 / CLIPS as f64 * 6.0;
        let x = 1.0 - (hue % 2.0 - 1.0).abs();
        let (r, g, b) = match hue as u32 {
            0 => (1.0, x, 0.0),
            1 => (x, 1.0, 0.0),
            2 => (0.0, 1.0, x),
            3 => (0.0, x, 1.0),
            4 => (x, 0.0, 1.0),
            _ => (1.0, 0.0, x),
        };
        let byte = |v: f64| (v * 255.0).round() as u8;
        let source = format!(
            "color=c=0x{:02x}{:02x}{:02x}:s=1280x720:r=24:d={CLIP_S}",
            byte(r),
            byte(g),
            byte(b)
        );
        ffmpeg_ok(
            ffmpeg,
            &[
                "-f", "lavfi", "-i", &source, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt",
                "yuv420p",
            ],
            &path,
        )?;
    }
    Ok(path)
}

/// What a user would write by hand: every clip to one rate, size and SAR, concatenated, the song
/// mapped in, the same encoder settings.
fn reference(
    ffmpeg: &Ffmpeg,
    clips: &[PathBuf],
    song: &Path,
    out: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut command = Command::new(&ffmpeg.ffmpeg);
    command.args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]);
    let mut graph = String::new();
    for (i, clip) in clips.iter().enumerate() {
        command.arg("-i").arg(clip);
        graph.push_str(&format!(
            "[{i}:v]fps={FPS},scale=1280:720,setsar=1,format=yuv420p[v{i}];"
        ));
    }
    for i in 0..clips.len() {
        graph.push_str(&format!("[v{i}]"));
    }
    graph.push_str(&format!("concat=n={}:v=1:a=0[v]", clips.len()));
    command.arg("-i").arg(song);
    command.args([
        "-filter_complex",
        &graph,
        "-map",
        "[v]",
        "-map",
        &format!("{}:a:0", clips.len()),
    ]);
    command.args([
        "-c:v",
        "libx264",
        "-preset",
        render::X264_PRESET,
        "-crf",
        &render::X264_CRF.to_string(),
    ]);
    command.args([
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        render::AAC_BITRATE,
        "-shortest",
    ]);
    command.args(["-movflags", "+faststart"]).arg(out);
    let status = command.status()?;
    if !status.success() {
        return Err(format!("the plain ffmpeg render failed ({status})").into());
    }
    Ok(())
}

fn ffmpeg_ok(ffmpeg: &Ffmpeg, args: &[&str], out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let status = Command::new(&ffmpeg.ffmpeg)
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .arg(out)
        .status()?;
    if !status.success() {
        return Err(format!("ffmpeg could not make {}", out.display()).into());
    }
    Ok(())
}
