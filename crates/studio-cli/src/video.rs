//! `studio video new|generate|status|render|list|open|delete` and `studio music-video`: a song and
//! a theme in, a storyboard on the beat and its whole price first, the shots generated, and a
//! render exactly as long as the song out.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::json;
use studio_core::Studio;
use studio_core::projects::{ProjectQuote, ProjectSettings, ProjectStatus, RenderDone, ShotState};

use crate::exit::{Code, Failure};
use crate::output::{Out, ok_fields, short_id, table, usd};
use crate::session;

/// What `video new` and `music-video` are given.
#[derive(Debug, Clone)]
pub struct NewArgs {
    pub song: PathBuf,
    pub theme: String,
    pub settings: ProjectSettings,
    pub name: Option<String>,
}

pub async fn new(out: Out, args: NewArgs) -> Result<Code, Failure> {
    let studio = session::open(None)?;
    let (status, quote) = plan(&studio, out, args).await?;
    let mut doc = ok_fields(Code::Ok);
    doc["project"] = json!(status.project);
    doc["quote"] = json!(quote);
    out.document(doc);
    out.line(format!(
        "`studio video generate {}` makes the shots.",
        short_id(&status.project.id)
    ));
    Ok(Code::Ok)
}

/// Plans the project and prints its storyboard and price.
async fn plan(
    studio: &Studio,
    out: Out,
    args: NewArgs,
) -> Result<(ProjectStatus, ProjectQuote), Failure> {
    out.note(format!(
        "Analysing {} and planning the shots…",
        args.song.display()
    ));
    let mut settings = args.settings;
    settings.theme = args.theme;
    let project = studio.new_project(&args.song, settings, args.name).await?;
    let status = studio.project_status(&project.id).await?;
    let quote = studio.quote_project(&project.id).await?;
    print_status(out, &status);
    print_quote(out, &quote, status.project.settings.budget_usd);
    Ok((status, quote))
}

pub async fn generate(out: Out, id: &str, wait: bool) -> Result<Code, Failure> {
    let studio = session::open_fetching(None, false)?;
    let (code, doc) = run_generation(&studio, out, id, wait).await?;
    out.document(doc);
    Ok(code)
}

/// Generates the project's shots; returns the exit code and the JSON document for the caller to
/// print (`music-video` prints one document for the whole way).
async fn run_generation(
    studio: &Studio,
    out: Out,
    id: &str,
    wait: bool,
) -> Result<(Code, serde_json::Value), Failure> {
    let quote = studio.quote_project(id).await?;
    print_quote(out, &quote, studio.project(id).await?.settings.budget_usd);
    // This process brings the clips home unless another studio already polls the folder.
    let poller = match studio.start_poller() {
        Ok(poller) => Some(poller),
        Err(studio_core::Error::AlreadyRunning(_)) => {
            out.note("Another studio (the app, or `studio resume`) is fetching videos from this folder; it brings these home too.");
            None
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(holder) = studio.generation_holder(id).await? {
        out.note(format!(
            "Generate all already runs for this project in {holder}: waiting for it to end (or \
             stop answering), then queueing whatever is left. Each shot is queued once."
        ));
    }
    // Ctrl-C while shots are being queued: the run stops claiming, a queue call already sent is
    // answered and recorded, and the project is no longer marked as generating (else the app
    // would carry the run on at its next start, spending without a click).
    let report = tokio::select! {
        report = studio.generate_project(id) => report?,
        _ = tokio::signal::ctrl_c() => {
            out.note("Stopping: no new shot is queued; waiting for a queue call already sent to be answered…");
            studio.wait_for_submissions(studio.submission_grace()).await;
            studio.generation_interrupted(id).await?;
            return Err(Failure::new(
                Code::Interrupted,
                format!(
                    "Stopped with Ctrl-C: no new shot is queued. Shots already queued go on at \
                     Venice; `studio video generate {}` carries on with the rest.",
                    short_id(id)
                ),
            ));
        }
    };
    out.line(format!(
        "Queued {} shot{}; {} already made or on their way.",
        report.queued.len(),
        if report.queued.len() == 1 { "" } else { "s" },
        report.already
    ));
    if !report.not_queued.is_empty() {
        out.line(format!(
            "Not queued: shot {} (`studio video status {}` says why).",
            report
                .not_queued
                .iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            short_id(id)
        ));
    }
    if let Some(why) = &report.stopped {
        out.line(format!("Stopped: {why}"));
    }
    let status = if wait {
        let status = wait_for_shots(studio, out, id, poller.is_none()).await?;
        drop(poller);
        status
    } else {
        studio.project_status(id).await?
    };
    print_status(out, &status);
    let code = if status.ready == status.shots.len() {
        Code::Ok
    } else if status
        .shots
        .iter()
        .any(|s| matches!(s.state, ShotState::OutcomeUnknown))
    {
        Code::OutcomeUnknown
    } else if status
        .shots
        .iter()
        .any(|s| matches!(s.state, ShotState::Failed { .. }))
    {
        Code::JobFailed
    } else {
        Code::Ok
    };
    let mut doc = ok_fields(code);
    doc["generate"] = json!(report);
    doc["status"] = json!(status);
    Ok((code, doc))
}

/// Waits until every shot is ready, failed or of unknown outcome, with one progress bar.
async fn wait_for_shots(
    studio: &Studio,
    out: Out,
    id: &str,
    follow_ledger: bool,
) -> Result<ProjectStatus, Failure> {
    let mut last_line = String::new();
    let _follow = if follow_ledger {
        let jobs: Vec<_> = studio
            .project_status(id)
            .await?
            .shots
            .iter()
            .flat_map(|s| s.versions.clone())
            .collect();
        Some(studio.follow_ledger(&jobs, std::time::Duration::from_millis(500)))
    } else {
        None
    };
    loop {
        let status = studio.project_status(id).await?;
        let total = status.shots.len().max(1);
        let progress: f64 = status
            .shots
            .iter()
            .map(|s| match s.state {
                ShotState::Ready => 1.0,
                ShotState::Generating { progress } => progress,
                _ => 0.0,
            })
            .sum::<f64>()
            / total as f64;
        // Done when nothing is on its way: shots still planned (the project was paused, or a
        // continuity chain stopped) are not waited for.
        let settled = status
            .shots
            .iter()
            .all(|s| !matches!(s.state, ShotState::Generating { .. }));
        let line = format!(
            "{} {:>3.0} %  {}/{} shots ready",
            bar(progress),
            progress * 100.0,
            status.ready,
            status.shots.len()
        );
        if line != last_line {
            out.note(&line);
            last_line = line;
        }
        if settled {
            return Ok(status);
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

fn bar(fraction: f64) -> String {
    let filled = (fraction.clamp(0.0, 1.0) * 30.0).round() as usize;
    format!("[{}{}]", "#".repeat(filled), "-".repeat(30 - filled))
}

pub async fn status(out: Out, id: &str) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let status = studio.project_status(id).await?;
    print_status(out, &status);
    let done = status.ready;
    out.line(format!(
        "{} {done}/{} shots ready; ${:.2} spent on this project.",
        bar(done as f64 / status.shots.len().max(1) as f64),
        status.shots.len(),
        status.spent_usd
    ));
    let mut doc = ok_fields(Code::Ok);
    doc["status"] = json!(status);
    out.document(doc);
    Ok(Code::Ok)
}

pub async fn render(
    out: Out,
    id: &str,
    out_file: Option<PathBuf>,
    fill_gaps: bool,
) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let done = run_render(&studio, out, id, out_file, fill_gaps).await?;
    let mut doc = ok_fields(Code::Ok);
    doc["render"] = json!(done);
    out.document(doc);
    Ok(Code::Ok)
}

async fn run_render(
    studio: &Studio,
    out: Out,
    id: &str,
    out_file: Option<PathBuf>,
    fill_gaps: bool,
) -> Result<RenderDone, Failure> {
    let cancel = studio_core::render::CancelFlag::new();
    let on_ctrl_c = cancel.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    out.note("Rendering…");
    let started = std::time::Instant::now();
    let mut last = -1i64;
    let result = studio
        .render_project(
            id,
            out_file,
            fill_gaps,
            move |fraction| {
                let pct = (fraction * 100.0).round() as i64;
                if pct / 5 != last / 5 {
                    last = pct;
                    eprintln!("{} {pct:>3} %", bar(fraction));
                }
            },
            cancel,
        )
        .await;
    watcher.abort();
    let done = result?;
    out.line(format!(
        "Music video: {} ({:.2} s, rendered in {:.1} s)",
        done.path.display(),
        done.seconds,
        started.elapsed().as_secs_f64()
    ));
    if !done.filled_shots.is_empty() {
        out.line(format!(
            "Shots with no clip held the previous frame: {:?}",
            done.filled_shots
        ));
    }
    Ok(done)
}

pub async fn list(out: Out) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let projects = studio.projects().await?;
    let mut rows = Vec::new();
    let mut docs = Vec::new();
    for p in &projects {
        let status = studio.project_status(&p.id).await?;
        rows.push(vec![
            short_id(&p.id).to_string(),
            p.name.clone(),
            format!("{}/{}", status.ready, status.shots.len()),
            usd(status.spent_usd),
        ]);
        docs.push(json!({"id": p.id, "name": p.name, "shots": status.shots.len(), "ready": status.ready, "spent_usd": status.spent_usd}));
    }
    if rows.is_empty() {
        out.line(
            "No music-video projects yet: `studio video new --song FILE --theme T --model M`.",
        );
    } else {
        out.line(table(&["id", "name", "ready", "spent"], &rows));
    }
    let mut doc = ok_fields(Code::Ok);
    doc["projects"] = json!(docs);
    out.document(doc);
    Ok(Code::Ok)
}

pub async fn open(out: Out, id: &str, launch: bool) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let status = studio.project_status(id).await?;
    print_status(out, &status);
    let renders = studio.project_renders(&status.project.id).await?;
    if let Some(latest) = renders.first() {
        out.line(format!("Latest render: {}", latest.path));
        if launch && let Err(e) = open::that_detached(&latest.path) {
            return Err(Failure::new(
                Code::Failure,
                format!("Could not open {}: {e}", latest.path),
            ));
        }
    } else {
        out.line(format!(
            "Not rendered yet: `studio video render {}`.",
            short_id(&status.project.id)
        ));
    }
    let mut doc = ok_fields(Code::Ok);
    doc["status"] = json!(status);
    doc["renders"] = json!(renders);
    out.document(doc);
    Ok(Code::Ok)
}

pub async fn delete(out: Out, id: &str) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let deleted = studio.delete_project(id).await?;
    out.line(format!(
        "Deleted {:?} and its {} render{}. Its {} paid clip{} stay in your library.",
        deleted.name,
        deleted.renders_removed,
        if deleted.renders_removed == 1 {
            ""
        } else {
            "s"
        },
        deleted.clips_kept,
        if deleted.clips_kept == 1 { "" } else { "s" },
    ));
    let mut doc = ok_fields(Code::Ok);
    doc["deleted"] = json!(deleted);
    out.document(doc);
    Ok(Code::Ok)
}

pub async fn duplicate(out: Out, id: &str) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let copy = studio.duplicate_project(id).await?;
    out.line(format!("Copied as {} ({}).", copy.name, short_id(&copy.id)));
    show(&studio, out, &copy.id).await
}

pub async fn edit(
    out: Out,
    id: &str,
    edit: studio_core::projects::StoryboardEdit,
) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    studio.edit_storyboard(id, edit).await?;
    show(&studio, out, id).await
}

pub async fn replan(out: Out, id: &str) -> Result<Code, Failure> {
    let studio = session::open(None)?;
    studio.replan_project(id).await?;
    let code = show(&studio, out, id).await?;
    let quote = studio.quote_project(id).await?;
    print_quote(out, &quote, studio.project(id).await?.settings.budget_usd);
    Ok(code)
}

pub async fn pick(out: Out, id: &str, job: &str) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    let project = studio.project(id).await?;
    let job = studio.job(job)?;
    if job.params.shot.as_ref().map(|s| s.project_id.as_str()) != Some(project.id.as_str()) {
        return Err(Failure::usage(format!(
            "Job {} is not a version of a shot of this project.",
            short_id(&job.id.0)
        )));
    }
    studio.choose_version(&job.id).await?;
    show(&studio, out, id).await
}

pub async fn pause(out: Out, id: &str) -> Result<Code, Failure> {
    let studio = session::open_local()?;
    studio.pause_project(id).await?;
    out.line("Paused: shots already queued finish; `studio video generate` goes on.");
    show(&studio, out, id).await
}

pub async fn regenerate(out: Out, id: &str, shot: usize, yes: bool) -> Result<Code, Failure> {
    let studio = session::open_fetching(None, false)?;
    let usd_price = studio.quote_shot(id, shot).await?;
    out.line(format!(
        "Another version of shot {}: {}.",
        shot + 1,
        usd(usd_price)
    ));
    if !yes && !confirm(&format!("Spend {}?", usd(usd_price)))? {
        out.line("Nothing spent.");
        return Ok(Code::NeedsUser);
    }
    let job = studio.regenerate_shot(id, shot).await?;
    out.line(format!(
        "Queued job {} for shot {}; `studio video generate {}` waits for it (or `studio resume --wait`).",
        short_id(&job.id.0),
        shot + 1,
        short_id(id)
    ));
    let mut doc = ok_fields(Code::Ok);
    doc["job"] = json!(job);
    out.document(doc);
    Ok(Code::Ok)
}

/// Prints the project's storyboard and state, and its JSON.
async fn show(studio: &Studio, out: Out, id: &str) -> Result<Code, Failure> {
    let status = studio.project_status(id).await?;
    print_status(out, &status);
    let mut doc = ok_fields(Code::Ok);
    doc["status"] = json!(status);
    out.document(doc);
    Ok(Code::Ok)
}

/// `studio music-video`: plan, show the price, confirm, generate, render.
pub async fn whole_way(
    out: Out,
    args: NewArgs,
    yes: bool,
    out_file: Option<PathBuf>,
) -> Result<Code, Failure> {
    let studio = session::open_fetching(None, false)?;
    let (status, quote) = plan(&studio, out, args).await?;
    let id = status.project.id.clone();
    if let Some(reason) = &quote.over_budget {
        return Err(Failure::new(Code::NeedsUser, reason.clone()));
    }
    if !yes
        && !confirm(&format!(
            "Spend {} on {} shots?",
            usd(quote.to_spend.usd),
            quote.to_spend.shots
        ))?
    {
        out.line(format!(
            "Nothing spent. The project is saved: `studio video generate {}` when you are ready.",
            short_id(&id)
        ));
        return Ok(Code::NeedsUser);
    }
    let (code, generated) = run_generation(&studio, out, &id, true).await?;
    if code != Code::Ok {
        out.document(generated);
        return Ok(code);
    }
    let done = run_render(&studio, out, &id, out_file, false).await?;
    let mut doc = ok_fields(Code::Ok);
    doc["project"] = json!(id);
    doc["generate"] = generated["generate"].clone();
    doc["render"] = json!(done);
    out.document(doc);
    Ok(Code::Ok)
}

fn confirm(question: &str) -> Result<bool, Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::usage(format!(
            "{question} Answer with --yes (no terminal to ask on)."
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::new(Code::Failure, format!("could not read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0);
    format!("{}:{:04.1}", (s / 60.0) as u64, s % 60.0)
}

fn print_status(out: Out, status: &ProjectStatus) {
    let p = &status.project;
    out.line(format!(
        "{}  ({}; {}, {} {})",
        p.name,
        short_id(&p.id),
        p.settings.model,
        p.settings
            .aspect_ratio
            .as_deref()
            .unwrap_or("default aspect"),
        p.settings.resolution.as_deref().unwrap_or("")
    ));
    let rows: Vec<Vec<String>> = status
        .shots
        .iter()
        .zip(&p.storyboard.shots)
        .map(|(s, shot)| {
            let state = match &s.state {
                ShotState::Planned => "planned".to_string(),
                ShotState::Generating { progress } => format!("{:.0} %", progress * 100.0),
                ShotState::Ready => "ready".into(),
                ShotState::Failed { reason } => format!("failed: {reason}"),
                ShotState::OutcomeUnknown => "outcome unknown".into(),
            };
            let prompt: String = s.prompt.chars().take(60).collect();
            vec![
                (s.index + 1).to_string(),
                format!("{}-{}", clock(s.start_s), clock(s.end_s)),
                s.section_label.clone(),
                format!("{} s", shot.generate_s),
                state,
                prompt,
            ]
        })
        .collect();
    out.line(table(
        &["shot", "time", "section", "clip", "state", "prompt"],
        &rows,
    ));
}

fn print_quote(out: Out, quote: &ProjectQuote, budget: Option<f64>) {
    out.line(format!(
        "Whole video: {} for {} shots ({} s generated, {:.1} s used).",
        usd(quote.whole.usd),
        quote.whole.shots,
        quote.whole.seconds_generated,
        quote.whole.seconds_used
    ));
    if quote.spent_usd > 0.0 || quote.to_spend.shots != quote.whole.shots {
        out.line(format!(
            "Still to make: {} shots, {}; spent on this project: {}.",
            quote.to_spend.shots,
            usd(quote.to_spend.usd),
            usd(quote.spent_usd)
        ));
    }
    if let Some(budget) = budget {
        out.line(format!("Project budget: {}.", usd(budget)));
    }
    if let Some(reason) = &quote.over_budget {
        out.line(format!("Over budget: {reason}"));
    }
}
