//! `GET /api/v1/filings/{id}/papers[/{kind}]`: the platform documents of an order, as
//! content with hashes and as PDF. Visible to whoever may see the order.

use crate::app::papers::{self, PaperQuery};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::ApiResult;
use crate::views::papers::PaperList;
use crate::views::ErrorBody;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;

/// The draft's papers (while editable) and every version's frozen papers.
#[utoipa::path(get, path = "/api/v1/filings/{id}/papers", tag = "filings",
    params(("id" = String, Path), PaperQuery),
    responses((status = 200, body = PaperList), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Json<PaperList>> {
    papers::papers_of(&s, &caller, &id, q).await.map(Json)
}

/// One paper as PDF.
#[utoipa::path(get, path = "/api/v1/filings/{id}/papers/{kind}", tag = "filings",
    params(("id" = String, Path), ("kind" = String, Path), PaperQuery),
    responses((status = 200, description = "The paper as PDF", content_type = "application/pdf"),
        (status = "4XX", body = ErrorBody)))]
pub async fn pdf(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Response> {
    papers::pdf_of(&s, &caller, (&id, &kind), q).await
}
