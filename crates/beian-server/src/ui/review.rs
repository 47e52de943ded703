//! The platform reviewer's console and the provincial authority's console:
//! queues, the review page with every field and the materials side by side,
//! and decisions with reasons from the library of §12.2.

use super::applicant::wizard::{field_views, FieldView};
use super::claims::ClaimState;
use super::fields::STEPS;
use super::format::{cn_time, rejection_views, stages, status_tag, DueView, StageView};
use super::paging::{self, Filters, PageAsk, Pager};
use super::{page, Layout, PageResult, WebUser};
use crate::app::access;
use crate::app::filings;
use crate::app::state::AppState;
use crate::http::auth::Role;
use crate::http::error::ApiError;
use crate::ui::Visit;
use crate::views;
use crate::views::FilingView;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use beian_domain::filing::{mask_mobile, Reason};
use serde::Deserialize;
use serde_json::Value;

/// The common rejection reasons of §12.2: (code, stage, field label, path, error, suggestion).
pub const REASONS: [(&str, &str, &str, &str, &str, &str); 12] = [
    (
        "R-01",
        "platform",
        "证件照片",
        "subject.certificate.photo",
        "证件照片模糊、不完整或有遮挡",
        "重新上传清晰、四角完整的原件彩色照片",
    ),
    (
        "R-02",
        "platform",
        "证件照片",
        "subject_principal.certificate.front",
        "上传的是复印件、截图或翻拍屏幕的图片",
        "上传证件原件拍摄或扫描的彩色图片",
    ),
    (
        "R-03",
        "platform",
        "证件类型",
        "subject.certificate.type",
        "证件类型与上传证件或单位性质不符",
        "按实际证件重新选择类型并上传",
    ),
    (
        "R-04",
        "platform",
        "证件住所",
        "subject.certificate.address",
        "证件住所与证件原文不一致",
        "按证件上的地址逐字填写",
    ),
    (
        "R-05",
        "platform",
        "通讯地址",
        "subject.address",
        "所选地区与通讯地址不一致",
        "重新选择省市区或修改地址",
    ),
    (
        "R-06",
        "platform",
        "证件有效期",
        "subject_principal.certificate.valid_until",
        "有效期填写与证件不符或即将到期",
        "按证件填写，或更换证件",
    ),
    (
        "R-07",
        "both",
        "主体负责人",
        "subject_principal.authorization_letter",
        "主体负责人不是法定代表人且未提供授权书",
        "改为法定代表人或上传授权书（视省份要求）",
    ),
    (
        "R-08",
        "both",
        "手机号码",
        "subject_principal.mobile",
        "手机号码无法接通或非本人使用",
        "填写本人实名、可接通的号码",
    ),
    (
        "R-11",
        "both",
        "小程序名称",
        "mini_program.name",
        "名称与主体或实际业务无关",
        "修改名称，或在备注中说明关联（如注册商标）",
    ),
    (
        "R-13",
        "both",
        "小程序备注",
        "mini_program.remark",
        "备注未说明实际业务或过于简单",
        "写明服务内容、主要功能和服务对象（20-200字）",
    ),
    (
        "R-14",
        "both",
        "前置审批",
        "mini_program.preapprovals",
        "业务涉及前置审批但未提供审批文件",
        "上传审批文件，或删除相关服务内容",
    ),
    (
        "R-19",
        "both",
        "人脸核身",
        "mini_program_principal.face_verification",
        "核身照片与证件不符，或背景、光线不合格",
        "在纯白背景下重新核身",
    ),
];

/// One queue row.
struct Row {
    id: String,
    appid: String,
    /// The mini program's name, and the subject's (masked for an individual).
    name: String,
    subject: String,
    kind: &'static str,
    province: String,
    status: &'static str,
    status_class: &'static str,
    submitted: String,
    /// Sorted on its RFC 3339 time; shown in China time with 预计 when provisional.
    due: DueView,
    overdue: bool,
    age_days: i64,
    /// Working days since submission (domain.md §11), empty when unknown.
    age_working_days: String,
    /// The username of the reviewer holding it, empty when nobody does.
    holder: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    base: &'static str,
    rows: Vec<Row>,
    /// The previous/next page and CSV links, each with the filters of this page.
    pager: Pager,
    status: String,
    province: String,
    /// The page size when it is not the default (kept by the filter form).
    per_page: String,
    overdue_only: bool,
    min_age_days: String,
    statuses: Vec<(&'static str, &'static str)>,
    /// (code, name) of every province, for the filter.
    provinces: Vec<(&'static str, &'static str)>,
    search: String,
}

#[derive(Deserialize)]
struct QueueQuery {
    status: Option<String>,
    province: Option<String>,
    overdue: Option<String>,
    /// Only orders submitted at least this many days ago.
    min_age_days: Option<String>,
    /// Search in the mini program's and the subject's names, the appid and the numbers.
    q: Option<String>,
    /// `csv`: the filtered queue as a CSV download instead of the page.
    format: Option<String>,
    /// Set by "next order" when nothing was left to claim.
    empty: Option<String>,
    /// 1-based page of the filtered queue, and its size.
    page: Option<String>,
    per_page: Option<String>,
}

/// The queue as shown, as a CSV file (cells a spreadsheet would run are defused).
fn queue_csv(rows: &[Row], authority: bool) -> Response {
    let header = [
        "小程序",
        "AppID",
        "主办者",
        "类型",
        "省份",
        "状态",
        "提交时间",
        "已等（工作日）",
        "截止时间",
        "预计",
        "已超时",
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.appid.clone(),
                r.subject.clone(),
                r.kind.into(),
                r.province.clone(),
                r.status.into(),
                r.submitted.clone(),
                r.age_working_days.clone(),
                r.due.text(),
                if r.due.provisional { "是" } else { "" }.into(),
                if r.overdue { "是" } else { "" }.into(),
            ]
        })
        .collect();
    let name = if authority {
        "authority-queue"
    } else {
        "review-queue"
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"beian-{name}.csv\""),
            ),
        ],
        crate::charts::csv(&header, &lines),
    )
        .into_response()
}

/// Everything a queue row is made from that is the same for every row.
struct RowContext {
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    calendar: std::sync::Arc<beian_domain::calendar::Calendar>,
    /// User id → username, for the holder of a claim.
    names: std::collections::HashMap<String, String>,
}

fn queue_row(s: &AppState, cx: &RowContext, f: &FilingView) -> Row {
    let (status, status_class) = status_tag(&f.status);
    let doc = f.document.as_ref();
    let individual = s
        .reference
        .data
        .is_individual(doc.and_then(|d| d.subject.nature));
    let subject = doc.and_then(|d| d.subject.name.as_deref()).unwrap_or("");
    let submitted = f
        .submitted_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    Row {
        id: f.id.clone(),
        appid: f.appid.clone(),
        name: doc
            .and_then(|d| d.mini_program.name.clone())
            .unwrap_or_default(),
        subject: beian_domain::text::public_subject_name(individual, subject),
        kind: match f.kind.as_str() {
            "new" => "新增",
            "change" => "变更",
            _ => "注销",
        },
        province: f
            .province
            .as_deref()
            .and_then(beian_domain::numbers::province_name)
            .unwrap_or("")
            .into(),
        status,
        status_class,
        submitted: cn_time(f.submitted_at.as_deref().unwrap_or("")),
        due: DueView::of(f),
        overdue: f.overdue,
        age_working_days: submitted
            .and_then(|t| {
                let day = crate::app::sweep::day_of(t);
                cx.calendar.working_days_between(day, cx.today).ok()
            })
            .map(|n| n.to_string())
            .unwrap_or_default(),
        age_days: submitted.map_or(0, |t| (cx.now - t).num_days()),
        holder: f
            .claim
            .as_ref()
            .map(|c| cx.names.get(&c.holder_id).cloned().unwrap_or_default())
            .unwrap_or_default(),
    }
}

/// The most rows a CSV export holds: the filtered queue, bounded so that one download
/// cannot read a whole large database.
const CSV_MAX_ROWS: usize = 10_000;

async fn queue(s: AppState, u: WebUser, q: QueueQuery, authority: bool) -> PageResult {
    if authority {
        u.require(&[Role::AuthorityReviewer])?;
    } else {
        u.require(&[Role::PlatformReviewer, Role::Admin])?;
    }
    let default_status = if authority {
        "authority_review"
    } else {
        "platform_review"
    };
    let base = if authority { "/authority" } else { "/review" };
    let status = q.status.clone().unwrap_or_else(|| default_status.into());
    let province = q.province.clone().unwrap_or_default();
    let overdue_only = q.overdue.as_ref().is_some_and(|o| !o.is_empty());
    let min_age: i64 = q
        .min_age_days
        .as_deref()
        .and_then(|d| d.trim().parse().ok())
        .unwrap_or(0);
    // Names and numbers are short: a search longer than the public query's limit is cut.
    let search: String =
        q.q.as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_lowercase()
            .chars()
            .take(100)
            .collect();
    let ask = PageAsk::parse(q.page.as_deref(), q.per_page.as_deref());
    let csv = q.format.as_deref() == Some("csv");
    let found = |f: &FilingView| {
        let doc = f.document.as_ref();
        [
            doc.and_then(|d| d.mini_program.name.as_deref()),
            doc.and_then(|d| d.subject.name.as_deref()),
            Some(f.appid.as_str()),
            f.subject_number.as_deref(),
            f.service_number.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|t| t.to_lowercase().contains(&search))
    };
    let cx = RowContext {
        now: s.now(),
        today: crate::app::sweep::day_of(s.now()),
        calendar: s.calendar(),
        names: s
            .store
            .list_users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect(),
    };
    // The store gives the queue in its order (due date, then id) page by page; the
    // filters it cannot apply (search, overdue, age) are applied here, reading on until
    // this page is full or the queue ends.
    let in_memory = !search.is_empty() || overdue_only || min_age > 0;
    let wanted = if csv { CSV_MAX_ROWS } else { ask.rows_needed() };
    let mut rows: Vec<Row> = vec![];
    let mut cursor = None;
    loop {
        let lq = filings::ListQuery {
            status: (status != "all").then(|| status.clone()),
            province: Some(province.clone()).filter(|p| !p.is_empty()),
            limit: Some(if in_memory {
                500
            } else {
                (wanted - rows.len()).min(500) as i64
            }),
            cursor,
            sort: Some("due".into()),
            ..filings::ListQuery::default()
        };
        let list = filings::list(&s, &u.caller(), lq).await?;
        rows.extend(
            list.items
                .iter()
                .filter(|f| search.is_empty() || found(f))
                .map(|f| queue_row(&s, &cx, f))
                .filter(|r| !overdue_only || r.overdue)
                .filter(|r| min_age == 0 || r.age_days >= min_age),
        );
        cursor = list.next_cursor;
        if rows.len() >= wanted || cursor.is_none() {
            break;
        }
    }
    if csv {
        rows.truncate(CSV_MAX_ROWS);
        return Ok(queue_csv(&rows, authority));
    }
    let (rows, more) = ask.slice(rows);
    let min_age_days = if min_age > 0 {
        min_age.to_string()
    } else {
        String::new()
    };
    let per_page = if ask.per_page == paging::DEFAULT_PER_PAGE {
        String::new()
    } else {
        ask.per_page.to_string()
    };
    let filters = Filters::new(vec![
        ("q", search.clone()),
        ("status", status.clone()),
        ("province", province.clone()),
        ("min_age_days", min_age_days.clone()),
        ("overdue", if overdue_only { "1" } else { "" }.into()),
        ("per_page", per_page.clone()),
    ]);
    let title = if authority {
        "通管局审核队列"
    } else {
        "平台初审队列"
    };
    let mut layout = Layout::new(title, &u);
    if q.empty.is_some() {
        layout = layout.banner("ok", "队列中没有待认领的备案。");
    }
    page(QueuePage {
        layout,
        base,
        rows,
        pager: Pager::new(base, &filters, ask, more),
        status,
        province,
        search,
        per_page,
        provinces: beian_domain::numbers::PROVINCES
            .iter()
            .map(|(code, name, _)| (*code, *name))
            .collect(),
        overdue_only,
        min_age_days,
        statuses: vec![
            (default_status, status_tag(default_status).0),
            ("all", "全部"),
            ("filed", "已备案"),
            (
                if authority {
                    "authority_rejected"
                } else {
                    "platform_rejected"
                },
                "已驳回",
            ),
        ],
    })
}

async fn platform_queue(Visit { s, u }: Visit, Query(q): Query<QueueQuery>) -> PageResult {
    queue(s, u, q, false).await
}

async fn authority_queue(Visit { s, u }: Visit, Query(q): Query<QueueQuery>) -> PageResult {
    queue(s, u, q, true).await
}

/// A step's fields, read-only, with sensitive values masked unless asked.
struct Section {
    title: &'static str,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    base: &'static str,
    id: String,
    version: i64,
    appid: String,
    status: &'static str,
    status_class: &'static str,
    stages: Vec<StageView>,
    sections: Vec<Section>,
    face_photo: String,
    can_decide: bool,
    /// The order is in this page's review stage: it can be claimed.
    in_stage: bool,
    claim: ClaimState,
    reasons: Vec<(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )>,
    rejections: Vec<super::format::RejectionView>,
    subject_number: String,
    service_number: String,
    unmasked: bool,
    kind: String,
    papers: Vec<super::papers::PaperView>,
    /// Typed values beside what their certificate photos read.
    readings: Vec<ReadingRow>,
}

/// One field a certificate photo was read for, as the reviewer compares it.
struct ReadingRow {
    label: String,
    typed: String,
    read: String,
    /// `93%`.
    confidence: String,
    differs: bool,
}

#[derive(Deserialize)]
struct ReviewQuery {
    unmask: Option<String>,
}

/// A value as the review page shows it before unmasking: mobiles and persons'
/// certificate numbers masked. The subject's number is an organisation's public
/// code, except for an individual, whose subject certificate is their own ID.
fn mask_value(path: &str, value: &str, individual: bool) -> String {
    if path.ends_with("mobile") {
        mask_mobile(value)
    } else if path.ends_with("certificate.number")
        && value.chars().count() > 8
        && (individual || !path.starts_with("subject."))
    {
        let chars: Vec<char> = value.chars().collect();
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
    } else {
        value.to_string()
    }
}

async fn review_page(
    s: AppState,
    u: WebUser,
    id: String,
    q: ReviewQuery,
    authority: bool,
) -> PageResult {
    if authority {
        u.require(&[Role::AuthorityReviewer])?;
    } else {
        u.require(&[Role::PlatformReviewer, Role::Admin])?;
    }
    let f = filings::load(&s, &u.caller(), &id).await?;
    let v = views::filing(&f, &s.policy, s.now());
    let doc = serde_json::to_value(f.document_or_default()).unwrap_or(Value::Null);
    let unmasked = q.unmask.is_some();
    if unmasked {
        // Unmasking is allowed to reviewers and always leaves a trace in the history.
        access::record_unmasked(&s, &u.caller(), &f, "review_page").await?;
    }
    let individual = s
        .reference
        .data
        .is_individual(f.document_or_default().subject.nature);
    let sections: Vec<Section> = (1..STEPS.len())
        .map(|n| Section {
            title: STEPS[n - 1],
            fields: field_views(&s.reference, n, &doc, &[], &[])
                .into_iter()
                .map(|mut fv| {
                    if !unmasked {
                        fv.value = mask_value(&fv.path, &fv.value, individual);
                    }
                    fv
                })
                .collect(),
        })
        .collect();
    let readings = crate::app::ocr::side_by_side(&s, &f.document_or_default())
        .await?
        .into_iter()
        .map(|r| {
            let mask = |v: &str| {
                if unmasked {
                    v.to_string()
                } else {
                    mask_value(&r.path, v, individual)
                }
            };
            let label = sections
                .iter()
                .flat_map(|sec: &Section| sec.fields.iter())
                .find(|fv| fv.path == r.path)
                .map_or_else(|| r.path.clone(), |fv| fv.title());
            ReadingRow {
                label,
                typed: mask(&r.typed),
                read: mask(&r.read),
                confidence: format!("{:.0}%", r.confidence * 100.0),
                differs: r.differs,
            }
        })
        .collect();
    let face_photo = match f
        .document_or_default()
        .mini_program_principal
        .face_verification
    {
        Some(task) => s
            .store
            .face_task(&task)
            .await?
            .and_then(|t| t.photo)
            .map(|p| format!("/media/{p}"))
            .unwrap_or_default(),
        None => String::new(),
    };
    let raw = v.status.clone();
    let (status, status_class) = status_tag(&raw);
    let stage = if authority { "authority" } else { "platform" };
    let in_stage = if authority {
        raw == "authority_review"
    } else {
        raw == "platform_review"
    };
    let claim = ClaimState::of(&s, &u, &v).await?;
    let can_decide = in_stage && !claim.held_by_other();
    page(ReviewPage {
        layout: Layout::new(
            if authority {
                "通管局审核"
            } else {
                "平台初审"
            },
            &u,
        ),
        base: if authority { "/authority" } else { "/review" },
        id: f.id.clone(),
        version: f.version,
        appid: f.appid.clone(),
        status,
        status_class,
        stages: stages(&raw, &DueView::of(&v)),
        sections,
        face_photo,
        can_decide,
        in_stage,
        claim,
        reasons: REASONS
            .iter()
            .filter(|r| r.1 == stage || r.1 == "both")
            .map(|r| (r.0, r.2, r.3, r.4, r.5))
            .collect(),
        rejections: rejection_views(&v),
        subject_number: v.subject_number.clone().unwrap_or_default(),
        service_number: v.service_number.clone().unwrap_or_default(),
        unmasked,
        kind: f.kind.as_str().into(),
        papers: super::papers::frozen(&f, unmasked),
        readings,
    })
}

async fn platform_review(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Query(q): Query<ReviewQuery>,
) -> PageResult {
    review_page(s, u, id, q, false).await
}

async fn authority_review(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Query(q): Query<ReviewQuery>,
) -> PageResult {
    review_page(s, u, id, q, true).await
}

async fn decide(
    s: AppState,
    u: WebUser,
    id: String,
    form: Vec<(String, String)>,
    authority: bool,
) -> PageResult {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    u.check_csrf(&get("csrf"))?;
    let decision = get("decision");
    let mut reasons: Vec<Reason> = form
        .iter()
        .filter(|(k, _)| k == "reason")
        .filter_map(|(_, code)| REASONS.iter().find(|r| r.0 == code))
        .map(|r| Reason {
            field: Some(r.3.to_string()),
            error: r.4.to_string(),
            suggestion: r.5.to_string(),
        })
        .collect();
    let free = get("free_error");
    if !free.trim().is_empty() {
        let field = get("free_field");
        reasons.push(Reason {
            field: (!field.is_empty()).then_some(field),
            error: free,
            suggestion: get("free_suggestion"),
        });
    }
    let d = filings::Decision {
        decision,
        reasons,
        expected_version: Some(get("expected_version").parse().unwrap_or(-1)),
    };
    let result = if authority {
        filings::authority_decision(&s, &u.caller(), &id, d).await
    } else {
        filings::platform_decision(&s, &u.caller(), &id, d).await
    };
    let base = if authority { "/authority" } else { "/review" };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{base}/{id}")).into_response()),
        Err(e) => {
            let detail = e
                .issues
                .as_ref()
                .and_then(|i| i.first())
                .map(|i| format!("（{}）", i.message))
                .unwrap_or_default();
            Err(
                ApiError::new(e.status, e.code, format!("{}{}", e.message, detail))
                    .suggest(e.suggestion.unwrap_or_default())
                    .into(),
            )
        }
    }
}

async fn platform_decide(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    decide(s, u, id, form, false).await
}

async fn authority_decide(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    decide(s, u, id, form, true).await
}

/// Reviewer routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review", get(platform_queue))
        .route("/review/{id}", get(platform_review).post(platform_decide))
        .route("/authority", get(authority_queue))
        .route(
            "/authority/{id}",
            get(authority_review).post(authority_decide),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_individuals_subject_number_is_masked_and_an_organisations_is_not() {
        let id = "440300198512311238";
        assert_eq!(
            mask_value("subject.certificate.number", id, true),
            "4403**********1238"
        );
        let uscc = "91440300708461136T";
        assert_eq!(mask_value("subject.certificate.number", uscc, false), uscc);
        assert_eq!(
            mask_value("subject_principal.certificate.number", id, false),
            "4403**********1238"
        );
        assert_eq!(
            mask_value("subject_principal.mobile", "13800138000", false),
            "138****8000"
        );
    }
}
