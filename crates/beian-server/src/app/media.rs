//! Uploaded materials and the face verification task (人脸核身).
//!
//! Type is decided by the bytes, size is limited while streaming, images are
//! decoded for real under pixel and memory limits (photo.rs) and measured
//! (`beian_domain::media`); the findings are returned as `checks` and enforced
//! at submission (V-MAT-007). A face capture passes only when every check
//! passes, including exactly one face found by the bundled detector.

pub use crate::adapters::photo::Refusal;
use crate::adapters::photo::{self, Analysis, Requirements};
use crate::adapters::{heavy, objects};
use crate::app::access;
use crate::app::filings;
use crate::app::ocr;
use crate::app::state::AppState;
use crate::http::auth::{self, Caller};
use crate::http::error::{ApiError, ApiResult};
use crate::http::multipart::too_large;
use crate::views::media::{CaptureIssue, CaptureResult, FaceView, MediaView, ReadingView};
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use beian_store::{FaceTaskRow, MediaRow};
use chrono::Duration;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Images are limited to 2 MB (§10.1).
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// The promise video may be 20 MB.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

const PURPOSES: [&str; 11] = [
    "subject_certificate",
    "certificate_front",
    "certificate_back",
    "face_photo",
    "authorization_letter",
    "residence_proof",
    "preapproval_document",
    "name_change_letter",
    "signed_form",
    "promise_video",
    "other",
];

/// The content type the bytes really are.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        Some("video/mp4")
    } else {
        None
    }
}

/// What each purpose asks of an image (§10.1, §10.2).
fn requirements(purpose: &str) -> Requirements {
    let min_resolution = match purpose {
        "subject_certificate" => (1100, 1500),
        "face_photo" => (480, 640),
        _ => (720, 1280),
    };
    Requirements {
        min_resolution,
        colour: true,
        face: purpose == "face_photo",
    }
}

/// Decodes and measures an image off the async threads; refusals are 422.
async fn analyse(s: &AppState, purpose: &str, bytes: &[u8]) -> ApiResult<Analysis> {
    let bytes = bytes.to_vec();
    let req = requirements(purpose);
    let policy = s.policy.media.clone();
    let started = std::time::Instant::now();
    let result = heavy::run(move || photo::analyse(&bytes, req, &policy))
        .await
        .map_err(ApiError::internal)?;
    tracing::debug!(
        purpose,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "photo checks"
    );
    result.map_err(|r| match r {
        Refusal::Undecodable => ApiError::field(
            "file",
            "MEDIA_FORMAT",
            "图片无法解码或已损坏",
            "上传完整的JPG/PNG彩色图片",
        ),
        Refusal::TooManyPixels => ApiError::field(
            "file",
            "MEDIA_TOO_MANY_PIXELS",
            "图片像素过多",
            "上传不超过4000万像素的图片",
        ),
        Refusal::Truncated => ApiError::field(
            "file",
            "MEDIA_TRUNCATED",
            "图片文件不完整（传输中被截断）",
            "重新上传完整的原图",
        ),
    })
}

/// Checks, stores and records one upload.
pub async fn store_media(
    s: &AppState,
    owner: &str,
    purpose: &str,
    bytes: Vec<u8>,
) -> ApiResult<MediaRow> {
    let content_type = sniff(&bytes).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "MEDIA_FORMAT",
            "仅支持JPG、PNG图片或MP4视频",
        )
        .suggest("请上传证件原件的彩色照片或扫描件")
    })?;
    let video = content_type == "video/mp4";
    if video != (purpose == "promise_video") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "MEDIA_FORMAT",
            "文件类型与用途不符",
        )
        .suggest("承诺视频上传MP4，其他材料上传JPG/PNG图片"));
    }
    if !video && bytes.len() > MAX_IMAGE_BYTES {
        return Err(too_large(MAX_IMAGE_BYTES));
    }
    let (dims, checks) = if video {
        (None, json!([]))
    } else {
        let a = analyse(s, purpose, &bytes).await?;
        (Some((a.width, a.height)), json!(a.checks))
    };
    // The original is kept byte for byte, content-addressed by its sha256.
    let sha = hex::encode(Sha256::digest(&bytes));
    objects::put_sealed(s.objects.as_ref(), &s.sealer, &sha, &bytes)
        .await
        .map_err(ApiError::internal)?;
    let now = s.now();
    let row = MediaRow {
        id: auth::new_id(now.timestamp_millis()),
        owner_id: owner.to_string(),
        purpose: purpose.to_string(),
        content_type: content_type.to_string(),
        size: bytes.len() as i64,
        sha256: sha,
        width: dims.map(|d| i64::from(d.0)),
        height: dims.map(|d| i64::from(d.1)),
        checks,
        created_at: now,
    };
    s.store.insert_media(&row).await?;
    Ok(row)
}

/// An upload's fields as the client sent them; checked here, in one place for the API
/// and the pages.
#[derive(Debug, Default)]
pub struct Upload {
    pub purpose: Option<String>,
    pub certificate_type: Option<String>,
    pub file: Option<Vec<u8>>,
}

/// Checks and stores one upload (`POST /api/v1/media`).
pub async fn upload(s: &AppState, caller: &Caller, u: Upload) -> ApiResult<MediaView> {
    let Upload {
        purpose,
        certificate_type,
        file,
    } = u;
    let purpose = purpose
        .filter(|p| PURPOSES.contains(&p.as_str()))
        .ok_or_else(|| {
            ApiError::field(
                "purpose",
                "PURPOSE_INVALID",
                "材料用途无效",
                "purpose 取值见接口文档",
            )
        })?;
    let bytes = file.ok_or_else(|| {
        ApiError::field(
            "file",
            "FIELD_REQUIRED",
            "请选择要上传的文件",
            "multipart 字段名为 file",
        )
    })?;
    // Optional: the certificate type a certificate photo shows, checked against the field
    // that later uses it (V-MAT-005). Refused before anything is stored.
    let certificate_type = match certificate_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(
            t.parse::<u32>()
                .ok()
                .filter(|t| {
                    s.reference
                        .data
                        .certificate_types
                        .get(t)
                        .is_some_and(|c| c.enabled)
                })
                .ok_or_else(|| {
                    ApiError::field(
                        "certificate_type",
                        "CERTIFICATE_TYPE_INVALID",
                        "证件类型无效",
                        "certificate_type 取值见 /api/v1/reference/certificate-types",
                    )
                })?,
        ),
    };
    // Counted once the body is read: answering before it would leave the client's
    // connection half-sent. The budget bounds the decoding, the expensive part.
    s.limits.user(&caller.user.id)?;
    // A certificate photo is read after the answer (app/ocr.rs): its bytes are kept for that.
    let keep = beian_domain::ocr::Side::of_purpose(&purpose).map(|_| bytes.clone());
    let row = store_media(s, &caller.user.id, &purpose, bytes).await?;
    let mut view = MediaView::from(&row);
    if let Some(t) = certificate_type {
        s.store
            .set_media_certificate_type(&row.id, i64::from(t))
            .await?;
        view.certificate_type = Some(t);
    }
    view.reading = Some(ReadingView::of(s.ocr.reads().await, &row.purpose, None));
    if let Some(bytes) = keep {
        ocr::read_later(s, &row, certificate_type, bytes).await;
    }
    Ok(view)
}

/// `GET /api/v1/media/{id}/reading`: what was read from a certificate photo, to whoever may
/// read the photo itself.
pub async fn reading(s: &AppState, caller: &Caller, id: &str) -> ApiResult<ReadingView> {
    let m = s.store.media(id).await?.ok_or_else(ApiError::not_found)?;
    if !access::may_read(s, caller, &m).await? {
        return Err(ApiError::not_found());
    }
    let found = s.store.media_readings(std::slice::from_ref(&m.id)).await?;
    Ok(ReadingView::of(
        s.ocr.reads().await,
        &m.purpose,
        found.into_iter().next().map(|(_, r)| r),
    ))
}

/// `GET /api/v1/media/{id}`: the bytes, to the owner, and to staff through an
/// order they may see that uses them.
pub async fn download(s: &AppState, caller: &Caller, id: &str) -> ApiResult<Response> {
    let m = s.store.media(id).await?.ok_or_else(ApiError::not_found)?;
    if !access::may_read(s, caller, &m).await? {
        return Err(ApiError::not_found());
    }
    let bytes = objects::get_sealed(s.objects.as_ref(), &s.sealer, &m.sha256)
        .await
        .map_err(ApiError::internal)?;
    Response::builder()
        .header(header::CONTENT_TYPE, m.content_type)
        .header("x-content-type-options", "nosniff")
        .body(Body::from(bytes))
        .map_err(ApiError::internal)
}

fn face_view(s: &AppState, t: &FaceTaskRow) -> FaceView {
    FaceView::of(t, &s.policy)
}

/// Starts the MP principal's face verification for an order.
pub async fn start_face(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FaceView> {
    let f = filings::load(s, caller, id).await?;
    if f.owner_id != caller.user.id {
        return Err(ApiError::forbidden());
    }
    let now = s.now();
    let task = FaceTaskRow {
        id: auth::new_id(now.timestamp_millis()),
        filing_id: f.id.clone(),
        owner_id: caller.user.id.clone(),
        status: "waiting".into(),
        created_at: now,
        identity_type: None,
        identity_number: None,
        name: None,
        photo: None,
        consumed_by: None,
    };
    s.store.insert_face_task(&task).await?;
    let expires = now + Duration::hours(s.policy.face_notice_validity_hours);
    let notice = beian_domain::notify::face_notice(&f, expires, &s.templates);
    s.store.insert_notices(&[notice], now).await?;
    Ok(face_view(s, &task))
}

pub async fn own_face(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FaceTaskRow> {
    s.store
        .face_task(id)
        .await?
        .filter(|t| t.owner_id == caller.user.id)
        .ok_or_else(ApiError::not_found)
}

/// A face task.
pub async fn show_face(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FaceView> {
    Ok(face_view(s, &own_face(s, caller, id).await?))
}

/// Decides a face task from one captured frame (shared by the API and the pages).
pub async fn capture(
    s: &AppState,
    caller: &Caller,
    id: &str,
    bytes: Vec<u8>,
) -> ApiResult<CaptureResult> {
    s.limits.user(&caller.user.id)?;
    let mut task = own_face(s, caller, id).await?;
    let now = s.now();
    if now >= task.created_at + Duration::hours(s.policy.face_notice_validity_hours) {
        return Err(
            ApiError::conflict("FACE_NOTICE_EXPIRED", "人脸核身通知已过期")
                .suggest("请重新发起人脸核身"),
        );
    }
    if task.status == "succeeded" {
        return Err(
            ApiError::conflict("FACE_ALREADY_PASSED", "人脸核身已通过").suggest("无需重复核身")
        );
    }
    let media = store_media(s, &caller.user.id, "face_photo", bytes).await?;
    let filing = s
        .store
        .filing(&task.filing_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let doc = filing.document_or_default();
    let principal = doc.mp_principal();
    // Every failed check is a reason (§10.2): resolution, exposure, colour, exactly one
    // face found by the detector, its sharpness, size and position, a light background.
    let mut issues: Vec<CaptureIssue> = media
        .checks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] == json!(false))
        .map(|c| {
            let code = c["code"].as_str().unwrap_or("FACE_CHECK");
            let code = if code.starts_with("FACE_") {
                code.to_string()
            } else {
                code.replacen("MEDIA_", "FACE_", 1)
            };
            CaptureIssue {
                field: "photo".into(),
                code,
                message: c["message"].as_str().unwrap_or_default().to_string(),
                suggestion: "白色或浅色纯色背景，正对镜头，面部清晰完整，画面中只有本人".into(),
            }
        })
        .collect();
    let identity = principal.identity();
    if identity.is_none() || principal.name.is_none() {
        issues.push(CaptureIssue {
            field: "mini_program_principal.certificate.number".into(),
            code: "FACE_IDENTITY_UNKNOWN".into(),
            message: "请先填写小程序负责人姓名与证件号码".into(),
            suggestion: "保存小程序负责人信息后再核身".into(),
        });
    }
    task.photo = Some(media.id);
    if issues.is_empty() {
        task.status = "succeeded".into();
        task.identity_type = identity.as_ref().map(|i| i64::from(i.0));
        task.identity_number = identity.map(|i| i.1);
        task.name = principal.name.clone().map(|n| n.trim().to_string());
    } else {
        task.status = "failed".into();
    }
    s.store.update_face_task(&task).await?;
    Ok(CaptureResult {
        id: task.id,
        status: task.status,
        issues,
    })
}
