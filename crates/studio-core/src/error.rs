//! The one error type of studio-core: what went wrong, said so the user knows what to do next.

use std::path::PathBuf;

use crate::ledger::{JobId, JobState};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "could not open the job ledger at {path}: {source}. Check that the folder is writable."
    )]
    LedgerOpen {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "the job ledger was written by a newer version of the studio (schema {found}, this one \
         reads up to {supported}); update the studio"
    )]
    LedgerTooNew { found: u32, supported: u32 },
    #[error("the job ledger could not be read or written: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("no job {0} in the ledger")]
    JobNotFound(JobId),
    #[error("job {id} is {from}; it cannot become {to}")]
    IllegalMove {
        id: JobId,
        from: JobState,
        to: JobState,
    },
    #[error(
        "Type a theme first: a few words about the video you want, e.g. \"Cyberpunk neon city\"."
    )]
    EmptyTheme,
    #[error("The chat model returned an empty prompt. Try again, or write the prompt yourself.")]
    EmptyPrompt,
    #[error("{} is not a playable video: {why}", path.display())]
    BadVideo { path: PathBuf, why: String },
    #[error(
        "This would go over your budget {scope}: ${spent:.2} of ${cap:.2} spent, ${remaining:.2} \
         left, and this costs ${cost:.2}. Raise the budget or spend less."
    )]
    OverBudget {
        scope: &'static str,
        cap: f64,
        spent: f64,
        remaining: f64,
        cost: f64,
    },
    #[error("could not find your home folder to keep the studio's files in; set STUDIO_DATA_DIR")]
    NoHomeFolder,
    #[error("{} cannot be used as the start frame: {why}", path.display())]
    BadImage { path: PathBuf, why: String },
    #[error(transparent)]
    Venice(#[from] venice::Error),
    /// A song file that cannot be analysed; the text names the file and what to do.
    #[error(transparent)]
    Song(#[from] song::Error),
    /// A file picked as a song that is refused before it is read whole.
    #[error(
        "{} cannot be used as a song: {why}. Pick the song's audio file (MP3, WAV, FLAC, Ogg or \
         M4A/AAC).",
        path.display()
    )]
    BadSongFile { path: PathBuf, why: String },
    #[error(
        "Your edits of this song in {} cannot be read ({why}). Reset the song's edits to start \
         again from the analysis.",
        path.display()
    )]
    SongOverrides { path: PathBuf, why: String },
    #[error("{0}")]
    Refused(String),
    #[error("no video model called {0}; `studio models` lists them")]
    UnknownModel(String),
    #[error("the model list could not be loaded; check your connection and try again")]
    NoCatalogue,
    #[error("{matches} jobs start with {prefix}; give more of the id")]
    AmbiguousJobId { prefix: String, matches: usize },
    #[error("{0}")]
    Storyboard(#[from] storyboard::Error),
    #[error("{0}")]
    Render(#[from] render::Error),
    #[error("project {id} could not be opened: {why}")]
    BadProject { id: String, why: String },
    #[error("no music-video project {0}; `studio video list` lists them")]
    ProjectNotFound(String),
    #[error(
        "project {0} was changed meanwhile (in another window or by a `studio` command); open it \
         again and redo the change"
    )]
    ProjectChanged(String),
    /// A paid call of a project's shot was not made, and why (counting shots from 1).
    #[error("Shot {} was not queued: {why}", shot + 1)]
    NotClaimed {
        shot: usize,
        why: crate::projects::NotClaimed,
    },
    #[error("more than one project starts with {0}; give more of the id")]
    AmbiguousProjectId(String),
    #[error("the studio engine stopped")]
    EngineStopped,
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "Another studio (the app or a `studio` command) is already working on the jobs in {}. \
         Let it finish, or close it and try again.",
        .0.display()
    )]
    AlreadyRunning(PathBuf),
    #[error("job {0} has no video in the library")]
    NoVideo(JobId),
    #[error("job {id} cannot be fetched again: {why}")]
    CannotFetchAgain { id: JobId, why: String },
    #[error(
        "job {id} is {state}, not of unknown outcome: only a job whose queue call went unanswered \
         can be dismissed"
    )]
    NotOutcomeUnknown { id: JobId, state: JobState },
    #[error(
        "job {id} is {state}, not of unknown outcome: there is nothing to settle with Venice's usage"
    )]
    NothingToSettle { id: JobId, state: JobState },
    #[error(
        "Could not read your Venice usage history to settle job {id}, so nothing was changed (it \
         stays of unknown outcome): {source}"
    )]
    UsageUnavailable {
        id: JobId,
        #[source]
        source: venice::Error,
    },
    #[error(
        "{} cannot be the music video's file: {why}. Choose a file outside the studio's folders, \
         or name none to save it in the media folder.",
        path.display()
    )]
    BadRenderOut { path: PathBuf, why: String },
    #[error("{} is already this video: choose another name or folder", .0.display())]
    SameFile(PathBuf),
    #[error("{} cannot be the media folder: {why}. Choose another folder.", path.display())]
    BadMediaFolder { path: PathBuf, why: String },
    /// The OS keychain refused or is not there; the text is a full sentence.
    #[error("{0}")]
    Keychain(String),
}
