//! The store's guarantees for issue 6 on SQLite and PostgreSQL: the daily
//! sweep runs once per (job, day), outbox SMS and webhook deliveries are
//! claimed with leases, settled SMS lose their parameters, and the daily
//! per-mobile count stops at its limit.

use beian_domain::deadline::{Clearance, SweepApp, SweepPlan};
use beian_domain::filing::Time;
use beian_domain::notify::{Channel, Notice};
use beian_store::*;
use chrono::{Duration, TimeZone, Utc};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

#[macro_use]
mod common;
use std::sync::Arc;

fn t0() -> Time {
    Utc.with_ymd_and_hms(2024, 3, 31, 17, 0, 0).unwrap()
}

both!(
    stores "beian_store_i6" at t0;
    the_sweep_runs_once_per_day_and_fans_out_in_its_transaction,
    webhook_deliveries_are_leased,
    sms_are_leased_settled_and_counted
);

async fn seed(store: &SqlStore) {
    store.insert_user(&common::dev_user(t0())).await.unwrap();
    store
        .insert_app(&AppRow {
            listed: true,
            registered_at: Utc.with_ymd_and_hms(2023, 5, 1, 2, 0, 0).unwrap(),
            ..common::app_row("wxold", "老应用", t0())
        })
        .await
        .unwrap();
    store
        .insert_webhook(&WebhookRow {
            id: "wh1".into(),
            url: "http://127.0.0.1:9/hook".into(),
            secret: "whsec_0123456789abcdef".into(),
            events: vec!["app.cleared".into()],
            description: None,
            created_by: "u1".into(),
            created_at: t0(),
            deleted_at: None,
        })
        .await
        .unwrap();
}

/// A sweep that clears every candidate and announces it.
fn clear_all(called: Arc<AtomicBool>) -> SweepBuild {
    Box::new(move |apps: Vec<SweepApp>| {
        called.store(true, Ordering::SeqCst);
        let clearances: Vec<Clearance> = apps
            .iter()
            .filter(|a| !a.cleared)
            .map(|a| Clearance {
                appid: a.appid.clone(),
                name: a.name.clone(),
                owner_id: a.owner_id.clone(),
            })
            .collect();
        let webhooks = clearances
            .iter()
            .map(|c| WebhookEvent {
                event_id: format!("evt_cleared_{}", c.appid),
                event_type: "app.cleared".into(),
                payload: "{}".into(),
            })
            .collect();
        let notices = clearances
            .iter()
            .map(|c| Notice {
                channel: Channel::Inbox,
                to: c.owner_id.clone(),
                template: "release_cleared".into(),
                title: "小程序已被清退".into(),
                body: c.appid.clone(),
                params: BTreeMap::new(),
                filing_id: None,
                appid: Some(c.appid.clone()),
            })
            .collect();
        SweepWrite {
            plan: SweepPlan {
                warnings: vec![],
                clearances,
            },
            action: "unlist".into(),
            notices,
            webhooks,
        }
    })
}

/// The deadline sweep of `day` with [`clear_all`]; `None` when it already ran that day.
async fn sweep(store: &SqlStore, day: &str, called: Arc<AtomicBool>) -> Option<SweepWrite> {
    store
        .run_daily_sweep("deadline_sweep", day, t0(), clear_all(called))
        .await
        .unwrap()
}

async fn the_sweep_runs_once_per_day_and_fans_out_in_its_transaction(store: SqlStore) {
    seed(&store).await;
    let first = Arc::new(AtomicBool::new(false));
    let done = sweep(&store, "2024-04-01", first.clone())
        .await
        .expect("the first run of the day");
    assert!(first.load(Ordering::SeqCst));
    assert_eq!(done.plan.clearances.len(), 1);
    assert!(store.job_ran("deadline_sweep", "2024-04-01").await.unwrap());
    // The same day again: nothing is decided, nothing written.
    let second = Arc::new(AtomicBool::new(false));
    let again = sweep(&store, "2024-04-01", second.clone()).await;
    assert!(again.is_none());
    assert!(!second.load(Ordering::SeqCst), "not even decided");
    assert_eq!(store.inbox("u1", None, 10).await.unwrap().len(), 1);
    let cleared = store.app_clearance("wxold").await.unwrap().unwrap();
    assert_eq!(
        (cleared.action.as_str(), cleared.day.as_str()),
        ("unlist", "2024-04-01")
    );
    assert!(store.sweep_candidates().await.unwrap()[0].cleared);
    // The next day runs, and finds the app already cleared.
    let next = sweep(&store, "2024-04-02", Arc::default()).await.unwrap();
    assert!(next.plan.clearances.is_empty());
    // The clearance's webhook was fanned out to the subscription.
    let deliveries = store.webhook_deliveries("wh1", None, 10).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].event_id, "evt_cleared_wxold");
}

async fn webhook_deliveries_are_leased(store: SqlStore) {
    seed(&store).await;
    sweep(&store, "2024-04-01", Arc::default()).await;
    let claimed = store.webhook_claim_due(t0(), 60_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].url, "http://127.0.0.1:9/hook");
    assert!(
        store
            .webhook_claim_due(t0(), 60_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased: nobody else attempts it"
    );
    let d = &claimed[0].delivery;
    let failed = WebhookAttempt {
        delivery_id: d.id,
        lease_until: d.lease_until,
        at: t0(),
        status_code: Some(500),
        error: Some("HTTP 500".into()),
        duration_ms: 3,
        delivered: false,
        next_attempt_at: Some(t0() + Duration::minutes(1)),
    };
    // A stale claim's result is ignored.
    store
        .webhook_record_attempt(&WebhookAttempt {
            lease_until: d.lease_until - 1,
            ..failed.clone()
        })
        .await
        .unwrap();
    assert_eq!(store.webhook_attempts(&[d.id]).await.unwrap().len(), 0);
    store.webhook_record_attempt(&failed).await.unwrap();
    let row = store.webhook_delivery(d.id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.attempts, row.retry_count),
        ("pending", 1, 1)
    );
    assert!(store
        .webhook_claim_due(t0(), 60_000, 10)
        .await
        .unwrap()
        .is_empty());
    let later = t0() + Duration::minutes(1);
    let again = store.webhook_claim_due(later, 60_000, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    // Replay is refused while the claim holds, and deletion cancels what is
    // pending, even the attempt in flight.
    assert!(store.webhook_replay(d.id, later).await.unwrap().is_none());
    assert!(store.delete_webhook("wh1", later).await.unwrap());
    assert!(!store.delete_webhook("wh1", later).await.unwrap());
    store
        .webhook_record_attempt(&WebhookAttempt {
            lease_until: again[0].delivery.lease_until,
            delivered: true,
            status_code: Some(200),
            error: None,
            next_attempt_at: None,
            ..failed
        })
        .await
        .unwrap();
    let row = store.webhook_delivery(d.id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("cancelled", 1));
    assert!(store.webhooks().await.unwrap().is_empty());
}

async fn sms_are_leased_settled_and_counted(store: SqlStore) {
    seed(&store).await;
    let notice = Notice {
        channel: Channel::Sms,
        to: "13800138000".into(),
        template: "verification_code".into(),
        title: String::new(),
        body: "核验码为******".into(),
        params: BTreeMap::from([("code".to_string(), "012345".to_string())]),
        filing_id: None,
        appid: None,
    };
    store.insert_notices(&[notice], t0()).await.unwrap();
    let claimed = store.sms_claim_due(t0(), 60_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        claimed[0]
            .params
            .as_ref()
            .and_then(|p| p.get("code"))
            .map(String::as_str),
        Some("012345")
    );
    assert!(store
        .sms_claim_due(t0(), 60_000, 10)
        .await
        .unwrap()
        .is_empty());
    store
        .sms_record_attempt(&SmsAttempt {
            id: claimed[0].id,
            lease_until: claimed[0].lease_until,
            at: t0(),
            sent: true,
            error: None,
            next_attempt_at: None,
        })
        .await
        .unwrap();
    let rows = store.outbox_list(Some("13800138000"), 10).await.unwrap();
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("sent", 1));
    assert_eq!(rows[0].params, None, "the code is not kept once sent");
    assert_eq!(rows[0].sent_at, Some(t0()));
    for expected in [true, true, false] {
        assert_eq!(
            store
                .sms_count_daily("13800138000", "2024-04-01", 2)
                .await
                .unwrap(),
            expected
        );
    }
    assert!(store
        .sms_count_daily("13800138000", "2024-04-02", 2)
        .await
        .unwrap());
    assert!(store
        .sms_count_daily("13900139000", "2024-04-01", 0)
        .await
        .unwrap());
}
