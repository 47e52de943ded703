//! The HTTP side of beian: JSON API, authentication, SMS gateways, timers.
//!
//! Handlers translate HTTP into domain commands and store commits; they never
//! decide a rule themselves.

pub mod auth;
pub mod charts;
pub mod clock;
pub mod commands;
pub mod config;
pub mod demo;
pub mod error;
pub mod holidays;
pub mod idempotency;
pub mod metrics;
pub mod objects;
pub mod papers;
pub mod photo;
pub mod ratelimit;
pub mod reference;
pub mod routes;
pub mod sms;
pub mod startup;
pub mod state;
pub mod sweep;
pub mod ui;
pub mod views;
pub mod webhooks;
pub mod worker;

pub use config::Config;
pub use startup::Application;
