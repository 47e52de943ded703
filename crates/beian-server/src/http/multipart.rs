//! Reading multipart uploads under a size limit, for the API and the pages.

use crate::http::error::{ApiError, ApiResult};
use axum::http::StatusCode;

/// 413 for a file over `limit` bytes.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "MEDIA_TOO_LARGE",
        format!("文件不能超过{}MB", limit / 1024 / 1024),
    )
    .suggest("压缩图片后重新上传")
}

/// Reads one multipart field, refusing as soon as it passes `limit`.
pub async fn read_limited(
    mut field: axum::extract::multipart::Field<'_>,
    limit: usize,
) -> ApiResult<Vec<u8>> {
    let mut buf = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        if buf.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}
