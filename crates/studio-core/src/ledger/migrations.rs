//! Versioned schema migrations for the ledger, tracked in SQLite's `user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::Error;

/// Each entry moves the schema from version `index` to `index + 1`. Append only: never edit a
/// migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the jobs table.
    "CREATE TABLE jobs (
        id                  TEXT PRIMARY KEY,
        session_id          TEXT NOT NULL,
        created_at_ms       INTEGER NOT NULL,
        updated_at_ms       INTEGER NOT NULL,
        state               TEXT NOT NULL,
        theme               TEXT,
        prompt              TEXT NOT NULL,
        model               TEXT NOT NULL,
        duration            TEXT NOT NULL,
        aspect_ratio        TEXT,
        resolution          TEXT,
        audio               INTEGER,
        image_path          TEXT,
        quote_usd           REAL NOT NULL,
        balance_usd_before  REAL,
        queue_id            TEXT,
        download_url        TEXT,
        progress            REAL NOT NULL DEFAULT 0,
        eta_ms              INTEGER,
        failure             TEXT,
        credits_refunded    INTEGER,
        file_path           TEXT,
        file_bytes          INTEGER,
        media_seconds       REAL,
        width               INTEGER,
        height              INTEGER,
        thumbnail_path      TEXT,
        venice_copy_deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_by_state ON jobs(state);
    CREATE INDEX jobs_by_session ON jobs(session_id);",
    // 2: the user can remove a video from the library; the job stays as the record of what was
    // spent.
    "ALTER TABLE jobs ADD COLUMN removed_at_ms INTEGER;",
    // 3: music-video projects. A shot's versions are jobs linked to the project and the shot's
    // span; the user's pick among them is `chosen`. Renders are the finished videos.
    "CREATE TABLE projects (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        song_hash      TEXT NOT NULL,
        song_path      TEXT NOT NULL,
        settings       TEXT NOT NULL,
        storyboard     TEXT NOT NULL,
        paused         INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE renders (
        id             TEXT PRIMARY KEY,
        project_id     TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        path           TEXT NOT NULL,
        seconds        REAL NOT NULL,
        thumbnail_path TEXT
    );
    CREATE INDEX renders_by_project ON renders(project_id);
    ALTER TABLE jobs ADD COLUMN project_id TEXT;
    ALTER TABLE jobs ADD COLUMN shot_start_ms INTEGER;
    ALTER TABLE jobs ADD COLUMN shot_end_ms INTEGER;
    ALTER TABLE jobs ADD COLUMN chosen INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_by_project ON jobs(project_id, shot_start_ms);",
    // 4: a job's reference images (a JSON list of paths), sent as `reference_image_urls`.
    "ALTER TABLE jobs ADD COLUMN reference_paths TEXT;",
    // 5: "Generate all" is under way for the project until every shot is queued, so the app can
    // carry on after a restart (a continuity chain queues shots one after another).
    "ALTER TABLE projects ADD COLUMN generating INTEGER NOT NULL DEFAULT 0;",
    // 6: one "Generate all" per project across processes (a lease: who runs it, until when
    // unless renewed), a revision bumped by every edit of the storyboard or settings, which a
    // run checks in the same transaction that claims a shot, and why the last run stopped early.
    "ALTER TABLE projects ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE projects ADD COLUMN lease_holder TEXT;
    ALTER TABLE projects ADD COLUMN lease_until_ms INTEGER;
    ALTER TABLE projects ADD COLUMN stopped TEXT;",
    // 7: what Venice's usage history shows it charged for an
    // outcome-unknown job settled as charged (its video cannot be fetched: no queue id).
    "ALTER TABLE jobs ADD COLUMN charged_usd REAL;",
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Brings the database up to [`LATEST`], one transaction per step. Returns the version found.
pub fn migrate(conn: &mut Connection) -> Result<u32, Error> {
    let mut found = None;
    loop {
        // Read and write the version inside one IMMEDIATE transaction, so two processes opening a
        // new ledger at the same moment take turns instead of both creating the tables.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        found.get_or_insert(version);
        if version > LATEST {
            return Err(Error::LedgerTooNew {
                found: version,
                supported: LATEST,
            });
        }
        let Some(sql) = MIGRATIONS.get(version as usize) else {
            return Ok(found.unwrap_or(version));
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_reports_the_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(migrate(&mut conn).unwrap(), LATEST);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'jobs'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn two_processes_creating_a_new_ledger_at_once_both_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut conn = Connection::open(&path).unwrap();
                    conn.busy_timeout(std::time::Duration::from_secs(5))
                        .unwrap();
                    migrate(&mut conn)
                })
            })
            .collect();
        for opener in openers {
            opener
                .join()
                .unwrap()
                .expect("every opener sees a migrated ledger");
        }
    }

    #[test]
    fn a_ledger_from_a_newer_studio_is_refused_not_clobbered() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(err.to_string().contains("newer version"), "{err}");
    }
}
