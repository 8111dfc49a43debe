//! The render: one ffmpeg run whose filter graph normalises every clip (frame rate, cover-scale
//! and crop, SAR 1, yuv420p), trims it to its shot's frames, holds its last frame when it is
//! short, concatenates, and muxes the song in once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::plan::{self, Segment};
use crate::{CancelFlag, Error, Ffmpeg, RenderPlan, output, run};

/// x264 settings. Measured on 30 s of busy 720p (lavfi `testsrc2`) at CRF 20 on this 2-core
/// machine: ultrafast 3.9 s / 26 MB, superfast 7.2 s / 17 MB, veryfast 7.6 s / 9.7 MB, faster
/// 13.9 s / 10.5 MB: veryfast makes files a third of ultrafast's for twice the time, and the
/// slower presets buy little. CRF 20 is visually clean for 720p–1080p music videos.
pub const X264_PRESET: &str = "veryfast";
pub const X264_CRF: u32 = 20;
/// The song's bitrate when it is re-encoded to AAC.
pub const AAC_BITRATE: &str = "192k";

/// What a render is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderStage {
    /// Checking the plan, the clips and the song.
    Preparing,
    /// ffmpeg is decoding, normalising and encoding.
    Encoding,
    /// Moving the finished file into place.
    Finishing,
    Done,
}

/// A progress report: the stage and the fraction of the whole render done (0..=1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderProgress {
    pub stage: RenderStage,
    pub fraction: f64,
}

/// How the song got into the video.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SongAudio {
    /// The song was AAC already and was copied untouched.
    Copied,
    /// Encoded to AAC at [`AAC_BITRATE`].
    Encoded,
}

/// What a finished render made.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderReport {
    pub out: PathBuf,
    /// Frames in the video: `round(song_duration_s · fps)`.
    pub frames: u64,
    /// The finished file's duration as ffprobe reads it.
    pub duration_s: f64,
    pub audio: SongAudio,
    /// Shots (indexes from 0) that had no clip and were filled by holding a frame.
    pub filled_shots: Vec<usize>,
}

/// Renders `plan` to `plan.out` with one ffmpeg run (see the crate docs for why one).
///
/// The video has exactly `round(song_duration_s · fps)` frames, each shot's cut on frame
/// `round(start_s · fps)`; the song is cut (or padded with silence) to the video's length, which
/// is within half a frame of `song_duration_s`. ffmpeg
/// writes to a temp file in the output folder that is renamed into place when complete, so the
/// final path never holds half a video. `progress` hears each stage and ffmpeg's progress
/// (about twice a second); setting `cancel` kills ffmpeg, removes the partial file and returns
/// [`Error::Cancelled`]. Blocking: run it on a blocking thread.
pub fn render(
    ffmpeg: &Ffmpeg,
    plan: &RenderPlan,
    mut progress: impl FnMut(RenderProgress),
    cancel: &CancelFlag,
) -> Result<RenderReport, Error> {
    progress(RenderProgress {
        stage: RenderStage::Preparing,
        fraction: 0.0,
    });
    let (segments, filled_shots) = plan::segments(plan)?;
    for (k, shot) in plan.shots.iter().enumerate() {
        if let Some(clip) = &shot.clip
            && !clip.is_file()
        {
            return Err(Error::ClipGone {
                shot: k,
                path: clip.clone(),
            });
        }
    }
    let format = container(&plan.out)?;
    let song = ffmpeg.probe(&plan.song)?;
    if !song.has_audio {
        return Err(Error::Probe {
            path: plan.song.clone(),
            why: "it has no audio stream".into(),
        });
    }
    // Copying keeps the song bit for bit, but can only cut it, not pad it.
    let audio = if song.audio_codec.as_deref() == Some("aac")
        && song.duration_s + 0.5 / f64::from(plan.fps) >= plan.song_duration_s
    {
        SongAudio::Copied
    } else {
        SongAudio::Encoded
    };
    let frames: u64 = segments.iter().map(|s| s.frames).sum();
    let temp = output::temp_beside(&plan.out)?;
    let mut command = ffmpeg.command();
    command_args(&mut command, plan, &segments, audio, format, temp.path());
    let seconds = frames as f64 / f64::from(plan.fps);
    progress(RenderProgress {
        stage: RenderStage::Encoding,
        fraction: 0.0,
    });
    run::run_with_progress(command, "render the video", cancel, |done| {
        progress(RenderProgress {
            stage: RenderStage::Encoding,
            fraction: (done / seconds).clamp(0.0, 1.0),
        })
    })?;
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    progress(RenderProgress {
        stage: RenderStage::Finishing,
        fraction: 1.0,
    });
    output::finish(temp, &plan.out)?;
    let made = ffmpeg.probe(&plan.out)?;
    progress(RenderProgress {
        stage: RenderStage::Done,
        fraction: 1.0,
    });
    Ok(RenderReport {
        out: plan.out.clone(),
        frames,
        duration_s: made.duration_s,
        audio,
        filled_shots,
    })
}

/// The muxer for the output's extension.
fn container(out: &Path) -> Result<&'static str, Error> {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "mp4" | "m4v" => Ok("mp4"),
        "mov" => Ok("mov"),
        "mkv" => Ok("matroska"),
        _ => Err(Error::BadPlan(format!(
            "{} should end in .mp4, .m4v, .mov or .mkv",
            out.display()
        ))),
    }
}

/// The filter for one segment, from input `input` (or black), labelled `[s{index}]`.
pub(crate) fn segment_filter(
    segment: &Segment,
    input: Option<usize>,
    index: usize,
    plan: &RenderPlan,
) -> String {
    let (w, h, fps) = (plan.width, plan.height, plan.fps);
    let (own, all) = (segment.own_frames, segment.frames);
    match input {
        // Timestamps from 0, one frame rate, only the frames needed, then cover the frame and
        // crop the overflow; a clip shorter than its shot (or followed by filled gaps) holds its
        // last frame (tpad) up to the segment's length.
        Some(i) => format!(
            "[{i}:v:0]setpts=PTS-STARTPTS,fps={fps},trim=end_frame={own},\
             scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1,format=yuv420p,\
             tpad=stop=-1:stop_mode=clone,trim=end_frame={all}[s{index}]"
        ),
        None => format!(
            "color=c=black:s={w}x{h}:r={fps},setsar=1,format=yuv420p,trim=end_frame={all}[s{index}]"
        ),
    }
}

fn command_args(
    command: &mut Command,
    plan: &RenderPlan,
    segments: &[Segment],
    audio: SongAudio,
    format: &str,
    out: &Path,
) {
    let mut graph = String::new();
    let mut inputs = 0;
    for (index, segment) in segments.iter().enumerate() {
        let input = segment.clip.as_ref().map(|clip| {
            command.arg("-i").arg(clip);
            inputs += 1;
            inputs - 1
        });
        graph.push_str(&segment_filter(segment, input, index, plan));
        graph.push(';');
    }
    for index in 0..segments.len() {
        graph.push_str(&format!("[s{index}]"));
    }
    graph.push_str(&format!("concat=n={}:v=1:a=0[v]", segments.len()));
    command.arg("-i").arg(&plan.song);
    command
        .args(["-filter_complex", &graph, "-map", "[v]", "-map"])
        .arg(format!("{inputs}:a:0"))
        .args([
            "-c:v",
            "libx264",
            "-preset",
            X264_PRESET,
            "-crf",
            &X264_CRF.to_string(),
        ])
        .args(["-pix_fmt", "yuv420p", "-r", &plan.fps.to_string()]);
    match audio {
        SongAudio::Copied => command.args(["-c:a", "copy"]),
        // apad: a song a little shorter than the video is padded with silence.
        SongAudio::Encoded => command.args(["-c:a", "aac", "-b:a", AAC_BITRATE, "-af", "apad"]),
    };
    // The video has whole frames: it ends within half a frame of the song, and the audio is cut
    // (or padded) to end with it, so there is no drift at the end.
    let frames: u64 = segments.iter().map(|s| s.frames).sum();
    let end = frames as f64 / f64::from(plan.fps);
    command.args(["-t", &format!("{end:.6}"), "-map_metadata", "-1"]);
    if format != "matroska" {
        // The index up front: the video plays while it streams (in-app player, web).
        command.args(["-movflags", "+faststart"]);
    }
    command
        .args(["-progress", "pipe:1", "-nostats", "-f", format])
        .arg(out);
}
