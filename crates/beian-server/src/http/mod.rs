//! HTTP plumbing: who is calling (sessions, roles), the error shape, idempotency keys,
//! rate limits and metrics. Imports nothing of the application.

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
