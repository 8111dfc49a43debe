//! The finished music video: each shot's chosen clip normalised, trimmed to its shot and
//! concatenated, the song muxed in once, as long as the song; into the media folder with a
//! thumbnail, recorded as the project's render.

use std::path::PathBuf;

use serde::Serialize;

use super::Project;
use super::render_out;
use super::status::clip_for;
use crate::Error;
use crate::engine::Studio;
use crate::ledger::RenderRow;

/// Frames per second of every render.
pub const RENDER_FPS: u32 = 30;

/// A finished render.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RenderDone {
    pub id: String,
    pub path: PathBuf,
    pub seconds: f64,
    pub thumbnail: Option<PathBuf>,
    /// Shots (from 1) with no clip that held the previous frame (when asked to fill gaps).
    pub filled_shots: Vec<usize>,
}

impl Studio {
    /// Renders the project to `out` (default: the media folder). Missing shots refuse the render
    /// with their list unless `fill_gaps`. `progress` hears 0..1; `cancel` stops ffmpeg and
    /// removes the partial file.
    pub async fn render_project(
        &self,
        id_or_prefix: &str,
        out: Option<PathBuf>,
        fill_gaps: bool,
        progress: impl FnMut(f64) + Send + 'static,
        cancel: render::CancelFlag,
    ) -> Result<RenderDone, Error> {
        let project = self.project(id_or_prefix).await?;
        let jobs = self.project_jobs(&project.id).await?;
        let chosen = {
            let id = project.id.clone();
            self.shared()
                .db(move |ledger, _| ledger.chosen_jobs(&id))
                .await?
        };
        let shots: Vec<render::ShotClip> = project
            .storyboard
            .shots
            .iter()
            .map(|shot| render::ShotClip {
                start_s: shot.start_s,
                end_s: shot.end_s,
                clip: clip_for(shot, &jobs, &chosen)
                    .and_then(|j| j.media.as_ref().map(|m| m.path.clone())),
            })
            .collect();
        let (width, height) = frame_size(&project);
        let render_id = uuid::Uuid::new_v4().to_string();
        let out = match out {
            Some(path) => {
                let paths = self.paths().clone();
                let known = self
                    .shared()
                    .db(|ledger, _| {
                        Ok(ledger
                            .list()?
                            .into_iter()
                            .filter_map(|j| j.media.map(|m| m.path))
                            .collect::<Vec<_>>())
                    })
                    .await?;
                tokio::task::spawn_blocking(move || render_out::check(&paths, &path, &known))
                    .await
                    .map_err(|e| Error::Refused(format!("The render stopped ({e}).")))??
            }
            None => self
                .paths()
                .media_dir
                .join(render_out::file_name(&project.name, &render_id)),
        };
        let plan = render::RenderPlan {
            shots,
            song: project.song_path.clone(),
            song_duration_s: project.storyboard.song_duration_s,
            width,
            height,
            fps: RENDER_FPS,
            out: out.clone(),
            fill_gaps,
        };
        let ffmpeg = self.ffmpeg()?;
        let thumbnail = self
            .paths()
            .data_dir
            .join("thumbnails")
            .join(format!("render-{render_id}.jpg"));
        let (report, thumbnail) = tokio::task::spawn_blocking(move || {
            let mut progress = progress;
            if let Some(dir) = plan.out.parent() {
                std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                    action: "create",
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            let report = render::render(&ffmpeg, &plan, |p| progress(p.fraction), &cancel)?;
            let thumb = thumbnail
                .parent()
                .and_then(|dir| std::fs::create_dir_all(dir).ok())
                .and_then(|()| {
                    ffmpeg
                        .thumbnail(&report.out, (report.duration_s / 3.0).min(10.0), &thumbnail)
                        .ok()
                        .map(|()| thumbnail)
                });
            Ok::<_, Error>((report, thumb))
        })
        .await
        .map_err(|e| Error::Refused(format!("The render stopped ({e}).")))??;
        let done = RenderDone {
            id: render_id,
            path: report.out.clone(),
            seconds: report.duration_s,
            thumbnail,
            filled_shots: report.filled_shots.iter().map(|i| i + 1).collect(),
        };
        let row = RenderRow {
            id: done.id.clone(),
            project_id: project.id.clone(),
            created_at_ms: self.shared().now_ms(),
            path: done.path.display().to_string(),
            seconds: done.seconds,
            thumbnail_path: done.thumbnail.as_ref().map(|p| p.display().to_string()),
        };
        self.shared()
            .db(move |ledger, _| ledger.insert_render(&row))
            .await?;
        Ok(done)
    }
}

impl Studio {
    /// Every render of every project, newest first.
    pub async fn all_renders(&self) -> Result<Vec<RenderRow>, Error> {
        self.shared().db(|ledger, _| ledger.renders(None)).await
    }

    /// The render with this id.
    pub async fn render_row(&self, id: &str) -> Result<Option<RenderRow>, Error> {
        let id = id.to_string();
        self.shared().db(move |ledger, _| ledger.render(&id)).await
    }

    /// Deletes a render: its file, its thumbnail and its row. The project and its clips stay.
    pub async fn delete_render(&self, id: &str) -> Result<(), Error> {
        let Some(render) = self.render_row(id).await? else {
            return Err(Error::Refused(format!("There is no music video {id}.")));
        };
        for file in [Some(&render.path), render.thumbnail_path.as_ref()]
            .into_iter()
            .flatten()
        {
            match std::fs::remove_file(file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::Io {
                        action: "remove",
                        path: PathBuf::from(file),
                        source: e,
                    });
                }
                _ => {}
            }
        }
        let id = render.id.clone();
        self.shared()
            .db(move |ledger, _| ledger.delete_render(&id))
            .await
    }

    /// A project's renders, newest first.
    pub async fn project_renders(&self, project_id: &str) -> Result<Vec<RenderRow>, Error> {
        let id = project_id.to_string();
        self.shared()
            .db(move |ledger, _| ledger.renders(Some(&id)))
            .await
    }
}

/// The output frame size for the project's aspect ratio and resolution (even numbers).
fn frame_size(project: &Project) -> (u32, u32) {
    let lines: u32 = project
        .settings
        .resolution
        .as_deref()
        .and_then(|r| r.trim_end_matches('p').parse().ok())
        .unwrap_or(720);
    let (w, h) = project
        .settings
        .aspect_ratio
        .as_deref()
        .and_then(|a| a.split_once(':'))
        .and_then(|(w, h)| Some((w.parse::<f64>().ok()?, h.parse::<f64>().ok()?)))
        .filter(|(w, h)| *w > 0.0 && *h > 0.0)
        .unwrap_or((16.0, 9.0));
    let even = |x: f64| ((x / 2.0).round() as u32).max(1) * 2;
    if w >= h {
        // Landscape and square: the resolution is the height.
        (even(f64::from(lines) * w / h), even(f64::from(lines)))
    } else {
        // Portrait: the resolution is the width.
        (even(f64::from(lines)), even(f64::from(lines) * h / w))
    }
}
