//! The filing wizard: field views of each step (also shown read-only to
//! reviewers), the step pages, saving and inline checking a step, submitting,
//! and the withdraw/discard/submit actions of the progress page.

use super::face::face_status;
use super::progress::progress_page;
use crate::app::state::AppState;
use crate::app::{filings, media, ocr};
use crate::http::auth::Role;
use crate::http::error::ApiError;
use crate::http::multipart::read_limited;
use crate::reference::Reference;
use crate::ui::fields::{self, Options, STEPS};
use crate::ui::format::step_of;
use crate::ui::Visit;
use crate::ui::{page, papers, refdata, CsrfForm, Layout, PageError, PageResult, WebUser};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Redirect};
use axum::{Form, Json};
use beian_domain::document::Document;
use beian_domain::filing::{mask_mobile, Filing, Kind, Status};
use beian_domain::issue::Issue;
use serde::Deserialize;
use serde_json::{json, Value};

/// One form field as shown.
pub struct FieldView {
    pub path: String,
    pub id: String,
    pub label: &'static str,
    pub kind: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub value: String,
    pub options: Vec<(String, String, bool)>,
    pub problem: String,
    pub media: String,
    pub flagged: bool,
    /// Quality findings of the uploaded file, shown beside its preview.
    pub checks: String,
    /// The path as the validation names it (`…preapprovals[1].document`): where the
    /// inline check puts an issue.
    pub issue: String,
    /// The pre-approval item (0-based) the field belongs to.
    pub item: Option<usize>,
    /// The value shown was read from a certificate photo, not typed: to be confirmed.
    pub prefilled: bool,
}

impl FieldView {
    /// The label with its item's number, so that the rows of a list read apart.
    pub fn title(&self) -> String {
        match self.item {
            Some(i) => format!("第{}项 {}", i + 1, self.label),
            None => self.label.to_string(),
        }
    }
}

fn options(r: &Reference, o: Options, doc: &Value) -> Vec<(String, String)> {
    let regions = refdata::items(r, "regions.json");
    let level = |l: u64, parent: &str| -> Vec<(String, String)> {
        regions
            .iter()
            .filter(|r| r["level"].as_u64() == Some(l))
            .filter(|r| {
                parent.is_empty() || r["code"].as_str().is_some_and(|c| c.starts_with(parent))
            })
            .filter_map(|r| {
                Some((
                    r["code"].as_str()?.to_string(),
                    r["name"].as_str()?.to_string(),
                ))
            })
            .collect()
    };
    let shown = |p: &str| fields::shown(doc, p);
    match o {
        Options::None => vec![],
        Options::Natures => {
            refdata::pairs(refdata::items(r, "subject-natures.json"), "id", "name_zh")
        }
        Options::SubjectCertificates => {
            let allowed: Vec<String> = refdata::items(r, "subject-natures.json")
                .iter()
                .find(|n| {
                    n["id"].as_u64().map(|id| id.to_string()) == Some(shown("subject.nature"))
                })
                .and_then(|n| n["allowed_certificates"].as_array())
                .map(|a| a.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default();
            refdata::pairs(refdata::items(r, "certificate-types.json"), "id", "name_zh")
                .into_iter()
                .filter(|(id, _)| allowed.is_empty() || allowed.contains(id))
                .collect()
        }
        Options::PersonalCertificates => refdata::pairs(
            &refdata::items(r, "certificate-types.json")
                .iter()
                .filter(|c| c["personal"] == json!(true))
                .cloned()
                .collect::<Vec<_>>(),
            "id",
            "name_zh",
        ),
        Options::Provinces => level(1, ""),
        Options::Cities => {
            let p = shown("subject.province");
            level(2, p.get(..2).unwrap_or(""))
        }
        Options::Districts => {
            let c = shown("subject.city");
            level(3, c.get(..4).unwrap_or(""))
        }
        Options::ServiceTypes => refdata::items(r, "service-content-types.json")
            .iter()
            .filter(|t| t["parent_id"].as_u64().is_some_and(|p| p > 0))
            .filter_map(|t| {
                let parent = refdata::items(r, "service-content-types.json")
                    .iter()
                    .find(|p| p["id"] == t["parent_id"])?;
                Some((
                    t["id"].to_string(),
                    format!("{}-{}", parent["name_zh"].as_str()?, t["name_zh"].as_str()?),
                ))
            })
            .collect(),
        Options::Languages => refdata::pairs(refdata::items(r, "languages.json"), "id", "name_zh"),
        Options::PreapprovalCategories => refdata::pairs(
            refdata::items(r, "preapproval-categories.json"),
            "code",
            "name_zh",
        )
        .into_iter()
        .filter(|(c, _)| c != "0")
        .collect(),
    }
}

/// Field views of one step, with the issues and reviewer flags on them.
pub fn field_views(
    r: &Reference,
    step: usize,
    doc: &Value,
    issues: &[Issue],
    flagged: &[String],
) -> Vec<FieldView> {
    field_views_with_rows(r, step, doc, issues, flagged, 0)
}

/// [`field_views`] with `extra` empty pre-approval rows after the document's items (at
/// least one row is always shown, the way to enter the first item).
pub fn field_views_with_rows(
    r: &Reference,
    step: usize,
    doc: &Value,
    issues: &[Issue],
    flagged: &[String],
    extra: usize,
) -> Vec<FieldView> {
    let specs = fields::step(step);
    let rows = fields::preapproval_count(doc).max(1) + extra;
    let mut views = vec![];
    for spec in &specs {
        if !spec.path.starts_with(fields::PREAPPROVAL_ROW) {
            views.push(field_view(
                r,
                spec,
                spec.path.to_string(),
                None,
                doc,
                issues,
                flagged,
            ));
        } else if spec.path.ends_with(".category") {
            // The item rows, field by field, where the template row stands.
            for i in 0..rows {
                for item_spec in specs
                    .iter()
                    .filter(|s| s.path.starts_with(fields::PREAPPROVAL_ROW))
                {
                    let path = fields::item_path(item_spec.path, i).unwrap_or_default();
                    views.push(field_view(
                        r,
                        item_spec,
                        path,
                        Some(i),
                        doc,
                        issues,
                        flagged,
                    ));
                }
            }
        }
    }
    views
}

fn field_view(
    r: &Reference,
    spec: &fields::Spec,
    path: String,
    item: Option<usize>,
    doc: &Value,
    issues: &[Issue],
    flagged: &[String],
) -> FieldView {
    let value = fields::shown(doc, &path);
    let selected: Vec<&str> = value.split(',').collect();
    let opts = options(r, spec.options, doc)
        .into_iter()
        .map(|(v, l)| {
            let on = selected.contains(&v.as_str());
            (v, l, on)
        })
        .collect();
    let issue = fields::issue_path(&path);
    let problem = issues
        .iter()
        .filter(|i| i.field == path || i.field == issue || i.field.starts_with(&format!("{path}[")))
        .map(|i| format!("{}：{}", i.message, i.suggestion))
        .collect::<Vec<_>>()
        .join("；");
    FieldView {
        id: format!("f-{path}"),
        media: if spec.kind == "media" && !value.is_empty() {
            format!("/media/{value}")
        } else {
            String::new()
        },
        flagged: flagged.iter().any(|f| *f == path || *f == issue),
        prefilled: false,
        checks: String::new(),
        issue: if item.is_some() { issue } else { path.clone() },
        item,
        path,
        label: spec.label,
        kind: spec.kind,
        required: spec.required,
        hint: spec.hint,
        value,
        options: opts,
        problem,
    }
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    layout: Layout,
    id: String,
    step: usize,
    steps: Vec<(usize, &'static str, bool)>,
    fields: Vec<FieldView>,
    other_issues: Vec<String>,
    face: Option<(String, String)>,
    recipients: Vec<String>,
    editable: bool,
    /// Step 5: the platform documents to read and confirm.
    papers: Vec<papers::PaperView>,
    /// Step 3: the pre-approval rows shown (the last one carries 再添加一项).
    preapproval_rows: usize,
    /// A certificate photo of the order is still being read: the page asks again.
    reading_pending: bool,
}

async fn filing_and_doc(s: &AppState, u: &WebUser, id: &str) -> Result<(Filing, Value), PageError> {
    let f = filings::load(s, &u.caller(), id).await?;
    if f.owner_id != u.user.id {
        return Err(ApiError::forbidden().into());
    }
    let mut doc = serde_json::to_value(f.document_or_default()).unwrap_or(Value::Null);
    if fields::get(&doc, "mini_program.name").is_none_or(Value::is_null) {
        if let Some(app) = s.store.app(&f.appid).await? {
            doc["mini_program"]["name"] = json!(app.name);
        }
    }
    Ok((f, doc))
}

async fn edit_page(
    s: &AppState,
    u: &WebUser,
    id: &str,
    step: usize,
    banner: Option<(&'static str, String)>,
    extra_rows: usize,
) -> PageResult {
    let (f, doc) = filing_and_doc(s, u, id).await?;
    let document: Document = serde_json::from_value(doc.clone()).unwrap_or_default();
    let issues = filings::check(s, &u.caller(), &f, &document).await?;
    let flagged: Vec<String> = f
        .rejections
        .last()
        .filter(|_| f.status.is_editable() && f.status != Status::Draft)
        .map(|r| r.reasons.iter().filter_map(|x| x.field.clone()).collect())
        .unwrap_or_default();
    let step = step.clamp(1, STEPS.len());
    let mut fields = field_views_with_rows(&s.reference, step, &doc, &issues, &flagged, extra_rows);
    let province = document.province2().unwrap_or_default();
    let required = s
        .reference
        .province_rule(&province)
        .and_then(|r| r["required_materials"].as_array().cloned())
        .unwrap_or_default();
    fields.retain(|fv| match fields::province_slot(&fv.path) {
        Some(slot) => required.iter().any(|m| m.as_str() == Some(slot)) || !fv.value.is_empty(),
        None => true,
    });
    // Empty fields a certificate photo was read for show the value read, to confirm.
    let prefill = ocr::prefill(s, &document).await?;
    for fv in fields.iter_mut().filter(|fv| fv.value.trim().is_empty()) {
        if let Some((_, v)) = prefill.values.iter().find(|(p, _)| *p == fv.path) {
            fv.value = v.clone();
            fv.prefilled = true;
        }
    }
    for fv in fields
        .iter_mut()
        .filter(|fv| fv.kind == "media" && !fv.value.is_empty())
    {
        if let Some(m) = s
            .store
            .media(&fv.value)
            .await?
            .filter(|m| m.owner_id == u.user.id)
        {
            let found: Vec<String> = m
                .checks
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["message"].as_str().map(String::from))
                .collect();
            fv.checks = format!(
                "已上传 {}×{} · {}",
                m.width.unwrap_or(0),
                m.height.unwrap_or(0),
                found.join("；")
            );
        }
    }
    // Issues shown at a field of the step (an item row's under its validation name).
    let shown: Vec<String> = fields::step(step)
        .iter()
        .map(|s| s.path.to_string())
        .chain(fields.iter().map(|f| f.issue.clone()))
        .collect();
    let other_issues = if step == STEPS.len() {
        issues
            .iter()
            .map(|i| format!("{}（{}）：{}", i.message, i.field, i.suggestion))
            .collect()
    } else {
        issues
            .iter()
            .filter(|i| {
                let field = i.field.as_str();
                step_of(field) == step
                    && !shown
                        .iter()
                        .any(|p| field == p || field.starts_with(&format!("{p}[")))
            })
            .map(|i| format!("{}（{}）：{}", i.message, i.field, i.suggestion))
            .collect()
    };
    let face = match document.mini_program_principal.face_verification.as_deref() {
        Some(task) => s
            .store
            .face_task(task)
            .await?
            .map(|t| (t.id, face_status(&t.status).to_string())),
        None => None,
    };
    let recipients = f
        .recipients()
        .iter()
        .map(|r| {
            let role = match r.role {
                beian_domain::filing::RecipientRole::SubjectPrincipal => "主体负责人",
                beian_domain::filing::RecipientRole::MiniProgramPrincipal => "小程序负责人",
            };
            format!("{role} {}", mask_mobile(&r.mobile))
        })
        .collect();
    let preapproval_rows = fields
        .iter()
        .filter_map(|f| f.item)
        .max()
        .map_or(0, |i| i + 1);
    let mut layout = Layout::new(format!("备案信息填写 · {}", STEPS[step - 1]), u);
    if let Some((kind, text)) = banner {
        layout = layout.banner(kind, text);
    }
    if !flagged.is_empty() {
        layout = layout.banner(
            "error",
            "审核未通过：标红的字段需要修改，请按提示修改后重新提交。",
        );
    }
    page(EditPage {
        layout,
        id: f.id.clone(),
        step,
        steps: STEPS
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, *l, i + 1 == step))
            .collect(),
        fields,
        other_issues,
        face,
        recipients,
        editable: f.status.is_editable() && f.kind != Kind::Cancel,
        papers: if step == 5 {
            papers::draft(s, &f)
        } else {
            vec![]
        },
        preapproval_rows,
        reading_pending: prefill.pending,
    })
}

#[derive(Deserialize)]
pub(super) struct EditQuery {
    /// Set by 再添加一项: one more empty pre-approval row.
    add: Option<String>,
}

pub(super) async fn edit(
    Visit { s, u }: Visit,
    Path((id, step)): Path<(String, usize)>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    u.require(&[Role::Applicant])?;
    let extra = usize::from(q.add.is_some());
    edit_page(&s, &u, &id, step, None, extra).await
}

/// Reads a step form: text fields, and uploads stored as media right away.
///
/// The form's token is checked before its first file is stored (the page puts the
/// `csrf` field first), so that a forged post leaves no upload behind.
async fn read_step(s: &AppState, u: &WebUser, mut form: Multipart) -> Result<StepForm, PageError> {
    let mut values = vec![];
    let mut uploads = vec![];
    let mut photos = vec![];
    let mut checked = false;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(path) = name.strip_prefix("file:") {
            if !checked {
                u.check_csrf(csrf_in(&values))?;
                checked = true;
            }
            let path = path.to_string();
            let bytes = read_limited(field, media::MAX_UPLOAD_BYTES).await?;
            if !bytes.is_empty() {
                let purpose = purpose_of(&path);
                s.limits.user(&u.user.id)?;
                let keep = beian_domain::ocr::Side::of_purpose(purpose).map(|_| bytes.clone());
                let row = media::store_media(s, &u.user.id, purpose, bytes).await?;
                uploads.push((path.clone(), row.id.clone()));
                if let Some(bytes) = keep {
                    photos.push((path, row, bytes));
                }
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?;
            values.push((name, value));
        }
    }
    if !checked {
        u.check_csrf(csrf_in(&values))?;
    }
    Ok(StepForm {
        values,
        uploads,
        photos,
    })
}

/// The `csrf` field of a form read as name/value pairs, empty without one.
fn csrf_in(values: &[(String, String)]) -> &str {
    values
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A step form as read: its text fields, its uploads by path, and the certificate photos
/// among them with their bytes, to be read once the step is saved.
struct StepForm {
    values: Vec<(String, String)>,
    uploads: Vec<(String, String)>,
    photos: Vec<(String, beian_store::MediaRow, Vec<u8>)>,
}

/// The certificate type the document declares for the photo at `path`.
fn certificate_type_at(doc: &Document, path: &str) -> Option<u32> {
    match path {
        "subject.certificate.photo" => doc.subject.certificate.kind,
        p if p.starts_with("subject_principal.") => doc.subject_principal.certificate.kind,
        p if p.starts_with("mini_program_principal.") => {
            doc.mini_program_principal.person.certificate.kind
        }
        _ => None,
    }
}

fn purpose_of(path: &str) -> &'static str {
    if path.ends_with("certificate.photo") {
        "subject_certificate"
    } else if path.ends_with("certificate.front") {
        "certificate_front"
    } else if path.ends_with("certificate.back") {
        "certificate_back"
    } else if path.ends_with("authorization_letter") {
        "authorization_letter"
    } else if path.contains("preapprovals") {
        "preapproval_document"
    } else if path.starts_with("materials.signed_forms") {
        "signed_form"
    } else {
        "other"
    }
}

pub(super) async fn save(
    Visit { s, u }: Visit,
    Path((id, step)): Path<(String, usize)>,
    form: Multipart,
) -> PageResult {
    let StepForm {
        values,
        uploads,
        photos,
    } = read_step(&s, &u, form).await?;
    // The base carries the registered app name, which the form only displays.
    let (f, base) = filing_and_doc(&s, &u, &id).await?;
    let base: Document = serde_json::from_value(base).unwrap_or_default();
    let merged = fields::merge(&base, step, &values, &uploads);
    let mut document: Document = match serde_json::from_value(merged) {
        Ok(d) => d,
        Err(_) => {
            return edit_page(
                &s,
                &u,
                &id,
                step,
                Some(("error", "表单内容格式不正确，请检查后重试".into())),
                0,
            )
            .await
        }
    };
    for (path, row, bytes) in photos {
        ocr::read_later(&s, &row, certificate_type_at(&document, &path), bytes).await;
    }
    let restated = if step == 5 {
        papers::confirm(&s, &f, &mut document, &values)
    } else {
        vec![]
    };
    let items = document
        .mini_program
        .preapprovals
        .as_ref()
        .map_or(0, Vec::len);
    match filings::save(&s, &u.caller(), &id, document).await {
        Ok(_) if !restated.is_empty() => {
            let banner = format!(
                "《{}》已按您的修改更新，请重新阅读后再勾选确认",
                restated.join("》《")
            );
            return edit_page(&s, &u, &id, step, Some(("error", banner)), 0).await;
        }
        Ok(_) => {}
        Err(e) => {
            return edit_page(
                &s,
                &u,
                &id,
                step,
                Some((
                    "error",
                    format!("{}：{}", e.message, e.suggestion.unwrap_or_default()),
                )),
                0,
            )
            .await
        }
    }
    // 再添加一项 and 删除第N项 saved the rows; the page comes back with the list.
    match values
        .iter()
        .find(|(k, _)| k == "preapproval_action")
        .map(|(_, v)| v.as_str())
    {
        Some("add") => {
            let n = items.max(1);
            return Ok(Redirect::to(&format!(
                "/filings/{id}/edit/{step}?add=1#row-mini_program.preapprovals.{n}.category"
            ))
            .into_response());
        }
        Some(_) => {
            return Ok(Redirect::to(&format!(
                "/filings/{id}/edit/{step}#row-mini_program.no_preapproval"
            ))
            .into_response())
        }
        None => {}
    }
    let next = values.iter().any(|(k, v)| k == "go" && v == "next");
    let target = if next {
        (step + 1).min(STEPS.len())
    } else {
        step
    };
    Ok(Redirect::to(&format!("/filings/{id}/edit/{target}")).into_response())
}

/// Inline validation: the step's fields merged in, nothing saved.
pub(super) async fn check(
    Visit { s, u }: Visit,
    Path((id, step)): Path<(String, usize)>,
    form: Multipart,
) -> PageResult {
    let mut values = vec![];
    let mut form = form;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if !name.starts_with("file:") {
            values.push((name, field.text().await.unwrap_or_default()));
        }
    }
    u.check_csrf(csrf_in(&values))?;
    let (f, base) = filing_and_doc(&s, &u, &id).await?;
    let base: Document = serde_json::from_value(base).unwrap_or_default();
    let merged = fields::merge(&base, step, &values, &[]);
    let issues = match serde_json::from_value::<Document>(merged) {
        Ok(doc) => filings::check(&s, &u.caller(), &f, &doc).await?,
        Err(_) => vec![],
    };
    Ok(Json(json!({"issues": issues})).into_response())
}

pub(super) async fn submit(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    match filings::submit(&s, &u.caller(), &id).await {
        Ok(_) => Ok(Redirect::to(&format!("/filings/{id}")).into_response()),
        Err(e) => {
            let detail = e
                .issues
                .as_ref()
                .map(|i| format!("（{}项问题）", i.len()))
                .unwrap_or_default();
            edit_page(
                &s,
                &u,
                &id,
                STEPS.len(),
                Some((
                    "error",
                    format!(
                        "{}{}：{}",
                        e.message,
                        detail,
                        e.suggestion.unwrap_or_default()
                    ),
                )),
                0,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    csrf: String,
    action: String,
}

pub(super) async fn act(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let result = match f.action.as_str() {
        "withdraw" => filings::withdraw(&s, &u.caller(), &id).await,
        "discard" => filings::discard(&s, &u.caller(), &id).await,
        "submit" => filings::submit(&s, &u.caller(), &id).await,
        _ => Err(ApiError::bad_request("unknown action")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/filings/{id}")).into_response()),
        Err(e) => {
            progress_page(
                &s,
                &u,
                &id,
                Some(format!(
                    "{}：{}",
                    e.message,
                    e.suggestion.unwrap_or_default()
                )),
            )
            .await
        }
    }
}

/// `GET /filings/{id}/prefill`: what the order's certificate photos read for its empty
/// fields, for the edit page to fill in while the applicant is on it (static/app.js).
pub(super) async fn prefill(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
) -> Result<Json<Value>, PageError> {
    u.require(&[Role::Applicant])?;
    let (_, doc) = filing_and_doc(&s, &u, &id).await?;
    let document: Document = serde_json::from_value(doc).unwrap_or_default();
    let p = ocr::prefill(&s, &document).await?;
    let values: serde_json::Map<String, Value> = p
        .values
        .into_iter()
        .map(|(path, v)| (path, Value::String(v)))
        .collect();
    Ok(Json(json!({"pending": p.pending, "values": values})))
}
