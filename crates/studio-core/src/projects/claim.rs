//! The rule every paid call of a project passes, checked inside the ledger's claim transaction
//! (see [`crate::ledger::ClaimView`]): the project is not paused and the run still holds its
//! lease, the storyboard is the one the call was built from, the shot still needs the call, and
//! the project's budget and the studio's caps hold with everything spent or in flight counted.

use super::Project;
use super::status::{ShotNeed, shot_need};
use crate::Error;
use crate::budget::Budget;
use crate::ledger::ClaimView;

/// Why a shot was not claimed.
#[derive(Clone, Debug, PartialEq)]
pub enum NotClaimed {
    /// The user paused the project.
    Paused,
    /// Another run holds the project's "Generate all" now.
    LeaseLost,
    /// The storyboard or settings changed since the call was built (read them again).
    StoryboardChanged,
    /// The shot has a clip, a version on its way, or one of unknown outcome.
    Covered,
    /// One more version was asked for while one is still on its way (a double click).
    VersionOnItsWay,
    /// A paid job of this shot failed: buying it again needs the user's yes.
    PaidJobFailed,
    /// Over the project's budget, with what was spent (in flight included) and what this costs.
    OverProjectBudget { budget: f64, spent: f64, cost: f64 },
    /// Over one of the studio's caps (the whole sentence).
    OverCap(String),
}

impl std::fmt::Display for NotClaimed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotClaimed::Paused => f.write_str("the project is paused. Generate all to go on."),
            NotClaimed::LeaseLost => f.write_str(
                "another run of Generate all took this project over (this one stalled). It goes \
                 on there.",
            ),
            NotClaimed::StoryboardChanged => {
                f.write_str("the storyboard changed meanwhile; it is read again.")
            }
            NotClaimed::Covered => f.write_str("it already has a clip, or a version on its way."),
            NotClaimed::VersionOnItsWay => f.write_str(
                "a version of it is already on its way. Wait for it, then make another if you \
                 want one.",
            ),
            NotClaimed::PaidJobFailed => f.write_str(
                "its last paid job failed without a video. Generate it again (Regenerate, with \
                 its price) if you want to pay for it again.",
            ),
            NotClaimed::OverProjectBudget {
                budget,
                spent,
                cost,
            } => write!(
                f,
                "it costs ${cost:.2} and ${spent:.2} of the project's ${budget:.2} budget is \
                 spent or on its way, so it would go ${:.2} over. Raise the budget to go on.",
                spent + cost - budget
            ),
            NotClaimed::OverCap(why) => f.write_str(why),
        }
    }
}

/// Who is asking for the call.
#[derive(Clone, Debug)]
pub(crate) enum ClaimKind {
    /// "Generate all": the run holding the lease, built from the project at `revision`.
    Run { holder: String, revision: i64 },
    /// One more version the user asked for (Regenerate).
    ExtraVersion,
}

/// A claim of shot `index` (its span in ms) costing `cost`.
#[derive(Clone, Debug)]
pub(crate) struct ShotClaim {
    pub project_id: String,
    pub index: usize,
    pub span: (i64, i64),
    pub kind: ClaimKind,
    pub caps: Budget,
}

impl ShotClaim {
    /// The rule, on the ledger as it is inside the claim's transaction.
    pub(crate) fn check(&self, view: &ClaimView<'_>, cost: f64) -> Result<(), Error> {
        let refuse = |why| Error::NotClaimed {
            shot: self.index,
            why,
        };
        let project = Project::from_row(view.project.clone())?;
        if let ClaimKind::Run { holder, revision } = &self.kind {
            if project.paused {
                return Err(refuse(NotClaimed::Paused));
            }
            if view.project.lease_holder.as_deref() != Some(holder.as_str()) {
                return Err(refuse(NotClaimed::LeaseLost));
            }
            if *revision != project.revision {
                return Err(refuse(NotClaimed::StoryboardChanged));
            }
        }
        let Some(shot) = project
            .storyboard
            .shots
            .iter()
            .find(|s| super::span_ms(s) == self.span)
        else {
            return Err(refuse(NotClaimed::StoryboardChanged));
        };
        match (&self.kind, shot_need(shot, view.jobs)) {
            (ClaimKind::Run { .. }, ShotNeed::Covered) => return Err(refuse(NotClaimed::Covered)),
            (ClaimKind::Run { .. }, ShotNeed::PaidJobFailed) => {
                return Err(refuse(NotClaimed::PaidJobFailed));
            }
            (ClaimKind::ExtraVersion, _) if super::status::on_its_way(shot, view.jobs) => {
                return Err(refuse(NotClaimed::VersionOnItsWay));
            }
            _ => {}
        }
        if let Some(budget) = project.settings.budget_usd
            && view.project_spent_usd + cost > budget + 0.005
        {
            return Err(refuse(NotClaimed::OverProjectBudget {
                budget,
                spent: view.project_spent_usd,
                cost,
            }));
        }
        self.caps
            .check(cost, view.session_spent_usd, view.total_spent_usd)
            .map_err(|e| refuse(NotClaimed::OverCap(e.to_string())))
    }
}
