//! The public filing query and the pre-check.

use crate::app::filings::facts;
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use crate::views::filings::IssueList;
use crate::views::public::PublicFiling;
use crate::views::Items;
use beian_domain::document::Document;
use beian_domain::filing::{Actor, Filing, Kind};
use beian_domain::{text, validate};
use serde::Deserialize;
use utoipa::IntoParams;

/// At most this many results.
const PUBLIC_LIMIT: i64 = 50;

/// `?q=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// A filing number, a mini program's name or an organisation's name (2 to 100 characters).
    pub q: Option<String>,
}

/// `GET /api/v1/public/filings?q=`: never a person's name, certificate or phone.
pub async fn search(s: &AppState, p: Search) -> ApiResult<Items<PublicFiling>> {
    let q = p.q.unwrap_or_default();
    let q = q.trim();
    if q.chars().any(char::is_control) {
        return Err(ApiError::field(
            "q",
            "QUERY_INVALID",
            "查询内容含有不可见的控制字符",
            "可输入备案号、小程序名称或主办单位名称",
        ));
    }
    if q.chars().count() < 2 || q.chars().count() > 100 {
        return Err(ApiError::field(
            "q",
            "QUERY_LENGTH",
            "请输入2至100个字符的查询内容",
            "可输入备案号、小程序名称或主办单位名称",
        ));
    }
    // An individual's subject name is the person's name (api.md): it is shown masked
    // and never matched, so such a record is found by its number or its mini program's
    // name only. The store matches both names; extra rows make up for those dropped.
    let by_number = beian_domain::numbers::FilingNumber::parse(q).is_ok();
    let items = s
        .store
        .public_search(q, 2 * PUBLIC_LIMIT)
        .await?
        .into_iter()
        .filter_map(|i| {
            let individual = s
                .reference
                .data
                .is_individual(i.subject_nature.map(|n| n as u32));
            if !text::publicly_found(individual, by_number, q, &i.mini_program_name) {
                return None;
            }
            let subject_name = text::public_subject_name(individual, &i.subject_name);
            Some(PublicFiling {
                subject_name,
                subject_nature: i.subject_nature,
                subject_number: i.subject_number,
                service_number: i.service_number,
                filed_at: views::ts(i.filed_at),
                mini_program_name: i.mini_program_name,
            })
        })
        .take(PUBLIC_LIMIT as usize)
        .collect();
    Ok(Items { items })
}

/// `POST /api/v1/precheck`: the submission's validation, nothing saved.
pub async fn precheck(s: &AppState, caller: &Caller, doc: Document) -> ApiResult<IssueList> {
    // The cross-subject facts it answers are limited per user, like uploads.
    s.limits.user(&caller.user.id)?;
    let now = s.now();
    let actor = caller.actor();
    // A throwaway order: precheck is about the document, not an existing order.
    let owner = Actor::Applicant(caller.user.id.clone());
    let (shadow, _) = Filing::create(
        String::new(),
        Kind::New,
        String::new(),
        &owner,
        None,
        None,
        now,
    )?;
    let facts = facts(s, caller, None, &doc).await?;
    let calendar = s.calendar();
    let issues = validate::validate(&doc, &facts, &shadow, &s.env(&calendar, &actor, now));
    Ok(IssueList { issues })
}
