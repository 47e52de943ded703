//! Admin API of webhook subscriptions: create, list, delete, the delivery log and replay.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::webhooks`] does the work.

use crate::app::state::AppState;
use crate::app::webhooks::{self, LogQuery, NewWebhook};
use crate::http::auth::Caller;
use crate::http::error::{ApiJson, ApiResult};
use crate::views::webhooks::{DeliveryView, WebhookView};
use crate::views::{ErrorBody, Page};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;

/// Subscribes a receiver; the answer shows the signing secret, once.
#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "webhooks", request_body = NewWebhook,
    responses((status = 201, body = WebhookView), (status = "4XX", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookView>)> {
    webhooks::create(&s, &caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The subscriptions, without their secrets.
#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "webhooks",
    responses((status = 200, body = Page<WebhookView>), (status = "4XX", body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Page<WebhookView>>> {
    webhooks::list(&s, &caller).await.map(Json)
}

/// Deletes a subscription; its pending deliveries are cancelled.
#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    webhooks::delete(&s, &caller, &id).await
}

/// The delivery log, newest first, each with its attempts.
#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path), LogQuery),
    responses((status = 200, body = Page<DeliveryView>), (status = "4XX", body = ErrorBody)))]
pub async fn deliveries(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<LogQuery>,
) -> ApiResult<Json<Page<DeliveryView>>> {
    webhooks::deliveries(&s, &caller, &id, q).await.map(Json)
}

/// Queues a delivery again (same event id, fresh retry budget).
#[utoipa::path(post, path = "/api/v1/admin/webhook-deliveries/{id}/replay", tag = "webhooks",
    params(("id" = String, Path)),
    responses((status = 202, body = DeliveryView), (status = "4XX", body = ErrorBody)))]
pub async fn replay(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<DeliveryView>)> {
    webhooks::replay(&s, &caller, &id)
        .await
        .map(|v| (StatusCode::ACCEPTED, Json(v)))
}
