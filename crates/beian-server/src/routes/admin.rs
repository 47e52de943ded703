//! Admin endpoints: the SMS outbox with its delivery state, the audit anchors, and the
//! manual clock.

use crate::app::anchors;
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::views;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// `?mobile=`.
#[derive(Deserialize)]
pub struct OutboxQuery {
    mobile: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/admin/sms-outbox`.
pub async fn sms_outbox(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<OutboxQuery>,
) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    let mobile = q.mobile.as_deref().map(|m| {
        beian_domain::ids::Mobile::parse(m, true)
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|_| m.to_string())
    });
    let rows = s
        .store
        .outbox_list(mobile.as_deref(), q.limit.unwrap_or(100).clamp(1, 500))
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"id": r.id, "to": r.mobile, "body": r.body, "filing_id": r.filing_id,
                        "created_at": views::ts(r.created_at), "sent_at": r.sent_at.map(views::ts),
                        "kind": r.kind, "template": r.template, "status": r.status,
                        "attempts": r.attempts, "last_error": r.last_error,
                        "next_attempt_at": (r.status == "pending").then(|| views::ts(r.next_attempt_at))})
        })
        .collect();
    Ok(Json(json!({"items": items, "gateway": s.sms.name()})))
}

/// `?limit=`.
#[derive(Deserialize)]
pub struct AnchorQuery {
    limit: Option<i64>,
}

/// See [`anchors::list`].
pub async fn audit_anchors(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<AnchorQuery>,
) -> ApiResult<Json<Value>> {
    let items = anchors::list(&s, &caller, q.limit).await?;
    Ok(Json(json!({ "items": items })))
}

/// `{advance_hours}` or `{set}`.
#[derive(Deserialize)]
pub struct ClockChange {
    advance_hours: Option<f64>,
    set: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// `POST /api/v1/admin/clock` (only with `--manual-clock`): moves the clock
/// and runs everything that fell due: timers, SMS reminders, the day's
/// deadline sweep, the SMS outbox and webhook deliveries.
pub async fn clock(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ClockChange>,
) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    if b.advance_hours.is_none() && b.set.is_none() {
        return Err(ApiError::field(
            "advance_hours",
            "CLOCK_CHANGE_REQUIRED",
            "请提供 advance_hours 或 set",
            "例如 {\"advance_hours\": 25}",
        ));
    }
    let now = s
        .clock
        .adjust(
            b.set.map(|t| t.with_timezone(&chrono::Utc)),
            b.advance_hours,
        )
        .ok_or_else(ApiError::not_found)?;
    let work = crate::jobs::worker::run_due_work(&s).await?;
    let sweep = work.sweep.map(|w| {
        json!({"day": crate::app::sweep::day_of(now).to_string(), "warnings": w.plan.warnings.len(),
               "clearances": w.plan.clearances.iter().map(|c| c.appid.clone()).collect::<Vec<_>>()})
    });
    Ok(Json(json!({
        "now": views::ts(now),
        "timers_fired": work.timers_fired,
        "reminders_sent": work.reminders_sent,
        "sweep": sweep,
        "sms_sent": work.sms_sent,
        "webhooks_delivered": work.webhooks_delivered,
    })))
}
