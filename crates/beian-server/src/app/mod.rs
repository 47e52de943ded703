//! The application layer: the state every use case runs in, and the use cases that are
//! not a single HTTP call — the command path (decide, commit, notices, webhook events),
//! timers, the deadline sweep, holiday notices, platform documents, the demo. Imports the
//! domain, the store, `http` (errors, callers) and `adapters`; never `routes`, `ui` or `jobs`.

pub mod access;
pub mod accounts;
pub mod commands;
pub mod demo;
pub mod holidays;
pub mod live_calendar;
pub mod papers;
pub mod state;
pub mod sweep;
pub mod timers;
pub mod webhook_events;
