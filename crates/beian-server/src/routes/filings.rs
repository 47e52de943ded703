//! Filing orders: create, save, submit, withdraw, discard, decisions.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::filings`] does the work.

use crate::app::filings::{self, Decision, ListQuery, NewFiling, Terminate};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiJson, ApiResult};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use beian_domain::document::Document;
use serde_json::Value;

/// See [`filings::create`].
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NewFiling>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    filings::create(&s, &caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// See [`filings::show`].
pub async fn show(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    filings::show(&s, &caller, &id).await.map(Json)
}

/// See [`filings::access_log`].
pub async fn access_log(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    filings::access_log(&s, &caller, &id).await.map(Json)
}

/// See [`filings::events`].
pub async fn events(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    filings::events(&s, &caller, &id).await.map(Json)
}

/// See [`filings::list`].
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    filings::list(&s, &caller, q).await.map(Json)
}

/// See [`filings::save`].
pub async fn save(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(document): ApiJson<Document>,
) -> ApiResult<Json<Value>> {
    filings::save(&s, &caller, &id, document).await.map(Json)
}

/// See [`filings::submit`].
pub async fn submit(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    filings::submit(&s, &caller, &id).await.map(Json)
}

/// See [`filings::withdraw`].
pub async fn withdraw(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    filings::withdraw(&s, &caller, &id).await.map(Json)
}

/// See [`filings::discard`].
pub async fn discard(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    filings::discard(&s, &caller, &id).await.map(Json)
}

/// See [`filings::terminate`].
pub async fn terminate(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Terminate>,
) -> ApiResult<Json<Value>> {
    filings::terminate(&s, &caller, &id, b).await.map(Json)
}

/// See [`filings::platform_decision`].
pub async fn platform_decision(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Decision>,
) -> ApiResult<Json<Value>> {
    filings::platform_decision(&s, &caller, &id, d)
        .await
        .map(Json)
}

/// See [`filings::authority_decision`].
pub async fn authority_decision(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Decision>,
) -> ApiResult<Json<Value>> {
    filings::authority_decision(&s, &caller, &id, d)
        .await
        .map(Json)
}
