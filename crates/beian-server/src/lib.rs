//! The HTTP side of beian: JSON API, authentication, SMS gateways, timers.
//!
//! Handlers translate HTTP into domain commands and store commits; they never
//! decide a rule themselves.

pub mod adapters;
pub mod app;
pub mod charts;
pub mod config;
pub mod http;
pub mod jobs;
pub mod reference;
pub mod routes;
pub mod startup;
pub mod ui;
pub mod views;

// The paths the binary, the benchmarks and the integration tests use.
pub use adapters::{objects, photo, sms};
pub use app::{commands, holidays, state, sweep};
pub use http::{auth, error};
pub use jobs::{webhooks, worker};

pub use config::Config;
pub use startup::Application;
