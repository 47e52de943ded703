//! Admin endpoints: the SMS outbox with its delivery state, the audit anchors, and the
//! manual clock.

use super::Call;
use crate::app::anchors;
use crate::http::auth::Role;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::views;
use crate::views::admin::{AnchorView, ClockResult, Outbox, OutboxItem, SweepView};
use crate::views::Items;
use axum::extract::Query;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `?mobile=&limit=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    mobile: Option<String>,
    limit: Option<i64>,
}

/// The SMS outbox with its delivery state.
#[utoipa::path(get, path = "/api/v1/admin/sms-outbox", tag = "admin", params(OutboxQuery),
    responses((status = 200, body = Outbox)))]
pub async fn sms_outbox(c: Call, Query(q): Query<OutboxQuery>) -> ApiResult<Json<Outbox>> {
    c.caller.require(&[Role::Admin])?;
    let mobile = q.mobile.as_deref().map(|m| {
        beian_domain::ids::Mobile::parse(m, true)
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|_| m.to_string())
    });
    let rows =
        c.s.store
            .outbox_list(mobile.as_deref(), q.limit.unwrap_or(100).clamp(1, 500))
            .await?;
    Ok(Json(Outbox {
        items: rows.iter().map(OutboxItem::from).collect(),
        gateway: c.s.sms.name().to_string(),
    }))
}

/// `?limit=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnchorQuery {
    limit: Option<i64>,
}

/// The newest audit anchors, newest first, for the operator to publish or escrow.
#[utoipa::path(get, path = "/api/v1/admin/audit-anchors", tag = "admin", params(AnchorQuery),
    responses((status = 200, body = Items<AnchorView>)))]
pub async fn audit_anchors(
    c: Call,
    Query(q): Query<AnchorQuery>,
) -> ApiResult<Json<Items<AnchorView>>> {
    let anchors = anchors::list(&c.s, &c.caller, q.limit).await?;
    Ok(Json(Items {
        items: anchors.iter().map(AnchorView::from).collect(),
    }))
}

/// `{advance_hours}` or `{set}`.
#[derive(Deserialize, ToSchema)]
pub struct ClockChange {
    advance_hours: Option<f64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    set: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// `POST /api/v1/admin/clock` (only with `--manual-clock`): moves the clock
/// and runs everything that fell due: timers, SMS reminders, the day's
/// deadline sweep, the SMS outbox and webhook deliveries.
#[utoipa::path(post, path = "/api/v1/admin/clock", tag = "admin", request_body = ClockChange,
    responses((status = 200, body = ClockResult)))]
pub async fn clock(c: Call, ApiJson(b): ApiJson<ClockChange>) -> ApiResult<Json<ClockResult>> {
    c.caller.require(&[Role::Admin])?;
    if b.advance_hours.is_none() && b.set.is_none() {
        return Err(ApiError::field(
            "advance_hours",
            "CLOCK_CHANGE_REQUIRED",
            "请提供 advance_hours 或 set",
            "例如 {\"advance_hours\": 25}",
        ));
    }
    let (now, work) = crate::jobs::worker::move_clock_and_run(
        &c.s,
        b.set.map(|t| t.with_timezone(&chrono::Utc)),
        b.advance_hours,
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    let sweep = work.sweep.map(|w| SweepView {
        day: crate::app::sweep::day_of(now).to_string(),
        warnings: w.plan.warnings.len(),
        clearances: w.plan.clearances.iter().map(|c| c.appid.clone()).collect(),
    });
    Ok(Json(ClockResult {
        now: views::ts(now),
        timers_fired: work.timers_fired,
        reminders_sent: work.reminders_sent,
        sweep,
        sms_sent: work.sms_sent,
        webhooks_delivered: work.webhooks_delivered,
    }))
}
