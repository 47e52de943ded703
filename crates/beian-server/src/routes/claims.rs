//! Reviewers' claims (我来审): claim or renew, release, an admin's reassignment, and the
//! next order of the caller's queue.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::claims`] does the work.

use super::Call;
use crate::app::claims::{self, Reassign};
use crate::http::error::{ApiJson, ApiResult};
use crate::views::FilingView;
use axum::extract::Path;
use axum::Json;

/// The caller claims the order in review, or renews their claim (the lease is a policy
/// value); 409 `CLAIMED` names who holds it.
#[utoipa::path(post, path = "/api/v1/filings/{id}/claim", tag = "review", params(("id" = String, Path)),
    responses((status = 200, body = FilingView)))]
pub async fn claim(c: Call, Path(id): Path<String>) -> ApiResult<Json<FilingView>> {
    claims::claim(&c.s, &c.caller, &id).await.map(Json)
}

/// The holder, or an admin, releases the order.
#[utoipa::path(delete, path = "/api/v1/filings/{id}/claim", tag = "review", params(("id" = String, Path)),
    responses((status = 200, body = FilingView)))]
pub async fn release(c: Call, Path(id): Path<String>) -> ApiResult<Json<FilingView>> {
    claims::release(&c.s, &c.caller, &id).await.map(Json)
}

/// An admin gives the order to a reviewer of its stage.
#[utoipa::path(put, path = "/api/v1/filings/{id}/claim", tag = "review", params(("id" = String, Path)),
    request_body = Reassign,
    responses((status = 200, body = FilingView)))]
pub async fn reassign(
    c: Call,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Reassign>,
) -> ApiResult<Json<FilingView>> {
    claims::reassign(&c.s, &c.caller, &id, b).await.map(Json)
}

/// Claims the oldest-due order of the caller's queue that nobody holds; 404
/// `QUEUE_EMPTY` when there is none.
#[utoipa::path(post, path = "/api/v1/review-queue/next", tag = "review",
    responses((status = 200, body = FilingView)))]
pub async fn next(c: Call) -> ApiResult<Json<FilingView>> {
    claims::next(&c.s, &c.caller).await.map(Json)
}
