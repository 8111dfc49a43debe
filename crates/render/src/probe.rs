//! Reading a media file's duration, frame size, frame rate and streams with ffprobe's JSON.

use std::path::Path;

use serde::Deserialize;

use crate::{Error, Ffmpeg};

/// What ffprobe says about a file.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaInfo {
    /// The container's duration (the longest stream), in seconds; 0 for a still image.
    pub duration_s: f64,
    /// The first video stream's frame size (0 without video).
    pub width: u32,
    pub height: u32,
    /// The first video stream's average frame rate (0 without video).
    pub fps: f64,
    pub has_audio: bool,
    pub has_video: bool,
    /// The first video stream's frame count when the container records it (MP4 does).
    pub frames: Option<u64>,
    /// The first audio stream's codec as ffprobe names it ("aac", "mp3", "pcm_s16le"…).
    pub audio_codec: Option<String>,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    nb_frames: Option<String>,
    duration: Option<String>,
    disposition: Option<Disposition>,
}

#[derive(Deserialize)]
struct Disposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct Format {
    duration: Option<String>,
}

impl Ffmpeg {
    /// Probes `path` with ffprobe. A file ffprobe cannot read, or one with neither audio nor
    /// video, is an [`Error::Probe`] naming it. Blocking (tens of milliseconds).
    pub fn probe(&self, path: &Path) -> Result<MediaInfo, Error> {
        let output = std::process::Command::new(&self.ffprobe)
            .args([
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
            ])
            .arg(path)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::io("could not start ffprobe for", path, e))?;
        if !output.status.success() {
            return Err(Error::Probe {
                path: path.to_path_buf(),
                why: crate::run::tail(&output.stderr),
            });
        }
        parse(&output.stdout).map_err(|why| Error::Probe {
            path: path.to_path_buf(),
            why,
        })
    }
}

fn parse(json: &[u8]) -> Result<MediaInfo, String> {
    let probe: Probe = serde_json::from_slice(json)
        .map_err(|e| format!("ffprobe's answer was not understood: {e}"))?;
    // A cover picture in an MP3 or M4A shows up as a video stream: it is not video.
    let video = probe.streams.iter().find(|s| {
        s.codec_type.as_deref() == Some("video")
            && s.disposition.as_ref().is_none_or(|d| d.attached_pic == 0)
    });
    let audio = probe
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"));
    if video.is_none() && audio.is_none() {
        return Err("it holds neither audio nor video".into());
    }
    let number = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<f64>().ok());
    let duration_s = probe
        .format
        .as_ref()
        .and_then(|f| number(&f.duration))
        .or_else(|| video.and_then(|v| number(&v.duration)))
        .or_else(|| audio.and_then(|a| number(&a.duration)))
        // A still image (PNG, JPEG) has none.
        .unwrap_or(0.0);
    let fps = video
        .and_then(|v| rate(v.avg_frame_rate.as_deref()).or_else(|| rate(v.r_frame_rate.as_deref())))
        .unwrap_or(0.0);
    Ok(MediaInfo {
        duration_s,
        width: video.and_then(|v| v.width).unwrap_or(0),
        height: video.and_then(|v| v.height).unwrap_or(0),
        fps,
        has_audio: audio.is_some(),
        has_video: video.is_some(),
        frames: video.and_then(|v| v.nb_frames.as_deref()?.parse().ok()),
        audio_codec: audio.and_then(|a| a.codec_name.clone()),
    })
}

/// "30000/1001" → 29.97; "0/0" (unknown) → None.
fn rate(text: Option<&str>) -> Option<f64> {
    let (num, den) = text?.split_once('/')?;
    let (num, den): (f64, f64) = (num.parse().ok()?, den.parse().ok()?);
    (num > 0.0 && den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_song_with_cover_art_has_no_video() {
        let json = br#"{"streams":[
            {"codec_type":"audio","codec_name":"mp3","duration":"20.0"},
            {"codec_type":"video","codec_name":"mjpeg","width":500,"height":500,
             "avg_frame_rate":"0/0","r_frame_rate":"90000/1","disposition":{"attached_pic":1}}],
            "format":{"duration":"20.03"}}"#;
        let info = parse(json).expect("parses");
        assert!(info.has_audio && !info.has_video);
        assert_eq!((info.width, info.fps, info.duration_s), (0, 0.0, 20.03));
        assert_eq!(info.audio_codec.as_deref(), Some("mp3"));
    }

    #[test]
    fn frame_rates_as_fractions() {
        assert_eq!(rate(Some("30/1")), Some(30.0));
        assert!((rate(Some("30000/1001")).expect("rate") - 29.97).abs() < 0.01);
        assert_eq!(rate(Some("0/0")), None);
        assert_eq!(rate(None), None);
    }

    #[test]
    fn a_file_with_no_streams_is_refused() {
        let err = parse(br#"{"streams":[],"format":{"duration":"1"}}"#).expect_err("refused");
        assert!(err.contains("neither audio nor video"), "{err}");
    }
}
