//! `GET /api/v1/filings/{id}/papers[/{kind}]`: the platform documents of an order, as
//! content with hashes and as PDF. Visible to whoever may see the order.

use crate::app::papers;
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiError, ApiResult};
use crate::routes::filings::load;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use axum::Json;
use beian_domain::papers::PaperKind;
use serde::Deserialize;
use serde_json::Value;

/// `?unmask=1` shows others' personal data (logged); `version` picks a frozen version.
#[derive(Deserialize, Default)]
pub struct PaperQuery {
    pub version: Option<u32>,
    pub unmask: Option<String>,
}

/// The draft's papers (while editable) and every version's frozen papers.
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Json<Value>> {
    let f = load(&s, &caller, &id).await?;
    let mask = papers::masked_for(&s, &caller, &f, q.unmask.is_some()).await?;
    Ok(Json(papers::list(&s, &f, mask).await?))
}

/// One paper as PDF: `?version=N` for the one frozen with version N; masked for
/// everyone but the owner unless `?unmask=1`.
pub async fn pdf(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Response> {
    let f = load(&s, &caller, &id).await?;
    let kind = PaperKind::from_slug(&kind).ok_or_else(ApiError::not_found)?;
    let paper = papers::pick(&s, &f, kind, q.version).await?;
    let hash = paper.hash();
    let shown = if papers::masked_for(&s, &caller, &f, q.unmask.is_some()).await? {
        paper.masked()
    } else {
        paper
    };
    let bytes = papers::pdf(&s, &shown, &hash).await?;
    let name = format!("{}-{}.pdf", f.id, kind.slug());
    Response::builder()
        .header(header::CONTENT_TYPE, "application/pdf")
        .header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        )
        .header("x-content-type-options", "nosniff")
        .header("x-paper-hash", hash)
        .body(Body::from(bytes))
        .map_err(ApiError::internal)
}
