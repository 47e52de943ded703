//! The application layer: every use case, called by the JSON routes (`routes/`), the
//! pages (`ui/`), the background jobs and the demo alike: orders (`filings`), apps,
//! uploads and face checks (`media`), reading certificate photos (`ocr`), the 12381 verification (`miit`), the public query
//! and pre-check (`public`), platform documents (`papers`), reviewers' claims (`claims`),
//! accounts, webhooks, the
//! dashboard; and what is not a single request — the command path (decide, commit,
//! notices, webhook events), timers, the deadline sweep, holiday notices, the demo.
//! Imports the domain, the store, `http` (errors, callers, extract-free helpers) and
//! `adapters`; never `routes`, `ui` or `jobs`.

pub mod access;
pub mod accounts;
pub mod anchors;
pub mod apps;
pub mod claims;
pub mod commands;
pub mod dashboard;
pub mod demo;
pub mod filings;
pub mod holidays;
pub mod live_calendar;
pub mod media;
pub mod miit;
pub mod ocr;
pub mod papers;
pub mod public;
pub mod retention;
pub mod state;
pub mod sweep;
pub mod timers;
pub mod webhook_events;
pub mod webhooks;
