//! Health, readiness and metrics.

use crate::app::state::AppState;
use crate::http::auth::{self, Role};
use crate::http::error::{ApiError, ApiResult};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", security(()),
    responses((status = 200, description = "`ok`", content_type = "text/plain")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers; a year still projected is said in the body.
#[utoipa::path(get, path = "/readyz", tag = "ops", security(()),
    responses((status = 200, description = "`ready`", content_type = "text/plain"),
        (status = 503, description = "The database is unreachable", content_type = "text/plain")))]
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

/// Prometheus text, for an admin's bearer token or the configured scrape token
/// (`BEIAN_METRICS_TOKEN`).
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = "4XX", body = crate::views::ErrorBody)))]
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

/// Unknown paths get the error shape too.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}
