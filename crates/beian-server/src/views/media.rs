//! Uploaded materials and face verification tasks.

use super::ts;
use beian_domain::policy::Policy;
use beian_store::{FaceTaskRow, MediaRow};
use chrono::Duration;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One upload and what its checks found (§10.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    pub id: String,
    pub purpose: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// Each check with `code`, `ok` and `message`; failures are enforced at submission.
    #[schema(value_type = Vec<Object>)]
    pub checks: Value,
    /// The certificate type the photo shows, when the upload named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_type: Option<u32>,
    /// Certificate photos: what was read (`pending` at upload; poll
    /// `GET /api/v1/media/{id}/reading`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<ReadingView>,
}

impl From<&MediaRow> for MediaView {
    fn from(m: &MediaRow) -> MediaView {
        MediaView {
            id: m.id.clone(),
            purpose: m.purpose.clone(),
            content_type: m.content_type.clone(),
            size: m.size,
            sha256: m.sha256.clone(),
            width: m.width,
            height: m.height,
            checks: m.checks.clone(),
            certificate_type: None,
            reading: None,
        }
    }
}

/// A face verification task of an order's mini program principal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FaceView {
    pub id: String,
    pub filing_id: String,
    /// `waiting`, `succeeded` or `failed`.
    pub status: String,
    pub created_at: String,
    pub notice_expires_at: String,
    pub expires_at: String,
    pub capture_url: String,
    pub consumed_by: Option<String>,
}

impl FaceView {
    pub fn of(t: &FaceTaskRow, policy: &Policy) -> FaceView {
        FaceView {
            id: t.id.clone(),
            filing_id: t.filing_id.clone(),
            status: t.status.clone(),
            created_at: ts(t.created_at),
            notice_expires_at: ts(t.created_at + Duration::hours(policy.face_notice_validity_hours)),
            expires_at: ts(t.created_at + Duration::days(policy.face_task_validity_days)),
            capture_url: format!("/api/v1/face-verifications/{}/capture", t.id),
            consumed_by: t.consumed_by.clone(),
        }
    }
}

/// A capture's outcome: every failed check is an issue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaptureResult {
    pub id: String,
    pub status: String,
    pub issues: Vec<CaptureIssue>,
}

/// Why a capture failed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaptureIssue {
    pub field: String,
    pub code: String,
    pub message: String,
    pub suggestion: String,
}

/// A photo's reading as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadingView {
    /// `pending` (being read), `read` (see `reading`; its `fields` are empty when nothing
    /// could be read), `unavailable` (this server reads no photos) or `not_applicable` (not a
    /// certificate photo).
    pub status: String,
    /// The fields read, each with its confidence (0–1); numbers passed their checksum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<beian_domain::ocr::Reading>,
}

impl ReadingView {
    /// `reads`: this server has an OCR engine.
    pub fn of(
        reads: bool,
        purpose: &str,
        reading: Option<beian_domain::ocr::Reading>,
    ) -> ReadingView {
        let certificate = beian_domain::ocr::Side::of_purpose(purpose).is_some();
        let status = match (&reading, certificate, reads) {
            (Some(_), _, _) => "read",
            (None, false, _) => "not_applicable",
            (None, true, false) => "unavailable",
            (None, true, true) => "pending",
        };
        ReadingView {
            status: status.into(),
            reading,
        }
    }
}
