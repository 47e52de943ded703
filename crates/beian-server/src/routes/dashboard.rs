//! The operations dashboard for admins and platform reviewers: the figures as
//!
//! Thin HTTP handlers: extractors in, [`crate::app::dashboard`] does the work.

use crate::app::dashboard;
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::ApiResult;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde_json::Value;

/// See [`dashboard::show`].
pub async fn show(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    dashboard::show(&s, &caller).await.map(Json)
}

/// See [`dashboard::file`].
pub async fn file(
    State(s): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    dashboard::file(&s, &caller, &file).await
}
