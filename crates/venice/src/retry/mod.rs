//! Retrying, kept apart from the client: backoff with full jitter, `Retry-After` on 429, and a
//! failure budget that keeps the key well clear of Venice's lock-out (more than 20 failed
//! requests in 30 s locks the key for 30 s).
//!
//! ```no_run
//! # async fn demo(client: venice::Client, req: venice::QuoteVideoRequest) -> Result<(), venice::Error> {
//! let policy = venice::retry::RetryPolicy::default();
//! let quote = venice::retry::run(&policy, || async { client.video().quote(&req).await }).await?;
//! # Ok(()) }
//! ```
//!
//! Sleeps use `tokio::time`, so tests can run with `tokio::time::pause()`; the jitter RNG is
//! seedable ([`RetryPolicy::with_seed`]).

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::Instant;

use crate::error::{Error, ErrorClass};

/// Counts our own failed requests in a rolling window, shared by every clone. Requests in
/// flight hold a slot too, so many tasks failing at once still cannot overshoot the budget.
#[derive(Clone, Debug)]
pub struct FailureBudget {
    max_failures: usize,
    window: Duration,
    state: Arc<Mutex<BudgetState>>,
}

#[derive(Debug, Default)]
struct BudgetState {
    failures: VecDeque<Instant>,
    in_flight: usize,
}

/// A slot for one request. Call [`BudgetPermit::failed`] when it failed; dropping it otherwise
/// just frees the slot.
#[derive(Debug)]
pub struct BudgetPermit {
    budget: FailureBudget,
}

impl BudgetPermit {
    /// The request failed: the slot becomes a failure in the window.
    pub fn failed(self) {
        let now = Instant::now();
        let mut s = self.budget.lock();
        s.failures.push_back(now);
        // Drop decrements in_flight.
    }
}

impl Drop for BudgetPermit {
    fn drop(&mut self) {
        let mut s = self.budget.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
    }
}

/// How often to look again when only requests in flight fill the budget.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(50);

impl Default for FailureBudget {
    /// At most 10 failures per rolling 30 s: half of what trips Venice's lock-out.
    fn default() -> Self {
        FailureBudget::new(10, Duration::from_secs(30))
    }
}

impl FailureBudget {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        FailureBudget {
            max_failures: max_failures.max(1),
            window,
            state: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        // A poisoned lock only means another task panicked mid-update; the data is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn pruned(&self, now: Instant) -> std::sync::MutexGuard<'_, BudgetState> {
        let mut s = self.lock();
        while s
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            s.failures.pop_front();
        }
        s
    }

    /// Notes one failed request now (for calls made outside [`run`]).
    pub fn record_failure(&self) {
        let now = Instant::now();
        self.pruned(now).failures.push_back(now);
    }

    /// Failures inside the window now.
    pub fn failures_in_window(&self) -> usize {
        self.pruned(Instant::now()).failures.len()
    }

    /// How long until another request may go out (zero when the budget has room).
    pub fn wait_needed(&self) -> Duration {
        let now = Instant::now();
        let s = self.pruned(now);
        Self::wait_in(&s, self.max_failures, self.window, now)
    }

    fn wait_in(s: &BudgetState, max: usize, window: Duration, now: Instant) -> Duration {
        let used = s.failures.len() + s.in_flight;
        if used < max {
            return Duration::ZERO;
        }
        // How many recorded failures must leave the window to make room for one more.
        let must_expire = used + 1 - max;
        let expiry = match must_expire.checked_sub(1).and_then(|i| s.failures.get(i)) {
            Some(t) => (*t + window).saturating_duration_since(now),
            None => window,
        };
        if s.in_flight > 0 {
            expiry.min(IN_FLIGHT_POLL).max(Duration::from_millis(1))
        } else {
            expiry
        }
    }

    /// Waits until the budget has room, then holds a slot for one request.
    pub async fn acquire(&self) -> BudgetPermit {
        loop {
            let now = Instant::now();
            let wait = {
                let mut s = self.pruned(now);
                let wait = Self::wait_in(&s, self.max_failures, self.window, now);
                if wait.is_zero() {
                    s.in_flight += 1;
                }
                wait
            };
            if wait.is_zero() {
                return BudgetPermit {
                    budget: self.clone(),
                };
            }
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "failure budget spent; waiting before sending"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// How to retry. Cheap to clone; clones share the failure budget and the RNG.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Total attempts including the first.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A 429 asking for a longer wait than this is returned to the caller instead.
    pub max_retry_after: Duration,
    pub budget: FailureBudget,
    rng: Arc<Mutex<StdRng>>,
}

impl Default for RetryPolicy {
    /// 5 attempts, 1 s base, 30 s cap, honour `Retry-After` up to 2 min, 10 failures / 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            budget: FailureBudget::default(),
            rng: Arc::new(Mutex::new(StdRng::from_os_rng())),
        }
    }
}

impl RetryPolicy {
    /// Same policy with a deterministic jitter RNG (tests).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = Arc::new(Mutex::new(StdRng::seed_from_u64(seed)));
        self
    }

    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    pub fn delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    pub fn budget(mut self, budget: FailureBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The backoff ceiling before attempt `retry` (1 = first retry): `min(max, base * 2^(retry-1))`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(31));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// Full jitter: a uniform delay in `[0, ceiling(retry)]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry).as_millis() as u64;
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        Duration::from_millis(rng.random_range(0..=ceiling))
    }
}

/// Whether an error may be retried by [`run`], and after how long.
fn retry_delay(policy: &RetryPolicy, err: &Error, retry: u32) -> Option<Duration> {
    match err.class() {
        ErrorClass::RetryAfter(d) if d <= policy.max_retry_after => Some(d),
        ErrorClass::RetryAfter(_) => None,
        ErrorClass::RetryWithBackoff => Some(policy.backoff(retry)),
        ErrorClass::NeedsUser(_) | ErrorClass::Permanent | ErrorClass::OutcomeUnknown => None,
    }
}

/// Runs `op` until it succeeds, fails in a way retrying cannot fix, or attempts run out.
/// Never retries `OutcomeUnknown` (a queue call that may have been charged), `NeedsUser` or
/// `Permanent`. Waits out the failure budget before every attempt.
pub async fn run<T, F, Fut>(policy: &RetryPolicy, mut op: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempt: u32 = 1;
    loop {
        let permit = policy.budget.acquire().await;
        let err = match op().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        // Errors that never reached Venice do not count toward its lock-out.
        if !matches!(
            err,
            Error::Constraint(_) | Error::MissingApiKey | Error::Config(_)
        ) {
            permit.failed();
        } else {
            drop(permit);
        }
        if attempt >= policy.max_attempts {
            return Err(err);
        }
        let Some(delay) = retry_delay(policy, &err, attempt) else {
            return Err(err);
        };
        tracing::info!(
            attempt,
            delay_ms = delay.as_millis() as u64,
            status = err.status(),
            request_id = err.request_id(),
            "retrying Venice call"
        );
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests;
