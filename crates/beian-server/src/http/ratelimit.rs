//! Rate limits (GCRA, the `governor` crate), keyed three ways:
//!
//! - by **client address** on every route that needs no account (the filing
//!   query, the 12381 verification site, login, the pages' forms). The address
//!   is the socket peer, or, when the peer is a configured trusted proxy, the
//!   nearest untrusted address of `X-Forwarded-For`. IPv6 clients count by /64,
//!   the block one subscriber holds, so rotating addresses inside it gains nothing.
//! - by **mobile** on SMS verification and resend: guessing a principal's
//!   `last6` costs the mobile's budget whatever address it comes from.
//! - by **user** on expensive signed-in work (uploads, pre-checks).
//!
//! Budgets live in process memory: with several processes behind a load
//! balancer each enforces its share, which is enough to stop guessing and
//! scraping; the per-mobile budget bounds `last6` guessing to a few hundred a
//! day per process even for a botnet.

use crate::http::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The budgets of one process.
pub struct Limits {
    clients: DefaultKeyedRateLimiter<IpAddr>,
    mobiles: DefaultKeyedRateLimiter<String>,
    users: DefaultKeyedRateLimiter<String>,
    trusted_proxies: Vec<IpAddr>,
}

/// How many requests each key may make.
#[derive(Debug, Clone)]
pub struct Budgets {
    /// Per client address and minute, on routes without an account.
    pub client_per_minute: u32,
    /// Verification and resend requests per mobile and hour.
    pub mobile_per_hour: u32,
    /// Uploads and pre-checks per user and minute.
    pub user_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}

fn quota(n: u32, period: Duration) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period / n.get())
        .unwrap_or_else(|| Quota::per_second(n))
        .allow_burst(n)
}

impl Limits {
    pub fn new(b: &Budgets) -> Limits {
        Limits {
            clients: DefaultKeyedRateLimiter::keyed(quota(
                b.client_per_minute,
                Duration::from_secs(60),
            )),
            mobiles: DefaultKeyedRateLimiter::keyed(quota(
                b.mobile_per_hour,
                Duration::from_secs(3600),
            )),
            users: DefaultKeyedRateLimiter::keyed(quota(
                b.user_per_minute,
                Duration::from_secs(60),
            )),
            trusted_proxies: b.trusted_proxies.clone(),
        }
    }

    /// Counts one request of a client address.
    pub fn client(&self, ip: IpAddr) -> Result<(), ApiError> {
        check(&self.clients, &bucket(ip))
    }

    /// Counts one verification or resend for a mobile (normalised digits).
    pub fn mobile(&self, mobile: &str) -> Result<(), ApiError> {
        check(&self.mobiles, &mobile.to_string())
    }

    /// Counts one expensive request of a user.
    pub fn user(&self, user_id: &str) -> Result<(), ApiError> {
        check(&self.users, &user_id.to_string())
    }

    /// Forgets keys whose budget is full again, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.clients.retain_recent();
        self.mobiles.retain_recent();
        self.users.retain_recent();
    }

    /// The client address of a request: see the module comment.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        // The rightmost address a trusted proxy did not add is the client.
        forwarded
            .into_iter()
            .rev()
            .find(|a| !self.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }
}

/// An IPv6 client counts by its /64.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), ApiError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        too_many(wait)
    })
}

/// 429 with the wait in `Retry-After` (whole seconds, at least one).
pub fn too_many(wait: Duration) -> ApiError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "请求过于频繁，请稍后再试",
    )
    .suggest(format!("请在{secs}秒后重试"))
    .retry_after(secs)
}

/// The peer address axum recorded for the connection.
pub fn peer(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The routes anyone may call without an account that do real work: the
/// public query and the verification site, as API and as pages. (Login has its
/// own guard, [`crate::http::login_guard`].)
pub fn anonymous_work(path: &str) -> bool {
    path.starts_with("/api/v1/public/")
        || path.starts_with("/api/v1/miit/")
        || path == "/miit"
        || path == "/query"
}

/// Middleware: one request of the client address on [`anonymous_work`] routes.
pub async fn per_client(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    if !anonymous_work(req.uri().path()) {
        return next.run(req).await;
    }
    let ip = limits.client_ip(peer(&req), req.headers());
    match limits.client(ip) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// The client address of a request ([`Limits::client_ip`]), as an extractor.
pub struct ClientIp(pub IpAddr);

impl<S: crate::http::HttpState> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<ClientIp, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(state.limits().client_ip(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_minute: u32, proxies: Vec<IpAddr>) -> Limits {
        Limits::new(&Budgets {
            client_per_minute: per_minute,
            mobile_per_hour: 2,
            user_per_minute: 2,
            trusted_proxies: proxies,
        })
    }

    #[test]
    fn limits_per_address_and_tells_how_long_to_wait() {
        let l = limits(2, vec![]);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(l.client(a).is_ok() && l.client(a).is_ok());
        let e = l.client(a).unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(e.retry_after_secs().is_some_and(|s| (1..=30).contains(&s)));
        assert!(l.client(b).is_ok(), "other addresses are unaffected");
    }

    #[test]
    fn an_ipv6_subscriber_counts_by_its_64() {
        let l = limits(1, vec![]);
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(l.client(one).is_ok());
        assert!(l.client(other).is_err(), "same /64");
        assert!(l.client(elsewhere).is_ok());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = IpAddr::from([10, 0, 0, 9]);
        let l = limits(1, vec![proxy]);
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        assert_eq!(l.client_ip(Some(proxy), &h), IpAddr::from([5, 6, 7, 8]));
        let stranger = IpAddr::from([9, 9, 9, 9]);
        assert_eq!(
            l.client_ip(Some(stranger), &h),
            stranger,
            "spoofed header ignored"
        );
    }

    #[test]
    fn mobiles_and_users_have_their_own_budgets() {
        let l = limits(100, vec![]);
        assert!(l.mobile("13800138000").is_ok() && l.mobile("13800138000").is_ok());
        assert!(l.mobile("13800138000").is_err());
        assert!(l.mobile("13900139000").is_ok());
        assert!(l.user("u1").is_ok() && l.user("u1").is_ok() && l.user("u1").is_err());
    }
}
