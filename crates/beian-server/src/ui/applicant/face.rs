//! Face verification of the mini program's principal: starting a task, the
//! capture page, and a capture that puts a passed task into the document.

use crate::app::{filings, media};
use crate::http::error::ApiError;
use crate::http::multipart::read_limited;
use crate::ui::format::cn_time;
use crate::ui::Visit;
use crate::ui::{page, CsrfForm, Layout, PageResult};
use crate::views;
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;

/// The words for a face task's status.
pub(super) fn face_status(s: &str) -> &'static str {
    match s {
        "succeeded" => "人脸核身已通过",
        "failed" => "人脸核身未通过",
        _ => "等待核身",
    }
}

pub(super) async fn start_face(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let task = media::start_face(&s, &u.caller(), &id).await?;
    Ok(Redirect::to(&format!("/face/{}", task.id)).into_response())
}

#[derive(Template)]
#[template(path = "face.html")]
struct FacePage {
    layout: Layout,
    task: String,
    filing: String,
    status: String,
    notice_expires: String,
    issues: Vec<String>,
}

pub(super) async fn face_page(Visit { s, u }: Visit, Path(task): Path<String>) -> PageResult {
    let t = media::own_face(&s, &u.caller(), &task).await?;
    let expires = t.created_at + chrono::Duration::hours(s.policy.face_notice_validity_hours);
    page(FacePage {
        layout: Layout::new("人脸核身", &u),
        status: face_status(&t.status).to_string(),
        notice_expires: cn_time(&views::ts(expires)),
        task: t.id,
        filing: t.filing_id,
        issues: vec![],
    })
}

pub(super) async fn capture(
    Visit { s, u }: Visit,
    Path(task): Path<String>,
    mut form: Multipart,
) -> PageResult {
    let mut photo = vec![];
    let mut csrf = String::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        match field.name() {
            Some("photo") => photo = read_limited(field, media::MAX_IMAGE_BYTES).await?,
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    u.check_csrf(&csrf)?;
    let t = media::own_face(&s, &u.caller(), &task).await?;
    let result = media::capture(&s, &u.caller(), &task, photo).await;
    let (status, issues) = match result {
        Ok(v) => (
            v.status,
            v.issues
                .iter()
                .map(|i| format!("{}：{}", i.message, i.suggestion))
                .collect(),
        ),
        Err(e) => (
            "failed".into(),
            vec![format!(
                "{}：{}",
                e.message,
                e.suggestion.unwrap_or_default()
            )],
        ),
    };
    if status == "succeeded" {
        // Put the passed task into the document, so the applicant needs no extra step.
        let f = filings::load(&s, &u.caller(), &t.filing_id).await?;
        let mut doc = f.document_or_default();
        doc.mini_program_principal.face_verification = Some(task.clone());
        let _saved = filings::save(&s, &u.caller(), &f.id, doc).await?;
        return Ok(Redirect::to(&format!("/filings/{}/edit/4", t.filing_id)).into_response());
    }
    let expires = t.created_at + chrono::Duration::hours(s.policy.face_notice_validity_hours);
    let mut resp = page(FacePage {
        layout: Layout::new("人脸核身", &u).banner(
            "error",
            "人脸核身未通过，请确认背景为纯白色、表情自然、无遮挡后重试。",
        ),
        status: face_status("failed").to_string(),
        notice_expires: cn_time(&views::ts(expires)),
        task: t.id,
        filing: t.filing_id,
        issues,
    })?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}
