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
        revision: 0,
        lease_holder: None,
        lease_until_ms: None,
        stopped: None,
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

#[test]
fn an_empty_or_wildcard_prefix_names_no_project() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    ledger.insert_project(&project("p-only")).unwrap();
    for prefix in ["", " ", "%", "_", "p%"] {
        assert!(
            matches!(ledger.project(prefix), Err(Error::ProjectNotFound(_))),
            "{prefix:?} must not find the only project"
        );
    }
    assert_eq!(ledger.project("p-o").unwrap().id, "p-only");
}

#[test]
fn one_lease_holder_at_a_time_until_it_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    ledger.insert_project(&project("p-1")).unwrap();
    assert_eq!(ledger.take_lease("p-1", "app", 1_000, 500).unwrap(), None);
    // Another holder waits while the lease is live...
    let held = ledger.take_lease("p-1", "cli", 1_200, 500).unwrap();
    assert_eq!(held.map(|l| l.holder), Some("app".to_string()));
    // ...the holder's heartbeat keeps it...
    assert!(ledger.renew_lease("p-1", "app", 1_400, 500).unwrap());
    assert!(
        ledger
            .take_lease("p-1", "cli", 1_800, 500)
            .unwrap()
            .is_some()
    );
    // ...and once it stops, the lease runs out and the other takes it over.
    assert_eq!(ledger.take_lease("p-1", "cli", 1_901, 500).unwrap(), None);
    assert!(
        !ledger.renew_lease("p-1", "app", 1_950, 500).unwrap(),
        "the old holder lost it"
    );
    // Letting go: only the holder's own release counts.
    ledger.release_lease("p-1", "app").unwrap();
    assert!(ledger.lease("p-1", 2_000).unwrap().is_some());
    ledger.release_lease("p-1", "cli").unwrap();
    assert_eq!(ledger.lease("p-1", 2_000).unwrap(), None);
}

#[test]
fn a_refused_claim_writes_nothing_and_an_allowed_one_writes_its_job() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    ledger.insert_project(&project("p-1")).unwrap();
    let shot = shot_params("p-1", 0, 2_000);
    let refused = ledger.claim_job("p-1", "s1", &shot, 0.5, None, 1_000, |_| {
        Err(Error::Refused("no".into()))
    });
    assert!(refused.is_err());
    assert!(ledger.project_jobs("p-1").unwrap().is_empty());
    let claimed = ledger
        .claim_job("p-1", "s1", &shot, 0.5, None, 1_000, |view| {
            assert!(view.jobs.is_empty());
            assert_eq!(view.project_spent_usd, 0.0);
            Ok(())
        })
        .unwrap();
    assert_eq!(claimed.state, JobState::Submitting);
    // The next claim sees the first, in flight, as spent.
    ledger
        .claim_job("p-1", "s1", &shot, 0.5, None, 1_000, |view| {
            assert_eq!(view.jobs.len(), 1);
            assert!((view.project_spent_usd - 0.5).abs() < 1e-9);
            Ok(())
        })
        .unwrap();
}

#[test]
fn claims_from_many_threads_each_see_the_ones_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    Ledger::open(&path)
        .unwrap()
        .insert_project(&project("p-1"))
        .unwrap();
    // Eight "processes" (connections of their own) race to claim one span: one wins.
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let ledger = Ledger::open(&path).unwrap();
                ledger
                    .claim_job(
                        "p-1",
                        "s",
                        &shot_params("p-1", 0, 2_000),
                        0.5,
                        None,
                        1,
                        |view| {
                            if view.jobs.is_empty() {
                                Ok(())
                            } else {
                                Err(Error::Refused("taken".into()))
                            }
                        },
                    )
                    .is_ok()
            })
        })
        .collect();
    let won = racers
        .into_iter()
        .map(|r| r.join().unwrap_or(false))
        .filter(|won| *won)
        .count();
    assert_eq!(won, 1);
    assert_eq!(
        Ledger::open(&path)
            .unwrap()
            .project_jobs("p-1")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_edit_saves_only_what_it_changes_and_refuses_a_stale_revision() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    ledger.insert_project(&project("p-1")).unwrap();
    let read = ledger.project("p-1").unwrap();
    // Paused and generating while a slow edit was under way.
    ledger.set_project_generating("p-1", true).unwrap();
    ledger.set_project_paused("p-1", true, 2_000).unwrap();
    let edited = ProjectRow {
        name: "Renamed".into(),
        ..read.clone()
    };
    assert_eq!(
        ledger.save_project_edit(&edited, Some(0), 3_000).unwrap(),
        1
    );
    let now = ledger.project("p-1").unwrap();
    assert_eq!(now.name, "Renamed");
    assert!(now.paused, "the edit did not undo the pause");
    assert!(!now.generating, "a pause ends Generate all");
    // Read at revision 0, saved after someone else's edit: refused, nothing written.
    let stale = ProjectRow {
        name: "Stale".into(),
        ..read
    };
    assert!(matches!(
        ledger.save_project_edit(&stale, Some(0), 4_000),
        Err(Error::ProjectChanged(_))
    ));
    assert_eq!(ledger.project("p-1").unwrap().name, "Renamed");
}
