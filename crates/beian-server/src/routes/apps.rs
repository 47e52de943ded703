//! Mini programs of the host platform, their filing entry and release gating.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::apps`] does the work.

use crate::app::apps::{self, NewApp, Release};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiJson, ApiResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

/// See [`apps::create`].
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NewApp>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    apps::create(&s, &caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// See [`apps::list`].
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    apps::list(&s, &caller).await.map(Json)
}

/// See [`apps::show`].
pub async fn show(
    State(s): State<AppState>,
    caller: Caller,
    Path(appid): Path<String>,
) -> ApiResult<Json<Value>> {
    apps::show(&s, &caller, &appid).await.map(Json)
}

/// See [`apps::release`].
pub async fn release(
    State(s): State<AppState>,
    caller: Caller,
    Path(appid): Path<String>,
    ApiJson(b): ApiJson<Release>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    apps::release(&s, &caller, &appid, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}
