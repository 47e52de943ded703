//! Filing orders: create, save, submit, withdraw, discard, decisions.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::filings`] does the work.

use super::Call;
use crate::app::filings::{self, Decision, ListQuery, NewFiling, Terminate};
use crate::http::error::{ApiJson, ApiResult};
use crate::views::filings::{AccessView, EventView, SaveResult};
use crate::views::{FilingView, Items, Page};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use beian_domain::document::Document;

/// Creates an order in `draft` (T01 / C00).
#[utoipa::path(post, path = "/api/v1/filings", tag = "filings", request_body = NewFiling,
    responses((status = 201, body = FilingView)))]
pub async fn create(
    c: Call,
    ApiJson(b): ApiJson<NewFiling>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    filings::create(&c.s, &c.caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// One order.
#[utoipa::path(get, path = "/api/v1/filings/{id}", tag = "filings", params(("id" = String, Path)),
    responses((status = 200, body = FilingView)))]
pub async fn show(c: Call, Path(id): Path<String>) -> ApiResult<Json<FilingView>> {
    filings::show(&c.s, &c.caller, &id).await.map(Json)
}

/// Every time someone saw the order's personal data unmasked, oldest first.
#[utoipa::path(get, path = "/api/v1/filings/{id}/access-log", tag = "filings", params(("id" = String, Path)),
    responses((status = 200, body = Items<AccessView>)))]
pub async fn access_log(c: Call, Path(id): Path<String>) -> ApiResult<Json<Items<AccessView>>> {
    filings::access_log(&c.s, &c.caller, &id).await.map(Json)
}

/// The order's audit log.
#[utoipa::path(get, path = "/api/v1/filings/{id}/events", tag = "filings", params(("id" = String, Path)),
    responses((status = 200, body = Items<EventView>)))]
pub async fn events(c: Call, Path(id): Path<String>) -> ApiResult<Json<Items<EventView>>> {
    filings::events(&c.s, &c.caller, &id).await.map(Json)
}

/// Orders visible to the caller, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/filings", tag = "filings", params(ListQuery),
    responses((status = 200, body = Page<FilingView>)))]
pub async fn list(c: Call, Query(q): Query<ListQuery>) -> ApiResult<Json<Page<FilingView>>> {
    filings::list(&c.s, &c.caller, q).await.map(Json)
}

/// Saves the application document (T02); issues are reported, not fatal.
#[utoipa::path(put, path = "/api/v1/filings/{id}/application", tag = "filings", params(("id" = String, Path)),
    request_body = Document,
    responses((status = 200, body = SaveResult)))]
pub async fn save(
    c: Call,
    Path(id): Path<String>,
    ApiJson(document): ApiJson<Document>,
) -> ApiResult<Json<SaveResult>> {
    filings::save(&c.s, &c.caller, &id, document)
        .await
        .map(Json)
}

/// Submits or resubmits (T03, T08, T16, T17, T21, C01).
#[utoipa::path(post, path = "/api/v1/filings/{id}/submit", tag = "filings", params(("id" = String, Path)),
    responses((status = 200, body = FilingView)))]
pub async fn submit(c: Call, Path(id): Path<String>) -> ApiResult<Json<FilingView>> {
    filings::submit(&c.s, &c.caller, &id).await.map(Json)
}

/// Withdraws during platform review (T05).
#[utoipa::path(post, path = "/api/v1/filings/{id}/withdraw", tag = "filings", params(("id" = String, Path)),
    responses((status = 200, body = FilingView)))]
pub async fn withdraw(c: Call, Path(id): Path<String>) -> ApiResult<Json<FilingView>> {
    filings::withdraw(&c.s, &c.caller, &id).await.map(Json)
}

/// Discards a draft or a sent-back order (T04, T09, T18, T22).
#[utoipa::path(post, path = "/api/v1/filings/{id}/discard", tag = "filings", params(("id" = String, Path)),
    responses((status = 200, body = FilingView)))]
pub async fn discard(c: Call, Path(id): Path<String>) -> ApiResult<Json<FilingView>> {
    filings::discard(&c.s, &c.caller, &id).await.map(Json)
}

/// An admin ends an order (T23).
#[utoipa::path(post, path = "/api/v1/filings/{id}/terminate", tag = "filings", params(("id" = String, Path)),
    request_body = Terminate,
    responses((status = 200, body = FilingView)))]
pub async fn terminate(
    c: Call,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Terminate>,
) -> ApiResult<Json<FilingView>> {
    filings::terminate(&c.s, &c.caller, &id, b).await.map(Json)
}

/// The platform's preliminary review (T06 / T07).
#[utoipa::path(post, path = "/api/v1/filings/{id}/platform-decision", tag = "review", params(("id" = String, Path)),
    request_body = Decision,
    responses((status = 200, body = FilingView)))]
pub async fn platform_decision(
    c: Call,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Decision>,
) -> ApiResult<Json<FilingView>> {
    filings::platform_decision(&c.s, &c.caller, &id, d)
        .await
        .map(Json)
}

/// The provincial authority's review (T19 / T20, C05 / C06).
#[utoipa::path(post, path = "/api/v1/filings/{id}/authority-decision", tag = "review", params(("id" = String, Path)),
    request_body = Decision,
    responses((status = 200, body = FilingView)))]
pub async fn authority_decision(
    c: Call,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Decision>,
) -> ApiResult<Json<FilingView>> {
    filings::authority_decision(&c.s, &c.caller, &id, d)
        .await
        .map(Json)
}
