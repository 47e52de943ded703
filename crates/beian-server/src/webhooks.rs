//! Webhooks for integrators: event payloads, their signature, and the
//! delivery worker (at least once, retried with exponential backoff on the
//! server clock, each attempt claimed with a lease so one process makes it).

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views;
use beian_domain::deadline::Clearance;
use beian_domain::filing::{Change, Event, Filing, Time};
use beian_domain::notify::{backoff, webhook_type};
use beian_store::{DeliveryJob, WebhookAttempt, WebhookEvent};
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Headers of a delivery.
pub const EVENT_ID_HEADER: &str = "x-beian-event-id";
pub const EVENT_TYPE_HEADER: &str = "x-beian-event-type";
pub const DELIVERY_HEADER: &str = "x-beian-delivery-id";
pub const TIMESTAMP_HEADER: &str = "x-beian-timestamp";
pub const SIGNATURE_HEADER: &str = "x-beian-signature";

const LEASE_MS: i64 = 5 * 60_000;
const BATCH: i64 = 50;

/// `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: receivers
/// recompute it and reject stale timestamps.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The idempotency id of the `seq`-th event of a filing.
pub fn event_id(filing_id: &str, seq: i64) -> String {
    format!("evt_{filing_id}_{seq}")
}

fn envelope(id: &str, kind: &str, at: Time, data: Value) -> String {
    json!({"id": id, "type": kind, "created_at": views::ts(at), "data": data}).to_string()
}

/// The webhook events of committed events; `first_seq` is the log sequence
/// number of the first one. Payloads carry no personal data.
pub fn for_events(after: &Filing, events: &[Event], first_seq: i64) -> Vec<WebhookEvent> {
    let mut out = vec![];
    for (i, e) in events.iter().enumerate() {
        let Some(kind) = webhook_type(&e.change) else {
            continue;
        };
        let id = event_id(&after.id, first_seq + i as i64);
        let mut data = json!({
            "filing_id": after.id,
            "appid": after.appid,
            "kind": after.kind.as_str(),
            "status": after.status.as_str(),
            "version": after.version,
            "province": after.province,
            "subject_number": after.subject_number,
            "service_number": after.service_number,
            "actor": e.actor.role(),
        });
        match &e.change {
            Change::PlatformRejected { reasons, .. }
            | Change::AuthorityRejected { reasons, .. } => data["reasons"] = json!(reasons),
            Change::Returned { reason, .. } | Change::Abandoned { reason } => {
                data["return_reason"] = json!(reason)
            }
            _ => {}
        }
        if let Some(d) = after.due_at {
            data["due_at"] = json!(views::ts(d));
            data["due_provisional"] = json!(after.due_provisional);
        }
        out.push(WebhookEvent {
            payload: envelope(&id, kind, e.at, data),
            event_id: id,
            event_type: kind.to_string(),
        });
    }
    out
}

/// The `app.cleared` event of the deadline sweep of `day`.
pub fn cleared(c: &Clearance, day: &str, action: &str, at: Time) -> WebhookEvent {
    let id = format!("evt_cleared_{}_{day}", c.appid);
    let data = json!({"appid": c.appid, "day": day, "action": action});
    WebhookEvent {
        payload: envelope(&id, "app.cleared", at, data),
        event_id: id,
        event_type: "app.cleared".into(),
    }
}

async fn attempt(s: &AppState, job: &DeliveryJob, now: Time) -> WebhookAttempt {
    let d = &job.delivery;
    let timestamp = now.timestamp();
    let started = std::time::Instant::now();
    let result = s
        .http
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_ID_HEADER, &d.event_id)
        .header(EVENT_TYPE_HEADER, &d.event_type)
        .header(DELIVERY_HEADER, d.id.to_string())
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(&job.secret, timestamp, &d.payload),
        )
        .body(d.payload.clone())
        .send()
        .await;
    let (status_code, error) = match result {
        Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
        Ok(r) => {
            let code = r.status().as_u16();
            let text: String = r
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            (Some(i64::from(code)), Some(format!("HTTP {code}: {text}")))
        }
        Err(e) if e.is_timeout() => (None, Some(format!("timeout: {e}"))),
        Err(e) => (None, Some(format!("transport: {e}"))),
    };
    let delivered = error.is_none();
    let failures = u32::try_from(d.retry_count + 1).unwrap_or(u32::MAX);
    let cfg = &s.delivery;
    let next_attempt_at = (!delivered && failures < cfg.webhook_max_attempts).then(|| {
        now + backoff(
            failures,
            Duration::seconds(cfg.webhook_retry_base_secs),
            Duration::seconds(cfg.retry_cap_secs),
        )
    });
    WebhookAttempt {
        delivery_id: d.id,
        lease_until: d.lease_until,
        at: now,
        status_code,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        delivered,
        next_attempt_at,
    }
}

/// Attempts every due delivery once, several at a time, so a slow receiver
/// does not hold the others up; returns how many were delivered.
pub async fn deliver_due(s: &AppState) -> ApiResult<u64> {
    let now = s.now();
    let permits = Arc::new(Semaphore::new(crate::worker::PARALLEL));
    let mut delivered = 0;
    loop {
        let jobs = s.store.webhook_claim_due(now, LEASE_MS, BATCH).await?;
        if jobs.is_empty() {
            return Ok(delivered);
        }
        let mut tasks = JoinSet::new();
        for job in jobs {
            let (s, permits) = (s.clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.map_err(ApiError::internal)?;
                let a = attempt(&s, &job, now).await;
                let outcome = if a.delivered {
                    "delivered"
                } else if a.next_attempt_at.is_some() {
                    tracing::info!(
                        delivery = a.delivery_id,
                        error = a.error,
                        "webhook attempt failed; will retry"
                    );
                    "retry"
                } else {
                    tracing::warn!(
                        delivery = a.delivery_id,
                        error = a.error,
                        "webhook delivery given up"
                    );
                    "failed"
                };
                s.metrics
                    .inc("beian_webhook_attempts_total", "outcome", outcome, 1);
                s.store.webhook_record_attempt(&a).await?;
                Ok::<bool, ApiError>(a.delivered)
            });
        }
        while let Some(done) = tasks.join_next().await {
            delivered += u64::from(done.map_err(ApiError::internal)??);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_over_timestamp_and_body() {
        // Vector computed independently: printf '%s' '1700000000.{"a":1}' |
        // openssl dgst -sha256 -hmac whsec_test
        let sig = signature("whsec_test", 1_700_000_000, r#"{"a":1}"#);
        assert_eq!(
            sig,
            "sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
        assert_ne!(sig, signature("whsec_other", 1_700_000_000, r#"{"a":1}"#));
        assert_ne!(sig, signature("whsec_test", 1_700_000_001, r#"{"a":1}"#));
    }
}
