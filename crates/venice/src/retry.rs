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
mod tests {
    use super::*;
    use crate::error::{ApiError, Operation};
    use crate::meta::ResponseMeta;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::UNIX_EPOCH;

    fn api(status: u16) -> Error {
        ApiError::from_response(
            Operation::VideoRetrieve,
            status,
            b"{\"error\":\"x\"}",
            ResponseMeta::default(),
            UNIX_EPOCH,
        )
        .into()
    }

    fn rate_limited(secs: u64) -> Error {
        let meta = ResponseMeta {
            retry_after: Some(Duration::from_secs(secs)),
            ..Default::default()
        };
        ApiError::from_response(Operation::VideoQuote, 429, b"{}", meta, UNIX_EPOCH).into()
    }

    #[test]
    fn backoff_math_is_deterministic_and_bounded() {
        let p = RetryPolicy::default()
            .delays(Duration::from_millis(500), Duration::from_secs(8))
            .with_seed(7);
        assert_eq!(p.ceiling(1), Duration::from_millis(500));
        assert_eq!(p.ceiling(2), Duration::from_secs(1));
        assert_eq!(p.ceiling(4), Duration::from_secs(4));
        assert_eq!(p.ceiling(10), Duration::from_secs(8));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(8));
        let a: Vec<_> = (1..8).map(|r| p.backoff(r)).collect();
        let q = RetryPolicy::default()
            .delays(Duration::from_millis(500), Duration::from_secs(8))
            .with_seed(7);
        let b: Vec<_> = (1..8).map(|r| q.backoff(r)).collect();
        assert_eq!(a, b, "same seed, same delays");
        for (i, d) in a.iter().enumerate() {
            assert!(*d <= p.ceiling(i as u32 + 1));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_then_succeeds() {
        let p = RetryPolicy::default().with_seed(1);
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let out = run(&p, || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n < 2 { Err(api(503)) } else { Ok(n) }
        })
        .await;
        assert_eq!(out.ok(), Some(2));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(start.elapsed() <= p.ceiling(1) + p.ceiling(2));
    }

    #[tokio::test(start_paused = true)]
    async fn honours_retry_after() {
        let p = RetryPolicy::default().with_seed(1);
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let out = run(&p, || async {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(rate_limited(7))
            } else {
                Ok(())
            }
        })
        .await;
        assert!(out.is_ok());
        assert_eq!(start.elapsed(), Duration::from_secs(7));
        // Too long a wait goes back to the caller.
        let out: Result<(), _> = run(&p, || async { Err(rate_limited(3600)) }).await;
        assert_eq!(out.err().map(|e| e.status()), Some(Some(429)));
    }

    #[tokio::test(start_paused = true)]
    async fn never_retries_outcome_unknown_needs_user_or_permanent() {
        let p = RetryPolicy::default().with_seed(1);
        for make in [
            || Error::OutcomeUnknown {
                detail: "t".into(),
                status: None,
                request_id: None,
            },
            || api(401),
            || api(404),
            || Error::UnknownStatus {
                status: "weird".into(),
                request_id: None,
            },
        ] {
            let calls = AtomicU32::new(0);
            let out: Result<(), _> = run(&p, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(make())
            })
            .await;
            assert!(out.is_err());
            assert_eq!(calls.load(Ordering::SeqCst), 1);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts() {
        let p = RetryPolicy::default().max_attempts(3).with_seed(3);
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = run(&p, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api(500))
        })
        .await;
        assert_eq!(out.err().and_then(|e| e.status()), Some(500));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn failure_budget_waits_out_the_window() {
        let budget = FailureBudget::new(3, Duration::from_secs(30));
        let shared = budget.clone();
        for _ in 0..3 {
            shared.record_failure();
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        assert_eq!(budget.failures_in_window(), 3);
        // The first failure was 3 s ago; it leaves the window in 27 s.
        assert_eq!(budget.wait_needed(), Duration::from_secs(27));
        let start = Instant::now();
        let permit = budget.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(27));
        drop(permit);
        assert_eq!(budget.failures_in_window(), 2);
        assert_eq!(budget.wait_needed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_storm_stays_under_venice_lockout() {
        // Many tasks hammering a failing endpoint: never more than 10 failures in any 30 s.
        let p = RetryPolicy::default()
            .max_attempts(6)
            .delays(Duration::from_millis(10), Duration::from_millis(50))
            .with_seed(9);
        let log: Arc<Mutex<Vec<Instant>>> = Arc::default();
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let p = p.clone();
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let _: Result<(), _> = run(&p, || {
                    let log = log.clone();
                    async move {
                        log.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(Instant::now());
                        Err(api(503))
                    }
                })
                .await;
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let times = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(times.len(), 48);
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .filter(|u| u.duration_since(*t) < Duration::from_secs(30))
                .count();
            assert!(in_window <= 10, "{in_window} failures within 30 s");
        }
    }
}
