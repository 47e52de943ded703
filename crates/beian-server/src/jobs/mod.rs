//! Background jobs: the worker's periodic pass and the deliveries it makes (SMS outbox,
//! webhooks). They call the application layer; nothing calls them but startup.

pub mod webhooks;
pub mod worker;

/// Messages (or deliveries) in flight at once in one process.
pub const PARALLEL: usize = 8;
