//! The 12381 verification site: public endpoints, no account (§3.3).
//!
//! Thin HTTP handlers: extractors in, [`crate::app::miit`] does the work.

use crate::app::miit::{self, SmsRequest};
use crate::app::state::AppState;
use crate::http::error::{ApiJson, ApiResult};
use crate::views::miit::{ResendResult, VerifyResult};
use axum::extract::State;
use axum::Json;

/// A recipient enters the code sent from 12381.
#[utoipa::path(post, path = "/api/v1/miit/sms-verify", tag = "miit", request_body = SmsRequest, security(()),
    responses((status = 200, body = VerifyResult)))]
pub async fn verify(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<SmsRequest>,
) -> ApiResult<Json<VerifyResult>> {
    miit::verify(&s, b).await.map(Json)
}

/// A recipient asks for the code again (limited).
#[utoipa::path(post, path = "/api/v1/miit/sms-resend", tag = "miit", request_body = SmsRequest, security(()),
    responses((status = 200, body = ResendResult)))]
pub async fn resend(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<SmsRequest>,
) -> ApiResult<Json<ResendResult>> {
    miit::resend(&s, b).await.map(Json)
}
