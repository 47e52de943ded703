//! `GET /api/v1/filings/{id}/papers[/{kind}]`: the platform documents of an order, as
//! content with hashes and as PDF. Visible to whoever may see the order.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::papers;
use crate::routes::filings::load;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use axum::Json;
use beian_domain::papers::PaperKind;
use serde::Deserialize;
use serde_json::Value;

/// The draft's papers (while editable) and every version's frozen papers.
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let f = load(&s, &caller, &id).await?;
    Ok(Json(papers::list(&s, &f).await?))
}

#[derive(Deserialize)]
pub struct Version {
    pub version: Option<u32>,
}

/// One paper as PDF: `?version=N` for the one frozen with version N.
pub async fn pdf(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<Version>,
) -> ApiResult<Response> {
    let f = load(&s, &caller, &id).await?;
    let kind = PaperKind::from_slug(&kind).ok_or_else(ApiError::not_found)?;
    let paper = papers::pick(&s, &f, kind, q.version).await?;
    let bytes = papers::pdf(&s, &paper).await?;
    let name = format!("{}-{}.pdf", f.id, kind.slug());
    Response::builder()
        .header(header::CONTENT_TYPE, "application/pdf")
        .header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        )
        .header("x-content-type-options", "nosniff")
        .header("x-paper-hash", paper.hash())
        .body(Body::from(bytes))
        .map_err(ApiError::internal)
}
