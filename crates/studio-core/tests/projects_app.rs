//! What the desktop app needs of music-video projects, through the core against the Venice
//! double: a song imported by its name, the song corrected from a project (the storyboard planned
//! again on it), settings changed and the project renamed, a price per shot that adds up to the
//! whole, "Generate all" carried on after the app was closed in the middle of it, and renders
//! listed and deleted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{engine_config, env_with};
use studio_core::projects::{ProjectSettings, SongEdit};
use venice_sim::{ClipConfig, SimConfig};

const T2V: &str = "wan-2.5-preview-text-to-video";
const I2V: &str = "wan-2.5-preview-image-to-video";

fn demo_song() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-song/demo-song.ogg")
}

fn clip_sim(job_ms: u64) -> SimConfig {
    SimConfig {
        job_duration: Duration::from_millis(job_ms),
        clips: Some(ClipConfig::in_dir(
            std::env::temp_dir().join("venice-sim-clips"),
        )),
        ..SimConfig::default()
    }
}

fn settings(model: &str) -> ProjectSettings {
    ProjectSettings {
        theme: "Neon city at night, a runner".into(),
        model: model.into(),
        resolution: Some("480p".into()),
        aspect_ratio: Some("16:9".into()),
        ..ProjectSettings::default()
    }
}

/// A text-to-video project of the demo song, imported as the app does.
async fn demo_project(env: &common::Env) -> studio_core::projects::Project {
    let song = env.studio.import_song(&demo_song()).await.unwrap();
    env.studio
        .new_project(&song.path, settings(T2V), None)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_song_keeps_the_name_it_was_picked_by() {
    let env = env_with(clip_sim(200), engine_config()).await;
    // The demo song has a title tag; a copy without tags is known by its file name.
    let tagged = env.studio.import_song(&demo_song()).await.expect("imports");
    assert_eq!(tagged.title, "Neon Run (demo)");
    let picked = env.dir.path().join("My Song.wav");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(demo_song())
        .args(["-map_metadata", "-1"])
        .arg(&picked)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    let song = env.studio.import_song(&picked).await.expect("imports");
    assert_eq!(song.title, "My Song");
    assert!(song.path.starts_with(env.dir.path()), "{:?}", song.path);
    assert_ne!(
        song.path, picked,
        "the project works from the library's copy"
    );
    assert!((song.song.analysis.duration_s - 41.5).abs() < 0.1);
    assert!((song.song.analysis.tempo_bpm - 120.0).abs() < 1.0);
    // A project made from the library copy shows the same title.
    let project = env
        .studio
        .new_project(&song.path, settings(T2V), None)
        .await
        .expect("project");
    let again = env.studio.project_song(&project).await.unwrap();
    assert_eq!(again.title, "My Song");
    assert_eq!(project.name, "My Song: Neon city at night, a runner");
    assert!(
        env.studio
            .import_song(Path::new("/no/such/song.mp3"))
            .await
            .is_err()
    );
}

/// Imports `file` on a runtime of its own, within 20 s, and lets that runtime go without waiting
/// for its threads: a regression that blocks a thread for ever (opening a FIFO, hashing
/// /dev/zero) fails the test instead of hanging it.
fn import_within_limit(file: &Path) -> Result<studio_core::projects::ImportedSong, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let file = file.to_path_buf();
    let outcome = runtime.block_on(async move {
        let env = env_with(SimConfig::default(), engine_config()).await;
        tokio::time::timeout(Duration::from_secs(20), env.studio.import_song(&file)).await
    });
    runtime.shutdown_background();
    outcome
        .expect("the import answers within 20 s instead of hanging")
        .map_err(|e| e.to_string())
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_song_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("x.mp3");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let message = import_within_limit(&fifo).expect_err("a FIFO is no song");
    assert!(message.contains("x.mp3"), "{message}");
    assert!(message.contains("not a regular file"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_named_like_a_song_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("zero.mp3");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let message = import_within_limit(&link).expect_err("a device is no song");
    assert!(message.contains("zero.mp3"), "{message}");
    assert!(message.contains("not a regular file"), "{message}");
}

#[test]
fn a_text_file_named_like_a_song_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.mp3");
    std::fs::write(&text, "shopping list: eggs, milk\n".repeat(100)).unwrap();
    let message = import_within_limit(&text).expect_err("text is no song");
    assert!(message.contains("notes.mp3"), "{message}");
    assert!(message.contains("not an audio file"), "{message}");
}

#[test]
fn a_song_file_over_the_size_cap_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.wav");
    // Sparse: the size says 1 GiB and a bit, the disk holds nothing.
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(studio_core::songs::MAX_SONG_BYTES + 1)
        .unwrap();
    drop(file);
    let message = import_within_limit(&huge).expect_err("too big");
    assert!(message.contains("huge.wav"), "{message}");
    assert!(message.contains("1 GiB"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shot_prices_add_up_to_the_whole_price() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let project = demo_project(&env).await;
    let quote = env.studio.quote_project(&project.id).await.unwrap();
    assert_eq!(quote.shot_usd.len(), project.storyboard.shots.len());
    assert!(
        quote.shot_usd.iter().all(|p| *p > 0.0),
        "{:?}",
        quote.shot_usd
    );
    let sum: f64 = quote.shot_usd.iter().sum();
    assert!(
        (sum - quote.whole.usd).abs() < 0.005,
        "{sum} vs {}",
        quote.whole.usd
    );
    assert!((quote.to_spend.usd - quote.whole.usd).abs() < 0.005);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correcting_the_song_plans_the_storyboard_again_on_it() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let project = demo_project(&env).await;
    let cuts = |p: &studio_core::projects::Project| -> Vec<f64> {
        p.storyboard.shots.iter().map(|s| s.start_s).collect()
    };
    let before = cuts(&project);
    assert!(
        before.iter().any(|c| (c - 16.0).abs() < 0.05),
        "a cut on the section change at 16 s: {before:?}"
    );
    // The section from 16 s now starts two bars later: the storyboard follows it.
    let moved = env
        .studio
        .edit_project_song(
            &project.id,
            SongEdit::MoveSection {
                from_s: 16.0,
                to_s: 20.0,
            },
        )
        .await
        .expect("moves");
    let after = cuts(&moved);
    assert!(after.iter().any(|c| (c - 20.0).abs() < 0.05), "{after:?}");
    let reopened = env.studio.project(&project.id).await.unwrap();
    assert_eq!(cuts(&reopened), after, "saved");
    let song_now = env.studio.project_song(&reopened).await.unwrap().song;
    assert!(
        song_now
            .analysis
            .sections
            .iter()
            .any(|s| (s.start_s - 20.0).abs() < 0.05)
    );
    // A bad tempo is refused with the range, and nothing changes.
    let err = env
        .studio
        .edit_project_song(&project.id, SongEdit::Bpm { bpm: 900.0 })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("300"), "{err}");
    assert_eq!(cuts(&env.studio.project(&project.id).await.unwrap()), after);
    // Reset goes back to the analysis as found.
    let reset = env
        .studio
        .edit_project_song(&project.id, SongEdit::Reset)
        .await
        .unwrap();
    assert_eq!(cuts(&reset), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_and_changing_settings() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let project = demo_project(&env).await;
    let renamed = env
        .studio
        .rename_project(&project.id, "  Night run  ")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Night run");
    assert!(env.studio.rename_project(&project.id, "   ").await.is_err());
    // Edited shot prompts survive a new theme; the others are written again.
    let edited = env
        .studio
        .edit_storyboard(
            &project.id,
            studio_core::projects::StoryboardEdit::Prompt {
                shot: 0,
                text: "My own first shot".into(),
            },
        )
        .await
        .unwrap();
    let mut new = edited.settings.clone();
    new.theme = "A desert road at dawn".into();
    let changed = env
        .studio
        .update_project_settings(&project.id, new)
        .await
        .unwrap();
    assert_eq!(changed.settings.theme, "A desert road at dawn");
    assert!(
        changed.storyboard.shots[0]
            .prompt
            .starts_with("My own first shot")
    );
    assert_eq!(changed.name, "Night run");
    // An unknown model is refused and nothing is saved.
    let mut bad = changed.settings.clone();
    bad.model = "no-such-model".into();
    assert!(
        env.studio
            .update_project_settings(&project.id, bad)
            .await
            .is_err()
    );
    assert_eq!(
        env.studio
            .project(&project.id)
            .await
            .unwrap()
            .settings
            .model,
        T2V
    );
    let mut empty = changed.settings.clone();
    empty.theme = " ".into();
    assert!(
        env.studio
            .update_project_settings(&project.id, empty)
            .await
            .is_err()
    );
}

fn start_png(dir: &Path) -> PathBuf {
    let start = dir.join("start.png");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=0x2a9d8f:s=320x180:d=1")
        .args(["-frames:v", "1"])
        .arg(&start)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    start
}

/// The app is closed while "Generate all" chains shots (each waits for the previous clip): the
/// project is still marked as generating, and running it again when the app opens queues the
/// rest, every shot exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_all_carries_on_after_the_app_was_closed_in_the_middle() {
    let env = env_with(clip_sim(600), engine_config()).await;
    let poller = env.studio.start_poller().unwrap();
    let song = env.studio.import_song(&demo_song()).await.unwrap();
    let mut chain = settings(I2V);
    chain.continuity = true;
    // Image-to-video models take their shape from the start image.
    chain.aspect_ratio = None;
    chain.references = vec![start_png(env.dir.path())];
    let project = env
        .studio
        .new_project(&song.path, chain, None)
        .await
        .unwrap();
    let shots = project.storyboard.shots.len();
    assert!(shots >= 3, "{shots} shots");
    assert!(env.studio.projects_generating().await.unwrap().is_empty());

    let studio = env.studio.clone();
    let id = project.id.clone();
    let run = tokio::spawn(async move { studio.generate_project(&id).await });
    // Closed once the second shot is on its way.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = env.studio.project_status(&project.id).await.unwrap();
        if status.jobs.len() >= 2 {
            break;
        }
        if run.is_finished() {
            panic!("generate all ended early: {:?}", run.await);
        }
        assert!(tokio::time::Instant::now() < deadline, "shots never queued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    run.abort();
    let _ = run.await;
    poller.stop();
    assert!(env.studio.project(&project.id).await.unwrap().generating);

    // The app opens again.
    let studio = env.reopen(engine_config());
    let poller = studio.start_poller().unwrap();
    assert_eq!(
        studio.projects_generating().await.unwrap(),
        vec![project.id.clone()]
    );
    let report = studio
        .generate_project(&project.id)
        .await
        .expect("carries on");
    assert!(!report.paused);
    assert!(
        !studio.project(&project.id).await.unwrap().generating,
        "done"
    );
    assert!(studio.projects_generating().await.unwrap().is_empty());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let status = studio.project_status(&project.id).await.unwrap();
        if status.ready == shots {
            // Exactly one version per shot: nothing was queued twice.
            assert_eq!(status.jobs.len(), shots);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {shots} ready",
            status.ready
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(env.sim.queue_requests().len(), shots);
    poller.stop();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_is_never_written_over_the_library() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = demo_project(&env).await;
    env.studio.generate_project(&project.id).await.unwrap();
    let shots = project.storyboard.shots.len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while env.studio.project_status(&project.id).await.unwrap().ready < shots {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let jobs = env.studio.jobs().unwrap();
    let clip = jobs
        .iter()
        .find_map(|j| j.media.as_ref())
        .unwrap()
        .path
        .clone();
    let data = env.dir.path().join("data");
    let song_before = std::fs::read(&project.song_path).unwrap();
    let clip_before = std::fs::read(&clip).unwrap();
    // The song, a paid clip, a new file in the media folder, in the thumbnails, in the data
    // folder through a `..`, and in the media folder named through a link.
    let link = env.dir.path().join("videos-link");
    std::os::unix::fs::symlink(env.dir.path().join("media"), &link).unwrap();
    let outs = [
        project.song_path.clone(),
        clip.clone(),
        env.dir.path().join("media").join("mine.mp4"),
        data.join("thumbnails").join("mine.mp4"),
        data.join("songs").join("..").join("mine.mp4"),
        link.join("mine.mp4"),
    ];
    for out in outs {
        let error = env
            .studio
            .render_project(
                &project.id,
                Some(out.clone()),
                false,
                |_| {},
                studio_core::render::CancelFlag::default(),
            )
            .await
            .expect_err("refused");
        let message = error.to_string();
        assert!(
            message.contains("inside the studio's library"),
            "{}: {message}",
            out.display()
        );
    }
    assert_eq!(std::fs::read(&project.song_path).unwrap(), song_before);
    assert_eq!(std::fs::read(&clip).unwrap(), clip_before);
    assert!(env.studio.all_renders().await.unwrap().is_empty());
    // Outside the library it renders.
    let mine = env.dir.path().join("exports").join("mine.mp4");
    let done = env
        .studio
        .render_project(
            &project.id,
            Some(mine.clone()),
            false,
            |_| {},
            studio_core::render::CancelFlag::default(),
        )
        .await
        .expect("renders outside the library");
    assert_eq!(done.path, mine);
    poller.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projects_song_is_read_by_its_hash_not_hashed_again() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let project = demo_project(&env).await;
    let before = env.studio.project_song(&project).await.unwrap();
    assert_eq!(before.song.content_hash, project.song_hash);
    // The library copy is not read again to show the project: with other bytes in it, the
    // project still shows its own song, from the analysis cached under its hash.
    std::fs::write(&project.song_path, b"not the song any more").unwrap();
    let again = env
        .studio
        .project_song(&project)
        .await
        .expect("the project's song without reading the file");
    assert_eq!(again.song.content_hash, project.song_hash);
    assert!(again.song.cached);
    assert_eq!(again.song.analysis, before.song.analysis);
    assert_eq!(again.title, before.title);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_clears_generate_all() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let project = demo_project(&env).await;
    let paused = env.studio.pause_project(&project.id).await.unwrap();
    assert!(paused.paused && !paused.generating);
    assert!(env.studio.projects_generating().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renders_are_listed_and_deleted_with_their_files() {
    let env = env_with(clip_sim(200), engine_config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = demo_project(&env).await;
    env.studio.generate_project(&project.id).await.unwrap();
    let shots = project.storyboard.shots.len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while env.studio.project_status(&project.id).await.unwrap().ready < shots {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let render = |out: Option<PathBuf>| {
        env.studio.render_project(
            &project.id,
            out,
            false,
            |_| {},
            studio_core::render::CancelFlag::default(),
        )
    };
    let done = render(None).await.expect("renders");
    assert!((done.seconds - 41.5).abs() < 0.1, "{}", done.seconds);
    let all = env.studio.all_renders().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, done.id);
    assert!(env.studio.render_row(&done.id).await.unwrap().is_some());
    // A second render is a file of its own: deleting the first leaves it.
    let second = render(None).await.expect("renders again");
    assert_ne!(second.path, done.path);
    assert_ne!(second.thumbnail, done.thumbnail);
    env.studio.delete_render(&done.id).await.unwrap();
    assert!(!done.path.exists(), "the file is gone");
    assert!(second.path.is_file(), "the newer render stays");
    assert!(second.thumbnail.as_ref().is_some_and(|t| t.is_file()));
    let left = env.studio.all_renders().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, second.id);
    assert!(env.studio.delete_render(&done.id).await.is_err());
    env.studio.delete_render(&second.id).await.unwrap();
    assert!(env.studio.all_renders().await.unwrap().is_empty());
    // The paid clips stay.
    assert_eq!(
        env.studio.project_status(&project.id).await.unwrap().ready,
        shots
    );
    poller.stop();
}
