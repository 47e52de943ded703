//! The operations dashboard for admins and platform reviewers: the figures as JSON,
//! each chart as SVG and each figure as CSV.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::dashboard`] does the work.

use super::Call;
use crate::app::dashboard;
use crate::app::dashboard::TrendsQuery;
use crate::http::error::ApiResult;
use crate::views::admin::{DashboardView, TrendsView};
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::Json;

/// Every figure as JSON.
#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "admin",
    responses((status = 200, body = DashboardView)))]
pub async fn show(c: Call) -> ApiResult<Json<DashboardView>> {
    dashboard::show(&c.s, &c.caller).await.map(Json)
}

/// `{chart}.svg` or `{figure}.csv`.
#[utoipa::path(get, path = "/api/v1/admin/dashboard/{file}", tag = "admin", params(("file" = String, Path)),
    responses((status = 200, description = "An SVG chart or a CSV file", content_type = "image/svg+xml")))]
pub async fn file(c: Call, Path(file): Path<String>) -> ApiResult<Response> {
    dashboard::file(&c.s, &c.caller, &file).await
}

/// The time series over a date range (China days), per day or per week: arrivals,
/// decisions, backlog by stage at the end of each period, SLA attainment and median time
/// per stage, and the whole range as `total`. 422 `INVALID_RANGE` for a bad range.
#[utoipa::path(get, path = "/api/v1/admin/dashboard/trends", tag = "admin", params(TrendsQuery),
    responses((status = 200, body = TrendsView)))]
pub async fn trends(c: Call, Query(q): Query<TrendsQuery>) -> ApiResult<Json<TrendsView>> {
    dashboard::trends_json(&c.s, &c.caller, &q).await.map(Json)
}

/// The same series as CSV (UTF-8 with a BOM, Chinese column names).
#[utoipa::path(get, path = "/api/v1/admin/dashboard/trends.csv", tag = "admin", params(TrendsQuery),
    responses((status = 200, description = "The series, one row per period", content_type = "text/csv")))]
pub async fn trends_csv(c: Call, Query(q): Query<TrendsQuery>) -> ApiResult<Response> {
    dashboard::trends_csv_file(&c.s, &c.caller, &q).await
}
