//! Everything Venice Music Video Studio does with ffmpeg for a music video: find ffmpeg, probe
//! media, take a clip's last frame (continuity) and a thumbnail, and render the video from the
//! storyboard's clips and the song, frame-exactly. No Tauri, no Venice; every call is blocking
//! (files and child processes): async callers run it on a blocking thread.
//!
//! # API
//!
//! - [`Ffmpeg::find`]`(configured: Option<&Path>) -> Result<Ffmpeg, Error>`: the configured ffmpeg
//!   (a program or a folder) or `ffmpeg` on PATH, with `ffprobe` beside it or on PATH; runs
//!   `-version` and refuses one older than 4.2 ([`MIN_VERSION`]: `tpad` came in 4.2) or one that
//!   does not answer, saying how to install it. [`Ffmpeg::find_with_path`] takes the search path.
//! - [`Ffmpeg::probe`]`(&self, path) -> Result<MediaInfo, Error>`: duration, frame size, fps,
//!   audio/video presence, frame count, audio codec (ffprobe JSON; cover art is not video).
//! - [`Ffmpeg::last_frame`]`(&self, clip, out_png)`: the clip's true last frame as a PNG, the next
//!   shot's `image_url` under continuity (0.5 s for a 1080p clip).
//! - [`Ffmpeg::thumbnail`]`(&self, video, at_s, out_jpg)`: the frame at `at_s` (the last one past
//!   the end), at most 640 px wide.
//! - [`render()`]`(&Ffmpeg, &RenderPlan, progress: impl FnMut(RenderProgress), &CancelFlag) ->
//!   Result<RenderReport, Error>`: the music video.
//!
//! Every output is written to a temp file beside its final path and renamed into place.
//!
//! # The render
//!
//! With `fps` F, shot k spans output frames `round(start_k·F) .. round(end_k·F)`, so every cut is
//! within half a frame of its planned time and the video has `round(song_duration·F)` frames;
//! the song is cut or padded to that length, so video and audio end together.
//!
//! Each clip is normalised by **scaling to cover the frame and cropping the overflow** (no black
//! bars: the clips are generated at the video's aspect ratio, so the crop only trims a model's
//! off-by-a-few-pixels sizes, and a clip of another aspect fills the frame instead of floating in
//! it), `setsar=1`, `fps=F`, `yuv420p`; it is trimmed to its shot's frames, and a clip shorter
//! than its shot holds its last frame (`tpad` clone). A shot with no clip refuses the render
//! with [`Error::MissingShots`] unless [`RenderPlan::fill_gaps`]: then the shot before holds its
//! last frame over it (black before the first clip). The song is copied when it is AAC already
//! (and long enough), otherwise encoded to AAC 192k. Video is H.264 `-preset veryfast -crf 20`,
//! MP4 with the index up front (`+faststart`).
//!
//! It is **one ffmpeg run** with one filter graph over all clips (per clip: fps, trim, scale,
//! crop, tpad; then concat; then the song mapped in). The other way, normalising each clip to an
//! intermediate file (two at a time) and joining them with the concat demuxer and `-c copy`, was
//! measured slower on this 2-core machine (12 clips, 60 s: 21.5 s against 19.7 s): x264 already
//! uses every core, and the extra processes and files only add. The one run costs the same as a
//! plain `filter_complex` concat-and-mux of the same clips: `cargo run --release -p render --bin
//! render-bench` (48 clips of 5 s at 1280x720 + a 4-minute song, 3 rounds on a shared, loaded
//! machine) measured ours 28.0 s best / 29.9 s mean against 27.7 s / 30.1 s, 1.01x / 0.99x.
//!
//! The cost of one run: ffmpeg opens every clip's decoder at once. With 48 clips at 720p its
//! peak memory was 1.2 GB (decoding and filtering alone 1.08 GB; 0.66 GB with one decoder thread
//! each), exactly what the plain concat takes; 1080p clips take about twice that.
//!
//! Progress comes from ffmpeg's `-progress pipe:1` (`out_time_us` over the video's length);
//! [`CancelFlag`] is checked every 50 ms while ffmpeg runs: cancelling kills it, removes the
//! partial file and returns [`Error::Cancelled`].
//!
//! ```no_run
//! # fn main() -> Result<(), render::Error> {
//! use render::{CancelFlag, Ffmpeg, RenderPlan, ShotClip, render};
//! let ffmpeg = Ffmpeg::find(None)?;
//! let plan = RenderPlan {
//!     shots: vec![
//!         ShotClip { start_s: 0.0, end_s: 7.5, clip: Some("shot1.mp4".into()) },
//!         ShotClip { start_s: 7.5, end_s: 12.0, clip: Some("shot2.mp4".into()) },
//!     ],
//!     song: "song.mp3".into(),
//!     song_duration_s: 12.0,
//!     width: 1280,
//!     height: 720,
//!     fps: 30,
//!     out: "video.mp4".into(),
//!     fill_gaps: false,
//! };
//! let report = render(&ffmpeg, &plan, |p| eprintln!("{:?} {:.0} %", p.stage, p.fraction * 100.0), &CancelFlag::new())?;
//! assert_eq!(report.frames, 360);
//! # Ok(()) }
//! ```

mod error;
mod ffmpeg;
mod frames;
mod output;
mod plan;
mod probe;
mod render;
mod run;

pub use error::Error;
pub use ffmpeg::{Ffmpeg, INSTALL_HINT, MIN_VERSION};
pub use plan::{RenderPlan, ShotClip};
pub use probe::MediaInfo;
pub use render::{
    AAC_BITRATE, RenderProgress, RenderReport, RenderStage, SongAudio, X264_CRF, X264_PRESET,
    render,
};
pub use run::CancelFlag;
