//! Single frames out of a video: the true last frame (continuity: it becomes the next shot's
//! image) and a thumbnail.

use std::path::Path;

use crate::{Error, Ffmpeg, output, run};

impl Ffmpeg {
    /// Writes `clip`'s last frame as a PNG at `out_png` (full size). Decodes from the keyframe
    /// before the last second to the end, keeping every frame (no rate conversion), so what is
    /// left is the very last frame the clip shows. Blocking.
    pub fn last_frame(&self, clip: &Path, out_png: &Path) -> Result<(), Error> {
        self.frame_to(
            clip,
            out_png,
            &["-sseof", "-1"],
            &[],
            "take the last frame of a clip",
        )
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
        // Seeking to within the last frame may find nothing; near the end the last frame is
        // the right picture anyway.
        let last_frame_start = info.duration_s - if info.fps > 0.0 { 1.0 / info.fps } else { 0.1 };
        if at_s >= last_frame_start {
            return self.frame_to(
                video,
                out_jpg,
                &["-sseof", "-1"],
                &scale,
                "make a thumbnail",
            );
        }
        let at = format!("{:.3}", at_s.max(0.0));
        self.frame_to(video, out_jpg, &["-ss", &at], &scale, "make a thumbnail")
    }

    /// Decodes from `seek` to the end of the input, overwriting one image file with each frame
    /// (`-update 1`): with `-sseof` that leaves the last frame; with `-frames:v 1` the first.
    fn frame_to(
        &self,
        video: &Path,
        out: &Path,
        seek: &[&str],
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
        command
            .args(seek)
            .arg("-i")
            .arg(video)
            .args(["-map", "0:v:0", "-an"])
            .args(filters);
        if seek.first() == Some(&"-ss") {
            command.args(["-frames:v", "1"]);
        } else {
            command.args(self.passthrough_args()).args(["-update", "1"]);
        }
        command.args(["-f", "image2"]).arg(temp.path());
        run::run(command, what)?;
        output::finish(temp, out)
    }
}
