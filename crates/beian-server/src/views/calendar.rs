//! The working-day calendar as the admin API shows it (domain.md §11.5).

use beian_domain::calendar::Basis;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// A year as the calendar in force has it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    pub basis: Basis,
    /// `file`, `embedded` or `loaded` for an official year; null for a projected one.
    pub origin: Option<String>,
    pub source: String,
    #[schema(value_type = Vec<String>, format = Date)]
    pub rest_days: Vec<NaiveDate>,
    #[schema(value_type = Vec<String>, format = Date)]
    pub makeup_workdays: Vec<NaiveDate>,
}

/// One official year and where it came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficialYearView {
    pub year: i32,
    pub basis: Basis,
    pub origin: String,
    pub source: String,
}

/// The official years and the projected-year alert of §11.2.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarOverview {
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
    pub years: Vec<OfficialYearView>,
    pub first_projected_year: i32,
    /// Projected years an operator should hear about today.
    pub projected_alert: Vec<i32>,
}

/// A notice's preview, and what loading it did unless it was a dry run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeResult {
    pub dry_run: bool,
    pub preview: NoticePreview,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded: Option<NoticeLoaded>,
}

/// An order whose due date the notice would move.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueMove {
    pub filing_id: String,
    pub appid: String,
    #[schema(value_type = String)]
    pub status: &'static str,
    pub due_at: String,
    pub new_due_at: String,
    pub new_due_provisional: bool,
}

/// What loading a notice would do, shown before it is confirmed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticePreview {
    pub year: i32,
    pub title: String,
    pub source: String,
    #[schema(value_type = Vec<String>, format = Date)]
    pub rest_days: Vec<NaiveDate>,
    #[schema(value_type = Vec<String>, format = Date)]
    pub makeup_workdays: Vec<NaiveDate>,
    /// The projection the notice replaces (§11.4: no make-up days).
    #[schema(value_type = Vec<String>, format = Date)]
    pub projected_rest_days: Vec<NaiveDate>,
    /// Rest days of the notice the projection lacked, and the reverse.
    #[schema(value_type = Vec<String>, format = Date)]
    pub added_rest_days: Vec<NaiveDate>,
    #[schema(value_type = Vec<String>, format = Date)]
    pub dropped_rest_days: Vec<NaiveDate>,
    /// Open orders with a provisional due date the notice settles, and the first of them
    /// whose date moves.
    pub provisional_orders: u64,
    pub moves: Vec<DueMove>,
}

/// What loading a notice did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeLoaded {
    pub year: i32,
    pub source: String,
    pub rest_days: usize,
    pub makeup_workdays: usize,
    /// Orders given a recompute timer.
    pub scheduled: u64,
    /// Of those, recomputed before answering (the rest follow on the worker).
    pub recomputed: u64,
}
