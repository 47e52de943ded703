//! The 12381 verification site: public endpoints, no account (§3.3).
//!
//! Thin HTTP handlers: extractors in, [`crate::app::miit`] does the work.

use crate::app::miit::{self, SmsRequest};
use crate::app::state::AppState;
use crate::http::error::{ApiJson, ApiResult};
use axum::extract::State;
use axum::Json;
use serde_json::Value;

/// See [`miit::verify`].
pub async fn verify(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<SmsRequest>,
) -> ApiResult<Json<Value>> {
    miit::verify(&s, b).await.map(Json)
}

/// See [`miit::resend`].
pub async fn resend(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<SmsRequest>,
) -> ApiResult<Json<Value>> {
    miit::resend(&s, b).await.map(Json)
}
