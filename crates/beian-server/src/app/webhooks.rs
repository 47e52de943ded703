//! Admin API of webhook subscriptions: create, list, delete, the delivery log
//! and replay.

use crate::adapters::egress;
use crate::app::state::AppState;
use crate::http::auth::{self, Caller, Role};
use crate::http::cursor::parse_cursor;
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use axum::http::StatusCode;
use beian_domain::notify::WEBHOOK_EVENT_TYPES;
use beian_store::{AttemptRow, DeliveryRow, WebhookRow};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};

/// `POST /api/v1/admin/webhooks` body.
#[derive(Deserialize)]
pub struct NewWebhook {
    url: String,
    events: Vec<String>,
    /// Optional: a signing secret of at least 16 characters; generated when absent.
    secret: Option<String>,
    description: Option<String>,
}

fn view(w: &WebhookRow) -> Value {
    json!({
        "id": w.id,
        "url": w.url,
        "events": w.events,
        "description": w.description,
        "created_at": views::ts(w.created_at),
    })
}

fn delivery_view(d: &DeliveryRow, log: &[&AttemptRow]) -> Value {
    json!({
        "id": d.id.to_string(),
        "webhook_id": d.subscription_id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": (d.status == "pending").then(|| views::ts(d.next_attempt_at)),
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": views::ts(d.created_at),
        "delivered_at": d.delivered_at.map(views::ts),
        "payload": serde_json::from_str::<Value>(&d.payload).unwrap_or(Value::Null),
        "log": log.iter().map(|a| json!({
            "attempt": a.attempt,
            "at": views::ts(a.at),
            "status_code": a.status_code,
            "error": a.error,
            "duration_ms": a.duration_ms,
        })).collect::<Vec<_>>(),
    })
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
pub async fn create(s: &AppState, caller: &Caller, b: NewWebhook) -> ApiResult<Value> {
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
    let mut body = view(&row);
    body["secret"] = json!(secret);
    Ok(body)
}

/// `GET /api/v1/admin/webhooks`: the subscriptions, without their secrets.
pub async fn list(s: &AppState, caller: &Caller) -> ApiResult<Value> {
    caller.require(&[Role::Admin])?;
    let items: Vec<Value> = s.store.webhooks().await?.iter().map(view).collect();
    Ok(json!({"items": items, "next_cursor": null}))
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
#[derive(Deserialize)]
pub struct LogQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /api/v1/admin/webhooks/{id}/deliveries`: newest first, each with its attempts.
pub async fn deliveries(s: &AppState, caller: &Caller, id: &str, q: LogQuery) -> ApiResult<Value> {
    caller.require(&[Role::Admin])?;
    s.store.webhook(id).await?.ok_or_else(ApiError::not_found)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let before = parse_cursor(q.cursor.as_deref())?;
    let mut rows = s.store.webhook_deliveries(id, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let attempts = s.store.webhook_attempts(&ids).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|d| {
            let log: Vec<&AttemptRow> = attempts.iter().filter(|a| a.delivery_id == d.id).collect();
            delivery_view(d, &log)
        })
        .collect();
    let next_cursor = more
        .then(|| rows.last().map(|d| d.id.to_string()))
        .flatten();
    Ok(json!({"items": items, "next_cursor": next_cursor}))
}

/// `POST /api/v1/admin/webhook-deliveries/{id}/replay`: queues the delivery
/// again (same event id, fresh retry budget); the worker sends it.
pub async fn replay(s: &AppState, caller: &Caller, id: &str) -> ApiResult<Value> {
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
