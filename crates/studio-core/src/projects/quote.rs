//! Money first: the whole storyboard quoted before anything is queued (each distinct model,
//! duration and resolution quoted once), what is left to spend, and the budget's verdict with
//! what would fit instead.

use std::collections::HashMap;

use serde::Serialize;
use storyboard::{PriceKey, Storyboard, VideoSettings, WholePrice};

use super::Project;
use super::status::needs_generating;
use crate::Error;
use crate::engine::Studio;

/// The price of a project.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectQuote {
    /// Every shot once.
    pub whole: WholePrice,
    /// The shots still to make (no ready or running version).
    pub to_spend: WholePrice,
    /// One version of each shot, in storyboard order (what "Regenerate" costs).
    pub shot_usd: Vec<f64>,
    /// Spent on the project so far (all versions).
    pub spent_usd: f64,
    /// Why generating the rest would be refused (the project's budget or the studio's caps),
    /// with what would fit instead.
    pub over_budget: Option<String>,
}

impl Studio {
    /// Quotes the project (free; creates nothing).
    pub async fn quote_project(&self, id_or_prefix: &str) -> Result<ProjectQuote, Error> {
        let project = self.project(id_or_prefix).await?;
        self.quote_loaded(&project).await
    }

    pub(crate) async fn quote_loaded(&self, project: &Project) -> Result<ProjectQuote, Error> {
        let settings = video_settings(project, project.settings.resolution.clone());
        let jobs = {
            let id = project.id.clone();
            self.shared()
                .db(move |ledger, _| ledger.project_jobs(&id))
                .await?
        };
        let remaining = remaining_board(&project.storyboard, &jobs);
        // Each distinct model, duration and resolution is quoted once, for all three sums.
        let prices = self.quotes(&project.storyboard, &settings).await?;
        let whole = storyboard::total(&project.storyboard, &settings, &prices)?;
        let to_spend = storyboard::total(&remaining, &settings, &prices)?;
        let shot_usd = (0..project.storyboard.shots.len())
            .map(|i| {
                storyboard::price_key(&project.storyboard, &settings, i)
                    .and_then(|key| prices.get(&key).copied())
                    .unwrap_or(0.0)
            })
            .collect();
        let (spent_usd, spent_session, spent_total) = {
            let id = project.id.clone();
            let session = self.session_id().to_string();
            self.shared()
                .db(move |ledger, _| {
                    Ok((
                        ledger.project_spent_usd(&id)?,
                        ledger.spent_usd(Some(&session))?,
                        ledger.spent_usd(None)?,
                    ))
                })
                .await?
        };
        let mut over_budget = None;
        if let Some(budget) = project.settings.budget_usd {
            // The project's budget covers every version: what was spent plus what is left.
            let left = (budget - spent_usd).max(0.0);
            if to_spend.usd > left + 0.005 {
                let alternatives = self.alternatives(project, &remaining).await;
                over_budget = storyboard::check_budget(&to_spend, left, &alternatives)
                    .err()
                    .map(|e| {
                        if spent_usd > 0.0 {
                            format!("{e} (${spent_usd:.2} of the ${budget:.2} budget is spent.)")
                        } else {
                            e.to_string()
                        }
                    });
            }
        }
        if over_budget.is_none() {
            over_budget = self
                .shared()
                .config
                .budget
                .check(to_spend.usd, spent_session, spent_total)
                .err()
                .map(|e| e.to_string());
        }
        Ok(ProjectQuote {
            whole,
            to_spend,
            shot_usd,
            spent_usd,
            over_budget,
        })
    }

    /// The price of `board`'s shots, each distinct combination quoted once.
    pub(crate) async fn price(
        &self,
        board: &Storyboard,
        settings: &VideoSettings,
    ) -> Result<WholePrice, Error> {
        let prices = self.quotes(board, settings).await?;
        Ok(storyboard::total(board, settings, &prices)?)
    }

    /// Venice's quote for each distinct combination in `board`.
    async fn quotes(
        &self,
        board: &Storyboard,
        settings: &VideoSettings,
    ) -> Result<HashMap<PriceKey, f64>, Error> {
        let shared = self.shared();
        let mut prices: HashMap<PriceKey, f64> = HashMap::new();
        for key in storyboard::price_requests(board, settings) {
            let request = key.quote_request();
            let answer = venice::retry::run(&shared.backoff, || async {
                shared.client.video().quote(&request).await
            })
            .await?;
            prices.insert(key, answer.value.quote);
        }
        Ok(prices)
    }

    /// The same shots at the model's other resolutions, for an over-budget message.
    async fn alternatives(
        &self,
        project: &Project,
        board: &Storyboard,
    ) -> Vec<(String, WholePrice)> {
        let Ok(catalogue) = self.catalogue(false).await else {
            return Vec::new();
        };
        let Some(model) = catalogue.get(&project.settings.model) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for resolution in &model.constraints.resolutions {
            if Some(resolution) == project.settings.resolution.as_ref() {
                continue;
            }
            let settings = video_settings(project, Some(resolution.clone()));
            if let Ok(price) = self.price(board, &settings).await {
                found.push((format!("resolution {resolution}"), price));
            }
        }
        found
    }
}

pub(crate) fn video_settings(project: &Project, resolution: Option<String>) -> VideoSettings {
    VideoSettings {
        model: project.settings.model.clone(),
        resolution,
        aspect_ratio: project.settings.aspect_ratio.clone(),
    }
}

/// The storyboard cut down to the shots that still need a clip.
fn remaining_board(board: &Storyboard, jobs: &[crate::JobRecord]) -> Storyboard {
    let mut rest = board.clone();
    rest.shots.retain(|shot| needs_generating(shot, jobs));
    rest
}
