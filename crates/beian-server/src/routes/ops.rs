//! Health, readiness, metrics and the OpenAPI document.

use crate::app::state::AppState;
use crate::http::auth::{self, Role};
use crate::http::error::{ApiError, ApiResult};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The OpenAPI description of api.md, maintained beside the routes.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.ping().await {
        // §11.2: a year still projected is said here, never as a failing status.
        Ok(()) => match crate::app::holidays::alert(&s) {
            Some(alert) => (StatusCode::OK, format!("ready\ncalendar: {alert}\n")).into_response(),
            None => (StatusCode::OK, "ready").into_response(),
        },
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text, for an admin's bearer token or the configured
/// scrape token (`BEIAN_METRICS_TOKEN`).
pub async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthenticated)?;
    let scrape = s
        .security
        .metrics_token
        .as_ref()
        .is_some_and(|t| constant_time_eq(t.0.as_bytes(), bearer.as_bytes()));
    if !scrape {
        let user = crate::http::auth::session_user(&s, &auth::token_hash(bearer))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        if Role::parse(&user.role) != Some(Role::Admin) {
            return Err(ApiError::forbidden());
        }
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response())
}

/// Compares secrets in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Unknown paths get the error shape too.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}
