//! Music-video projects in the ledger: the project rows (settings and storyboard as JSON), the
//! jobs that are its shots' versions, the user's pick among them, and its renders.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::{COST, JobId, JobRecord, Ledger, SPENT};
use crate::Error;

/// A project as stored. `settings` and `storyboard` are JSON owned by `crate::projects`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The song's SHA-256 (its analysis and overrides are cached under it).
    pub song_hash: String,
    /// The song file in the library.
    pub song_path: String,
    pub settings: String,
    pub storyboard: String,
    /// Generation paused by the user.
    pub paused: bool,
    /// "Generate all" is under way (until every shot is queued).
    #[serde(default)]
    pub generating: bool,
    /// Bumped by every edit of the name, settings or storyboard.
    #[serde(default)]
    pub revision: i64,
    /// Who runs "Generate all" now, and until when unless renewed (see `ledger::lease`).
    #[serde(default)]
    pub lease_holder: Option<String>,
    #[serde(default)]
    pub lease_until_ms: Option<i64>,
    /// Why the last "Generate all" stopped before the end (a whole sentence), until the next.
    #[serde(default)]
    pub stopped: Option<String>,
}

/// A finished music video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderRow {
    pub id: String,
    pub project_id: String,
    pub created_at_ms: i64,
    pub path: String,
    pub seconds: f64,
    pub thumbnail_path: Option<String>,
}

const PROJECT_COLUMNS: &str = "id, name, created_at_ms, updated_at_ms, song_hash, song_path, \
    settings, storyboard, paused, generating, revision, lease_holder, lease_until_ms, stopped";

fn project_from_row(row: &Row<'_>) -> rusqlite::Result<ProjectRow> {
    Ok(ProjectRow {
        id: row.get("id")?,
        name: row.get("name")?,
        created_at_ms: row.get("created_at_ms")?,
        updated_at_ms: row.get("updated_at_ms")?,
        song_hash: row.get("song_hash")?,
        song_path: row.get("song_path")?,
        settings: row.get("settings")?,
        storyboard: row.get("storyboard")?,
        paused: row.get("paused")?,
        generating: row.get("generating")?,
        revision: row.get("revision")?,
        lease_holder: row.get("lease_holder")?,
        lease_until_ms: row.get("lease_until_ms")?,
        stopped: row.get("stopped")?,
    })
}

/// The project with exactly this id, read inside a transaction (a claim's).
pub(super) fn project_in(conn: &Connection, id: &str) -> Result<ProjectRow, Error> {
    conn.query_row(
        &format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?1"),
        params![id],
        project_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::ProjectNotFound(id.to_string()))
}

/// Every job of the project, oldest first.
pub(super) fn project_jobs_in(
    conn: &Connection,
    project_id: &str,
) -> Result<Vec<JobRecord>, Error> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM jobs WHERE project_id = ?1 ORDER BY created_at_ms, id",
        JobRecord::COLUMNS
    ))?;
    let rows = stmt
        .query_map(params![project_id], JobRecord::from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// What the project may have been charged: every version, those in flight included.
pub(super) fn project_spent_in(conn: &Connection, project_id: &str) -> Result<f64, Error> {
    let total: Option<f64> = conn.query_row(
        &format!("SELECT SUM({COST}) FROM jobs WHERE project_id = ?1 AND {SPENT}"),
        params![project_id],
        |r| r.get(0),
    )?;
    Ok(0.0 + total.unwrap_or(0.0).max(0.0))
}

fn render_from_row(row: &Row<'_>) -> rusqlite::Result<RenderRow> {
    Ok(RenderRow {
        id: row.get("id")?,
        project_id: row.get("project_id")?,
        created_at_ms: row.get("created_at_ms")?,
        path: row.get("path")?,
        seconds: row.get("seconds")?,
        thumbnail_path: row.get("thumbnail_path")?,
    })
}

impl Ledger {
    pub fn insert_project(&self, project: &ProjectRow) -> Result<(), Error> {
        self.lock().execute(
            "INSERT INTO projects (id, name, created_at_ms, updated_at_ms, song_hash, song_path,
                settings, storyboard, paused, generating)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                project.id,
                project.name,
                project.created_at_ms,
                project.updated_at_ms,
                project.song_hash,
                project.song_path,
                project.settings,
                project.storyboard,
                project.paused,
                project.generating,
            ],
        )?;
        Ok(())
    }

    /// Writes what an edit changes (name, settings, storyboard) and bumps the revision, touching
    /// nothing else: a slow edit never writes back a pause or a "Generate all" it read earlier.
    /// With `expected_revision`, the write happens only if nobody edited the project since it was
    /// read at that revision ([`Error::ProjectChanged`] otherwise). Returns the new revision.
    pub fn save_project_edit(
        &self,
        project: &ProjectRow,
        expected_revision: Option<i64>,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let conn = self.lock();
        let changed = conn.execute(
            "UPDATE projects SET name = ?2, settings = ?3, storyboard = ?4, updated_at_ms = ?5,
                revision = revision + 1
             WHERE id = ?1 AND (?6 IS NULL OR revision = ?6)",
            params![
                project.id,
                project.name,
                project.settings,
                project.storyboard,
                now_ms,
                expected_revision
            ],
        )?;
        if changed == 0 {
            project_in(&conn, &project.id)?;
            return Err(Error::ProjectChanged(project.id.clone()));
        }
        Ok(conn.query_row(
            "SELECT revision FROM projects WHERE id = ?1",
            params![project.id],
            |r| r.get(0),
        )?)
    }

    /// Pauses (no new shot is claimed, "Generate all" is no longer under way) or unpauses.
    pub fn set_project_paused(&self, id: &str, paused: bool, now_ms: i64) -> Result<(), Error> {
        let changed = self.lock().execute(
            "UPDATE projects SET paused = ?2, updated_at_ms = ?3,
                generating = CASE WHEN ?2 THEN 0 ELSE generating END
             WHERE id = ?1",
            params![id, paused, now_ms],
        )?;
        if changed == 0 {
            return Err(Error::ProjectNotFound(id.to_string()));
        }
        Ok(())
    }

    /// The project with this id or unique id prefix. An empty prefix names no project (it
    /// would match them all), and `%` or `_` are not wildcards.
    pub fn project(&self, id_or_prefix: &str) -> Result<ProjectRow, Error> {
        if id_or_prefix.trim().is_empty() {
            return Err(Error::ProjectNotFound(id_or_prefix.to_string()));
        }
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE substr(id, 1, length(?1)) = ?1
             ORDER BY id LIMIT 2"
        ))?;
        let found: Vec<ProjectRow> = stmt
            .query_map(params![id_or_prefix], project_from_row)?
            .collect::<Result<_, _>>()?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::ProjectNotFound(id_or_prefix.to_string())),
            _ => Err(Error::AmbiguousProjectId(id_or_prefix.to_string())),
        }
    }

    /// Every project, newest change first.
    pub fn projects(&self) -> Result<Vec<ProjectRow>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT {PROJECT_COLUMNS} FROM projects ORDER BY updated_at_ms DESC, id"
        ))?;
        let rows = stmt
            .query_map([], project_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Removes the project and its render records (the files are the caller's). The shots' jobs
    /// stay in the ledger as the record of what was spent, and their clips in the library.
    pub fn delete_project(&self, id: &str) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM renders WHERE project_id = ?1", params![id])?;
        let gone = tx.execute("DELETE FROM projects WHERE id = ?1", params![id])?;
        tx.commit()?;
        if gone == 0 {
            return Err(Error::ProjectNotFound(id.to_string()));
        }
        Ok(())
    }

    /// Every job made for the project, oldest first.
    pub fn project_jobs(&self, project_id: &str) -> Result<Vec<JobRecord>, Error> {
        project_jobs_in(&self.lock(), project_id)
    }

    /// The jobs the user picked for the project's shots.
    pub fn chosen_jobs(&self, project_id: &str) -> Result<Vec<JobId>, Error> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare("SELECT id FROM jobs WHERE project_id = ?1 AND chosen = 1 ORDER BY id")?;
        let rows = stmt
            .query_map(params![project_id], |r| Ok(JobId(r.get(0)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Makes `job` the chosen version of its shot (and no other job of that shot).
    pub fn choose_version(&self, job: &JobId) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let link: Option<(Option<String>, Option<i64>, Option<i64>)> = tx
            .query_row(
                "SELECT project_id, shot_start_ms, shot_end_ms FROM jobs WHERE id = ?1",
                params![job.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((Some(project), Some(start), Some(end))) = link else {
            return Err(Error::JobNotFound(job.clone()));
        };
        tx.execute(
            "UPDATE jobs SET chosen = (id = ?4)
             WHERE project_id = ?1 AND shot_start_ms = ?2 AND shot_end_ms = ?3",
            params![project, start, end, job.0],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Links a version to another span of its project (a shot the storyboard now has).
    pub fn relink_version(&self, job: &JobId, span: (i64, i64)) -> Result<(), Error> {
        let changed = self.lock().execute(
            "UPDATE jobs SET shot_start_ms = ?2, shot_end_ms = ?3 WHERE id = ?1 AND project_id IS NOT NULL",
            params![job.0, span.0, span.1],
        )?;
        if changed == 0 {
            return Err(Error::JobNotFound(job.clone()));
        }
        Ok(())
    }

    /// What was spent on the project (all versions; what Venice may have charged).
    pub fn project_spent_usd(&self, project_id: &str) -> Result<f64, Error> {
        project_spent_in(&self.lock(), project_id)
    }

    pub fn insert_render(&self, render: &RenderRow) -> Result<(), Error> {
        self.lock().execute(
            "INSERT INTO renders (id, project_id, created_at_ms, path, seconds, thumbnail_path)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                render.id,
                render.project_id,
                render.created_at_ms,
                render.path,
                render.seconds,
                render.thumbnail_path
            ],
        )?;
        Ok(())
    }

    /// A project's renders, newest first (or every render with `None`).
    pub fn renders(&self, project_id: Option<&str>) -> Result<Vec<RenderRow>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, project_id, created_at_ms, path, seconds, thumbnail_path FROM renders
             WHERE (?1 IS NULL OR project_id = ?1) ORDER BY created_at_ms DESC, id",
        )?;
        let rows = stmt
            .query_map(params![project_id], render_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records why "Generate all" stopped before the end (`None` clears it: a new run starts).
    pub fn set_project_stopped(&self, id: &str, why: Option<&str>) -> Result<(), Error> {
        self.lock().execute(
            "UPDATE projects SET stopped = ?2 WHERE id = ?1",
            params![id, why],
        )?;
        Ok(())
    }

    /// Marks "Generate all" as under way or not, touching nothing else of the project.
    pub fn set_project_generating(&self, id: &str, generating: bool) -> Result<(), Error> {
        self.lock().execute(
            "UPDATE projects SET generating = ?2 WHERE id = ?1",
            params![id, generating],
        )?;
        Ok(())
    }

    /// The render with this id.
    pub fn render(&self, id: &str) -> Result<Option<RenderRow>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, project_id, created_at_ms, path, seconds, thumbnail_path FROM renders
             WHERE id = ?1",
        )?;
        Ok(stmt.query_row(params![id], render_from_row).optional()?)
    }

    /// Forgets a render (its files are the caller's to remove).
    pub fn delete_render(&self, id: &str) -> Result<(), Error> {
        self.lock()
            .execute("DELETE FROM renders WHERE id = ?1", params![id])?;
        Ok(())
    }
}
