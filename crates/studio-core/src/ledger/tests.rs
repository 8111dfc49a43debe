//! Ledger behaviour a user would notice: jobs survive restarts, nothing is queued twice, the
//! money adds up.

use super::*;

fn params(prompt: &str) -> JobParams {
    JobParams {
        theme: Some("Cyberpunk neon city".into()),
        prompt: prompt.into(),
        model: "wan-2.5-preview-text-to-video".into(),
        duration: "5s".into(),
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        audio: None,
        image_path: None,
        shot: None,
        references: Vec::new(),
    }
}

/// A saved 5 s 1280x720 video at `path`, no thumbnail.
fn media(path: &str) -> MediaInfo {
    MediaInfo {
        path: path.into(),
        bytes: 10,
        seconds: Some(5.0),
        width: Some(1280),
        height: Some(720),
        thumbnail: None,
    }
}

#[test]
fn a_job_and_its_queue_id_survive_closing_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/ledger.sqlite3");
    let id = {
        let ledger = Ledger::open(&path).unwrap();
        let job = ledger
            .insert_submitting("s1", &params("neon rain"), 0.35, Some(25.0), 1_000)
            .unwrap();
        assert_eq!(job.state, JobState::Submitting);
        ledger
            .mark_queued(&job.id, "q-123", Some("https://dl/x"), 2_000)
            .unwrap();
        job.id
    };
    let reopened = Ledger::open(&path).unwrap();
    let job = reopened.get(&id).unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert_eq!(job.queue_id.as_deref(), Some("q-123"));
    assert_eq!(job.download_url.as_deref(), Some("https://dl/x"));
    assert_eq!(job.params, params("neon rain"));
    assert_eq!(job.balance_usd_before, Some(25.0));
    assert_eq!((job.created_at_ms, job.updated_at_ms), (1_000, 2_000));
}

#[test]
fn restart_turns_an_interrupted_submission_into_outcome_unknown_and_resumes_the_rest() {
    let ledger = Ledger::open_in_memory().unwrap();
    let cut_off = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    let queued = ledger
        .insert_submitting("s", &params("b"), 0.3, None, 2)
        .unwrap();
    ledger.mark_queued(&queued.id, "q-b", None, 3).unwrap();
    let running = ledger
        .insert_submitting("s", &params("c"), 0.3, None, 4)
        .unwrap();
    ledger.mark_queued(&running.id, "q-c", None, 5).unwrap();
    ledger
        .record_progress(&running.id, 0.4, Some(9_000), 6)
        .unwrap();
    let done = ledger
        .insert_submitting("s", &params("d"), 0.3, None, 7)
        .unwrap();
    ledger.mark_queued(&done.id, "q-d", None, 8).unwrap();
    let media = media("/tmp/d.mp4");
    ledger.mark_ready(&done.id, &media, 9).unwrap();

    // A submission younger than the grace may still be answered: left alone.
    let young = ledger
        .insert_submitting("s", &params("e"), 0.3, None, 9)
        .unwrap();
    let recovered = ledger.recover_stale_submissions(10, 5).unwrap();
    assert_eq!(
        recovered.iter().map(|j| j.id.clone()).collect::<Vec<_>>(),
        vec![cut_off.id.clone()]
    );
    assert_eq!(ledger.get(&young.id).unwrap().state, JobState::Submitting);
    let resumed = ledger.in_flight().unwrap();
    let resumed_ids: Vec<_> = resumed.iter().map(|j| j.id.clone()).collect();
    assert_eq!(resumed_ids, vec![queued.id, running.id]);
    // Its late answer is still recorded, even after it was recovered as unknown.
    ledger.recover_stale_submissions(100, 5).unwrap();
    let late = ledger.mark_queued(&young.id, "q-e", None, 101).unwrap();
    assert_eq!(late.state, JobState::Queued);
    assert_eq!(late.failure, None, "the unknown-outcome note is gone");

    let unknown = ledger.get(&cut_off.id).unwrap();
    assert_eq!(unknown.state, JobState::OutcomeUnknown);
    assert!(
        unknown
            .failure
            .unwrap()
            .contains("not known whether Venice accepted it")
    );
    assert_eq!(ledger.get(&done.id).unwrap().media, Some(media));
}

#[test]
fn settled_jobs_refuse_to_move_again() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    ledger.mark_queued(&job.id, "q", None, 2).unwrap();
    ledger
        .mark_failed(&job.id, "Media expired on Venice", None, 3)
        .unwrap();
    let err = ledger.record_progress(&job.id, 0.5, None, 4).unwrap_err();
    assert!(
        matches!(
            err,
            Error::IllegalMove {
                from: JobState::Failed,
                ..
            }
        ),
        "{err}"
    );
    let err = ledger.mark_queued(&job.id, "q2", None, 5).unwrap_err();
    assert!(err.to_string().contains("cannot become queued"), "{err}");
    assert_eq!(ledger.get(&job.id).unwrap().queue_id.as_deref(), Some("q"));
}

#[test]
fn a_job_can_only_be_marked_queued_once() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    ledger.mark_queued(&job.id, "q-first", None, 2).unwrap();
    assert!(ledger.mark_queued(&job.id, "q-second", None, 3).is_err());
    assert_eq!(
        ledger.get(&job.id).unwrap().queue_id.as_deref(),
        Some("q-first")
    );
}

#[test]
fn progress_stays_below_done_until_the_file_is_saved() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    ledger.mark_queued(&job.id, "q", None, 2).unwrap();
    let job = ledger.record_progress(&job.id, 1.7, Some(0), 3).unwrap();
    assert_eq!(job.progress, 0.99);
    assert_eq!(job.eta_ms, Some(0));
    let media = media("/tmp/a.mp4");
    let job = ledger.mark_ready(&job.id, &media, 4).unwrap();
    assert_eq!((job.progress, job.eta_ms), (1.0, None));
}

#[test]
fn spending_counts_what_venice_may_have_charged() {
    let ledger = Ledger::open_in_memory().unwrap();
    // Refused by Venice at queue time: no queue_id, nothing charged.
    let refused = ledger
        .insert_submitting("s1", &params("a"), 1.0, None, 1)
        .unwrap();
    ledger.mark_failed(&refused.id, "402", None, 2).unwrap();
    // Failed after queueing, refunded: nothing charged.
    let refunded = ledger
        .insert_submitting("s1", &params("b"), 2.0, None, 3)
        .unwrap();
    ledger.mark_queued(&refunded.id, "q", None, 4).unwrap();
    ledger
        .mark_failed(&refunded.id, "policy", Some(true), 5)
        .unwrap();
    // Failed after queueing, no refund: charged.
    let lost = ledger
        .insert_submitting("s1", &params("c"), 4.0, None, 6)
        .unwrap();
    ledger.mark_queued(&lost.id, "q2", None, 7).unwrap();
    ledger.mark_failed(&lost.id, "500", Some(false), 8).unwrap();
    // Unknown outcome: counted, to stay on the safe side of a budget.
    let unknown = ledger
        .insert_submitting("s2", &params("d"), 8.0, None, 9)
        .unwrap();
    ledger
        .mark_outcome_unknown(&unknown.id, "timeout", 10)
        .unwrap();
    // In flight in another session.
    let flying = ledger
        .insert_submitting("s2", &params("e"), 16.0, None, 11)
        .unwrap();
    ledger.mark_queued(&flying.id, "q3", None, 12).unwrap();

    assert_eq!(ledger.spent_usd(Some("s1")).unwrap(), 4.0);
    assert_eq!(ledger.spent_usd(Some("s2")).unwrap(), 24.0);
    assert_eq!(ledger.spent_usd(None).unwrap(), 28.0);
    let nothing = ledger.spent_usd(Some("no-such-session")).unwrap();
    assert_eq!(format!("{nothing:.2}"), "0.00", "never -0.00");
}

#[test]
fn the_user_can_settle_an_unknown_outcome() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    ledger
        .mark_outcome_unknown(&job.id, "timeout after sending", 2)
        .unwrap();
    let job = ledger
        .mark_failed(&job.id, "The user dismissed it", None, 4)
        .unwrap();
    assert_eq!(job.state, JobState::Failed);
    // Nothing to fetch: Venice never gave it a queue id.
    assert!(ledger.refetch(&job.id, 5).is_err());
}

#[test]
fn a_late_answer_from_venice_settles_an_unknown_outcome() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    ledger
        .mark_outcome_unknown(&job.id, "the studio stopped", 2)
        .unwrap();
    let job = ledger.mark_queued(&job.id, "q", None, 3).unwrap();
    assert_eq!((job.state, job.failure), (JobState::Queued, None));
    // ...once: a second answer for another Venice job cannot take the row over.
    assert!(ledger.mark_queued(&job.id, "q-other", None, 4).is_err());
    assert_eq!(ledger.get(&job.id).unwrap().queue_id.as_deref(), Some("q"));
}

#[test]
fn a_failed_job_with_a_copy_on_venice_can_be_fetched_again_not_resubmitted() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.3, None, 1)
        .unwrap();
    ledger.mark_queued(&job.id, "q", None, 2).unwrap();
    ledger
        .mark_failed(&job.id, "Venice kept sending a broken file", None, 3)
        .unwrap();
    let again = ledger.refetch(&job.id, 4).unwrap();
    assert_eq!(again.state, JobState::Queued);
    assert_eq!(again.queue_id.as_deref(), Some("q"));
    assert_eq!((again.failure, again.progress), (None, 0.0));
    // Not while it is in flight, and not once Venice's copy is gone.
    assert!(ledger.refetch(&job.id, 5).is_err());
    ledger.mark_failed(&job.id, "again", None, 6).unwrap();
    ledger.mark_venice_copy_deleted(&job.id, 7).unwrap();
    let err = ledger.refetch(&job.id, 8).unwrap_err().to_string();
    assert!(err.contains("copy was deleted"), "{err}");
}

#[test]
fn unknown_job_ids_say_so() {
    let ledger = Ledger::open_in_memory().unwrap();
    let err = ledger.get(&JobId("nope".into())).unwrap_err();
    assert_eq!(err.to_string(), "no job nope in the ledger");
}

#[test]
fn removing_a_video_keeps_the_job_and_what_it_cost() {
    let ledger = Ledger::open_in_memory().unwrap();
    let job = ledger
        .insert_submitting("s", &params("a"), 0.35, None, 1)
        .unwrap();
    ledger.mark_queued(&job.id, "q", None, 2).unwrap();
    let err = ledger.mark_removed(&job.id, 3).unwrap_err();
    assert!(err.to_string().contains("has no video"), "{err}");
    let media = MediaInfo {
        thumbnail: Some("/tmp/a.jpg".into()),
        ..media("/tmp/a.mp4")
    };
    ledger.mark_ready(&job.id, &media, 4).unwrap();
    let removed = ledger.mark_removed(&job.id, 5).unwrap();
    assert_eq!(
        (removed.state, removed.media, removed.removed_at_ms),
        (JobState::Ready, None, Some(5))
    );
    assert_eq!(ledger.spent_usd(None).unwrap(), 0.35);
}

#[test]
fn a_version_1_ledger_is_migrated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE jobs (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
              updated_at_ms INTEGER NOT NULL, state TEXT NOT NULL, theme TEXT, prompt TEXT NOT NULL,
              model TEXT NOT NULL, duration TEXT NOT NULL, aspect_ratio TEXT, resolution TEXT, audio INTEGER,
              image_path TEXT, quote_usd REAL NOT NULL, balance_usd_before REAL, queue_id TEXT, download_url TEXT,
              progress REAL NOT NULL DEFAULT 0, eta_ms INTEGER, failure TEXT, credits_refunded INTEGER,
              file_path TEXT, file_bytes INTEGER, media_seconds REAL, width INTEGER, height INTEGER,
              thumbnail_path TEXT, venice_copy_deleted INTEGER NOT NULL DEFAULT 0);
             INSERT INTO jobs (id, session_id, created_at_ms, updated_at_ms, state, prompt, model, duration, quote_usd, queue_id)
               VALUES ('old', 's', 1, 1, 'queued', 'p', 'm', '5s', 0.5, 'q-old');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    let job = ledger.get(&JobId("old".into())).unwrap();
    assert_eq!(
        (job.state, job.queue_id.as_deref(), job.removed_at_ms),
        (JobState::Queued, Some("q-old"), None)
    );
}

fn project(id: &str) -> ProjectRow {
    ProjectRow {
        id: id.into(),
        name: "Neon nights".into(),
        created_at_ms: 1_000,
        updated_at_ms: 1_000,
        song_hash: "abc".into(),
        song_path: "/songs/abc.mp3".into(),
        settings: "{}".into(),
        storyboard: "{}".into(),
        paused: false,
        generating: false,
    }
}

fn shot_params(project: &str, start_ms: i64, end_ms: i64) -> JobParams {
    JobParams {
        shot: Some(ShotLink {
            project_id: project.into(),
            start_ms,
            end_ms,
        }),
        ..params("a shot")
    }
}

#[test]
fn a_project_and_its_shots_versions_survive_closing_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    {
        let ledger = Ledger::open(&path).unwrap();
        ledger.insert_project(&project("p-1234")).unwrap();
        let first = ledger
            .insert_submitting("s1", &shot_params("p-1234", 0, 4_000), 0.35, None, 2_000)
            .unwrap();
        let second = ledger
            .insert_submitting("s1", &shot_params("p-1234", 0, 4_000), 0.35, None, 3_000)
            .unwrap();
        ledger
            .insert_submitting("s1", &params("not in the project"), 0.35, None, 3_000)
            .unwrap();
        ledger.choose_version(&second.id).unwrap();
        ledger.choose_version(&first.id).unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    let found = ledger.project("p-12").unwrap();
    assert_eq!(found.name, "Neon nights");
    let jobs = ledger.project_jobs("p-1234").unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(
        jobs[0].params.shot,
        Some(ShotLink {
            project_id: "p-1234".into(),
            start_ms: 0,
            end_ms: 4_000
        })
    );
    // One pick per shot: the later pick replaced the earlier.
    assert_eq!(
        ledger.chosen_jobs("p-1234").unwrap(),
        vec![jobs[0].id.clone()]
    );
    // Both versions count as spent on the project; the other job does not.
    assert!((ledger.project_spent_usd("p-1234").unwrap() - 0.70).abs() < 1e-9);
}

#[test]
fn deleting_a_project_keeps_its_paid_clips_as_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    ledger.insert_project(&project("p-1")).unwrap();
    ledger.insert_project(&project("p-2")).unwrap();
    assert!(matches!(
        ledger.project("p-"),
        Err(Error::AmbiguousProjectId(_))
    ));
    let job = ledger
        .insert_submitting("s1", &shot_params("p-1", 0, 2_000), 0.5, None, 2_000)
        .unwrap();
    ledger
        .insert_render(&RenderRow {
            id: "r-1".into(),
            project_id: "p-1".into(),
            created_at_ms: 5_000,
            path: "/videos/p-1.mp4".into(),
            seconds: 60.0,
            thumbnail_path: None,
        })
        .unwrap();
    ledger.delete_project("p-1").unwrap();
    assert!(matches!(
        ledger.project("p-1"),
        Err(Error::ProjectNotFound(_))
    ));
    assert!(ledger.renders(Some("p-1")).unwrap().is_empty());
    assert_eq!(ledger.get(&job.id).unwrap().quote_usd, 0.5);
    assert_eq!(ledger.projects().unwrap().len(), 1);
}

#[test]
fn a_jobs_reference_images_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    let with_refs = JobParams {
        references: vec!["/refs/fox.png".into(), "/refs/fox-side.png".into()],
        ..params("the fox again")
    };
    let job = ledger
        .insert_submitting("s1", &with_refs, 0.35, None, 1_000)
        .unwrap();
    assert_eq!(
        ledger.get(&job.id).unwrap().params.references,
        with_refs.references
    );
    let plain = ledger
        .insert_submitting("s1", &params("no refs"), 0.35, None, 1_000)
        .unwrap();
    assert!(ledger.get(&plain.id).unwrap().params.references.is_empty());
}
