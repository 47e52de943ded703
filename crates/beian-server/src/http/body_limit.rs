//! Request bodies other than uploads are small: a filing document is a few KiB.
//! Only `multipart/form-data` (uploads, the wizard's and the face page's forms)
//! keeps the upload limit of the router; every other body is read here up to
//! [`JSON_LIMIT`] and refused with 413 beyond, before any handler parses it.

use crate::http::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The most a JSON (or URL-encoded form) body may hold.
pub const JSON_LIMIT: usize = 256 * 1024;

fn multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

fn too_large() -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BODY_TOO_LARGE",
        "请求内容过大",
    )
    .suggest("请求内容不得超过256 KiB；上传文件请使用 /api/v1/media")
    .into_response()
}

/// Middleware enforcing [`JSON_LIMIT`].
pub async fn layer(req: Request, next: Next) -> Response {
    if multipart(&req) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > JSON_LIMIT) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, JSON_LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}
