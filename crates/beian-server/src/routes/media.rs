//! Uploaded materials and the face verification task (人脸核身) over HTTP: the
//! multipart bodies are read here, [`crate::app::media`] checks and stores them.

use crate::app::media::{self, Upload, MAX_IMAGE_BYTES, MAX_UPLOAD_BYTES};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::multipart::read_limited;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde_json::Value;

/// `POST /api/v1/media`: multipart `file` + `purpose`.
pub async fn upload(
    State(s): State<AppState>,
    caller: Caller,
    mut form: Multipart,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut u = Upload::default();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        match field.name() {
            Some("purpose") => {
                u.purpose = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| ApiError::bad_request(e.body_text()))?,
                )
            }
            Some("certificate_type") => {
                u.certificate_type = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| ApiError::bad_request(e.body_text()))?,
                )
            }
            Some("file") => {
                // When the purpose came first, its own limit stops the stream early; else the
                // video limit, and the image limit is applied once the purpose is known.
                let limit = match u.purpose.as_deref() {
                    Some(p) if p != "promise_video" => MAX_IMAGE_BYTES,
                    _ => MAX_UPLOAD_BYTES,
                };
                u.file = Some(read_limited(field, limit).await?)
            }
            _ => {}
        }
    }
    media::upload(&s, &caller, u)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// See [`media::download`].
pub async fn download(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    media::download(&s, &caller, &id).await
}

/// See [`media::start_face`].
pub async fn start_face(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    media::start_face(&s, &caller, &id)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// See [`media::show_face`].
pub async fn show_face(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    media::show_face(&s, &caller, &id).await.map(Json)
}

/// Receives the captured frame and decides the task.
pub async fn capture_face(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    mut form: Multipart,
) -> ApiResult<Json<Value>> {
    let mut photo = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        if field.name() == Some("photo") {
            photo = Some(read_limited(field, MAX_IMAGE_BYTES).await?);
        }
    }
    let bytes = photo.ok_or_else(|| {
        ApiError::field(
            "photo",
            "FIELD_REQUIRED",
            "请拍摄或上传核身照片",
            "multipart 字段名为 photo",
        )
    })?;
    media::capture(&s, &caller, &id, bytes).await.map(Json)
}
