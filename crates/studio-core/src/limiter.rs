//! Keeps our request rate under Venice's per-minute limits: one sliding-window limiter per kind of
//! call, shared by every job, lowered when Venice's rate-limit headers say so. Uses tokio's clock,
//! so tests run it with `tokio::time::pause`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Venice counts per minute at its end; a request stamped here arrives a few milliseconds later,
/// so our window is a second longer than Venice's to keep any 60 s there under the limit.
const WINDOW: Duration = Duration::from_secs(61);

/// Venice's documented defaults are 40 queue and 120 retrieve calls a minute; we stay a little
/// under them so a clock skew between us and Venice never costs a 429.
pub const DEFAULT_QUEUE_PER_MINUTE: u32 = 36;
pub const DEFAULT_RETRIEVE_PER_MINUTE: u32 = 110;

/// A sliding one-minute window: at most `limit` requests in any 60 s.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    configured: u32,
    limit: u32,
    sent: VecDeque<Instant>,
    held_until: Option<Instant>,
}

impl RateLimiter {
    pub fn per_minute(limit: u32) -> Self {
        let limit = limit.max(1);
        let window = Window {
            configured: limit,
            limit,
            sent: VecDeque::new(),
            held_until: None,
        };
        Self {
            state: Mutex::new(window),
        }
    }

    /// Waits until one more request fits, and counts it as sent.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                while w
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    w.sent.pop_front();
                }
                match w.held_until {
                    Some(until) if until > now => until - now,
                    _ if w.sent.len() < w.limit as usize => {
                        w.sent.push_back(now);
                        return;
                    }
                    _ => w
                        .sent
                        .front()
                        .map_or(Duration::ZERO, |oldest| *oldest + WINDOW - now),
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Applies what Venice's headers said: a lower limit than ours wins; no requests left means
    /// hold everything until the reset.
    pub fn observe(&self, limit: Option<u32>, remaining: Option<u32>, reset_in: Option<Duration>) {
        let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(limit) = limit.filter(|l| *l > 0) {
            w.limit = w.configured.min(limit);
        }
        if remaining == Some(0) {
            let until = Instant::now() + reset_in.unwrap_or(WINDOW);
            w.held_until = Some(w.held_until.map_or(until, |held| held.max(until)));
        }
    }

    /// Holds every request for `delay` (after a 429 that named a retry time).
    pub fn hold_for(&self, delay: Duration) {
        self.observe(None, Some(0), Some(delay));
    }

    /// The limit in force now.
    pub fn limit(&self) -> u32 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).limit
    }
}

/// The limiters the engine shares across jobs.
#[derive(Debug)]
pub struct VeniceLimits {
    pub queue: RateLimiter,
    pub retrieve: RateLimiter,
}

impl Default for VeniceLimits {
    fn default() -> Self {
        Self {
            queue: RateLimiter::per_minute(DEFAULT_QUEUE_PER_MINUTE),
            retrieve: RateLimiter::per_minute(DEFAULT_RETRIEVE_PER_MINUTE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn acquire_all(limiter: &RateLimiter, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..n {
            limiter.acquire().await;
            at.push(start.elapsed());
        }
        at
    }

    #[tokio::test(start_paused = true)]
    async fn no_minute_ever_holds_more_than_the_limit() {
        let limiter = RateLimiter::per_minute(5);
        let at = acquire_all(&limiter, 12).await;
        assert!(at[..5].iter().all(|t| *t == Duration::ZERO), "{at:?}");
        assert_eq!(at[5], Duration::from_secs(61));
        assert_eq!(at[10], Duration::from_secs(122));
        for (i, t) in at.iter().enumerate() {
            let in_window = at.iter().filter(|u| **u <= *t && *t - **u < WINDOW).count();
            assert!(
                in_window <= 5,
                "request {i} at {t:?} makes {in_window} in a minute"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lower_limit_from_venice_wins_and_a_higher_one_does_not() {
        let limiter = RateLimiter::per_minute(10);
        limiter.observe(Some(3), Some(3), None);
        assert_eq!(limiter.limit(), 3);
        limiter.observe(Some(500), Some(499), None);
        assert_eq!(limiter.limit(), 10);
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_is_sent_until_the_reset_when_venice_says_none_are_left() {
        let limiter = RateLimiter::per_minute(10);
        limiter.observe(Some(10), Some(0), Some(Duration::from_secs(7)));
        let at = acquire_all(&limiter, 1).await;
        assert_eq!(at[0], Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_after_a_429_delays_the_next_request() {
        let limiter = RateLimiter::per_minute(10);
        limiter.hold_for(Duration::from_secs(3));
        limiter.hold_for(Duration::from_secs(1));
        let at = acquire_all(&limiter, 2).await;
        assert_eq!(at, vec![Duration::from_secs(3), Duration::from_secs(3)]);
    }
}
