//! The background pass: a loaded notice, due timers, SMS reminders, the daily deadline
//! sweep, then the SMS outbox and webhook deliveries they produced. All of it runs on the
//! server clock, so the manual clock drives it in tests.

use super::PARALLEL;
use crate::adapters::sms::SmsMessage;
use crate::app::state::AppState;
use crate::app::{accounts, anchors, holidays, sweep, timers};
use crate::http::error::{ApiError, ApiResult};
use beian_domain::filing::Time;
use beian_domain::notify::backoff;
use beian_store::{SmsAttempt, SmsRow, SweepWrite};
use chrono::Duration;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The lease of a claimed outbox message.
const LEASE_MS: i64 = 60_000;

pub use crate::app::timers::run_due_timers;

/// Hands due outbox messages to the gateway, counting the per-mobile daily
/// limit; failures are retried with backoff on the server clock. One
/// mobile's messages go in order, different mobiles in parallel, so a slow
/// provider does not hold the others up. Returns how many were sent.
pub async fn dispatch_sms(s: &AppState) -> ApiResult<u64> {
    let now = s.now();
    let permits = Arc::new(Semaphore::new(PARALLEL));
    let mut sent = 0;
    loop {
        let due = s.store.sms_claim_due(now, LEASE_MS, 100).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        let mut by_mobile: BTreeMap<String, Vec<SmsRow>> = BTreeMap::new();
        for m in due {
            by_mobile.entry(m.mobile.clone()).or_default().push(m);
        }
        let mut tasks = JoinSet::new();
        for group in by_mobile.into_values() {
            let (s, permits) = (s.clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.map_err(ApiError::internal)?;
                let mut n = 0;
                for msg in group {
                    n += u64::from(send_one(&s, msg, now).await?);
                }
                Ok::<u64, ApiError>(n)
            });
        }
        while let Some(done) = tasks.join_next().await {
            sent += done.map_err(ApiError::internal)??;
        }
    }
}

/// One attempt at one claimed message; true when the gateway accepted it.
async fn send_one(s: &AppState, msg: SmsRow, now: Time) -> ApiResult<bool> {
    let cfg = &s.delivery;
    let mut attempt = SmsAttempt {
        id: msg.id,
        lease_until: msg.lease_until,
        at: now,
        sent: false,
        error: None,
        next_attempt_at: None,
    };
    let day = sweep::day_of(now).to_string();
    let within_limit = msg.attempts > 0
        || s.store
            .sms_count_daily(&msg.mobile, &day, s.policy.sms_daily_limit_per_mobile)
            .await?;
    if !within_limit {
        attempt.error = Some(format!(
            "DAILY_LIMIT: 该号码今日短信已达上限（{}条）",
            s.policy.sms_daily_limit_per_mobile
        ));
        tracing::warn!(
            id = msg.id,
            "sms refused: daily limit of the mobile reached"
        );
        s.metrics
            .inc("beian_sms_total", "outcome", "daily_limit", 1);
        s.store.sms_record_attempt(&attempt).await?;
        return Ok(false);
    }
    let params = msg.params.clone().unwrap_or_default();
    let out = SmsMessage {
        id: msg.id,
        mobile: &msg.mobile,
        template: &msg.template,
        params: &params,
        body: &msg.body,
    };
    match s.sms.send(&out, now).await {
        Ok(()) => attempt.sent = true,
        Err(e) => {
            let failures = u32::try_from(msg.attempts + 1).unwrap_or(u32::MAX);
            attempt.error = Some(e.message.clone());
            attempt.next_attempt_at =
                (!e.permanent && failures < cfg.sms_max_attempts).then(|| {
                    now + backoff(
                        failures,
                        Duration::seconds(cfg.sms_retry_base_secs),
                        Duration::seconds(cfg.retry_cap_secs),
                    )
                });
            tracing::warn!(id = msg.id, error = %e, retry = attempt.next_attempt_at.is_some(), "sms delivery failed");
        }
    }
    let outcome = match (attempt.sent, attempt.next_attempt_at) {
        (true, _) => "sent",
        (false, Some(_)) => "retry",
        (false, None) => "failed",
    };
    s.metrics.inc("beian_sms_total", "outcome", outcome, 1);
    s.store.sms_record_attempt(&attempt).await?;
    Ok(attempt.sent)
}

/// What one pass of due work did.
#[derive(Debug, Default)]
pub struct DueWork {
    pub recomputes_scheduled: u64,
    pub timers_fired: u64,
    pub reminders_sent: u64,
    pub sweep: Option<SweepWrite>,
    pub sms_sent: u64,
    pub webhooks_delivered: u64,
    pub sessions_purged: u64,
    pub anchors_stored: u64,
}

/// Everything that fell due: timers, reminders, today's sweep, then the
/// messages those produced. One pass at a time per process; other processes
/// are kept apart by the leases and the sweep's day key.
pub async fn run_due_work(s: &AppState) -> ApiResult<DueWork> {
    let _pass = s.work.lock().await;
    due_work(s).await
}

/// Moves the manual clock and runs what fell due, both inside one pass: a
/// background pass cannot slip in between and do the work this pass reports.
/// `None` on the system clock.
pub async fn move_clock_and_run(
    s: &AppState,
    set: Option<Time>,
    advance_hours: Option<f64>,
) -> ApiResult<Option<(Time, DueWork)>> {
    let _pass = s.work.lock().await;
    let Some(now) = s.clock.adjust(set, advance_hours) else {
        return Ok(None);
    };
    Ok(Some((now, due_work(s).await?)))
}

/// One pass of due work; the caller holds the pass lock.
async fn due_work(s: &AppState) -> ApiResult<DueWork> {
    let housekeeping = take_housekeeping(s);
    Ok(DueWork {
        // First: a notice another process loaded, and the due dates it settles.
        recomputes_scheduled: holidays::refresh_and_schedule(s).await?,
        timers_fired: timers::run_due_timers(s).await?,
        reminders_sent: timers::send_sms_reminders(s).await?,
        sweep: sweep::run_if_due(s).await?,
        sms_sent: dispatch_sms(s).await?,
        webhooks_delivered: super::webhooks::deliver_due(s).await?,
        sessions_purged: if housekeeping {
            accounts::purge_expired(s).await?
        } else {
            0
        },
        anchors_stored: if housekeeping {
            anchors::anchor_finished_days(s).await?
        } else {
            0
        },
    })
}

/// Whether this pass does the housekeeping (session purge, daily anchors): once a
/// minute of server time, and at once after the clock moved back. Marks it done.
fn take_housekeeping(s: &AppState) -> bool {
    let now = s.now();
    let mut last = s.housekeeping.lock().unwrap_or_else(|e| e.into_inner());
    let due = last.is_none_or(|at| now < at || now - at >= Duration::minutes(1));
    if due {
        *last = Some(now);
    }
    due
}

/// Runs the due work forever at `interval`.
pub async fn run(s: AppState, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let result: Result<DueWork, ApiError> = run_due_work(&s).await;
        if let Err(e) = result {
            tracing::warn!(code = e.code, message = e.message, "background work failed");
        }
    }
}
