//! Due timers, fired once across processes: each claimed with a lease, decided by the
//! domain and written in batches; and the SMS reminders of rounds about to close.

use crate::app::commands::{build_commit, execute_fresh};
use crate::app::state::AppState;
use crate::http::error::{ApiError, ApiResult};
use beian_domain::filing::{Actor, Command, Filing, Refusal, TimerKind};
use beian_domain::notify;
use std::collections::HashMap;
use tokio::task::JoinSet;

const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 200;

/// Fires every due timer; returns how many changed an order.
///
/// Timers are claimed [`BATCH`] at a time under a lease (on PostgreSQL with
/// `SKIP LOCKED`, so processes claim disjoint sets). A claimed batch is decided
/// order by order by the domain and written in one transaction
/// ([`beian_store::Store::commit_batch`]): one durable commit per batch instead of
/// one per order. Each order keeps its optimistic version check (the versions are
/// read under lock first, and each projection update checks its version again);
/// an order whose commit conflicts (another process or request changed it
/// meanwhile) writes nothing and is retried alone, reloaded and decided again,
/// without losing the rest of the batch; if the batch's transaction fails as a
/// whole, every order goes alone. On PostgreSQL the batch is split into
/// [`PG_CHUNKS`] transactions running at once on the pool.
pub async fn run_due_timers(s: &AppState) -> ApiResult<u64> {
    let mut fired = 0;
    loop {
        let due = s.store.claim_due_timers(s.now(), LEASE_MS, BATCH).await?;
        if due.is_empty() {
            return Ok(fired);
        }
        let chunks = if s.store.concurrent_writers() {
            PG_CHUNKS
        } else {
            1
        };
        let size = due.len().div_ceil(chunks).max(1);
        if chunks == 1 || due.len() <= size {
            fired += fire_batch(s, due).await?;
            continue;
        }
        let mut tasks = JoinSet::new();
        for chunk in due.chunks(size) {
            let (s, chunk) = (s.clone(), chunk.to_vec());
            tasks.spawn(async move { fire_batch(&s, chunk).await });
        }
        while let Some(done) = tasks.join_next().await {
            fired += done.map_err(ApiError::internal)??;
        }
    }
}

/// Concurrent timer transactions per process on PostgreSQL.
pub const PG_CHUNKS: usize = 4;

/// Fires claimed timers in one transaction (see [`run_due_timers`]); returns
/// how many changed an order.
pub async fn fire_batch(s: &AppState, due: Vec<(String, TimerKind)>) -> ApiResult<u64> {
    let now = s.now();
    let ids: Vec<String> = due.iter().map(|(id, _)| id.clone()).collect();
    let mut filings: HashMap<String, Filing> = s
        .store
        .filings_by_ids(&ids)
        .await?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let calendar = s.calendar();
    let env = s.env(&calendar, &Actor::System, now);
    let mut commits = vec![];
    let mut fired_kinds = vec![];
    // A second timer of an order already in this batch would conflict with the
    // first: it goes alone, after the batch.
    let mut alone = vec![];
    let mut settled = vec![];
    for (id, kind) in due {
        let Some(f) = filings.remove(&id) else {
            if ids.iter().filter(|x| **x == id).count() > 1 {
                alone.push((id, kind));
            }
            continue;
        };
        match f.decide(Command::Timer(kind), &env) {
            Ok(events) => {
                commits.push(build_commit(s, &f, events, &[], now));
                fired_kinds.push((id, kind));
            }
            // Stale: the order moved on. A recompute timer of a settled order is deleted;
            // one this process's calendar cannot settle yet is left for its next lease.
            Err(Refusal::StaleTimer) => {
                if kind == TimerKind::RecomputeDue && !f.due_provisional {
                    settled.push(id);
                }
            }
            Err(e) => tracing::warn!(filing_id = id, error = %e, "timer refused"),
        }
    }
    let events: Vec<Vec<&'static str>> = commits
        .iter()
        .map(|c| c.events.iter().map(|e| e.change.name()).collect())
        .collect();
    let results = match s.store.commit_batch(commits).await {
        Ok(r) => r,
        Err(e) => {
            // The transaction itself failed: nothing was written; each goes alone.
            tracing::warn!(error = %e, "timer batch failed; firing one by one");
            fired_kinds
                .iter()
                .map(|_| Err(beian_store::StoreError::VersionConflict))
                .collect()
        }
    };
    let mut fired = 0;
    for (((id, kind), result), names) in fired_kinds.into_iter().zip(results).zip(events) {
        match result {
            Ok(()) => {
                fired += 1;
                count_fired(s, kind, &names);
            }
            Err(_) => alone.push((id, kind)),
        }
    }
    for (id, kind) in alone {
        if fire_one(s, &id, kind).await {
            fired += 1;
        }
    }
    if !settled.is_empty() {
        s.store.drop_settled_recomputes(&settled).await?;
    }
    Ok(fired)
}

/// Fires one timer in its own transaction, reloading and deciding again on a
/// concurrent change; true when it changed the order.
async fn fire_one(s: &AppState, filing_id: &str, kind: TimerKind) -> bool {
    match execute_fresh(s, filing_id, Command::Timer(kind), &Actor::System).await {
        Ok(_) => {
            s.metrics.inc(
                "beian_timers_fired_total",
                "kind",
                kind.key().split(':').next().unwrap_or(""),
                1,
            );
            true
        }
        // Stale: the order moved on, or another process fired it first.
        Err(e) if e.code == "STALE_TIMER" || e.code == "NOT_FOUND" => false,
        Err(e) => {
            tracing::warn!(
                filing_id,
                code = e.code,
                message = e.message,
                "timer failed"
            );
            false
        }
    }
}

fn count_fired(s: &AppState, kind: TimerKind, events: &[&'static str]) {
    for name in events {
        s.metrics.inc("beian_events_total", "event", name, 1);
    }
    s.metrics.inc(
        "beian_timers_fired_total",
        "kind",
        kind.key().split(':').next().unwrap_or(""),
        1,
    );
}

/// Sends the reminder of §1.4 for SMS rounds closing within the configured
/// hours; once per round across processes. Returns how many were sent.
pub async fn send_sms_reminders(s: &AppState) -> ApiResult<u64> {
    let ahead = s.policy.sms_reminder_before_deadline_hours;
    if ahead <= 0 {
        return Ok(0);
    }
    let now = s.now();
    let mut sent = 0;
    for f in s
        .store
        .sms_reminders_due(now, ahead * 3_600_000, BATCH)
        .await?
    {
        let Some(deadline) = f.due_at else { continue };
        let notices = notify::sms_reminder(&f, &s.templates);
        if s.store
            .record_sms_reminder(&f.id, deadline, &notices, now)
            .await?
        {
            sent += 1;
        }
    }
    Ok(sent)
}
