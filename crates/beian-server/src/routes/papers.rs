//! `GET /api/v1/filings/{id}/papers[/{kind}]`: the platform documents of an order, as
//! content with hashes and as PDF. Visible to whoever may see the order.

use crate::app::papers::{self, PaperQuery};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::ApiResult;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use serde_json::Value;

/// See [`papers::papers_of`].
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Json<Value>> {
    papers::papers_of(&s, &caller, &id, q).await.map(Json)
}

/// See [`papers::pdf_of`].
pub async fn pdf(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<PaperQuery>,
) -> ApiResult<Response> {
    papers::pdf_of(&s, &caller, (&id, &kind), q).await
}
