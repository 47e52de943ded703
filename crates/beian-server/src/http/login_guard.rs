//! Password guessing: failures counted per username and per client address.
//!
//! After `failures_before_lock` wrong passwords in a row a username is locked;
//! each further lock lasts twice as long as the one before (1, 2, 4 … minutes,
//! at most an hour), so a slow guesser gains nothing and a person who mistyped
//! waits a minute. While locked every attempt answers 429 with `Retry-After`,
//! the right password too, and costs no hashing. An address that fails across
//! many usernames (spraying) is locked the same way at a higher threshold.
//! A success clears the username's count. Admins list the locks and lift them.
//!
//! Counts live in process memory, like the rate limits.

use crate::http::error::ApiError;
use crate::http::ratelimit::too_many;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The thresholds (policy values).
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Wrong passwords for one username before it is locked.
    pub failures_before_lock: u32,
    /// Wrong passwords from one address, over any usernames, before it is locked.
    pub address_failures_before_lock: u32,
    /// The first lock; each further one doubles, up to `max_lock`.
    pub first_lock: Duration,
    pub max_lock: Duration,
}

impl Default for LoginPolicy {
    fn default() -> LoginPolicy {
        LoginPolicy {
            failures_before_lock: 5,
            address_failures_before_lock: 30,
            first_lock: Duration::from_secs(60),
            max_lock: Duration::from_secs(3600),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Count {
    failures: u32,
    locks: u32,
    locked_until: Option<(Instant, SystemTime)>,
}

impl Count {
    fn locked(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .filter(|(until, _)| *until > now)
            .map(|(until, _)| until - now)
    }

    /// Counts a failure; locks at the threshold with a doubling duration.
    fn fail(&mut self, threshold: u32, p: &LoginPolicy, now: Instant) {
        self.failures += 1;
        if self.failures >= threshold {
            let factor = 1u32 << self.locks.min(16);
            let lock = (p.first_lock * factor).min(p.max_lock);
            self.locked_until = Some((now + lock, SystemTime::now() + lock));
            self.locks += 1;
            self.failures = 0;
        }
    }
}

/// A username's lock, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub username: String,
    pub locks: u32,
    pub locked_until: SystemTime,
}

/// The counts of one process.
#[derive(Debug, Default)]
pub struct LoginGuard {
    policy: LoginPolicy,
    users: Mutex<HashMap<String, Count>>,
    addresses: Mutex<HashMap<IpAddr, Count>>,
}

fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl LoginGuard {
    pub fn new(policy: LoginPolicy) -> LoginGuard {
        LoginGuard {
            policy,
            ..LoginGuard::default()
        }
    }

    /// Refuses an attempt while the username or the address is locked.
    pub fn admit(&self, username: &str, ip: IpAddr) -> Result<(), ApiError> {
        let now = Instant::now();
        let user = lock(&self.users)
            .get(&key(username))
            .and_then(|c| c.locked(now));
        let address = lock(&self.addresses).get(&ip).and_then(|c| c.locked(now));
        match user.max(address) {
            Some(wait) => Err(too_many(wait)
                .suggest("密码错误次数过多，账号已临时锁定；请稍后重试，或联系管理员解锁")),
            None => Ok(()),
        }
    }

    /// Records a wrong password (or an unknown username).
    pub fn failed(&self, username: &str, ip: IpAddr) {
        let now = Instant::now();
        let p = self.policy;
        lock(&self.users)
            .entry(key(username))
            .or_default()
            .fail(p.failures_before_lock, &p, now);
        let mut addresses = lock(&self.addresses);
        if addresses.len() > 100_000 {
            addresses.retain(|_, c| c.locked(now).is_some());
        }
        addresses
            .entry(ip)
            .or_default()
            .fail(p.address_failures_before_lock, &p, now);
    }

    /// A right password: the username starts afresh (its lock history stays).
    pub fn succeeded(&self, username: &str) {
        if let Some(c) = lock(&self.users).get_mut(&key(username)) {
            c.failures = 0;
        }
    }

    /// Usernames locked now, for the admin.
    pub fn locks(&self) -> Vec<Lock> {
        let now = Instant::now();
        let mut out: Vec<Lock> = lock(&self.users)
            .iter()
            .filter(|(_, c)| c.locked(now).is_some())
            .filter_map(|(name, c)| {
                c.locked_until.map(|(_, wall)| Lock {
                    username: name.clone(),
                    locks: c.locks,
                    locked_until: wall,
                })
            })
            .collect();
        out.sort_by(|a, b| a.username.cmp(&b.username));
        out
    }

    /// Lifts a username's lock and forgets its failures; false if it was not locked.
    pub fn lift(&self, username: &str) -> bool {
        lock(&self.users).remove(&key(username)).is_some()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> LoginGuard {
        LoginGuard::new(LoginPolicy {
            failures_before_lock: 3,
            address_failures_before_lock: 5,
            ..LoginPolicy::default()
        })
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));

    #[test]
    fn locks_after_the_threshold_and_the_admin_lifts_it() {
        let g = guard();
        for _ in 0..3 {
            assert!(g.admit("Alice", IP).is_ok());
            g.failed("alice", IP);
        }
        let e = g.admit("ALICE", IP).unwrap_err();
        assert_eq!(e.code, "RATE_LIMITED");
        assert!(e.retry_after_secs().is_some_and(|s| (50..=60).contains(&s)));
        assert_eq!(g.locks().len(), 1);
        assert!(g.lift("alice"));
        assert!(g.admit("alice", IP).is_ok());
        assert!(g.locks().is_empty());
    }

    #[test]
    fn each_further_lock_lasts_twice_as_long() {
        let g = guard();
        let mut c = Count::default();
        let now = Instant::now();
        for _ in 0..3 {
            c.fail(3, &g.policy, now);
        }
        let first = c.locked(now).unwrap();
        for _ in 0..3 {
            c.fail(3, &g.policy, now);
        }
        assert_eq!(c.locked(now).unwrap(), first * 2);
    }

    #[test]
    fn spraying_many_usernames_locks_the_address() {
        let g = guard();
        for n in 0..5 {
            g.failed(&format!("user{n}"), IP);
        }
        assert!(g.admit("someone-else", IP).is_err());
        assert!(g.admit("someone-else", IpAddr::from([10, 0, 0, 2])).is_ok());
    }

    #[test]
    fn a_success_clears_the_count() {
        let g = guard();
        g.failed("bob", IP);
        g.failed("bob", IP);
        g.succeeded("bob");
        g.failed("bob", IP);
        assert!(g.admit("bob", IP).is_ok());
    }
}
