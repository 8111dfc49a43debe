//! The music-video state as a user would notice it: a job's progress moves its card, a finished
//! job asks for the project again, a version pick shows at once, the money bar's figures add up,
//! Generate all says why it is blocked (over budget, nothing left, quoting, generating), stale
//! answers are dropped, renders reach the gallery and the player; and the pure helpers behind
//! the cards' buttons (time ranges, beats for the cut buttons, the split point).

use studio_api::{
    DeletedProjectView, ErrorCode, GenerateEndedView, JobEventView, JobStateView, JobView,
    KeyStatus, ModelKind, ModelOption, PriceView, ProjectQuoteView, ProjectSettingsView,
    ProjectSummary, ProjectView, RenderEventView, RenderView, SectionView, ShotStateView, ShotView,
    SongView, UiError, VersionView, VideoView,
};

use super::video::{Page, Tab, VideoAction, Work};
use super::video_view::{
    clock, cut_moves, delete_warning, file_name, generate_all_label, is_audio, next_beat,
    overall_progress, previous_beat, regenerate_label, seconds_text, shot_badge, split_point,
    summary_state, time_range, whole_price_text,
};
use super::{Action, AppState};
use crate::format;

const PID: &str = "p1";

fn video(path: &str) -> VideoView {
    VideoView {
        path: path.into(),
        url: Some(format!("http://127.0.0.1:1/{path}")),
        bytes: 1000,
        seconds: Some(5.0),
        width: Some(1280),
        height: Some(720),
        thumbnail: Some(format!("{path}.jpg")),
    }
}

fn version(job_id: &str, state: JobStateView, chosen: bool) -> VersionView {
    VersionView {
        job_id: job_id.into(),
        state,
        created_at_ms: 1,
        cost_usd: 0.45,
        chosen,
        video: (state == JobStateView::Ready).then(|| video(job_id)),
    }
}

/// A 4/4 song at 120 BPM: a beat every 0.5 s for 16 s.
fn song() -> SongView {
    let beats: Vec<f64> = (0..32).map(|i| f64::from(i) * 0.5).collect();
    SongView {
        path: "/lib/song.ogg".into(),
        url: None,
        title: "Neon Run (demo)".into(),
        duration_s: 16.0,
        tempo_bpm: 120.0,
        beats_per_bar: 4,
        downbeats: beats.iter().copied().step_by(4).collect(),
        beats,
        sections: vec![SectionView {
            start_s: 0.0,
            end_s: 16.0,
            label: "verse".into(),
            energy: 1.0,
        }],
        peaks: vec![],
        edited: false,
        beat_confidence: 0.9,
        unsure_below: 0.5,
        analysis_ms: 10,
    }
}

fn shot(index: usize, start_s: f64, end_s: f64) -> ShotView {
    ShotView {
        index,
        start_s,
        end_s,
        section_label: "verse".into(),
        energy: 1.0,
        generate_s: 5,
        prompt: format!("shot {index}"),
        edited: false,
        state: ShotStateView::Planned,
        versions: vec![],
    }
}

/// Four 4-second shots; shot 1 is generating its job `j1`.
fn project() -> ProjectView {
    let mut shots: Vec<ShotView> = (0..4)
        .map(|i| shot(i, i as f64 * 4.0, (i + 1) as f64 * 4.0))
        .collect();
    shots[1].state = ShotStateView::Generating { progress: 0.0 };
    shots[1].versions = vec![version("j1", JobStateView::Queued, false)];
    ProjectView {
        id: PID.into(),
        name: "Neon Run (demo): city at night".into(),
        created_at_ms: 1,
        updated_at_ms: 1,
        settings: ProjectSettingsView {
            theme: "city at night".into(),
            model: "t2v".into(),
            ..ProjectSettingsView::default()
        },
        song: song(),
        shots,
        ready: 0,
        spent_usd: 0.45,
        paused: false,
        generating: true,
        stopped: None,
        renders: vec![],
    }
}

fn price(usd: f64, shots: usize) -> PriceView {
    PriceView {
        usd,
        shots,
        seconds_generated: 5 * shots as u32,
        seconds_used: 4.0 * shots as f64,
    }
}

fn quote(over: Option<&str>) -> ProjectQuoteView {
    ProjectQuoteView {
        project_id: PID.into(),
        whole: price(1.80, 4),
        to_spend: price(1.35, 3),
        shot_usd: vec![0.45; 4],
        spent_usd: 0.45,
        budget_usd: Some(5.0),
        over_budget: over.map(Into::into),
    }
}

fn model(id: &str, kind: ModelKind) -> ModelOption {
    ModelOption {
        id: id.into(),
        name: id.to_uppercase(),
        kind,
        durations: vec!["5s".into(), "10s".into()],
        resolutions: vec!["480p".into(), "720p".into()],
        aspect_ratios: vec!["16:9".into(), "9:16".into()],
        audio_configurable: false,
        prompt_limit: 1500,
        deprecated_on: None,
        offline: false,
        image_min_short_side: None,
        image_min_aspect: None,
        image_max_aspect: None,
    }
}

fn job(id: &str, project_id: Option<&str>, state: JobStateView) -> JobView {
    JobView {
        id: id.into(),
        state,
        theme: None,
        prompt: format!("prompt {id}"),
        model: "t2v".into(),
        duration: "5s".into(),
        aspect_ratio: None,
        resolution: None,
        progress: 0.0,
        eta_ms: None,
        created_at_ms: 1,
        updated_at_ms: 1,
        cost_usd: 0.45,
        failure: None,
        credits_refunded: None,
        video: (state == JobStateView::Ready).then(|| video(id)),
        can_fetch_again: false,
        project_id: project_id.map(Into::into),
    }
}

fn render(id: &str, created: i64) -> RenderView {
    RenderView {
        id: id.into(),
        project_id: PID.into(),
        project_name: "Neon Run (demo): city at night".into(),
        song_title: "Neon Run (demo)".into(),
        created_at_ms: created,
        video: video(id),
    }
}

fn act(s: &mut AppState, a: VideoAction) {
    s.apply(Action::Video(a));
}

/// The main screen with the project open, loaded (ticket 1) and priced.
fn open_state() -> AppState {
    let mut s = AppState::default();
    s.apply(Action::KeyLoaded(Ok(KeyStatus {
        is_set: false,
        last_four: None,
        demo: true,
    })));
    s.apply(Action::ModelsLoaded(Ok(vec![
        model("t2v", ModelKind::TextToVideo),
        model("i2v", ModelKind::ImageToVideo),
    ])));
    s.apply(Action::JobsLoaded(Ok(vec![
        job("j1", Some(PID), JobStateView::Queued),
        job("solo", None, JobStateView::Processing),
    ])));
    act(&mut s, VideoAction::Open(PID.into()));
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 1,
            result: Ok(project()),
        },
    );
    priced(&mut s, quote(None));
    s
}

/// Answers the quote for the current revision.
fn priced(s: &mut AppState, q: ProjectQuoteView) {
    let revision = s.video.revision;
    act(
        s,
        VideoAction::QuoteLoading {
            project_id: PID.into(),
            revision,
        },
    );
    act(
        s,
        VideoAction::QuoteDone {
            project_id: PID.into(),
            revision,
            result: Ok(q),
        },
    );
}

fn open(s: &AppState) -> &ProjectView {
    s.video.project.as_ref().expect("the project is open")
}

#[test]
fn opening_a_project_from_a_notification_switches_to_the_music_video_tab_and_reads_it() {
    let mut s = AppState::default();
    assert_eq!(
        s.video.tab,
        Tab::Clips,
        "the app starts on the Clips screen"
    );
    s.settings_open = true;
    act(&mut s, VideoAction::Open(PID.into()));
    assert_eq!(s.video.tab, Tab::MusicVideo);
    assert_eq!(s.video.page, Page::Project(PID.into()));
    assert_eq!(
        s.video.project_refresh, 1,
        "an effect reads it from the shell"
    );
    assert!(!s.settings_open);
    let failed = UiError::new(
        ErrorCode::NotFound,
        "No project p1: it may have been deleted.",
    );
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 1,
            result: Err(failed.clone()),
        },
    );
    assert_eq!(s.video.project_error, Some(failed.clone()));
    assert_eq!(s.toasts.last().map(|t| &t.error), Some(&failed));
}

#[test]
fn a_progress_event_moves_that_cards_progress_and_the_overall_bar() {
    let mut s = open_state();
    assert_eq!(shot_badge(&open(&s).shots[1]), "queued");
    s.apply(Action::Job(JobEventView::Progress {
        id: "j1".into(),
        percent: 40.0,
        eta_ms: Some(3000),
    }));
    let card = &open(&s).shots[1];
    assert_eq!(card.state, ShotStateView::Generating { progress: 0.4 });
    assert_eq!(shot_badge(card), "generating 40 %");
    assert_eq!(
        open(&s).shots[0].state,
        ShotStateView::Planned,
        "other cards stay"
    );
    assert!(
        (overall_progress(open(&s)) - 0.1).abs() < 1e-9,
        "0.4 of 4 shots"
    );
    assert_eq!(s.video.project_refresh, 1, "progress needs no new read");
    // The job list moves too (the queue hides it: it is a shot of the project).
    assert_eq!(s.job("j1").map(|j| j.progress), Some(0.4));
    assert!(s.queue().all(|j| j.id != "j1"));
}

#[test]
fn ready_failed_and_queued_events_ask_for_the_project_and_its_price_again() {
    let mut s = open_state();
    let before = s.video.project_refresh;
    s.apply(Action::Job(JobEventView::Ready {
        id: "j1".into(),
        path: "/m/j1.mp4".into(),
        cost_usd: 0.45,
    }));
    assert_eq!(s.video.project_refresh, before + 1);
    // The new view is a new revision: the money bar must be priced again.
    let revision = s.video.revision;
    let mut view = project();
    view.shots[1].state = ShotStateView::Ready;
    view.shots[1].versions = vec![version("j1", JobStateView::Ready, true)];
    view.ready = 1;
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(view),
        },
    );
    assert_eq!(s.video.revision, revision + 1);
    assert_eq!(open(&s).ready, 1);
    s.apply(Action::Job(JobEventView::Failed {
        id: "j1".into(),
        reason: "policy".into(),
        credits_refunded: Some(true),
    }));
    assert_eq!(s.video.project_refresh, before + 2);
}

#[test]
fn events_for_other_jobs_leave_the_project_alone_but_an_unknown_job_while_generating_refreshes_it()
{
    let mut s = open_state();
    let before = s.video.project_refresh;
    s.apply(Action::Job(JobEventView::Ready {
        id: "solo".into(),
        path: "/m/solo.mp4".into(),
        cost_usd: 0.3,
    }));
    assert_eq!(
        s.video.project_refresh, before,
        "a single clip is not a shot"
    );
    s.apply(Action::Job(JobEventView::Queued { id: "new".into() }));
    assert_eq!(
        s.video.project_refresh,
        before + 1,
        "a job nobody knows while the project generates is probably its next shot"
    );
    let mut idle = project();
    idle.generating = false;
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(idle),
        },
    );
    let before = s.video.project_refresh;
    s.apply(Action::Job(JobEventView::Queued { id: "other".into() }));
    assert_eq!(s.video.project_refresh, before);
}

#[test]
fn choosing_a_version_marks_it_chosen_at_once_and_a_refused_choice_reads_the_truth_again() {
    let mut s = open_state();
    let mut view = project();
    view.shots[0].state = ShotStateView::Ready;
    view.shots[0].versions = vec![
        version("a", JobStateView::Ready, true),
        version("b", JobStateView::Ready, false),
    ];
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(view),
        },
    );
    act(
        &mut s,
        VideoAction::VersionChosen {
            shot: 0,
            job_id: "b".into(),
        },
    );
    let chosen: Vec<bool> = open(&s).shots[0]
        .versions
        .iter()
        .map(|v| v.chosen)
        .collect();
    assert_eq!(chosen, [false, true]);
    assert_eq!(
        open(&s).shots[0].chosen().map(|v| v.job_id.as_str()),
        Some("b")
    );
    // An unknown job changes nothing.
    act(
        &mut s,
        VideoAction::VersionChosen {
            shot: 0,
            job_id: "zzz".into(),
        },
    );
    assert_eq!(
        open(&s).shots[0].chosen().map(|v| v.job_id.as_str()),
        Some("b")
    );
    let before = s.video.project_refresh;
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 3,
            result: Err(UiError::new(
                ErrorCode::InvalidInput,
                "That version failed.",
            )),
        },
    );
    assert_eq!(s.video.project_refresh, before + 1);
    assert_eq!(s.toasts.len(), 1);
}

#[test]
fn a_prompt_edit_shows_at_once_and_marks_the_shot_edited() {
    let mut s = open_state();
    act(
        &mut s,
        VideoAction::PromptEdited {
            shot: 2,
            text: "neon rain on glass".into(),
        },
    );
    assert_eq!(open(&s).shots[2].prompt, "neon rain on glass");
    assert!(open(&s).shots[2].edited);
    assert_eq!(open(&s).shots[3].prompt, "shot 3");
}

#[test]
fn the_money_bar_shows_the_whole_price_and_the_cards_prices_add_up_to_it() {
    let s = open_state();
    let q = s.video.project_quote().expect("priced");
    assert_eq!(whole_price_text(&q.whole), "$1.80 for 4 shots");
    assert_eq!(seconds_text(&q.whole), "20 s generated for 16 s used");
    assert_eq!(generate_all_label(Some(q)), "Generate all · $1.35");
    let labels: Vec<String> = open(&s)
        .shots
        .iter()
        .map(|shot| regenerate_label(shot, Some(q)))
        .collect();
    assert_eq!(labels[0], "Generate · $0.45", "no version yet");
    assert_eq!(labels[1], "Regenerate · $0.45");
    let sum: f64 = labels
        .iter()
        .map(|l| l.rsplit('$').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(format::usd(sum), format::usd(q.whole.usd));
    assert_eq!(
        super::video_view::spend_text(q.spent_usd, q.budget_usd),
        "$0.45 spent of a $5.00 budget"
    );
}

#[test]
fn over_budget_blocks_generate_all_with_the_quotes_reason() {
    let mut s = open_state();
    let mut idle = project();
    idle.generating = false;
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(idle),
        },
    );
    // A new revision: the old price is not trusted until the new one is in.
    let revision = s.video.revision;
    act(
        &mut s,
        VideoAction::QuoteLoading {
            project_id: PID.into(),
            revision,
        },
    );
    assert_eq!(
        s.video.generate_all_block().as_deref(),
        Some("Getting the price…")
    );
    priced(&mut s, quote(None));
    assert_eq!(s.video.generate_all_block(), None, "within budget: allowed");
    let why = "$1.35 is over the project's $1.00 budget; 2 shots ($0.90) would fit.";
    priced(&mut s, quote(Some(why)));
    assert_eq!(
        s.video.generate_all_block(),
        Some(format!("Over budget: {why}"))
    );
}

#[test]
fn generate_all_is_blocked_while_generating_and_when_nothing_is_left() {
    let mut s = open_state();
    assert!(
        s.video
            .generate_all_block()
            .is_some_and(|b| b.starts_with("Generating")),
        "the project is generating"
    );
    let mut idle = project();
    idle.generating = false;
    for shot in &mut idle.shots {
        shot.state = ShotStateView::Ready;
    }
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(idle),
        },
    );
    let mut done = quote(None);
    done.to_spend = price(0.0, 0);
    priced(&mut s, done);
    assert_eq!(
        s.video.generate_all_block().as_deref(),
        Some("Every shot has a clip: nothing left to generate.")
    );
    assert_eq!(generate_all_label(s.video.project_quote()), "Generate all");
    // Pressing it: blocked until its answer (same ticket) arrives.
    priced(&mut s, quote(None));
    act(
        &mut s,
        VideoAction::Working {
            ticket: 7,
            work: Work::Generate,
        },
    );
    assert_eq!(
        s.video.generate_all_block().as_deref(),
        Some("Starting the shots…")
    );
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 7,
            result: Err(UiError::new(
                ErrorCode::OverBudget,
                "Over the session budget.",
            )),
        },
    );
    assert_eq!(s.video.working, None);
    assert_eq!(
        s.toasts.last().unwrap().error.message,
        "Over the session budget."
    );
}

#[test]
fn stale_quotes_and_older_project_answers_are_dropped() {
    let mut s = open_state();
    let old_revision = s.video.revision;
    // A quote asked for the current revision...
    act(
        &mut s,
        VideoAction::QuoteLoading {
            project_id: PID.into(),
            revision: old_revision,
        },
    );
    // ...then the project changes (an edit answered) and is priced again.
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 5,
            result: Ok(project()),
        },
    );
    let new_revision = s.video.revision;
    act(
        &mut s,
        VideoAction::QuoteLoading {
            project_id: PID.into(),
            revision: new_revision,
        },
    );
    let mut stale = quote(None);
    stale.whole = price(9.99, 4);
    act(
        &mut s,
        VideoAction::QuoteDone {
            project_id: PID.into(),
            revision: old_revision,
            result: Ok(stale),
        },
    );
    assert!(s.video.quote.loading, "the old answer is not the price");
    act(
        &mut s,
        VideoAction::QuoteDone {
            project_id: PID.into(),
            revision: new_revision,
            result: Ok(quote(None)),
        },
    );
    assert_eq!(s.video.project_quote().unwrap().whole.usd, 1.80);
    // An answer to a request older than the one applied is dropped too.
    let mut older = project();
    older.name = "old name".into();
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 4,
            result: Ok(older),
        },
    );
    assert_ne!(open(&s).name, "old name");
    // And an answer for a project no longer open.
    act(&mut s, VideoAction::Open("p2".into()));
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 9,
            result: Ok(project()),
        },
    );
    assert_eq!(s.video.project, None);
    assert_eq!(s.video.project_quote(), None, "p1's price is not p2's");
}

#[test]
fn render_progress_updates_and_done_adds_it_to_the_gallery_and_opens_the_player() {
    let mut s = open_state();
    let mut all_ready = project();
    for shot in &mut all_ready.shots {
        shot.state = ShotStateView::Ready;
        shot.versions = vec![version(
            &format!("v{}", shot.index),
            JobStateView::Ready,
            true,
        )];
    }
    all_ready.generating = false;
    assert!(s.video.render_block().is_some(), "shots without clips");
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(all_ready),
        },
    );
    assert_eq!(s.video.render_block(), None);
    act(&mut s, VideoAction::RenderStarted(PID.into()));
    assert_eq!(s.video.render_block().as_deref(), Some("Rendering…"));
    s.apply(Action::Video(VideoAction::Render(
        RenderEventView::Progress {
            project_id: PID.into(),
            fraction: 0.42,
        },
    )));
    assert_eq!(s.video.rendering[PID].fraction, 0.42);
    s.apply(Action::Video(VideoAction::Render(RenderEventView::Done {
        project_id: PID.into(),
        render: render("r1", 10),
    })));
    assert!(s.video.rendering.is_empty());
    assert_eq!(s.video.renders.first().map(|r| r.id.as_str()), Some("r1"));
    assert_eq!(open(&s).renders.len(), 1);
    assert_eq!(s.playing.as_deref(), Some("r1"), "the player opens it");
    // The command's own answer arrives later: no duplicate, the player is not reopened.
    s.playing = None;
    act(
        &mut s,
        VideoAction::RenderAnswer {
            project_id: PID.into(),
            result: Ok(render("r1", 10)),
        },
    );
    assert_eq!(s.video.renders.len(), 1);
    assert_eq!(s.playing, None);
    // The player finds a render like a job; deleting its file takes it out of the gallery.
    let refresh = s.jobs_refresh;
    s.apply(Action::ShowVideo("r1".into()));
    assert_eq!(s.playing.as_deref(), Some("r1"));
    assert_eq!(
        refresh, s.jobs_refresh,
        "a render is known: the job list is not read again"
    );
    s.apply(Action::VideoDeleted("r1".into()));
    assert!(s.video.renders.is_empty() && open(&s).renders.is_empty());
    assert_eq!(s.playing, None);
}

#[test]
fn a_cancelled_render_ends_quietly_and_a_failed_one_says_why_once() {
    let mut s = open_state();
    act(&mut s, VideoAction::RenderStarted(PID.into()));
    act(&mut s, VideoAction::RenderCancelling(PID.into()));
    act(
        &mut s,
        VideoAction::RenderAnswer {
            project_id: PID.into(),
            result: Err(UiError::new(
                ErrorCode::Internal,
                "The render was cancelled.",
            )),
        },
    );
    assert!(s.video.rendering.is_empty() && s.toasts.is_empty());

    act(&mut s, VideoAction::RenderStarted(PID.into()));
    act(
        &mut s,
        VideoAction::Render(RenderEventView::Failed {
            project_id: PID.into(),
            message: "ffmpeg exited with status 1".into(),
        }),
    );
    act(
        &mut s,
        VideoAction::RenderAnswer {
            project_id: PID.into(),
            result: Err(UiError::new(
                ErrorCode::Internal,
                "ffmpeg exited with status 1",
            )),
        },
    );
    assert_eq!(s.toasts.len(), 1);
    assert!(s.toasts[0].error.message.contains("ffmpeg exited"));
}

#[test]
fn the_clips_gallery_and_queue_leave_project_shots_to_the_storyboard_except_ones_to_act_on() {
    let mut s = AppState::default();
    s.apply(Action::JobsLoaded(Ok(vec![
        job("clip", None, JobStateView::Ready),
        job("shot-ready", Some(PID), JobStateView::Ready),
        job("shot-busy", Some(PID), JobStateView::Processing),
        job("shot-failed", Some(PID), JobStateView::Failed),
        JobView {
            can_fetch_again: true,
            ..job("shot-fetchable", Some(PID), JobStateView::Failed)
        },
        job("shot-unknown", Some(PID), JobStateView::OutcomeUnknown),
        job("clip-busy", None, JobStateView::Queued),
    ])));
    let gallery: Vec<&str> = s.gallery().map(|j| j.id.as_str()).collect();
    assert_eq!(gallery, ["clip"]);
    let mut queue: Vec<&str> = s.queue().map(|j| j.id.as_str()).collect();
    queue.sort_unstable();
    // A failed shot with nothing to do here stays on its card: dozens of them no longer fill
    // the Clips queue.
    assert_eq!(queue, ["clip-busy", "shot-fetchable", "shot-unknown"]);
}

#[test]
fn a_new_project_needs_a_song_a_theme_and_for_image_models_a_reference_image() {
    let mut s = open_state();
    act(&mut s, VideoAction::StartNew);
    assert_eq!(s.video.page, Page::New);
    assert_eq!(
        s.video.draft.settings.model, "t2v",
        "the default model is chosen"
    );
    assert_eq!(s.video.draft.settings.aspect_ratio.as_deref(), Some("16:9"));
    let t2v = s.model("t2v").cloned();
    let i2v = s.model("i2v").cloned();
    assert_eq!(
        s.video.plan_block(t2v.as_ref()).as_deref(),
        Some("Choose a song first.")
    );
    act(&mut s, VideoAction::SongAnalysing("song.ogg".into()));
    assert_eq!(
        s.video.plan_block(t2v.as_ref()).as_deref(),
        Some("Analysing the song…")
    );
    act(&mut s, VideoAction::SongImported(Ok(song())));
    assert!(
        s.video
            .plan_block(t2v.as_ref())
            .is_some_and(|b| b.starts_with("Write a theme"))
    );
    let mut settings = s.video.draft.settings.clone();
    settings.theme = "city at night".into();
    act(&mut s, VideoAction::DraftSettings(settings.clone()));
    assert_eq!(s.video.plan_block(t2v.as_ref()), None);
    settings.model = "i2v".into();
    act(&mut s, VideoAction::DraftSettings(settings.clone()));
    assert_eq!(
        s.video.plan_block(i2v.as_ref()).as_deref(),
        Some("I2V makes video from an image: pick a reference image.")
    );
    settings.budget_usd = Some(0.0);
    settings.model = "t2v".into();
    act(&mut s, VideoAction::DraftSettings(settings));
    assert!(
        s.video
            .plan_block(t2v.as_ref())
            .is_some_and(|b| b.contains("budget"))
    );
    // Planned: the project opens and the draft is cleared.
    act(&mut s, VideoAction::Planning);
    assert_eq!(
        s.video.plan_block(t2v.as_ref()).as_deref(),
        Some("Planning…")
    );
    let mut fresh = project();
    fresh.id = "p9".into();
    act(&mut s, VideoAction::Planned(Ok(fresh)));
    assert_eq!(s.video.page, Page::Project("p9".into()));
    assert_eq!(open(&s).id, "p9");
    assert!(s.video.draft.song.is_none());
}

#[test]
fn a_failed_import_says_why_and_leaves_the_song_step() {
    let mut s = open_state();
    act(&mut s, VideoAction::StartNew);
    act(&mut s, VideoAction::SongAnalysing("broken.mp3".into()));
    act(
        &mut s,
        VideoAction::SongImported(Err(UiError::new(
            ErrorCode::InvalidInput,
            "broken.mp3 could not be decoded: choose another file.",
        ))),
    );
    assert_eq!(s.video.draft.analysing, None);
    assert_eq!(s.video.draft.song, None);
    assert!(s.toasts[0].error.message.contains("could not be decoded"));
}

#[test]
fn deleting_a_project_takes_it_and_its_renders_away_and_says_what_stayed() {
    let mut s = open_state();
    act(
        &mut s,
        VideoAction::RendersLoaded(Ok(vec![render("r1", 1), render("r2", 2)])),
    );
    assert_eq!(s.video.renders[0].id, "r2", "newest first");
    s.apply(Action::ShowVideo("r1".into()));
    act(
        &mut s,
        VideoAction::ProjectDeleted {
            id: PID.into(),
            result: Ok(DeletedProjectView {
                name: "Neon Run (demo): city at night".into(),
                renders_removed: 2,
                clips_kept: 4,
            }),
        },
    );
    assert_eq!(s.video.page, Page::List);
    assert!(s.video.renders.is_empty());
    assert_eq!(s.playing, None);
    assert_eq!(
        s.video.notice.as_deref(),
        Some(
            "Deleted “Neon Run (demo): city at night”: 2 rendered videos removed; 4 paid clips kept in your library."
        )
    );
}

fn summary(renders: usize, ready: usize, generating: bool, paused: bool) -> ProjectSummary {
    ProjectSummary {
        id: PID.into(),
        name: "n".into(),
        song_title: "s".into(),
        duration_s: 16.0,
        shots: 4,
        ready,
        spent_usd: 0.0,
        renders,
        paused,
        generating,
        stopped: None,
        updated_at_ms: 1,
        thumbnail: None,
    }
}

#[test]
fn the_project_list_names_each_state_and_delete_says_what_goes() {
    assert_eq!(summary_state(&summary(0, 0, false, false)).0, "planned");
    assert_eq!(summary_state(&summary(0, 1, true, false)).0, "generating");
    // A run that stopped early (the balance ran out) says so, not "planned".
    let stopped = ProjectSummary {
        stopped: Some("Venice refused shot 23: the account's balance is too low.".into()),
        ..summary(0, 2, false, false)
    };
    assert_eq!(summary_state(&stopped), ("stopped", "stopped"));
    let done = ProjectSummary {
        stopped: Some("old news".into()),
        ..summary(0, 4, false, false)
    };
    assert_eq!(summary_state(&done).0, "ready", "every shot ready since");
    assert_eq!(summary_state(&summary(0, 1, true, true)).0, "paused");
    assert_eq!(summary_state(&summary(1, 4, false, false)).0, "rendered");
    assert_eq!(
        delete_warning(&summary(2, 7, false, false)),
        "Deletes the project and its 2 rendered videos; the 7 paid clips stay in your library."
    );
    assert_eq!(
        delete_warning(&summary(1, 1, false, false)),
        "Deletes the project and its rendered video; the 1 paid clip stays in your library."
    );
}

#[test]
fn time_ranges_read_as_minutes_seconds_and_tenths() {
    assert_eq!(clock(16.0), "0:16.0");
    assert_eq!(clock(75.25), "1:15.3");
    assert_eq!(clock(59.96), "1:00.0");
    assert_eq!(time_range(16.0, 20.0), "0:16.0 – 0:20.0");
}

#[test]
fn the_cut_buttons_move_to_the_neighbouring_beats_within_the_shots() {
    let beats: Vec<f64> = (0..32).map(|i| f64::from(i) * 0.5).collect();
    assert_eq!(next_beat(&beats, 4.0, 8.0), Some(4.5));
    assert_eq!(previous_beat(&beats, 4.0, 0.0), Some(3.5));
    assert_eq!(
        next_beat(&beats, 4.0, 4.5),
        None,
        "the next shot would vanish"
    );
    assert_eq!(
        previous_beat(&beats, 4.0, 3.5),
        None,
        "this shot would vanish"
    );
    let p = project();
    assert_eq!(cut_moves(&p.shots, &beats, 0), (Some(3.5), Some(4.5)));
    assert_eq!(
        cut_moves(&p.shots, &beats, 3),
        (None, None),
        "the last shot ends with the song"
    );
}

#[test]
fn split_cuts_at_the_beat_nearest_the_middle() {
    let beats = [0.0, 0.5, 1.0, 1.5, 2.0, 2.6, 3.0, 4.0];
    assert_eq!(split_point(&beats, 0.0, 4.0), Some(2.0));
    assert_eq!(split_point(&beats, 2.0, 4.0), Some(3.0));
    assert_eq!(split_point(&beats, 3.0, 4.0), None, "no beat inside");
}

#[test]
fn only_audio_files_can_be_dropped() {
    assert!(is_audio("/home/me/Music/Song.MP3"));
    assert!(is_audio("C:\\music\\take.opus"));
    assert!(!is_audio("/home/me/notes.pdf"));
    assert!(!is_audio("/home/me/mp3"));
    assert_eq!(file_name("C:\\music\\take.opus"), "take.opus");
}

#[test]
fn the_end_of_generate_all_reads_the_project_again_and_says_what_stopped_it() {
    let mut s = open_state();
    let before = s.video.project_refresh;
    act(
        &mut s,
        VideoAction::GenerateEnded(GenerateEndedView {
            project_id: PID.into(),
            error: None,
        }),
    );
    assert_eq!(s.video.project_refresh, before + 1);
    assert!(s.toasts.is_empty());
    let stop = UiError::new(
        ErrorCode::InsufficientBalance,
        "Venice says the balance is too low: top up, then Generate all goes on with the rest.",
    );
    act(
        &mut s,
        VideoAction::GenerateEnded(GenerateEndedView {
            project_id: "other".into(),
            error: Some(stop.clone()),
        }),
    );
    assert_eq!(s.video.project_refresh, before + 1, "another project's end");
    assert_eq!(s.toasts.last().map(|t| &t.error), Some(&stop));
}

#[test]
fn the_budget_field_keeps_what_is_typed_while_it_means_the_budget() {
    use super::video_view::{budget_text, parse_budget};
    assert_eq!(parse_budget(""), None);
    assert_eq!(parse_budget(" 5.5 "), Some(5.5));
    assert!(parse_budget("five").is_some_and(f64::is_nan));
    assert_eq!(budget_text(Some("5."), Some(5.0)), "5.", "half-typed stays");
    assert_eq!(
        budget_text(Some("5."), Some(8.0)),
        "8",
        "changed elsewhere (undo)"
    );
    assert_eq!(budget_text(None, Some(12.5)), "12.5");
    assert_eq!(budget_text(Some(""), None), "");
    assert_eq!(budget_text(None, None), "");
}

#[test]
fn with_every_shot_queued_generate_all_says_they_are_on_their_way_not_made() {
    let mut s = open_state();
    let mut queued = project();
    queued.generating = false;
    for shot in &mut queued.shots {
        shot.state = ShotStateView::Generating { progress: 0.1 };
    }
    act(
        &mut s,
        VideoAction::ProjectLoaded {
            project_id: PID.into(),
            ticket: 2,
            result: Ok(queued),
        },
    );
    let mut done = quote(None);
    done.to_spend = price(0.0, 0);
    priced(&mut s, done);
    assert_eq!(
        s.video.generate_all_block().as_deref(),
        Some("Every shot is made or on its way: nothing left to generate.")
    );
}
