//! Login throttling per account and per client IP (GCRA via `governor`).
//! The limits live in each node's memory: behind N nodes an attacker gets at
//! most N times the budget, which still turns guessing into a crawl.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Forget idle keys once this many are tracked.
const PRUNE_ABOVE: usize = 10_000;

/// The login limiters.
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimiter {
    /// `account_burst` attempts per account, then one a minute;
    /// `ip_burst` per IP, then one every six seconds.
    pub fn new(account_burst: u32, ip_burst: u32) -> Self {
        let burst = |n: u32| NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_account = Quota::with_period(Duration::from_secs(60))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst(account_burst));
        let per_ip = Quota::with_period(Duration::from_secs(6))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst(ip_burst));
        Self {
            per_account: RateLimiter::keyed(per_account),
            per_ip: RateLimiter::keyed(per_ip),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt from `ip`, and for `account` when one is named.
    pub fn check(&self, ip: IpAddr, account: Option<&str>) -> Result<(), ApiError> {
        self.prune();
        self.per_ip.check_key(&ip).map_err(|not_until| {
            ApiError::RateLimited(not_until.wait_time_from(self.clock.now()))
        })?;
        if let Some(account) = account {
            self.per_account
                .check_key(&account.to_owned())
                .map_err(|not_until| {
                    ApiError::RateLimited(not_until.wait_time_from(self.clock.now()))
                })?;
        }
        Ok(())
    }

    fn prune(&self) {
        if self.per_account.len() > PRUNE_ABOVE {
            self.per_account.retain_recent();
        }
        if self.per_ip.len() > PRUNE_ABOVE {
            self.per_ip.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_burst_then_refused_with_wait() {
        let limiter = LoginLimiter::new(3, 100);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            limiter.check(ip, Some("a@example.com")).unwrap();
        }
        match limiter.check(ip, Some("a@example.com")) {
            Err(ApiError::RateLimited(wait)) => assert!(wait > Duration::from_secs(50)),
            other => panic!("expected rate limit, got {other:?}"),
        }
        limiter.check(ip, Some("b@example.com")).unwrap();
    }

    #[test]
    fn ip_burst_applies_across_accounts() {
        let limiter = LoginLimiter::new(100, 2);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        limiter.check(ip, Some("a@example.com")).unwrap();
        limiter.check(ip, Some("b@example.com")).unwrap();
        assert!(limiter.check(ip, Some("c@example.com")).is_err());
        limiter
            .check("10.0.0.2".parse().unwrap(), Some("c@example.com"))
            .unwrap();
    }
}
