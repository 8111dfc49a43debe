//! Test helpers: inputs made with ffmpeg's lavfi sources, and outputs read back frame by frame.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use render::Ffmpeg;

/// The installed ffmpeg; the tests need it (`cargo xtask setup` installs it) and fail without.
pub fn ffmpeg() -> Ffmpeg {
    Ffmpeg::find(None)
        .expect("these tests need ffmpeg and ffprobe on PATH (`cargo xtask setup` installs them)")
}

pub fn run(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A clip of one solid colour (a name ffmpeg knows) with a silent audio track, as H.264 MP4.
pub fn colour_clip(
    dir: &Path,
    name: &str,
    colour: &str,
    size: &str,
    rate: &str,
    seconds: f64,
) -> PathBuf {
    let path = dir.join(format!("{name}.mp4"));
    let video = format!("color=c={colour}:s={size}:r={rate}:d={seconds}");
    let audio = format!("anullsrc=r=48000:cl=stereo,atrim=end={seconds}");
    run(&[
        "-f",
        "lavfi",
        "-i",
        &video,
        "-f",
        "lavfi",
        "-i",
        &audio,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        path.to_str().expect("utf-8 path"),
    ]);
    path
}

/// A song: a 440 Hz tone with a little noise, `seconds` long, encoded by the file's extension.
pub fn song(dir: &Path, file: &str, seconds: f64) -> PathBuf {
    let path = dir.join(file);
    let source = format!("sine=f=440:r=44100:d={seconds}");
    let codec: &[&str] = match path.extension().and_then(|e| e.to_str()) {
        Some("mp3") => &["-c:a", "libmp3lame", "-b:a", "192k"],
        Some("m4a") => &["-c:a", "aac", "-b:a", "160k"],
        _ => &["-c:a", "pcm_s16le"],
    };
    let mut args = vec!["-f", "lavfi", "-i", &source];
    args.extend_from_slice(codec);
    args.push(path.to_str().expect("utf-8 path"));
    run(&args);
    path
}

/// Every frame of a video, decoded, as its mean colour (RGB), in order.
pub fn frame_colours(video: &Path) -> Vec<[u8; 3]> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-i"])
        .arg(video)
        .args([
            "-map",
            "0:v:0",
            "-vf",
            "scale=4:4:flags=area,format=rgb24",
            "-vsync",
            "passthrough",
        ])
        .args(["-f", "rawvideo", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "decoding {}: {}",
        video.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(4 * 4 * 3)
        .map(|frame| {
            let mut sum = [0u32; 3];
            for px in frame.chunks_exact(3) {
                for c in 0..3 {
                    sum[c] += u32::from(px[c]);
                }
            }
            sum.map(|s| (s / 16) as u8)
        })
        .collect()
}

/// The colours the tests use, by the names ffmpeg gives them.
pub const PALETTE: [(&str, [u8; 3]); 8] = [
    ("black", [0, 0, 0]),
    ("white", [255, 255, 255]),
    ("red", [255, 0, 0]),
    ("lime", [0, 255, 0]),
    ("blue", [0, 0, 255]),
    ("yellow", [255, 255, 0]),
    ("magenta", [255, 0, 255]),
    ("cyan", [0, 255, 255]),
];

/// The palette colour nearest to `rgb`.
pub fn name_of(rgb: [u8; 3]) -> &'static str {
    PALETTE
        .iter()
        .min_by_key(|(_, c)| {
            (0..3)
                .map(|i| (i32::from(c[i]) - i32::from(rgb[i])).pow(2))
                .sum::<i32>()
        })
        .map(|(name, _)| *name)
        .unwrap_or("?")
}

/// Per-stream facts ffprobe reads: (codec_type, duration in seconds).
pub fn streams(video: &Path) -> Vec<(String, f64)> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,duration",
            "-of",
            "csv=p=0",
        ])
        .arg(video)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (kind, duration) = line.split_once(',')?;
            Some((kind.to_string(), duration.parse().ok()?))
        })
        .collect()
}

/// The entries of a folder (to see no partial file was left).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
