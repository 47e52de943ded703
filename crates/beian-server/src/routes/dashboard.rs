//! The operations dashboard for admins and platform reviewers: the figures as JSON,
//! each chart as SVG and each figure as CSV.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::dashboard`] does the work.

use crate::app::dashboard;
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::ApiResult;
use crate::views::admin::DashboardView;
use crate::views::ErrorBody;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;

/// Every figure as JSON.
#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "admin",
    responses((status = 200, body = DashboardView), (status = "4XX", body = ErrorBody)))]
pub async fn show(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<DashboardView>> {
    dashboard::show(&s, &caller).await.map(Json)
}

/// `{chart}.svg` or `{figure}.csv`.
#[utoipa::path(get, path = "/api/v1/admin/dashboard/{file}", tag = "admin", params(("file" = String, Path)),
    responses((status = 200, description = "An SVG chart or a CSV file", content_type = "image/svg+xml"),
        (status = "4XX", body = ErrorBody)))]
pub async fn file(
    State(s): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    dashboard::file(&s, &caller, &file).await
}
