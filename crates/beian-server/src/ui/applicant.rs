//! The applicant's pages: my mini programs, the filing entry, the wizard,
//! face verification, the progress page and the inbox.

use super::fields::{self, Options, STEPS};
use super::refdata;
use super::{page, CsrfForm, Layout, PageError, PageResult, WebUser};
use crate::app::state::AppState;
use crate::http::auth::Role;
use crate::http::error::{ApiError, ApiJson};
use crate::reference::Reference;
use crate::routes::{apps, filings, media};
use crate::views;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use beian_domain::document::Document;
use beian_domain::filing::{mask_mobile, Filing, Kind, Status};
use serde::Deserialize;
use serde_json::{json, Value};

/// Status word and colour class of a filing status (never colour alone).
pub fn status_tag(status: &str) -> (&'static str, &'static str) {
    match status {
        "draft" => ("草稿", "s-draft"),
        "platform_review" => ("平台初审中", "s-review"),
        "platform_rejected" => ("平台已驳回", "s-rejected"),
        "sms_verification" => ("待短信核验", "s-sms"),
        "returned" => ("已退回", "s-rejected"),
        "authority_review" => ("通管局审核中", "s-review"),
        "authority_rejected" => ("通管局已驳回", "s-rejected"),
        "filed" => ("已备案", "s-filed"),
        "withdrawn" => ("已撤回", "s-ended"),
        "discarded" => ("已放弃", "s-ended"),
        "expired" => ("已过期", "s-ended"),
        "terminated" => ("已终止", "s-ended"),
        "cancelled" => ("已注销", "s-ended"),
        "abandoned" => ("注销未完成", "s-ended"),
        "unfiled" => ("未备案", "s-draft"),
        "access_cancelled" => ("已取消接入", "s-ended"),
        _ => ("未知", "s-draft"),
    }
}

/// "2026年3月2日 10:00" in +08:00.
pub fn cn_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&beian_domain::calendar::china_offset())
                .format("%Y年%-m月%-d日 %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn text(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_default()
}

/// One app in the list.
pub struct AppItem {
    pub appid: String,
    pub name: String,
    pub entry: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub service_number: String,
    pub open_filing: String,
    pub listed: bool,
}

fn app_item(v: &Value) -> AppItem {
    let (status, status_class) = status_tag(v["filing_status"].as_str().unwrap_or("unfiled"));
    AppItem {
        appid: text(&v["appid"]),
        name: text(&v["name"]),
        entry: text(&v["entry"]),
        status,
        status_class,
        service_number: text(&v["service_number"]),
        open_filing: text(&v["open_filing_id"]),
        listed: v["listed"].as_bool().unwrap_or(false),
    }
}

#[derive(Template)]
#[template(path = "apps.html")]
struct AppsPage {
    layout: Layout,
    apps: Vec<AppItem>,
}

async fn list(State(s): State<AppState>, u: WebUser) -> PageResult {
    u.require(&[Role::Applicant])?;
    let Json(body) = apps::list(State(s), u.caller()).await?;
    let apps: Vec<AppItem> = body["items"]
        .as_array()
        .map(|a| a.iter().map(app_item).collect())
        .unwrap_or_default();
    let needs_supplement = apps.iter().any(|a| a.entry == "supplement_filing");
    let mut layout = Layout::new("我的小程序", &u);
    if needs_supplement {
        layout = layout.banner(
            "",
            "小程序需补充备案信息：已上架的小程序须完成备案，请点击对应小程序的【去备案】。",
        );
    }
    page(AppsPage { layout, apps })
}

#[derive(Deserialize)]
struct RegisterForm {
    csrf: String,
    appid: String,
    name: String,
    owner_name: Option<String>,
    listed: Option<String>,
}

async fn register(
    State(s): State<AppState>,
    u: WebUser,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let body = json!({"appid": f.appid, "name": f.name, "owner_name": f.owner_name, "listed": f.listed.is_some()});
    let new = super::api_body(body)?;
    let _created = apps::create(State(s), u.caller(), ApiJson(new)).await?;
    Ok(Redirect::to(&format!("/apps/{}", f.appid.trim())).into_response())
}

/// A past or current order of an app.
struct HistoryItem {
    id: String,
    kind: &'static str,
    status: &'static str,
    status_class: &'static str,
    created: String,
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "new" => "新增备案",
        "change" => "变更备案",
        _ => "注销备案",
    }
}

#[derive(Template)]
#[template(path = "app.html")]
struct AppPage {
    layout: Layout,
    app: AppItem,
    subject_number: String,
    history: Vec<HistoryItem>,
}

async fn show(State(s): State<AppState>, u: WebUser, Path(appid): Path<String>) -> PageResult {
    u.require(&[Role::Applicant])?;
    let Json(v) = apps::show(State(s.clone()), u.caller(), Path(appid.clone())).await?;
    let app = app_item(&v);
    let mut layout = Layout::new(app.name.clone(), &u);
    if app.entry == "supplement_filing" {
        layout = layout.banner(
            "",
            "小程序需补充备案信息。已上架的小程序须完成备案，逾期将被清退。",
        );
    }
    let q: filings::ListQuery = serde_json::from_value(json!({"appid": appid, "limit": 100}))
        .map_err(ApiError::internal)?;
    let Json(list) = filings::list(State(s), u.caller(), Query(q)).await?;
    let history = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .rev()
                .map(|f| {
                    let (status, status_class) = status_tag(f["status"].as_str().unwrap_or(""));
                    HistoryItem {
                        id: text(&f["id"]),
                        kind: kind_label(f["kind"].as_str().unwrap_or("")),
                        status,
                        status_class,
                        created: cn_time(f["created_at"].as_str().unwrap_or("")),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    page(AppPage {
        layout,
        subject_number: text(&v["subject_number"]),
        app,
        history,
    })
}

#[derive(Template)]
#[template(path = "kind.html")]
struct KindPage {
    layout: Layout,
    appid: String,
    filed: bool,
}

async fn choose_kind(
    State(s): State<AppState>,
    u: WebUser,
    Path(appid): Path<String>,
) -> PageResult {
    u.require(&[Role::Applicant])?;
    let Json(v) = apps::show(State(s), u.caller(), Path(appid.clone())).await?;
    page(KindPage {
        layout: Layout::new("选择备案类型", &u),
        filed: v["entry"] == "filed",
        appid,
    })
}

#[derive(Deserialize)]
struct KindForm {
    csrf: String,
    kind: String,
    cancel_type: Option<String>,
    cancel_reason: Option<String>,
}

async fn create(
    State(s): State<AppState>,
    u: WebUser,
    Path(appid): Path<String>,
    Form(f): Form<KindForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let body = json!({"kind": f.kind, "appid": appid, "cancel_type": f.cancel_type, "cancel_reason": f.cancel_reason});
    let new = super::api_body(body)?;
    let (_, Json(v)) = filings::create(State(s), u.caller(), ApiJson(new)).await?;
    let id = text(&v["id"]);
    Ok(match f.kind.as_str() {
        "new" => Redirect::to(&format!("/filings/{id}/checklist")),
        "change" => Redirect::to(&format!("/filings/{id}/edit/1")),
        _ => Redirect::to(&format!("/filings/{id}")),
    }
    .into_response())
}

#[derive(Template)]
#[template(path = "checklist.html")]
struct ChecklistPage {
    layout: Layout,
    id: String,
    natures: Vec<(String, String, bool)>,
    provinces: Vec<(String, String, bool)>,
    items: Vec<(&'static str, &'static str)>,
    province_notes: String,
}

#[derive(Deserialize)]
struct ChecklistQuery {
    nature: Option<String>,
    province: Option<String>,
}

/// The materials a subject of this nature in this province prepares (§10.3, §9).
async fn checklist(
    State(s): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    Query(q): Query<ChecklistQuery>,
) -> PageResult {
    u.require(&[Role::Applicant])?;
    filings::load(&s, &u.caller(), &id).await?;
    let nature = q.nature.unwrap_or_else(|| "4".into());
    let province = q.province.unwrap_or_else(|| "44".into());
    // Natures and provinces not in the reference data get the general list.
    let individual = s
        .reference
        .data
        .natures
        .get(&nature.parse().unwrap_or(0))
        .is_some_and(|n| n.is_individual());
    let list = beian_domain::checklist::checklist(individual, s.reference.data.province(&province));
    let items = list
        .items
        .iter()
        .map(|(n, src)| (*n, src.label()))
        .collect();
    let province_notes = list.notes.concat();
    let mark = |pairs: Vec<(String, String)>, sel: &str| {
        pairs
            .into_iter()
            .map(|(v, l)| {
                let s = v == sel;
                (v, l, s)
            })
            .collect()
    };
    let provinces: Vec<(String, String)> = beian_domain::numbers::PROVINCES
        .iter()
        .map(|(c, n, _)| (c.to_string(), n.to_string()))
        .collect();
    page(ChecklistPage {
        layout: Layout::new("备案材料清单", &u),
        id,
        natures: mark(
            refdata::pairs(
                refdata::items(&s.reference, "subject-natures.json"),
                "id",
                "name_zh",
            ),
            &nature,
        ),
        provinces: mark(provinces, &province),
        items,
        province_notes,
    })
}

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
    issues: &[Value],
    flagged: &[String],
) -> Vec<FieldView> {
    fields::step(step)
        .into_iter()
        .map(|spec| {
            let value = fields::shown(doc, spec.path);
            let selected: Vec<&str> = value.split(',').collect();
            let opts = options(r, spec.options, doc)
                .into_iter()
                .map(|(v, l)| {
                    let on = selected.contains(&v.as_str());
                    (v, l, on)
                })
                .collect();
            let problem = issues
                .iter()
                .filter(|i| {
                    i["field"].as_str().is_some_and(|f| {
                        f == spec.path || f.starts_with(&format!("{}[", spec.path))
                    })
                })
                .map(|i| format!("{}：{}", text(&i["message"]), text(&i["suggestion"])))
                .collect::<Vec<_>>()
                .join("；");
            FieldView {
                id: format!("f-{}", spec.path),
                media: if spec.kind == "media" && !value.is_empty() {
                    format!("/media/{value}")
                } else {
                    String::new()
                },
                flagged: flagged.iter().any(|f| f == spec.path),
                checks: String::new(),
                path: spec.path.to_string(),
                label: spec.label,
                kind: spec.kind,
                required: spec.required,
                hint: spec.hint,
                value,
                options: opts,
                problem,
            }
        })
        .collect()
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
    papers: Vec<super::papers::PaperView>,
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
) -> PageResult {
    let (f, doc) = filing_and_doc(s, u, id).await?;
    let document: Document = serde_json::from_value(doc.clone()).unwrap_or_default();
    let issues = filings::check(s, &u.caller(), &f, &document).await?;
    let issues: Vec<Value> = issues.iter().map(|i| json!(i)).collect();
    let flagged: Vec<String> = f
        .rejections
        .last()
        .filter(|_| f.status.is_editable() && f.status != Status::Draft)
        .map(|r| r.reasons.iter().filter_map(|x| x.field.clone()).collect())
        .unwrap_or_default();
    let step = step.clamp(1, STEPS.len());
    let mut fields = field_views(&s.reference, step, &doc, &issues, &flagged);
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
    let shown: Vec<&str> = fields::step(step).iter().map(|s| s.path).collect();
    let other_issues = if step == STEPS.len() {
        issues
            .iter()
            .map(|i| {
                format!(
                    "{}（{}）：{}",
                    text(&i["message"]),
                    text(&i["field"]),
                    text(&i["suggestion"])
                )
            })
            .collect()
    } else {
        issues
            .iter()
            .filter(|i| {
                let field = i["field"].as_str().unwrap_or("");
                step_of(field) == step
                    && !shown
                        .iter()
                        .any(|p| field == *p || field.starts_with(&format!("{p}[")))
            })
            .map(|i| {
                format!(
                    "{}（{}）：{}",
                    text(&i["message"]),
                    text(&i["field"]),
                    text(&i["suggestion"])
                )
            })
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
            super::papers::draft(s, &f)
        } else {
            vec![]
        },
    })
}

fn face_status(s: &str) -> &'static str {
    match s {
        "succeeded" => "人脸核身已通过",
        "failed" => "人脸核身未通过",
        _ => "等待核身",
    }
}

async fn edit(
    State(s): State<AppState>,
    u: WebUser,
    Path((id, step)): Path<(String, usize)>,
) -> PageResult {
    u.require(&[Role::Applicant])?;
    edit_page(&s, &u, &id, step, None).await
}

/// Reads a step form: text fields, and uploads stored as media right away.
async fn read_step(
    s: &AppState,
    u: &WebUser,
    mut form: Multipart,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), PageError> {
    let mut values = vec![];
    let mut uploads = vec![];
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(path) = name.strip_prefix("file:") {
            let path = path.to_string();
            let bytes = media::read_limited(field, media::MAX_UPLOAD_BYTES).await?;
            if !bytes.is_empty() {
                let purpose = purpose_of(&path);
                let row = media::store_media(s, &u.user.id, purpose, bytes).await?;
                uploads.push((path, row.id));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()))?;
            values.push((name, value));
        }
    }
    Ok((values, uploads))
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

async fn save(
    State(s): State<AppState>,
    u: WebUser,
    Path((id, step)): Path<(String, usize)>,
    form: Multipart,
) -> PageResult {
    let (values, uploads) = read_step(&s, &u, form).await?;
    let csrf = values
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    u.check_csrf(csrf)?;
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
            )
            .await
        }
    };
    let restated = if step == 5 {
        super::papers::confirm(&s, &f, &mut document, &values)
    } else {
        vec![]
    };
    match filings::save(
        State(s.clone()),
        u.caller(),
        Path(id.clone()),
        ApiJson(document),
    )
    .await
    {
        Ok(_) if !restated.is_empty() => {
            let banner = format!(
                "《{}》已按您的修改更新，请重新阅读后再勾选确认",
                restated.join("》《")
            );
            return edit_page(&s, &u, &id, step, Some(("error", banner))).await;
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
            )
            .await
        }
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
async fn check(
    State(s): State<AppState>,
    u: WebUser,
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
    let csrf = values
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    u.check_csrf(csrf)?;
    let (f, base) = filing_and_doc(&s, &u, &id).await?;
    let base: Document = serde_json::from_value(base).unwrap_or_default();
    let merged = fields::merge(&base, step, &values, &[]);
    let issues = match serde_json::from_value::<Document>(merged) {
        Ok(doc) => filings::check(&s, &u.caller(), &f, &doc).await?,
        Err(_) => vec![],
    };
    Ok(Json(json!({"issues": issues})).into_response())
}

async fn start_face(
    State(s): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let (_, Json(task)) = media::start_face(State(s.clone()), u.caller(), Path(id.clone())).await?;
    Ok(Redirect::to(&format!("/face/{}", text(&task["id"]))).into_response())
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

async fn face_page(State(s): State<AppState>, u: WebUser, Path(task): Path<String>) -> PageResult {
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

async fn capture(
    State(s): State<AppState>,
    u: WebUser,
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
            Some("photo") => photo = media::read_limited(field, media::MAX_IMAGE_BYTES).await?,
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    u.check_csrf(&csrf)?;
    let t = media::own_face(&s, &u.caller(), &task).await?;
    let result = media::capture(&s, &u.caller(), &task, photo).await;
    let (status, issues) = match result {
        Ok(v) => (
            text(&v["status"]),
            v["issues"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|i| format!("{}：{}", text(&i["message"]), text(&i["suggestion"])))
                        .collect()
                })
                .unwrap_or_default(),
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
        let _saved = filings::save(
            State(s.clone()),
            u.caller(),
            Path(f.id.clone()),
            ApiJson(doc),
        )
        .await?;
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

async fn submit(
    State(s): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    match filings::submit(State(s.clone()), u.caller(), Path(id.clone())).await {
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
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct ActionForm {
    csrf: String,
    action: String,
}

async fn act(
    State(s): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let result = match f.action.as_str() {
        "withdraw" => filings::withdraw(State(s.clone()), u.caller(), Path(id.clone())).await,
        "discard" => filings::discard(State(s.clone()), u.caller(), Path(id.clone())).await,
        "submit" => filings::submit(State(s.clone()), u.caller(), Path(id.clone())).await,
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

/// The tooltip and accessible name of the 预计 mark beside a provisional due date
/// (domain.md §11.4; templates/provisional.html).
pub const PROVISIONAL_HINT: &str =
    "该年度国务院节假日安排通知尚未发布，期限按推算日历计算，通知发布后可能调整";

/// A working-day due date as a page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueView {
    /// RFC 3339 as the filing view has it (sorts by time); empty when there is none.
    pub at: String,
    /// Counted over a projected year (§11.4): shown with 预计.
    pub provisional: bool,
}

impl DueView {
    /// The `due_at` and `due_provisional` of a filing view.
    pub fn of(v: &Value) -> DueView {
        let at = v["due_at"].as_str().unwrap_or("").to_string();
        DueView {
            provisional: !at.is_empty() && v["due_provisional"].as_bool().unwrap_or(false),
            at,
        }
    }

    /// The date in China time, e.g. `2027年1月5日 23:59`; empty when there is none.
    pub fn text(&self) -> String {
        cn_time(&self.at)
    }

    /// The stage bar's note: `截止 …`, empty when there is no due date.
    pub fn note(&self) -> String {
        if self.at.is_empty() {
            String::new()
        } else {
            format!("截止 {}", self.text())
        }
    }
}

/// One stage of the five-step bar.
pub struct StageView {
    pub label: &'static str,
    pub class: &'static str,
    pub note: String,
    /// The note's due date is provisional (shown with 预计).
    pub provisional: bool,
}

/// The five stages with the current one marked (§1.2), the current one noting its due date.
pub fn stages(status: &str, kind: &str, due: &DueView) -> Vec<StageView> {
    let current = match status {
        "draft" | "platform_rejected" => 0,
        "platform_review" => 1,
        "sms_verification" | "returned" => 2,
        "authority_review" | "authority_rejected" => 3,
        "filed" | "cancelled" => 4,
        _ => 0,
    };
    let current = if kind == "cancel" && current == 0 {
        0
    } else {
        current
    };
    [
        "备案信息填写",
        "平台初审",
        "工信部短信核验",
        "通管局审核",
        "备案成功",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, label)| StageView {
        label,
        class: if i < current || (i == current && current == 4) {
            "done"
        } else if i == current {
            "current"
        } else {
            ""
        },
        note: if i == current && current < 4 {
            due.note()
        } else {
            String::new()
        },
        provisional: i == current && current < 4 && due.provisional,
    })
    .collect()
}

/// A rejection as the applicant sees it, each reason linked to its field.
pub struct RejectionView {
    pub stage: &'static str,
    pub at: String,
    pub reasons: Vec<(String, String, String, String)>,
}

/// Which wizard step holds a field path.
pub fn step_of(path: &str) -> usize {
    if path.starts_with("subject_principal") || path.starts_with("legal_representative") {
        2
    } else if path.starts_with("subject") {
        1
    } else if path.starts_with("mini_program_principal") {
        4
    } else if path.starts_with("mini_program") {
        3
    } else if path.starts_with("materials") {
        5
    } else {
        6
    }
}

#[derive(Template)]
#[template(path = "filing.html")]
struct FilingPage {
    layout: Layout,
    id: String,
    appid: String,
    kind: &'static str,
    status: &'static str,
    status_class: &'static str,
    raw_status: String,
    stages: Vec<StageView>,
    next: String,
    sms_deadline: String,
    sms_deadline_raw: String,
    recipients: Vec<(String, String, bool)>,
    rejections: Vec<RejectionView>,
    timeline: Vec<(String, String, String)>,
    subject_number: String,
    service_number: String,
    returned_reason: String,
    papers: Vec<super::papers::PaperView>,
    editable: bool,
    withdrawable: bool,
}

/// Chinese names of timeline events.
pub fn event_label(e: &str) -> &'static str {
    match e {
        "created" => "创建备案申请",
        "saved" => "保存备案信息",
        "submitted" => "提交备案，进入平台初审",
        "withdrawn" => "撤回备案申请",
        "discarded" => "放弃备案申请",
        "platform_approved" => "平台初审通过，已发送工信部核验短信",
        "platform_rejected" => "平台初审驳回",
        "sms_restarted" => "重新提交，已重新发送核验短信",
        "cancellation_submitted" => "提交注销申请，已发送核验短信",
        "recipient_verified" => "短信核验成功",
        "wrong_code" => "短信验证码输入错误",
        "code_resent" => "重新发送验证码",
        "returned" => "短信核验未完成，备案申请已退回",
        "abandoned" => "注销申请未完成",
        "authority_review_started" => "提交至通信管理局审核",
        "filed" => "通管局审核通过，备案成功",
        "cancelled" => "注销完成",
        "authority_rejected" => "通管局审核驳回",
        "expired" => "修改期限已过，申请已过期",
        "terminated" => "申请已被平台终止",
        _ => "状态变更",
    }
}

fn actor_label(a: &str) -> &'static str {
    match a {
        "applicant" => "申请人",
        "platform_reviewer" => "平台初审员",
        "authority_reviewer" => "通管局",
        "recipient" => "核验人",
        "admin" => "平台管理员",
        _ => "系统",
    }
}

/// Rejections of a filing view, for the applicant and reviewers alike.
pub fn rejection_views(v: &Value) -> Vec<RejectionView> {
    v["rejections"]
        .as_array()
        .map(|a| {
            a.iter()
                .rev()
                .map(|r| RejectionView {
                    stage: if r["stage"] == "platform" {
                        "平台初审"
                    } else {
                        "通管局审核"
                    },
                    at: cn_time(r["at"].as_str().unwrap_or("")),
                    reasons: r["reasons"]
                        .as_array()
                        .map(|rs| {
                            rs.iter()
                                .map(|x| {
                                    let field = text(&x["field"]);
                                    let link = if field.is_empty() {
                                        String::new()
                                    } else {
                                        format!("{}#f-{}", step_of(&field), field)
                                    };
                                    (field, text(&x["error"]), text(&x["suggestion"]), link)
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn progress_page(s: &AppState, u: &WebUser, id: &str, error: Option<String>) -> PageResult {
    let f = filings::load(s, &u.caller(), id).await?;
    let v = views::filing(&f, &s.policy, s.now());
    let raw = text(&v["status"]);
    let (status, status_class) = status_tag(&raw);
    let next = match raw.as_str() {
        "draft" => "请完成备案信息填写并提交。",
        "platform_review" => "平台将在1-2个工作日内完成初审，请保持电话畅通。",
        "platform_rejected" | "authority_rejected" => "请按驳回原因修改后重新提交。",
        "sms_verification" => "请核验人在24小时内登录工信部备案系统完成短信核验（发送号码12381）。",
        "returned" => {
            "短信核验未在规定时间内完成，请重新提交：信息未修改时将直接重新发送核验短信。"
        }
        "authority_review" => "通信管理局将在1-20个工作日内完成审核。",
        "filed" => "备案成功，可以发布小程序版本。",
        "cancelled" => "注销完成。",
        _ => "",
    };
    let recipients = v["sms"]["recipients"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let role = if r["role"] == "subject_principal" {
                        "主体负责人"
                    } else {
                        "小程序负责人"
                    };
                    (
                        role.to_string(),
                        text(&r["mobile"]),
                        r["verified"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut layout = Layout::new("备案进度", u);
    if let Some(e) = error {
        layout = layout.banner("error", e);
    }
    page(FilingPage {
        layout,
        id: f.id.clone(),
        appid: f.appid.clone(),
        kind: kind_label(f.kind.as_str()),
        status,
        status_class,
        stages: stages(&raw, f.kind.as_str(), &DueView::of(&v)),
        next: next.to_string(),
        sms_deadline: cn_time(v["sms"]["deadline"].as_str().unwrap_or("")),
        sms_deadline_raw: text(&v["sms"]["deadline"]),
        recipients,
        rejections: rejection_views(&v),
        timeline: v["timeline"]
            .as_array()
            .map(|a| {
                a.iter()
                    .rev()
                    .filter(|t| t["event"] != "saved")
                    .map(|t| {
                        (
                            cn_time(t["at"].as_str().unwrap_or("")),
                            event_label(t["event"].as_str().unwrap_or("")).to_string(),
                            actor_label(t["actor"].as_str().unwrap_or("")).to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        subject_number: text(&v["subject_number"]),
        service_number: text(&v["service_number"]),
        returned_reason: match v["returned_reason"].as_str() {
            Some("timeout") => "24小时内未完成短信核验".into(),
            Some("too_many_attempts") => "验证码错误次数过多".into(),
            _ => String::new(),
        },
        papers: super::papers::frozen(&f, false),
        editable: f.owner_id == u.user.id && f.status.is_editable() && f.kind != Kind::Cancel,
        withdrawable: f.owner_id == u.user.id
            && f.status == Status::PlatformReview
            && f.kind != Kind::Cancel,
        raw_status: raw,
    })
}

async fn progress(State(s): State<AppState>, u: WebUser, Path(id): Path<String>) -> PageResult {
    progress_page(&s, &u, &id, None).await
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    unread: i64,
    /// (time, title, body, filing id, read, message id)
    messages: Vec<(String, String, String, String, bool, i64)>,
}

/// 站内信: the notices written with every status change (domain.md §1.4).
async fn inbox(State(s): State<AppState>, u: WebUser) -> PageResult {
    u.require(&[Role::Applicant])?;
    let rows = s.store.inbox(&u.user.id, None, 200).await?;
    let unread = s.store.inbox_unread(&u.user.id).await?;
    let messages = rows
        .into_iter()
        .map(|m| {
            let at = cn_time(&views::ts(m.created_at));
            (
                at,
                m.title,
                m.body,
                m.filing_id.unwrap_or_default(),
                m.read_at.is_some(),
                m.id,
            )
        })
        .collect();
    page(InboxPage {
        layout: Layout::new("站内信", &u),
        unread,
        messages,
    })
}

#[derive(Deserialize)]
struct ReadForm {
    csrf: String,
    id: i64,
}

async fn mark_read(State(s): State<AppState>, u: WebUser, Form(f): Form<ReadForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    s.store.inbox_mark_read(&u.user.id, f.id, s.now()).await?;
    Ok(Redirect::to("/inbox").into_response())
}

async fn media_file(State(s): State<AppState>, u: WebUser, Path(id): Path<String>) -> PageResult {
    Ok(media::download(State(s), u.caller(), Path(id))
        .await?
        .into_response())
}

/// The applicant's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps", get(list).post(register))
        .route("/apps/{appid}", get(show))
        .route("/apps/{appid}/filing", get(choose_kind).post(create))
        .route("/filings/{id}", get(progress).post(act))
        .route("/filings/{id}/checklist", get(checklist))
        .route("/filings/{id}/edit/{step}", get(edit).post(save))
        .route("/filings/{id}/check/{step}", post(check))
        .route("/filings/{id}/face", post(start_face))
        .route("/filings/{id}/submit", post(submit))
        .route("/face/{task}", get(face_page).post(capture))
        .route("/inbox", get(inbox).post(mark_read))
        .route("/media/{id}", get(media_file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_due_date_is_read_from_the_filing_view_with_its_provisional_flag() {
        let v = json!({"due_at": "2027-01-06T23:59:59.999+08:00", "due_provisional": true});
        let due = DueView::of(&v);
        assert!(due.provisional);
        assert_eq!(due.text(), "2027年1月6日 23:59");
        assert_eq!(due.note(), "截止 2027年1月6日 23:59");

        let v = json!({"due_at": "2026-12-10T23:59:59.999+08:00", "due_provisional": false});
        let due = DueView::of(&v);
        assert!(!due.provisional);
        assert_eq!(due.note(), "截止 2026年12月10日 23:59");

        // No due date: nothing to say, and never provisional.
        let v = json!({"due_at": null, "due_provisional": true});
        assert_eq!(DueView::of(&v), DueView::default());
        assert_eq!(DueView::default().note(), "");
        // Views from before the flag existed read as not provisional.
        let v = json!({"due_at": "2026-12-10T23:59:59.999+08:00"});
        assert!(!DueView::of(&v).provisional);
    }

    #[derive(askama::Template)]
    #[template(source = r#"{% include "provisional.html" %}"#, ext = "html")]
    struct Mark;

    #[test]
    fn the_provisional_mark_explains_itself_to_mouse_and_keyboard() {
        let html = Mark.render().unwrap();
        assert!(html.contains(">预计</span>"), "{html}");
        assert!(
            html.contains(&format!(r#"title="{PROVISIONAL_HINT}""#)),
            "{html}"
        );
        assert!(
            html.contains(&format!(r#"aria-label="{PROVISIONAL_HINT}""#)),
            "{html}"
        );
        assert!(html.contains(r#"tabindex="0""#), "{html}");
    }

    #[test]
    fn only_the_current_stage_notes_the_due_date_and_its_provisional_mark() {
        let due = DueView {
            at: "2027-01-06T23:59:59.999+08:00".into(),
            provisional: true,
        };
        let bar = stages("platform_review", "new", &due);
        assert_eq!(bar.len(), 5);
        assert_eq!(bar[1].class, "current");
        assert_eq!(bar[1].note, "截止 2027年1月6日 23:59");
        assert!(bar[1].provisional);
        for (i, st) in bar.iter().enumerate().filter(|(i, _)| *i != 1) {
            assert!(st.note.is_empty() && !st.provisional, "stage {i}");
        }

        let firm = DueView {
            provisional: false,
            ..due.clone()
        };
        let bar = stages("authority_review", "new", &firm);
        assert_eq!(bar[3].note, "截止 2027年1月6日 23:59");
        assert!(!bar[3].provisional);

        // A filed order has no open stage: no note, no mark.
        let bar = stages("filed", "new", &due);
        assert!(bar.iter().all(|st| st.note.is_empty() && !st.provisional));
    }
}
