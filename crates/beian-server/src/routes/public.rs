//! The public filing query and the pre-check.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::public`] does the work.

use super::Call;
use crate::app::public::{self, Search};
use crate::app::state::AppState;
use crate::http::error::{ApiJson, ApiResult};
use crate::views::filings::IssueList;
use crate::views::public::PublicFiling;
use crate::views::Items;
use axum::extract::{Query, State};
use axum::Json;
use beian_domain::document::Document;

/// The public filing query: never a person's name, certificate or phone.
#[utoipa::path(get, path = "/api/v1/public/filings", tag = "public", params(Search), security(()),
    responses((status = 200, body = Items<PublicFiling>)))]
pub async fn search(
    State(s): State<AppState>,
    Query(p): Query<Search>,
) -> ApiResult<Json<Items<PublicFiling>>> {
    public::search(&s, p).await.map(Json)
}

/// The submission's validation of a document, nothing saved.
#[utoipa::path(post, path = "/api/v1/precheck", tag = "filings", request_body = Document,
    responses((status = 200, body = IssueList)))]
pub async fn precheck(c: Call, ApiJson(doc): ApiJson<Document>) -> ApiResult<Json<IssueList>> {
    public::precheck(&c.s, &c.caller, doc).await.map(Json)
}
