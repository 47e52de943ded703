//! A fixed-window limit per client address for the public endpoints (the
//! filing query and the verification site), which need no account.
//!
//! It counts in process memory: with several processes behind a load
//! balancer each enforces its own share, which is enough to stop scraping and
//! code guessing from one address.

use crate::http::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Requests allowed per address and window.
pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    /// `per_minute` requests per address per minute.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_window: per_minute,
            window: Duration::from_secs(60),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; false when over the limit.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            // Forget stale windows so memory stays bounded.
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }
}

/// Middleware refusing with 429 over the limit.
pub async fn layer(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if limiter.allow(ip, Instant::now()) {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "请求过于频繁，请稍后再试",
        )
        .suggest("请一分钟后重试")
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_resets_each_window() {
        let l = RateLimiter::per_minute(2);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t = Instant::now();
        assert!(l.allow(a, t) && l.allow(a, t));
        assert!(!l.allow(a, t), "third request in the window is refused");
        assert!(l.allow(b, t), "other addresses are unaffected");
        assert!(
            l.allow(a, t + Duration::from_secs(61)),
            "a new window starts afresh"
        );
    }
}
