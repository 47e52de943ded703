//! Webhook delivery to integrators: the signature, and the delivery pass (at least once,
//! retried with exponential backoff on the server clock, each attempt claimed with a lease
//! so one process makes it). The payloads are built in `app::webhook_events`.

use crate::adapters::egress;
use crate::app::state::AppState;
use crate::http::error::{ApiError, ApiResult};
use beian_domain::filing::Time;
use beian_domain::notify::backoff;
use beian_store::{DeliveryJob, WebhookAttempt};
use chrono::Duration;
use hmac::{Hmac, Mac};
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

/// Why a delivery did not get an answer.
enum Failure {
    /// The address is refused (SSRF guard).
    Blocked(String),
    /// The request failed on the way.
    Sent(reqwest::Error),
}
use Failure::{Blocked, Sent};

async fn attempt(s: &AppState, job: &DeliveryJob, now: Time) -> WebhookAttempt {
    let d = &job.delivery;
    let timestamp = now.timestamp();
    let started = std::time::Instant::now();
    // The name is resolved again at every delivery: it may point elsewhere by now.
    let blocked = match reqwest::Url::parse(&job.url) {
        Ok(url) => egress::refusal(&url, s.security.webhook_private_networks).await,
        Err(e) => Some(e.to_string()),
    };
    let result = match blocked {
        Some(why) => Err(Blocked(why)),
        None => s
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
            .await
            .map_err(Sent),
    };
    // The receiver's body is never read or kept: a receiver (or whatever an address
    // points at) says nothing through beian beyond its status code.
    let (status_code, error) = match result {
        Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
        Ok(r) => {
            let code = r.status().as_u16();
            (Some(i64::from(code)), Some(format!("HTTP {code}")))
        }
        Err(Blocked(why)) => (None, Some(format!("blocked: {why}"))),
        Err(Sent(e)) if e.is_timeout() => (None, Some(format!("timeout: {e}"))),
        Err(Sent(e)) => (None, Some(format!("transport: {e}"))),
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
    let permits = Arc::new(Semaphore::new(super::PARALLEL));
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
