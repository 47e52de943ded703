//! `GET /api/v1/filings/{id}/papers[/{kind}]`: the platform documents of an order, as
//! content with hashes and as PDF. Visible to whoever may see the order.

use super::Call;
use crate::app::papers::{self, PaperQuery};
use crate::http::error::ApiResult;
use crate::views::papers::PaperList;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::Json;

/// The draft's papers (while editable) and every version's frozen papers.
#[utoipa::path(get, path = "/api/v1/filings/{id}/papers", tag = "filings",
    params(("id" = String, Path), PaperQuery),
    responses((status = 200, body = PaperList)))]
pub async fn list(
    c: Call,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Json<PaperList>> {
    papers::papers_of(&c.s, &c.caller, &id, q).await.map(Json)
}

/// One paper as PDF.
#[utoipa::path(get, path = "/api/v1/filings/{id}/papers/{kind}", tag = "filings",
    params(("id" = String, Path), ("kind" = String, Path), PaperQuery),
    responses((status = 200, description = "The paper as PDF", content_type = "application/pdf")))]
pub async fn pdf(
    c: Call,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Response> {
    papers::pdf_of(&c.s, &c.caller, (&id, &kind), q).await
}
