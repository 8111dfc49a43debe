//! The reducer as a user would notice it: events move the right job, the form stays valid for the
//! chosen model, Generate says why it is disabled, and the right screen shows.

use std::rc::Rc;

use studio_api::{
    ErrorCode, GenerateForm, ImageCheck, JobEventView, JobStateView, JobView, KeyStatus, ModelKind,
    ModelOption, QuoteView, Settings, UiError,
};
use yew::Reducible;

use super::{Action, AppState, Load, QuoteStatus, Screen};
use crate::form::PromptCount;
use crate::format;

fn model(id: &str, kind: ModelKind) -> ModelOption {
    ModelOption {
        id: id.into(),
        name: id.to_uppercase(),
        kind,
        durations: vec!["5s".into(), "10s".into()],
        resolutions: vec!["480p".into(), "720p".into(), "1080p".into()],
        aspect_ratios: vec!["16:9".into(), "9:16".into(), "1:1".into()],
        audio_configurable: true,
        prompt_limit: 20,
        deprecated_on: None,
        offline: false,
        image_min_short_side: None,
        image_min_aspect: None,
        image_max_aspect: None,
    }
}

fn narrow_model() -> ModelOption {
    ModelOption {
        durations: vec!["8s".into()],
        resolutions: vec![],
        aspect_ratios: vec!["9:16".into()],
        audio_configurable: false,
        ..model("narrow", ModelKind::TextToVideo)
    }
}

fn job(id: &str, created: i64) -> JobView {
    JobView {
        id: id.into(),
        state: JobStateView::Queued,
        theme: None,
        prompt: format!("prompt {id}"),
        model: "wide".into(),
        duration: "5s".into(),
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        progress: 0.0,
        eta_ms: None,
        created_at_ms: created,
        updated_at_ms: created,
        cost_usd: 0.35,
        failure: None,
        credits_refunded: None,
        video: None,
        can_fetch_again: false,
        project_id: None,
    }
}

fn quote(usd: f64, over: Option<&str>) -> QuoteView {
    QuoteView {
        usd,
        balance_usd: Some(10.0),
        spent_session_usd: 0.0,
        spent_total_usd: 0.0,
        over_budget: over.map(Into::into),
    }
}

/// The main screen with two models and two jobs.
fn main_state() -> AppState {
    let mut s = AppState::default();
    s.apply(Action::KeyLoaded(Ok(KeyStatus {
        is_set: true,
        last_four: Some("abcd".into()),
        demo: false,
    })));
    s.apply(Action::ModelsLoaded(Ok(vec![
        model("wide", ModelKind::TextToVideo),
        narrow_model(),
        model("i2v", ModelKind::ImageToVideo),
    ])));
    s.apply(Action::JobsLoaded(Ok(vec![job("old", 1), job("new", 2)])));
    s
}

fn send(s: &mut AppState, event: JobEventView) {
    s.apply(Action::Job(event));
}

#[test]
fn onboarding_shows_without_a_key_and_main_with_a_key_or_the_demo() {
    let mut s = AppState::default();
    assert_eq!(s.screen(), Screen::Starting);
    s.apply(Action::KeyLoaded(Ok(KeyStatus::default())));
    assert_eq!(s.screen(), Screen::Onboarding);
    s.apply(Action::ModelsLoaded(Ok(vec![])));
    s.apply(Action::KeyLoaded(Ok(KeyStatus {
        is_set: false,
        last_four: None,
        demo: true,
    })));
    assert_eq!(s.screen(), Screen::Main);
    assert!(s.is_demo());
    assert_eq!(
        s.models,
        Load::Loading,
        "entering the main screen reads the models for it"
    );
    s.apply(Action::KeyLoaded(Ok(KeyStatus {
        is_set: true,
        last_four: Some("wxyz".into()),
        demo: false,
    })));
    assert_eq!(s.screen(), Screen::Main);
    assert!(!s.is_demo());
}

#[test]
fn a_shell_that_cannot_answer_shows_the_unavailable_screen_and_a_needs_key_error_goes_to_onboarding()
 {
    let mut s = AppState::default();
    let e = UiError::new(ErrorCode::Internal, "command key_status not found");
    s.apply(Action::KeyLoaded(Err(e.clone())));
    assert_eq!(s.screen(), Screen::Unavailable(e));

    let mut s = main_state();
    s.apply(Action::GenerateDone(Err(UiError::new(
        ErrorCode::NeedsKey,
        "Add your Venice API key.",
    ))));
    assert_eq!(s.screen(), Screen::Onboarding);
    assert_eq!(s.toasts.len(), 1);
}

#[test]
fn the_reducer_works_through_the_reducible_trait() {
    let s = Rc::new(AppState::default());
    let s = s.reduce(Action::OpenSettings);
    assert!(s.settings_open);
    let s = s.reduce(Action::CloseSettings);
    assert!(!s.settings_open);
}

#[test]
fn progress_events_move_only_the_named_job() {
    let mut s = main_state();
    send(
        &mut s,
        JobEventView::Progress {
            id: "old".into(),
            percent: 42.0,
            eta_ms: Some(30_000),
        },
    );
    let old = s.job("old").unwrap();
    assert_eq!(old.state, JobStateView::Processing);
    assert_eq!(format::percent(old.progress), 42);
    assert_eq!(old.eta_ms, Some(30_000));
    let new = s.job("new").unwrap();
    assert_eq!((new.state, new.progress), (JobStateView::Queued, 0.0));
    // Never shown as complete before the file is saved.
    send(
        &mut s,
        JobEventView::Progress {
            id: "old".into(),
            percent: 100.0,
            eta_ms: None,
        },
    );
    assert!(s.job("old").unwrap().progress < 1.0);
}

#[test]
fn downloading_then_ready_moves_the_job_from_the_queue_to_the_gallery() {
    let mut s = main_state();
    send(
        &mut s,
        JobEventView::Downloading {
            id: "new".into(),
            bytes: 1000,
            total: Some(4000),
        },
    );
    assert_eq!(s.job("new").unwrap().state, JobStateView::Downloading);
    assert_eq!(s.downloads.get("new"), Some(&(1000, Some(4000))));
    assert_eq!(s.queue().count(), 2);
    assert_eq!(s.gallery().count(), 0);

    let refresh = s.jobs_refresh;
    send(
        &mut s,
        JobEventView::Ready {
            id: "new".into(),
            path: "/media/new.mp4".into(),
            cost_usd: 0.5,
        },
    );
    let ready = s.job("new").unwrap();
    assert_eq!(ready.state, JobStateView::Ready);
    assert_eq!(ready.cost_usd, 0.5);
    assert_eq!(ready.video.as_ref().unwrap().path, "/media/new.mp4");
    assert!(s.downloads.is_empty());
    assert_eq!(
        s.queue().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["old"]
    );
    assert_eq!(
        s.gallery().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["new"]
    );
    assert!(
        s.jobs_refresh > refresh,
        "the list is re-read for the thumbnail"
    );
}

#[test]
fn failed_outcome_unknown_and_stalled_jobs_carry_their_reason() {
    let mut s = main_state();
    send(
        &mut s,
        JobEventView::Failed {
            id: "old".into(),
            reason: "Content policy".into(),
            credits_refunded: Some(true),
        },
    );
    let failed = s.job("old").unwrap();
    assert_eq!(failed.state, JobStateView::Failed);
    assert_eq!(failed.failure.as_deref(), Some("Content policy"));
    assert!(super::jobs::failure_advice(failed).contains("refunded"));

    send(
        &mut s,
        JobEventView::Stalled {
            id: "new".into(),
            reason: "Top up your balance".into(),
        },
    );
    assert_eq!(
        s.stalled.get("new").map(String::as_str),
        Some("Top up your balance")
    );
    send(
        &mut s,
        JobEventView::Progress {
            id: "new".into(),
            percent: 10.0,
            eta_ms: None,
        },
    );
    assert!(
        s.stalled.is_empty(),
        "a job that moves again is no longer stalled"
    );

    send(
        &mut s,
        JobEventView::OutcomeUnknown {
            id: "new".into(),
            reason: "No answer".into(),
        },
    );
    assert_eq!(s.job("new").unwrap().state, JobStateView::OutcomeUnknown);
    let mut dismissed = s.job("new").unwrap().clone();
    dismissed.state = JobStateView::Failed;
    s.apply(Action::JobUpdated(dismissed));
    assert_eq!(s.job("new").unwrap().state, JobStateView::Failed);
}

#[test]
fn an_event_for_an_unknown_job_asks_for_the_list_again() {
    let mut s = main_state();
    let refresh = s.jobs_refresh;
    send(
        &mut s,
        JobEventView::Queued {
            id: "elsewhere".into(),
        },
    );
    assert_eq!(s.jobs_refresh, refresh + 1);
    assert!(s.job("elsewhere").is_none());
}

#[test]
fn generated_jobs_appear_newest_first() {
    let mut s = main_state();
    s.apply(Action::GenerateStarted);
    assert!(s.generating);
    s.apply(Action::GenerateDone(Ok(vec![job("fresh", 3)])));
    assert!(!s.generating);
    assert_eq!(
        s.jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["fresh", "new", "old"]
    );
}

#[test]
fn choosing_a_model_resets_values_it_does_not_allow() {
    let mut s = main_state();
    assert_eq!(
        s.form.model, "wide",
        "the first current text-to-video model is preselected"
    );
    s.apply(Action::SetDuration("10s".into()));
    s.apply(Action::SetAspect("1:1".into()));
    s.apply(Action::SetResolution("1080p".into()));
    s.apply(Action::SetAudio(false));
    s.apply(Action::SelectModel("narrow".into()));
    assert_eq!(s.form.duration, "8s");
    assert_eq!(s.form.aspect_ratio.as_deref(), Some("9:16"));
    assert_eq!(
        s.form.resolution, None,
        "no resolution control for this model"
    );
    assert_eq!(s.form.audio, None, "audio is not configurable");

    s.apply(Action::SelectModel("wide".into()));
    assert_eq!(
        (s.form.duration.as_str(), s.form.aspect_ratio.as_deref()),
        ("5s", Some("9:16"))
    );
    assert_eq!(s.form.resolution.as_deref(), Some("720p"));
    assert_eq!(s.form.audio, Some(true));
    // Values a model allows survive the switch.
    s.apply(Action::SetDuration("10s".into()));
    s.apply(Action::SelectModel("i2v".into()));
    assert_eq!(s.form.duration, "10s");
}

#[test]
fn the_default_model_from_settings_applies_unless_the_user_chose() {
    let settings = Settings {
        default_model: Some("narrow".into()),
        chat_model: None,
        poll_interval_secs: 5,
        budget_session_usd: None,
        budget_total_usd: None,
        media_dir: "/media".into(),
        delete_after_download: false,
    };
    let mut s = main_state();
    s.apply(Action::SettingsLoaded(Ok(settings.clone())));
    assert_eq!(s.form.model, "narrow");

    let mut s = main_state();
    s.apply(Action::SelectModel("i2v".into()));
    s.apply(Action::SettingsLoaded(Ok(settings)));
    assert_eq!(s.form.model, "i2v");
}

#[test]
fn the_prompt_is_counted_against_the_models_limit() {
    assert_eq!(
        PromptCount::of("  héllo  ", 20),
        PromptCount { used: 5, limit: 20 }
    );
    let over = PromptCount::of(&"x".repeat(25), 20);
    assert!(over.is_over());
    assert_eq!(over.over_by(), 5);
    assert_eq!(format::count_of(over.used, over.limit), "25 / 20");
    assert!(!PromptCount::of(&"x".repeat(20), 20).is_over());
}

#[test]
fn generate_says_why_it_is_disabled() {
    let mut s = main_state();
    assert!(s.generate_block().unwrap().contains("Write a prompt"));

    s.apply(Action::SetPrompt("x".repeat(25)));
    assert!(s.generate_block().unwrap().contains("5 characters over"));

    s.apply(Action::SetPrompt("a neon city".into()));
    assert_eq!(s.form_problem(), None);
    assert!(
        s.generate_block().unwrap().contains("price"),
        "no price yet"
    );

    let form = s.request();
    s.apply(Action::QuoteLoading(form.clone()));
    assert!(s.generate_block().unwrap().contains("price"));
    s.apply(Action::QuoteDone {
        form: form.clone(),
        result: Err(UiError::new(ErrorCode::RateLimited, "Venice is busy")),
    });
    assert!(s.generate_block().unwrap().contains("Venice is busy"));

    s.apply(Action::QuoteLoading(form.clone()));
    s.apply(Action::QuoteDone {
        form: form.clone(),
        result: Ok(quote(0.35, Some("session budget $1.00 left"))),
    });
    assert!(s.generate_block().unwrap().starts_with("Over budget"));

    s.apply(Action::QuoteLoading(form.clone()));
    s.apply(Action::QuoteDone {
        form: form.clone(),
        result: Ok(quote(0.35, None)),
    });
    assert_eq!(s.generate_block(), None);

    s.apply(Action::SetCount(0));
    assert!(s.generate_block().unwrap().contains("between 1 and"));
    s.apply(Action::SetCount(2));
    s.apply(Action::GenerateStarted);
    assert_eq!(s.generate_block().as_deref(), Some("Submitting…"));
}

#[test]
fn an_image_to_video_model_needs_a_usable_start_image() {
    let mut s = main_state();
    s.apply(Action::SelectModel("i2v".into()));
    s.apply(Action::SetPrompt("a neon city".into()));
    assert!(s.form_problem().unwrap().contains("Pick a start image"));
    s.apply(Action::SetImage(Some("/pics/a.png".into())));
    assert!(s.form_problem().unwrap().contains("Checking"));
    let check = ImageCheck {
        path: "/pics/a.png".into(),
        mime: Some("image/png".into()),
        width: Some(100),
        height: Some(100),
        bytes: 10,
        problems: vec!["too small: 100 px on the short side, at least 720 needed".into()],
        preview: None,
    };
    // An answer for an image no longer chosen is ignored.
    s.apply(Action::ImageChecked {
        path: "/pics/old.png".into(),
        result: Ok(ImageCheck {
            problems: vec![],
            ..check.clone()
        }),
    });
    assert!(s.form_problem().unwrap().contains("Checking"));
    s.apply(Action::ImageChecked {
        path: "/pics/a.png".into(),
        result: Ok(check.clone()),
    });
    assert!(s.form_problem().unwrap().contains("too small"));
    s.apply(Action::ImageChecked {
        path: "/pics/a.png".into(),
        result: Ok(ImageCheck {
            problems: vec![],
            ..check
        }),
    });
    assert_eq!(s.form_problem(), None);
    assert_eq!(s.request().image_path.as_deref(), Some("/pics/a.png"));
    s.apply(Action::ImagePicked(ImageCheck {
        path: "/pics/b.png".into(),
        ..s.image.clone().unwrap().ready().unwrap().clone()
    }));
    assert_eq!(s.form.image_path.as_deref(), Some("/pics/b.png"));
    assert_eq!(s.form_problem(), None, "a picked image arrives checked");
    s.apply(Action::SelectModel("wide".into()));
    assert_eq!(s.request().image_path, None, "text-to-video sends no image");
}

#[test]
fn an_offline_model_cannot_generate() {
    let mut s = main_state();
    if let Load::Ready(models) = &mut s.models {
        models[0].offline = true;
    }
    s.apply(Action::SetPrompt("a neon city".into()));
    assert!(s.generate_block().unwrap().contains("offline"));
}

#[test]
fn a_late_quote_for_an_older_form_is_dropped() {
    let mut s = main_state();
    s.apply(Action::SetPrompt("first".into()));
    let first: GenerateForm = s.request();
    s.apply(Action::QuoteLoading(first.clone()));
    s.apply(Action::SetDuration("10s".into()));
    let second = s.request();
    s.apply(Action::QuoteLoading(second));
    s.apply(Action::QuoteDone {
        form: first,
        result: Ok(quote(9.99, None)),
    });
    assert_eq!(s.quote, QuoteStatus::Loading);
}

#[test]
fn the_show_video_event_selects_that_video() {
    let mut s = main_state();
    send(
        &mut s,
        JobEventView::Ready {
            id: "old".into(),
            path: "/media/old.mp4".into(),
            cost_usd: 0.35,
        },
    );
    s.apply(Action::OpenSettings);
    let refresh = s.jobs_refresh;
    s.apply(Action::ShowVideo("old".into()));
    assert_eq!(s.playing.as_deref(), Some("old"));
    assert!(!s.settings_open, "the player is not hidden behind settings");
    assert_eq!(s.jobs_refresh, refresh);
    s.apply(Action::ShowVideo("unseen".into()));
    assert_eq!(s.playing.as_deref(), Some("unseen"));
    assert_eq!(
        s.jobs_refresh,
        refresh + 1,
        "a video the list lacks is fetched"
    );
    s.apply(Action::VideoDeleted("old".into()));
    assert_eq!(s.gallery().count(), 0);
}

#[test]
fn errors_show_once_and_can_be_dismissed() {
    let mut s = main_state();
    let e = UiError::new(ErrorCode::VeniceUnavailable, "Venice could not be reached.");
    s.apply(Action::Error(e.clone()));
    s.apply(Action::Error(e));
    assert_eq!(s.toasts.len(), 1);
    let id = s.toasts[0].id;
    s.apply(Action::DismissToast(id));
    assert!(s.toasts.is_empty());
    s.apply(Action::Error(UiError::new(
        ErrorCode::KeyRejected,
        "Venice rejected the key.",
    )));
    assert!(s.settings_open, "a rejected key opens Settings");
}

#[test]
fn money_moving_asks_for_a_fresh_price_line() {
    let mut s = main_state();
    s.upsert(job("j1", 1));
    let before = s.spending_changed;
    send(
        &mut s,
        JobEventView::Progress {
            id: "j1".into(),
            percent: 10.0,
            eta_ms: None,
        },
    );
    assert_eq!(s.spending_changed, before, "progress moves no money");
    send(&mut s, JobEventView::Queued { id: "j1".into() });
    send(
        &mut s,
        JobEventView::Failed {
            id: "j1".into(),
            reason: "x".into(),
            credits_refunded: Some(true),
        },
    );
    assert_eq!(s.spending_changed, before + 2);
}

#[test]
fn a_failed_job_fetched_again_goes_back_in_the_queue_without_its_old_failure() {
    let mut s = AppState::default();
    let mut failed = job("j1", 1);
    failed.state = JobStateView::Failed;
    failed.failure = Some("Venice kept sending a file that is not a playable video".into());
    failed.can_fetch_again = true;
    s.apply(Action::JobsLoaded(Ok(vec![failed])));
    send(&mut s, JobEventView::Queued { id: "j1".into() });
    let job = &s.jobs[0];
    assert_eq!(job.state, JobStateView::Queued);
    assert_eq!(job.failure, None);
    assert!(!job.can_fetch_again);
}

#[test]
fn a_failed_event_asks_the_shell_whether_the_video_can_be_fetched_again() {
    // Only the shell knows whether Venice may still hold the video (a queue id, a copy not
    // deleted); the card must not miss its Fetch again button.
    let mut s = main_state();
    let refresh = s.jobs_refresh;
    send(
        &mut s,
        JobEventView::Failed {
            id: "new".into(),
            reason: "Venice kept sending a file that is not a playable video".into(),
            credits_refunded: None,
        },
    );
    assert_eq!(s.jobs_refresh, refresh + 1);
    let job = s.jobs.iter().find(|j| j.id == "new").unwrap();
    assert_eq!(job.state, JobStateView::Failed);
}
