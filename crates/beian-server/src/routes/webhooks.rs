//! Admin API of webhook subscriptions: create, list, delete, the delivery log and replay.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::webhooks`] does the work.

use super::Call;
use crate::app::webhooks::{self, LogQuery, NewWebhook};
use crate::http::error::{ApiJson, ApiResult};
use crate::views::webhooks::{DeliveryView, WebhookView};
use crate::views::Page;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;

/// Subscribes a receiver; the answer shows the signing secret, once.
#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "webhooks", request_body = NewWebhook,
    responses((status = 201, body = WebhookView)))]
pub async fn create(
    c: Call,
    ApiJson(b): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookView>)> {
    webhooks::create(&c.s, &c.caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The subscriptions, without their secrets.
#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "webhooks",
    responses((status = 200, body = Page<WebhookView>)))]
pub async fn list(c: Call) -> ApiResult<Json<Page<WebhookView>>> {
    webhooks::list(&c.s, &c.caller).await.map(Json)
}

/// Deletes a subscription; its pending deliveries are cancelled.
#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204)))]
pub async fn delete(c: Call, Path(id): Path<String>) -> ApiResult<StatusCode> {
    webhooks::delete(&c.s, &c.caller, &id).await
}

/// The delivery log, newest first, each with its attempts.
#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path), LogQuery),
    responses((status = 200, body = Page<DeliveryView>)))]
pub async fn deliveries(
    c: Call,
    Path(id): Path<String>,
    Query(q): Query<LogQuery>,
) -> ApiResult<Json<Page<DeliveryView>>> {
    webhooks::deliveries(&c.s, &c.caller, &id, q)
        .await
        .map(Json)
}

/// Queues a delivery again (same event id, fresh retry budget).
#[utoipa::path(post, path = "/api/v1/admin/webhook-deliveries/{id}/replay", tag = "webhooks",
    params(("id" = String, Path)),
    responses((status = 202, body = DeliveryView)))]
pub async fn replay(
    c: Call,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<DeliveryView>)> {
    webhooks::replay(&c.s, &c.caller, &id)
        .await
        .map(|v| (StatusCode::ACCEPTED, Json(v)))
}
