//! The render plan, and its translation into frame-exact segments: shot k spans frames
//! `round(start·F) .. round(end·F)`, so every cut lands within half a frame of its planned time and
//! the frames add up to `round(song_duration·F)`.

use std::path::PathBuf;

use crate::Error;

/// One shot of the storyboard: where it sits in the song, and the clip chosen for it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShotClip {
    pub start_s: f64,
    pub end_s: f64,
    /// `None` when the shot has no ready clip.
    pub clip: Option<PathBuf>,
}

/// Everything a render needs. Shots must follow each other without gaps or overlaps (within half
/// a frame), from 0 to the song's end.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderPlan {
    pub shots: Vec<ShotClip>,
    pub song: PathBuf,
    /// The song's length as analysed: the video is exactly this long (within one frame).
    pub song_duration_s: f64,
    /// The output's frame size (even numbers, as H.264 in 4:2:0 needs).
    pub width: u32,
    pub height: u32,
    /// The output's frame rate, whole frames per second (e.g. 30).
    pub fps: u32,
    /// The finished video (`.mp4`, `.mov`, `.m4v` or `.mkv`).
    pub out: PathBuf,
    /// Hold the previous shot's last frame over shots with no clip (black before the first
    /// clip) instead of refusing with [`Error::MissingShots`].
    pub fill_gaps: bool,
}

/// A run of output frames taken from one source: a shot's clip held over any following
/// clipless shots, or black before the first clip.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Segment {
    /// `None`: black.
    pub clip: Option<PathBuf>,
    /// Frames taken from the clip itself (its shot's length); the rest hold its last one.
    pub own_frames: u64,
    /// All the segment's frames (its shot and the gaps it fills).
    pub frames: u64,
}

/// The plan checked and cut into segments; also the indexes of the shots that were filled.
pub(crate) fn segments(plan: &RenderPlan) -> Result<(Vec<Segment>, Vec<usize>), Error> {
    let bad = |why: String| Err(Error::BadPlan(why));
    if plan.shots.is_empty() {
        return bad("it has no shots".into());
    }
    if plan.fps == 0 || plan.fps > 240 {
        return bad(format!(
            "{} frames per second is not a frame rate the render makes",
            plan.fps
        ));
    }
    if plan.width < 16 || plan.height < 16 || plan.width % 2 == 1 || plan.height % 2 == 1 {
        return bad(format!(
            "{}x{} is not an even frame size",
            plan.width, plan.height
        ));
    }
    if !(plan.song_duration_s.is_finite() && plan.song_duration_s > 0.0) {
        return bad(format!("the song lasts {} s", plan.song_duration_s));
    }
    let fps = f64::from(plan.fps);
    let half_frame = 0.5 / fps;
    let total = (plan.song_duration_s * fps).round() as u64;
    // Frame boundaries: shot k starts at bounds[k]; the last ends at the song's last frame.
    let mut bounds = Vec::with_capacity(plan.shots.len() + 1);
    for (k, shot) in plan.shots.iter().enumerate() {
        let expected = if k == 0 { 0.0 } else { plan.shots[k - 1].end_s };
        if !(shot.start_s.is_finite() && shot.end_s.is_finite())
            || (shot.start_s - expected).abs() > half_frame
        {
            return bad(format!(
                "shot {} starts at {:.3} s, not where the one before ends ({expected:.3} s)",
                k + 1,
                shot.start_s
            ));
        }
        bounds.push(if k == 0 {
            0
        } else {
            (shot.start_s * fps).round() as u64
        });
    }
    let last_end = plan.shots[plan.shots.len() - 1].end_s;
    if (last_end - plan.song_duration_s).abs() > 1.0 / fps {
        return bad(format!(
            "the shots end at {last_end:.3} s but the song at {:.3} s",
            plan.song_duration_s
        ));
    }
    bounds.push(total);
    for (k, pair) in bounds.windows(2).enumerate() {
        if pair[1] <= pair[0] {
            return bad(format!("shot {} is shorter than one frame", k + 1));
        }
    }

    let missing: Vec<usize> = (0..plan.shots.len())
        .filter(|&k| plan.shots[k].clip.is_none())
        .collect();
    if !missing.is_empty() && !plan.fill_gaps {
        return Err(Error::MissingShots(missing));
    }
    let mut segments: Vec<Segment> = Vec::new();
    for (k, shot) in plan.shots.iter().enumerate() {
        let frames = bounds[k + 1] - bounds[k];
        match (&shot.clip, segments.last_mut()) {
            (None, Some(held)) => held.frames += frames,
            (clip, _) => segments.push(Segment {
                clip: clip.clone(),
                own_frames: frames,
                frames,
            }),
        }
    }
    Ok((segments, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(cuts: &[f64], clips: &[bool]) -> RenderPlan {
        RenderPlan {
            shots: cuts
                .windows(2)
                .zip(clips)
                .enumerate()
                .map(|(k, (w, &has))| ShotClip {
                    start_s: w[0],
                    end_s: w[1],
                    clip: has.then(|| PathBuf::from(format!("clip{k}.mp4"))),
                })
                .collect(),
            song: "song.mp3".into(),
            song_duration_s: cuts[cuts.len() - 1],
            width: 1280,
            height: 720,
            fps: 30,
            out: "out.mp4".into(),
            fill_gaps: false,
        }
    }

    #[test]
    fn frames_add_up_to_the_song_and_cuts_round_to_the_nearest_frame() {
        // Beats at 128 BPM fall between frames.
        let (segments, filled) =
            segments(&plan(&[0.0, 1.875, 3.75, 5.625, 10.0213], &[true; 4])).expect("plan");
        let frames: Vec<u64> = segments.iter().map(|s| s.frames).collect();
        // Boundaries round(1.875*30)=56, round(112.5)=113, round(168.75)=169, round(300.64)=301.
        assert_eq!(frames, vec![56, 57, 56, 132]);
        assert_eq!(frames.iter().sum::<u64>(), 301);
        assert!(filled.is_empty());
    }

    #[test]
    fn missing_shots_are_listed() {
        let err = segments(&plan(
            &[0.0, 2.0, 4.0, 6.0, 8.0],
            &[true, false, true, false],
        ))
        .expect_err("refused");
        assert!(
            matches!(&err, Error::MissingShots(s) if s == &vec![1, 3]),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("shots 2, 4 have no clip"),
            "{err}"
        );
    }

    #[test]
    fn filled_gaps_extend_the_shot_before_or_start_black() {
        let mut p = plan(&[0.0, 2.0, 4.0, 6.0, 8.0], &[false, true, false, false]);
        p.fill_gaps = true;
        let (segments, filled) = segments(&p).expect("plan");
        assert_eq!(filled, vec![0, 2, 3]);
        assert_eq!(segments.len(), 2);
        assert_eq!(
            (
                segments[0].clip.is_none(),
                segments[0].own_frames,
                segments[0].frames
            ),
            (true, 60, 60)
        );
        assert_eq!((segments[1].own_frames, segments[1].frames), (60, 180));
    }

    #[test]
    fn holes_overlaps_and_short_shots_are_refused() {
        let mut p = plan(&[0.0, 2.0, 4.0], &[true, true]);
        p.shots[1].start_s = 2.5;
        assert!(
            matches!(segments(&p), Err(Error::BadPlan(why)) if why.contains("shot 2 starts at 2.500"))
        );
        let mut p = plan(&[0.0, 2.0, 4.0], &[true, true]);
        p.song_duration_s = 5.0;
        assert!(matches!(segments(&p), Err(Error::BadPlan(why)) if why.contains("song at 5.000")));
        let p = plan(&[0.0, 2.0, 2.01, 4.0], &[true, true, true]);
        assert!(
            matches!(segments(&p), Err(Error::BadPlan(why)) if why.contains("shot 2 is shorter than one frame"))
        );
        let mut p = plan(&[0.0, 2.0], &[true]);
        p.width = 1279;
        assert!(matches!(segments(&p), Err(Error::BadPlan(_))));
    }
}
