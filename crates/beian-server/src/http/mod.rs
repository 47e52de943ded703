//! HTTP plumbing: who is calling (sessions, roles), the error shape, idempotency keys,
//! rate limits and metrics. Imports nothing of the application.

pub mod auth;
pub mod error;
pub mod idempotency;
pub mod metrics;
pub mod ratelimit;
