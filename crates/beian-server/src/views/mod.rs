//! The typed response bodies of the API, in the shapes of api.md. The JSON handlers
//! return them, the pages read them, and the OpenAPI document is generated from them
//! (`crate::routes::openapi`). Times are shown in +08:00; phones are masked where the
//! reader does not need them.

pub mod accounts;
pub mod admin;
pub mod apps;
pub mod calendar;
pub mod filings;
pub mod media;
pub mod miit;
pub mod papers;
pub mod public;
pub mod webhooks;

pub use apps::{app, AppView};
pub use filings::{filing, FilingView};

use beian_domain::calendar::china_offset;
use beian_domain::filing::Time;
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 3339 in China Standard Time.
pub fn ts(t: Time) -> String {
    china_rfc3339(t, chrono::SecondsFormat::Millis)
}

/// [`ts`] to the whole second, for a time a person reads (a login lock's end).
pub fn ts_secs(t: Time) -> String {
    china_rfc3339(t, chrono::SecondsFormat::Secs)
}

fn china_rfc3339(t: Time, precision: chrono::SecondsFormat) -> String {
    t.with_timezone(&china_offset())
        .to_rfc3339_opts(precision, false)
}

/// The `HH:MM` of a time from [`ts`] (China time); empty when it is not one.
pub fn hhmm(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// A list without paging.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// One page of a list; `next_cursor` is given back as `cursor` for the next page, and is
/// null on the last one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Everything in one page.
    pub fn all(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
        }
    }
}

/// The error shape of api.md: every refusal answers `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable code, a Chinese message and a suggestion; validation failures list issues.
/// Some codes add fields (`attempts_left`, `retry_after_secs`, `gate`, `filing_status` …).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(example = "VALIDATION_FAILED")]
    pub code: String,
    pub message: String,
    pub suggestion: Option<String>,
    pub issues: Option<Vec<beian_domain::issue::Issue>>,
}
