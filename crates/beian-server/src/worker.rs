//! Background work: due timers (claimed with leases, so each fires once across
//! processes) and the SMS outbox dispatcher.

use crate::commands::execute_fresh;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use beian_domain::filing::{Actor, Command};
use std::time::Duration;

const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 200;

/// Fires every due timer; returns how many changed an order.
pub async fn run_due_timers(s: &AppState) -> ApiResult<u64> {
    let mut fired = 0;
    loop {
        let due = s.store.claim_due_timers(s.now(), LEASE_MS, BATCH).await?;
        if due.is_empty() {
            return Ok(fired);
        }
        for (filing_id, kind) in due {
            match execute_fresh(s, &filing_id, Command::Timer(kind), &Actor::System).await {
                Ok(_) => {
                    fired += 1;
                    s.metrics.inc(
                        "beian_timers_fired_total",
                        "kind",
                        kind.key().split(':').next().unwrap_or(""),
                        1,
                    );
                }
                // Stale: the order moved on, or another process fired it first.
                Err(e) if e.code == "STALE_TIMER" || e.code == "NOT_FOUND" => {}
                Err(e) => tracing::warn!(
                    filing_id,
                    code = e.code,
                    message = e.message,
                    "timer failed"
                ),
            }
        }
    }
}

/// Hands pending outbox messages to the gateway.
pub async fn dispatch_sms(s: &AppState) -> ApiResult<()> {
    for msg in s.store.outbox_pending(100).await? {
        match s.sms.send(&msg.mobile, &msg.body).await {
            Ok(()) => s.store.outbox_mark_sent(msg.id, s.now()).await?,
            Err(e) => tracing::warn!(id = msg.id, error = %e, "sms delivery failed; will retry"),
        }
    }
    Ok(())
}

/// Runs both forever at `interval`.
pub async fn run(s: AppState, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let result: Result<(), ApiError> = async {
            run_due_timers(&s).await?;
            dispatch_sms(&s).await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(code = e.code, message = e.message, "background work failed");
        }
    }
}
