//! Admin API of webhook subscriptions: create, list, delete, the delivery log
//!
//! Thin HTTP handlers: extractors in, [`crate::app::webhooks`] does the work.

use crate::app::state::AppState;
use crate::app::webhooks::{self, LogQuery, NewWebhook};
use crate::http::auth::Caller;
use crate::http::error::{ApiJson, ApiResult};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

/// See [`webhooks::create`].
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    webhooks::create(&s, &caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// See [`webhooks::list`].
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    webhooks::list(&s, &caller).await.map(Json)
}

/// See [`webhooks::delete`].
pub async fn delete(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    webhooks::delete(&s, &caller, &id).await
}

/// See [`webhooks::deliveries`].
pub async fn deliveries(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<LogQuery>,
) -> ApiResult<Json<Value>> {
    webhooks::deliveries(&s, &caller, &id, q).await.map(Json)
}

/// See [`webhooks::replay`].
pub async fn replay(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    webhooks::replay(&s, &caller, &id)
        .await
        .map(|v| (StatusCode::ACCEPTED, Json(v)))
}
