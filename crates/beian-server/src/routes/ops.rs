//! Health, readiness, metrics and the OpenAPI document.

use crate::app::state::AppState;
use crate::http::error::ApiError;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

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

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Unknown paths get the error shape too.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}
