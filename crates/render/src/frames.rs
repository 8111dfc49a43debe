//! Single frames out of a video: the true last frame (continuity: it becomes the next shot's
//! image) and a thumbnail.

use std::path::Path;

use crate::{Error, Ffmpeg, output, run};

/// Which frame to take.
#[derive(Clone, Copy, Debug)]
enum Pick {
    /// The last one, from the last second: decoded from the keyframe before it, reversed
    /// (`reverse` holds that second's frames, tens of MB), the first kept. A third of the time of
    /// encoding every frame of the second as an image (1080p: 0.48 s against 1.5 s).
    LastInLastSecond,
    /// The last one, decoding the whole video and overwriting one image with each frame.
    LastOfAll,
    /// The first frame at or after this time.
    At(f64),
}

impl Ffmpeg {
    /// Writes `clip`'s last frame as a PNG at `out_png` (full size): every frame of the last
    /// second is decoded as it is (no rate conversion), so this is the very last frame the clip
    /// shows. When the last second holds no video (a sound track running on past the picture),
    /// the whole clip is decoded instead. Blocking.
    pub fn last_frame(&self, clip: &Path, out_png: &Path) -> Result<(), Error> {
        self.last_to(clip, out_png, &[], "take the last frame of a clip")
    }

    /// Writes the frame shown at `at_s` seconds (or the last one, when the video is shorter) as a
    /// JPEG at most 640 pixels wide at `out_jpg`. Blocking.
    pub fn thumbnail(&self, video: &Path, at_s: f64, out_jpg: &Path) -> Result<(), Error> {
        let info = self.probe(video)?;
        if !info.has_video {
            return Err(Error::NoVideo {
                path: video.to_path_buf(),
            });
        }
        let scale = ["-vf", "scale='min(640,iw)':-2", "-q:v", "3"];
        // Seeking into the last frame may find nothing; near the end the last frame is the
        // right picture anyway.
        let last_frame_start = info.duration_s - if info.fps > 0.0 { 1.0 / info.fps } else { 0.1 };
        if at_s >= last_frame_start {
            return self.last_to(video, out_jpg, &scale, "make a thumbnail");
        }
        self.frame_to(
            video,
            out_jpg,
            Pick::At(at_s.max(0.0)),
            &scale,
            "make a thumbnail",
        )
    }

    /// The last frame from the last second, or from the whole video when that second has none.
    fn last_to(&self, video: &Path, out: &Path, filters: &[&str], what: &str) -> Result<(), Error> {
        match self.frame_to(video, out, Pick::LastInLastSecond, filters, what) {
            Err(Error::Ffmpeg { stderr, .. }) if stderr == output::WROTE_NOTHING => {
                self.frame_to(video, out, Pick::LastOfAll, filters, what)
            }
            done => done,
        }
    }

    fn frame_to(
        &self,
        video: &Path,
        out: &Path,
        pick: Pick,
        filters: &[&str],
        what: &str,
    ) -> Result<(), Error> {
        if !video.is_file() {
            return Err(Error::io(
                "could not read",
                video,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let temp = output::temp_beside(out)?;
        let mut command = self.command();
        match pick {
            Pick::LastInLastSecond => command.args(["-sseof", "-1"]),
            Pick::At(at) => command.args(["-ss", &format!("{at:.3}")]),
            Pick::LastOfAll => &mut command,
        };
        command.arg("-i").arg(video).args(["-map", "0:v:0", "-an"]);
        match pick {
            Pick::LastInLastSecond => {
                let chain = match filters {
                    ["-vf", chain, ..] => format!("reverse,{chain}"),
                    _ => "reverse".into(),
                };
                command
                    .args(["-vf", &chain])
                    .args(filters.get(2..).unwrap_or(&[]));
                command.args(["-frames:v", "1"])
            }
            Pick::At(_) => command.args(filters).args(["-frames:v", "1"]),
            Pick::LastOfAll => command
                .args(filters)
                .args(self.passthrough_args())
                .args(["-update", "1"]),
        };
        command.args(["-f", "image2"]).arg(temp.path());
        run::run(command, what)?;
        output::finish(temp, out)
    }
}
