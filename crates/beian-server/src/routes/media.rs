//! Uploaded materials and the face verification task (人脸核身) over HTTP: the
//! multipart bodies are read here, [`crate::app::media`] checks and stores them.

use super::Call;
use crate::app::media::{self, Upload, MAX_IMAGE_BYTES, MAX_UPLOAD_BYTES};
use crate::http::error::{ApiError, ApiResult};
use crate::http::multipart::read_limited;
use crate::views::media::{CaptureResult, FaceView, MediaView, ReadingView};
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// The multipart form of an upload.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// What the file is for (api.md lists the purposes).
    purpose: String,
    /// Optional: the certificate type a certificate photo shows.
    certificate_type: Option<u32>,
    /// JPG/PNG up to 2 MB, or the MP4 promise video up to 20 MB.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// The multipart form of a face capture.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CaptureForm {
    /// One JPG/PNG frame.
    #[schema(format = Binary, value_type = String)]
    photo: Vec<u8>,
}

/// `POST /api/v1/media`: multipart `file` + `purpose`.
#[utoipa::path(post, path = "/api/v1/media", tag = "media",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = MediaView)))]
pub async fn upload(c: Call, mut form: Multipart) -> ApiResult<(StatusCode, Json<MediaView>)> {
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
    media::upload(&c.s, &c.caller, u)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// What was read from a certificate photo: its fields with their confidence, once read.
#[utoipa::path(get, path = "/api/v1/media/{id}/reading", tag = "media", params(("id" = String, Path)),
    responses((status = 200, body = ReadingView)))]
pub async fn reading(c: Call, Path(id): Path<String>) -> ApiResult<Json<ReadingView>> {
    media::reading(&c.s, &c.caller, &id).await.map(Json)
}

/// The bytes, to the owner, and to staff through an order they may see that uses them.
#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "media", params(("id" = String, Path)),
    responses((status = 200, description = "The file as uploaded", content_type = "application/octet-stream")))]
pub async fn download(c: Call, Path(id): Path<String>) -> ApiResult<Response> {
    media::download(&c.s, &c.caller, &id).await
}

/// Starts the mini program principal's face verification for an order.
#[utoipa::path(post, path = "/api/v1/filings/{id}/face-verification", tag = "media", params(("id" = String, Path)),
    responses((status = 201, body = FaceView)))]
pub async fn start_face(
    c: Call,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<FaceView>)> {
    media::start_face(&c.s, &c.caller, &id)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// A face verification task.
#[utoipa::path(get, path = "/api/v1/face-verifications/{id}", tag = "media", params(("id" = String, Path)),
    responses((status = 200, body = FaceView)))]
pub async fn show_face(c: Call, Path(id): Path<String>) -> ApiResult<Json<FaceView>> {
    media::show_face(&c.s, &c.caller, &id).await.map(Json)
}

/// Receives the captured frame and decides the task.
#[utoipa::path(post, path = "/api/v1/face-verifications/{id}/capture", tag = "media", params(("id" = String, Path)),
    request_body(content = CaptureForm, content_type = "multipart/form-data"),
    responses((status = 200, body = CaptureResult)))]
pub async fn capture_face(
    c: Call,
    Path(id): Path<String>,
    mut form: Multipart,
) -> ApiResult<Json<CaptureResult>> {
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
    media::capture(&c.s, &c.caller, &id, bytes).await.map(Json)
}
