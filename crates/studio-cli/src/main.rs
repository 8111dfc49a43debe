//! `studio`: make music videos with Venice's hosted video models from the command line.
//! Thin over `studio-core`: each command is one engine call plus its rendering.

mod catalog;
mod doctor;
mod exit;
mod generate;
mod jobs;
mod key;
mod output;
mod progress;
mod session;
mod settle;
mod song;
mod video;

use std::path::PathBuf;

use clap::{ArgGroup, Parser, Subcommand};

use crate::catalog::{DEFAULT_VIDEO_MODEL, Filter, Kind, VideoArgs};
use crate::exit::{Code, Failure};
use crate::output::Out;

const AFTER_HELP: &str = "\
Exit codes:
  0  ok
  1  generic failure
  2  usage: a bad option or value (the allowed values are named), unknown model or job id
  3  needs you: API key missing or refused, balance, budget, region, consent, content policy
  4  a video job failed
  5  outcome unknown: Venice may have accepted (and charged for) a job; it is never resent
  6  try again later: Venice unavailable or rate-limiting, or another studio (the app or
     a `studio` command) is already working on the jobs
  130 stopped with Ctrl-C while waiting (the jobs go on; `studio resume --wait`)

Environment:
  VENICE_API_KEY           the API key (else the OS keychain: `studio key set`)
  VENICE_BASE_URL          the API root (e.g. a local venice-sim)
  STUDIO_DATA_DIR          ledger, model cache, thumbnails
  STUDIO_MEDIA_DIR         where finished videos are saved
  STUDIO_BUDGET_TOTAL_USD  a spending cap across every session
  STUDIO_CHAT_MODEL        the text model that writes prompts";

/// Venice Music Video Studio on the command line.
#[derive(Debug, Parser)]
#[command(name = "studio", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Machine-readable output: one JSON document on stdout (human text goes to stderr).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Health check: key, reachability, balance, rate limits, ffmpeg.
    Doctor,
    /// List Venice's models (video by default) with what they accept.
    #[command(group(ArgGroup::new("video_kind").args(["t2v", "i2v"])))]
    Models {
        #[arg(long = "type", value_enum, default_value = "video")]
        kind: Kind,
        /// Only text-to-video models.
        #[arg(long)]
        t2v: bool,
        /// Only image-to-video models.
        #[arg(long)]
        i2v: bool,
        /// Fetch the list again instead of using the cached one.
        #[arg(long)]
        refresh: bool,
    },
    /// Write a video prompt for a theme with Venice's text model.
    Prompt {
        theme: String,
        /// The video model the prompt is for (its prompt length limit applies).
        #[arg(long, default_value = DEFAULT_VIDEO_MODEL)]
        model: String,
    },
    /// Price a video (free; nothing is created).
    Quote {
        #[command(flatten)]
        video: VideoOpts,
        /// A spending cap for this session, in USD (shows what it leaves).
        #[arg(long, value_name = "USD")]
        budget: Option<f64>,
    },
    /// Make videos: writes the prompt (from --theme), shows the price, queues, and with --wait
    /// saves the verified MP4s.
    #[command(group(ArgGroup::new("text").args(["theme", "prompt"]).required(true)))]
    Generate {
        /// A few words; the text model turns them into a detailed prompt.
        #[arg(long)]
        theme: Option<String>,
        /// The exact prompt to send.
        #[arg(long)]
        prompt: Option<String>,
        #[command(flatten)]
        video: VideoOpts,
        /// How many videos (each is charged).
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Refuse to spend more than this many USD in this run.
        #[arg(long, value_name = "USD")]
        budget: Option<f64>,
        /// Stay until the videos are saved (progress bars), then print their paths and cost.
        /// With the app running, it waits for the app to bring them home.
        #[arg(long)]
        wait: bool,
        /// Delete Venice's copy of each video once it is saved here and verified (env
        /// STUDIO_DELETE_AFTER_DOWNLOAD=1). Without it Venice keeps its copy until it expires, so
        /// a failed download can be fetched again.
        #[arg(long)]
        delete_after_download: bool,
    },
    /// The jobs in the ledger, newest first.
    Jobs,
    /// Go on with unfinished jobs (never resubmits; lists jobs whose outcome is unknown).
    Resume {
        /// Stay until every job is settled.
        #[arg(long)]
        wait: bool,
        /// Delete Venice's copy of each video once it is saved here and verified.
        #[arg(long)]
        delete_after_download: bool,
    },
    /// Print a ready video's path and open it with the system's player.
    Open {
        /// A job id or its first characters (as `studio jobs` shows them).
        id: String,
        /// Only print the path.
        #[arg(long)]
        no_launch: bool,
    },
    /// Settle a job whose outcome is unknown, once you have checked your Venice usage.
    Dismiss { id: String },
    /// Ask Venice's usage history whether a job of unknown outcome was charged, and settle it:
    /// charged (the video cannot be fetched; it stays in the spend), not charged (nothing spent),
    /// or not known yet (exit 5; ask again later). Nothing is ever queued again by this.
    Settle {
        /// A job id or its first characters.
        id: String,
        /// If Venice did not charge it: yes, make it again (prints the command that queues it).
        #[arg(long)]
        yes: bool,
    },
    /// Fetch a failed job's video again from Venice (when Venice may still hold it: it was queued
    /// and its copy was not deleted). Never queues or pays again.
    FetchAgain {
        /// A job id or its first characters.
        id: String,
        /// Stay until the video is saved.
        #[arg(long)]
        wait: bool,
    },
    /// Store or remove the Venice API key in the OS keychain.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Songs: tempo, beats, bars and sections.
    Song {
        #[command(subcommand)]
        action: SongAction,
    },
    /// Music-video projects: plan a storyboard on the beat, price it, generate, render.
    Video {
        #[command(subcommand)]
        action: VideoAction,
    },
    /// The whole way in one command: plan, show the whole price, confirm, generate every shot,
    /// and render a video exactly as long as the song.
    MusicVideo {
        #[command(flatten)]
        new: Box<NewOpts>,
        /// Spend without asking (the price is still shown first).
        #[arg(long)]
        yes: bool,
        /// Where to write the video (default: the media folder).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct NewOpts {
    /// The song (MP3, WAV, FLAC, Ogg Vorbis, M4A).
    #[arg(long, value_name = "FILE")]
    song: PathBuf,
    /// What the video is about.
    #[arg(long)]
    theme: String,
    /// The video model (`studio models` lists them).
    #[arg(long, default_value = DEFAULT_VIDEO_MODEL)]
    model: String,
    /// Aspect ratio, e.g. 16:9.
    #[arg(long = "aspect")]
    aspect: Option<String>,
    /// Resolution, e.g. 720p.
    #[arg(long)]
    resolution: Option<String>,
    /// One style line added to every shot's prompt.
    #[arg(long, default_value = "")]
    style: String,
    /// The character or subject, added to every shot's prompt.
    #[arg(long, default_value = "")]
    subject: String,
    /// A reference image of the subject (image-to-video models start from it).
    #[arg(long, value_name = "IMG")]
    reference: Vec<PathBuf>,
    /// Each shot starts from the previous shot's last frame (image-to-video models).
    #[arg(long)]
    continuity: bool,
    /// The most this project may spend, in USD (all versions together).
    #[arg(long, value_name = "USD")]
    budget: Option<f64>,
    /// No shot shorter than this many seconds.
    #[arg(long, value_name = "SECONDS")]
    min_shot: Option<f64>,
    /// The project's name (default: the song's title and the theme).
    #[arg(long)]
    name: Option<String>,
}

impl NewOpts {
    fn into_args(self) -> video::NewArgs {
        video::NewArgs {
            song: self.song,
            theme: self.theme,
            name: self.name,
            settings: studio_core::projects::ProjectSettings {
                style: self.style,
                subject: self.subject,
                references: self.reference,
                model: self.model,
                aspect_ratio: self.aspect,
                resolution: self.resolution,
                continuity: self.continuity,
                budget_usd: self.budget,
                min_shot_s: self.min_shot,
                ..Default::default()
            },
        }
    }
}

#[derive(Debug, Subcommand)]
enum VideoAction {
    /// Plan a music video: analyse the song, cut a storyboard on its downbeats, write one prompt
    /// per shot, and print it with the whole price. Nothing is spent.
    New {
        #[command(flatten)]
        new: Box<NewOpts>,
    },
    /// Generate every shot that has no clip yet (the price is checked against the budget first);
    /// run again after a crash or a pause to go on.
    Generate {
        /// The project's id or its first characters.
        id: String,
        /// Queue and return instead of waiting for the clips.
        #[arg(long)]
        no_wait: bool,
    },
    /// Each shot's state, with a progress bar.
    Status { id: String },
    /// Render the music video: every shot's clip cut to its shot, the song muxed in.
    Render {
        id: String,
        /// Where to write the video (default: the media folder).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Hold the previous frame over shots with no clip instead of refusing.
        #[arg(long)]
        fill_gaps: bool,
    },
    /// Every project with its progress and spend.
    List,
    /// A project's storyboard and state; opens its latest render.
    Open {
        id: String,
        /// Print only; do not open the video.
        #[arg(long)]
        no_launch: bool,
    },
    /// Delete a project and its renders (its paid clips stay in the library).
    Delete { id: String },
    /// A copy of a project (its settings and storyboard; no clips or renders), to try another
    /// model or theme.
    Duplicate { id: String },
    /// Edit the storyboard: a shot's prompt, split or merge shots, move a cut to another beat.
    /// Shots count from 1; cut N is the end of shot N. Edited shots are kept by `replan`.
    Edit {
        id: String,
        #[command(subcommand)]
        edit: StoryboardEditArg,
    },
    /// Plan the storyboard again from the song as now analysed (after `studio song` edits),
    /// keeping the shots you edited.
    Replan { id: String },
    /// Use this version (a job id) for its shot in the render.
    Pick { id: String, job: String },
    /// Stop queueing new shots (shots already queued finish); `generate` goes on.
    Pause { id: String },
    /// Make one more version of a shot: its price first, then asks (or --yes).
    Regenerate {
        id: String,
        /// The shot, from 1.
        shot: usize,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
enum StoryboardEditArg {
    /// A shot's prompt.
    Prompt { shot: usize, text: String },
    /// Split a shot at the beat nearest SECONDS.
    Split { shot: usize, seconds: f64 },
    /// Join a shot with the next one.
    Merge { shot: usize },
    /// Move cut N (the end of shot N) to the beat nearest SECONDS.
    Move { cut: usize, seconds: f64 },
}

#[derive(Debug, Subcommand)]
enum SongAction {
    /// Analyse a song file (MP3, WAV, FLAC, Ogg Vorbis, M4A): duration, tempo, meter, bars and a
    /// section table; `--json` prints one object with beats, downbeats and sections in seconds.
    Analyze {
        /// The song file.
        file: PathBuf,
    },
    /// Set the tempo: an even beat grid at BPM replaces the detected beats.
    Bpm {
        /// The song file.
        file: PathBuf,
        /// Beats per minute (20-300).
        bpm: f64,
    },
    /// Set the tempo by tapping: the times (in seconds) of at least 4 beats in a row.
    Tap {
        /// The song file.
        file: PathBuf,
        /// Beat times in seconds.
        #[arg(required = true, num_args = 1.., value_name = "SECONDS")]
        taps: Vec<f64>,
    },
    /// Move the bars: the beat nearest SECONDS starts a bar (and every bar before and after it).
    Downbeat {
        /// The song file.
        file: PathBuf,
        /// Where a bar starts, in seconds.
        seconds: f64,
        /// Beats per bar (2-12).
        #[arg(long, value_name = "N")]
        meter: Option<usize>,
    },
    /// Add, move or delete a section boundary (snapped to the nearest bar), or name a section.
    Section {
        /// The song file.
        file: PathBuf,
        #[command(subcommand)]
        edit: SectionEdit,
    },
    /// Forget your tempo, downbeat and section edits of a song: back to the analysis.
    Reset {
        /// The song file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum SectionEdit {
    /// Start a new section at the bar nearest SECONDS.
    Add { seconds: f64 },
    /// Move the section starting near FROM_S to the bar nearest TO_S.
    Move {
        #[arg(value_name = "FROM_S")]
        from: f64,
        #[arg(value_name = "TO_S")]
        to: f64,
    },
    /// Join the section starting near SECONDS to the one before it.
    Delete { seconds: f64 },
    /// Name the section playing at SECONDS (e.g. chorus).
    Label { seconds: f64, label: String },
}

#[derive(Debug, Subcommand)]
enum KeyAction {
    /// Read the key from stdin (hidden on a terminal) and store it.
    Set,
    /// Remove the stored key.
    Clear,
}

#[derive(Debug, clap::Args)]
struct VideoOpts {
    /// The video model (`studio models` lists them).
    #[arg(long)]
    model: String,
    /// The length, as the model lists it (e.g. 5s).
    #[arg(long)]
    duration: String,
    /// Aspect ratio, e.g. 16:9.
    #[arg(long = "aspect")]
    aspect: Option<String>,
    /// Resolution, e.g. 720p.
    #[arg(long)]
    resolution: Option<String>,
    /// Ask for audio (models that let you choose).
    #[arg(long, conflicts_with = "no_audio")]
    audio: bool,
    /// Ask for no audio (models that let you choose).
    #[arg(long)]
    no_audio: bool,
    /// The start frame for image-to-video models.
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
}

impl VideoOpts {
    fn into_args(self) -> VideoArgs {
        VideoArgs {
            model: self.model,
            duration: self.duration,
            aspect: self.aspect,
            resolution: self.resolution,
            audio: match (self.audio, self.no_audio) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            image: self.image,
        }
    }
}

fn run(cli: Cli) -> Result<Code, Failure> {
    let out = Out { json: cli.json };
    match cli.command {
        Command::Key {
            action: KeyAction::Set,
        } => return key::set(out),
        Command::Key {
            action: KeyAction::Clear,
        } => return key::clear(out),
        Command::Jobs => return jobs::list(out),
        Command::Open { id, no_launch } => return jobs::open(out, &id, !no_launch),
        Command::Dismiss { id } => return jobs::dismiss(out, &id),
        Command::Song { action } => return song_command(out, action),
        _ => {}
    }
    let runtime = session::runtime()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Doctor => doctor::run(out).await,
            Command::Models {
                kind,
                t2v,
                i2v,
                refresh,
            } => {
                let filter = match (t2v, i2v) {
                    (true, _) => Filter::TextToVideo,
                    (_, true) => Filter::ImageToVideo,
                    _ => Filter::All,
                };
                catalog::models(out, kind, filter, refresh).await
            }
            Command::Prompt { theme, model } => catalog::prompt(out, &theme, &model).await,
            Command::Quote { video, budget } => {
                catalog::quote(out, &video.into_args(), budget).await
            }
            Command::Generate {
                theme,
                prompt,
                video,
                count,
                budget,
                wait,
                delete_after_download,
            } => {
                let args = generate::GenerateArgs {
                    theme,
                    prompt,
                    video: video.into_args(),
                    count,
                    budget,
                    wait,
                    delete_after_download,
                };
                generate::run(out, args).await
            }
            Command::Resume {
                wait,
                delete_after_download,
            } => jobs::resume(out, wait, delete_after_download).await,
            Command::FetchAgain { id, wait } => jobs::fetch_again(out, &id, wait).await,
            Command::Settle { id, yes } => settle::run(out, &id, yes).await,
            Command::Video { action } => match action {
                VideoAction::New { new } => video::new(out, new.into_args()).await,
                VideoAction::Generate { id, no_wait } => video::generate(out, &id, !no_wait).await,
                VideoAction::Status { id } => video::status(out, &id).await,
                VideoAction::Render {
                    id,
                    out: file,
                    fill_gaps,
                } => video::render(out, &id, file, fill_gaps).await,
                VideoAction::List => video::list(out).await,
                VideoAction::Open { id, no_launch } => video::open(out, &id, !no_launch).await,
                VideoAction::Delete { id } => video::delete(out, &id).await,
                VideoAction::Duplicate { id } => video::duplicate(out, &id).await,
                VideoAction::Edit { id, edit } => {
                    use studio_core::projects::StoryboardEdit as E;
                    let from_one = |n: usize| {
                        n.checked_sub(1)
                            .ok_or_else(|| Failure::usage("shots and cuts count from 1"))
                    };
                    let edit = match edit {
                        StoryboardEditArg::Prompt { shot, text } => E::Prompt {
                            shot: from_one(shot)?,
                            text,
                        },
                        StoryboardEditArg::Split { shot, seconds } => E::Split {
                            shot: from_one(shot)?,
                            at_s: seconds,
                        },
                        StoryboardEditArg::Merge { shot } => E::Merge {
                            shot: from_one(shot)?,
                        },
                        StoryboardEditArg::Move { cut, seconds } => E::MoveCut {
                            cut: from_one(cut)?,
                            to_s: seconds,
                        },
                    };
                    video::edit(out, &id, edit).await
                }
                VideoAction::Replan { id } => video::replan(out, &id).await,
                VideoAction::Pick { id, job } => video::pick(out, &id, &job).await,
                VideoAction::Pause { id } => video::pause(out, &id).await,
                VideoAction::Regenerate { id, shot, yes } => {
                    let shot = shot
                        .checked_sub(1)
                        .ok_or_else(|| Failure::usage("shots count from 1"))?;
                    video::regenerate(out, &id, shot, yes).await
                }
            },
            Command::MusicVideo {
                new,
                yes,
                out: file,
            } => video::whole_way(out, new.into_args(), yes, file).await,
            Command::Jobs
            | Command::Open { .. }
            | Command::Dismiss { .. }
            | Command::Song { .. }
            | Command::Key { .. } => Ok(Code::Ok),
        }
    })
}

fn song_command(out: Out, action: SongAction) -> Result<Code, Failure> {
    use song::Edit;
    let (file, edit) = match action {
        SongAction::Analyze { file } => return song::analyze(out, &file),
        SongAction::Reset { file } => return song::reset(out, &file),
        SongAction::Bpm { file, bpm } => (file, Edit::Bpm(bpm)),
        SongAction::Tap { file, taps } => (file, Edit::Tap(taps)),
        SongAction::Downbeat {
            file,
            seconds,
            meter,
        } => (file, Edit::Downbeat { seconds, meter }),
        SongAction::Section { file, edit } => (
            file,
            match edit {
                SectionEdit::Add { seconds } => Edit::AddSection(seconds),
                SectionEdit::Move { from, to } => Edit::MoveSection { from, to },
                SectionEdit::Delete { seconds } => Edit::DeleteSection(seconds),
                SectionEdit::Label { seconds, label } => Edit::LabelSection { seconds, label },
            },
        ),
    };
    song::edit(out, &file, edit)
}

fn main() {
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    let code = match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            out.failure(&failure);
            failure.code
        }
    };
    std::process::exit(code.as_i32());
}
