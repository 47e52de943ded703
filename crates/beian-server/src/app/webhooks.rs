//! Admin API of webhook subscriptions: create, list, delete, the delivery log
//! and replay.

use crate::adapters::egress;
use crate::app::state::AppState;
use crate::http::auth::{self, Caller, Role};
use crate::http::cursor::parse_cursor;
use crate::http::error::{ApiError, ApiResult};
use crate::views::webhooks::{DeliveryView, WebhookView};
use crate::views::Page;
use axum::http::StatusCode;
use beian_domain::notify::WEBHOOK_EVENT_TYPES;
use beian_store::{AttemptRow, DeliveryRow, WebhookRow};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `POST /api/v1/admin/webhooks` body.
#[derive(Deserialize, ToSchema)]
pub struct NewWebhook {
    url: String,
    events: Vec<String>,
    /// Optional: a signing secret of at least 16 characters; generated when absent.
    secret: Option<String>,
    description: Option<String>,
}

fn delivery_view(d: &DeliveryRow, log: &[&AttemptRow]) -> DeliveryView {
    DeliveryView::of(d, log)
}

fn invalid(field: &str, code: &str, message: &str, suggestion: &str) -> ApiError {
    ApiError::field(field, code, message, suggestion)
}

async fn check_url(s: &AppState, url: &str) -> ApiResult<()> {
    let parsed = reqwest::Url::parse(url).map_err(|_| {
        invalid(
            "url",
            "WEBHOOK_URL_INVALID",
            "回调地址不是有效的URL",
            "填写完整地址，例如 http://integrator.internal/beian/events",
        )
    })?;
    if parsed.scheme() != "http" || parsed.host_str().is_none() || url.len() > 2000 {
        return Err(invalid(
            "url",
            "WEBHOOK_URL_SCHEME",
            "回调地址须为 http:// 地址（本构建不含 TLS）",
            "https 接收方请经内网出口代理转发，或使用内网 http 地址",
        ));
    }
    if let Some(why) = egress::refusal(&parsed, s.security.webhook_private_networks).await {
        return Err(invalid(
            "url",
            "WEBHOOK_URL_INTERNAL",
            &format!("回调地址不能指向本机或内部网络：{why}"),
            "填写公网地址；接收方在内网时，由运维设置 BEIAN_WEBHOOK_PRIVATE_NETWORKS=1",
        ));
    }
    Ok(())
}

/// `POST /api/v1/admin/webhooks`: 201 with the secret, shown this once.
pub async fn create(s: &AppState, caller: &Caller, b: NewWebhook) -> ApiResult<WebhookView> {
    caller.require(&[Role::Admin])?;
    let url = b.url.trim().to_string();
    check_url(s, &url).await?;
    let mut events: Vec<String> = b.events.iter().map(|e| e.trim().to_string()).collect();
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(invalid(
            "events",
            "WEBHOOK_EVENTS_REQUIRED",
            "请至少订阅一种事件",
            "填写事件类型，或用 \"*\" 订阅全部事件",
        ));
    }
    if let Some(bad) = events
        .iter()
        .find(|e| *e != "*" && !WEBHOOK_EVENT_TYPES.contains(&e.as_str()))
    {
        return Err(invalid(
            "events",
            "WEBHOOK_EVENT_UNKNOWN",
            &format!("未知的事件类型：{bad}"),
            &format!("可订阅：{}，或 *", WEBHOOK_EVENT_TYPES.join("、")),
        ));
    }
    let secret = match b.secret {
        Some(secret) if secret.chars().count() >= 16 => secret,
        Some(_) => {
            return Err(invalid(
                "secret",
                "WEBHOOK_SECRET_SHORT",
                "签名密钥至少16个字符",
                "留空由平台生成随机密钥",
            ))
        }
        None => {
            let mut bytes = [0u8; 32];
            OsRng.fill_bytes(&mut bytes);
            format!("whsec_{}", hex::encode(bytes))
        }
    };
    let now = s.now();
    let row = WebhookRow {
        id: format!("wh_{}", auth::new_id(now.timestamp_millis())),
        url,
        secret: secret.clone(),
        events,
        description: b.description.filter(|d| !d.trim().is_empty()),
        created_by: caller.user.id.clone(),
        created_at: now,
        deleted_at: None,
    };
    s.store.insert_webhook(&row).await?;
    let mut body = WebhookView::from(&row);
    body.secret = Some(secret);
    Ok(body)
}

/// `GET /api/v1/admin/webhooks`: the subscriptions, without their secrets.
pub async fn list(s: &AppState, caller: &Caller) -> ApiResult<Page<WebhookView>> {
    caller.require(&[Role::Admin])?;
    let items = s
        .store
        .webhooks()
        .await?
        .iter()
        .map(WebhookView::from)
        .collect();
    Ok(Page::all(items))
}

/// `DELETE /api/v1/admin/webhooks/{id}`: 204; pending deliveries are cancelled.
pub async fn delete(s: &AppState, caller: &Caller, id: &str) -> ApiResult<StatusCode> {
    caller.require(&[Role::Admin])?;
    if s.store.delete_webhook(id, s.now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// `?limit=&cursor=` of the delivery log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/v1/admin/webhooks/{id}/deliveries`: newest first, each with its attempts.
pub async fn deliveries(
    s: &AppState,
    caller: &Caller,
    id: &str,
    q: LogQuery,
) -> ApiResult<Page<DeliveryView>> {
    caller.require(&[Role::Admin])?;
    s.store.webhook(id).await?.ok_or_else(ApiError::not_found)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let before = parse_cursor(q.cursor.as_deref())?;
    let mut rows = s.store.webhook_deliveries(id, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let attempts = s.store.webhook_attempts(&ids).await?;
    let items = rows
        .iter()
        .map(|d| {
            let log: Vec<&AttemptRow> = attempts.iter().filter(|a| a.delivery_id == d.id).collect();
            delivery_view(d, &log)
        })
        .collect();
    let next_cursor = more
        .then(|| rows.last().map(|d| d.id.to_string()))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// `POST /api/v1/admin/webhook-deliveries/{id}/replay`: queues the delivery
/// again (same event id, fresh retry budget); the worker sends it.
pub async fn replay(s: &AppState, caller: &Caller, id: &str) -> ApiResult<DeliveryView> {
    caller.require(&[Role::Admin])?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let d = s
        .store
        .webhook_delivery(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if d.status == "cancelled" {
        return Err(
            ApiError::conflict("WEBHOOK_DELETED", "该订阅已删除，投递不能重放")
                .suggest("重新创建订阅后，新事件会投递到新订阅"),
        );
    }
    let queued = s.store.webhook_replay(id, s.now()).await?.ok_or_else(|| {
        ApiError::conflict("DELIVERY_IN_FLIGHT", "该投递正在发送中")
            .suggest("稍后查看投递记录，需要时再重放")
    })?;
    Ok(delivery_view(&queued, &[]))
}
