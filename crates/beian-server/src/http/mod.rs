//! HTTP plumbing: who is calling (sessions, roles), the error shape, idempotency keys,
//! rate limits and metrics. Imports nothing of the application: what it needs of the
//! application's state it asks through [`HttpState`], which `crate::app::state`
//! implements.

pub mod auth;
pub mod body_limit;
pub mod cursor;
pub mod error;
pub mod headers;
pub mod idempotency;
pub mod login_guard;
pub mod metrics;
pub mod multipart;
pub mod nul_guard;
pub mod ratelimit;

use beian_domain::filing::Time;
use beian_store::{SessionLimits, Store};

/// What the extractors and middleware of this folder need of the server's state.
pub trait HttpState: Clone + Send + Sync + 'static {
    /// The database: sessions and idempotency records.
    fn store(&self) -> &dyn Store;
    /// How long sessions live.
    fn session_limits(&self) -> SessionLimits;
    /// Request budgets, and the trusted proxies that name a client's address.
    fn limits(&self) -> &ratelimit::Limits;
    /// The server's clock.
    fn now(&self) -> Time;
}
