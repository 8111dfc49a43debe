//! The user's spending limits: per session and in total, checked before any money is spent.

use serde::{Deserialize, Serialize};

use crate::Error;

/// Optional caps in USD. `None` means no cap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub per_session_usd: Option<f64>,
    pub total_usd: Option<f64>,
}

impl Budget {
    /// Refuses `cost` if it would take spending past either cap. `spent_*` come from the ledger.
    pub fn check(&self, cost: f64, spent_session: f64, spent_total: f64) -> Result<(), Error> {
        let caps = [
            ("for this session", self.per_session_usd, spent_session),
            ("in total", self.total_usd, spent_total),
        ];
        for (scope, cap, spent) in caps {
            if let Some(cap) = cap
                && spent + cost > cap + 1e-9
            {
                return Err(Error::OverBudget {
                    scope,
                    cap,
                    spent,
                    remaining: (cap - spent).max(0.0),
                    cost,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_caps_allow_anything() {
        Budget::default().check(1_000.0, 5_000.0, 9_000.0).unwrap();
    }

    #[test]
    fn a_cost_that_fits_exactly_is_allowed() {
        let budget = Budget {
            per_session_usd: Some(1.0),
            total_usd: None,
        };
        budget.check(0.3, 0.7, 0.7).unwrap();
    }

    #[test]
    fn the_refusal_shows_spent_and_remaining() {
        let budget = Budget {
            per_session_usd: Some(2.0),
            total_usd: Some(10.0),
        };
        let err = budget.check(0.75, 1.5, 1.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This would go over your budget for this session: $1.50 of $2.00 spent, $0.50 left, \
             and this costs $0.75. Raise the budget or spend less."
        );
        let err = budget.check(0.75, 0.0, 9.5).unwrap_err();
        assert!(
            err.to_string()
                .contains("budget in total: $9.50 of $10.00 spent"),
            "{err}"
        );
    }
}
