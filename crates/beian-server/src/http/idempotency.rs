//! `Idempotency-Key`: a repeated key from the same caller gets the first
//! response back and performs nothing again (api.md conventions).

use crate::http::auth::resolve_caller;
use crate::http::error::ApiError;
use crate::http::HttpState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use beian_store::IdempotencyState;

const MAX_STORED_BODY: usize = 4 * 1024 * 1024;

/// Middleware: replays stored responses for repeated keys.
pub async fn layer<S: HttpState>(State(state): State<S>, req: Request, next: Next) -> Response {
    let mutating = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    );
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 200);
    let (Some(key), true) = (key, mutating) else {
        return next.run(req).await;
    };
    // Anonymous callers cannot be told apart, so their keys are not scoped safely; a
    // bad token goes on to the handler's 401 without a row.
    let (mut parts, body) = req.into_parts();
    let Ok(Some(caller)) = resolve_caller(&state, &parts).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let scope = caller.user.id.clone();
    // The handler's `Caller` comes from here: one session look-up per request.
    parts.extensions.insert(caller);
    let req = Request::from_parts(parts, body);
    match state
        .store()
        .idempotency_begin(&scope, &key, state.now())
        .await
    {
        Err(e) => return ApiError::from(e).into_response(),
        Ok(IdempotencyState::InProgress) => {
            return ApiError::conflict("IDEMPOTENCY_IN_PROGRESS", "相同幂等键的请求正在处理")
                .suggest("请稍后用同一幂等键重试以获取结果")
                .into_response()
        }
        Ok(IdempotencyState::Done { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
        Ok(IdempotencyState::Started) => {}
    }
    let response = next.run(req).await;
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_STORED_BODY).await {
        Ok(b) => b,
        Err(e) => {
            let _ = state.store().idempotency_abort(&scope, &key).await;
            return ApiError::internal(e).into_response();
        }
    };
    // Server errors are not final answers: let the client retry them.
    let stored = if parts.status.is_server_error() {
        state.store().idempotency_abort(&scope, &key).await
    } else {
        let text = String::from_utf8_lossy(&bytes);
        state
            .store()
            .idempotency_finish(&scope, &key, parts.status.as_u16(), &text)
            .await
    };
    if let Err(e) = stored {
        tracing::warn!(error = %e, "idempotency record not stored");
    }
    Response::from_parts(parts, Body::from(bytes))
}
