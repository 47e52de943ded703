//! Webhooks: subscriptions, signed at-least-once delivery with backoff on the
//! manual clock, the delivery log, replay, and one attempt across processes.

use crate::harness::*;
use crate::stub::{Received, Receiver};
use reqwest::Method;
use serde_json::{json, Value};

crate::both_backends!(failing_receiver_gets_the_event_after_it_recovers);

const SECRET: &str = "whsec_integrator_test_0001";

fn signed(r: &Received) -> bool {
    let ts: i64 = r.header("x-beian-timestamp").parse().unwrap_or_default();
    r.header("x-beian-signature") == beian_server::webhooks::signature(SECRET, ts, &r.body)
}

/// Sets the manual clock (and runs what fell due).
async fn at(app: &TestApp, admin: &str, time: &str) {
    app.post("/api/v1/admin/clock", admin, json!({"set": time}))
        .await
        .expect(200);
}

async fn log(app: &TestApp, admin: &str, hook: &str) -> Vec<Value> {
    app.items(&format!("/api/v1/admin/webhooks/{hook}/deliveries"), admin)
        .await
}

/// Subscribes `body` (its URL, event types and secret) as `token`.
async fn subscribe(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/admin/webhooks", token, body).await
}

/// Sends a delivery again as `admin`.
async fn replay(app: &TestApp, admin: &str, delivery: &str) -> Resp {
    app.post(
        &format!("/api/v1/admin/webhook-deliveries/{delivery}/replay"),
        admin,
        json!({}),
    )
    .await
}

async fn failing_receiver_gets_the_event_after_it_recovers(app: TestApp) {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let receiver = Receiver::start(500).await;

    // Subscriptions are validated and admin-only.
    let hooks = "/api/v1/admin/webhooks";
    subscribe(
        &app,
        &applicant,
        json!({"url": receiver.url, "events": ["*"]}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    let bad = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url, "events": ["filing.nope"]}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(bad["error"]["issues"][0]["code"], "WEBHOOK_EVENT_UNKNOWN");
    let https = subscribe(
        &app,
        &admin,
        json!({"url": "https://example.com/x", "events": ["*"]}),
    )
    .await
    .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(https["error"]["issues"][0]["code"], "WEBHOOK_URL_SCHEME");
    let created = subscribe(&app, &admin, json!({"url": receiver.url, "events": ["filing.submitted", "filing.platform_approved"], "secret": SECRET}))
        .await
        .expect(201);
    let hook = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["secret"], SECRET, "shown once, at creation");
    let listed = app.get(hooks, &admin).await.expect(200);
    assert_eq!(listed["items"][0]["id"], hook.as_str());
    assert!(!listed.to_string().contains(SECRET), "never listed");
    let generated = subscribe(
        &app,
        &admin,
        json!({"url": receiver.url, "events": ["filing.filed"]}),
    )
    .await
    .expect(201);
    assert!(generated["secret"].as_str().unwrap().starts_with("whsec_"));

    // The receiver is down: the first attempt fails and is scheduled again.
    let flow = Flow::prepare(&app, &applicant, 51).await;
    flow.submit().await.expect(200);
    app.advance_hours(0.0).await;
    let first = log(&app, &admin, &hook).await;
    assert_eq!(first.len(), 1, "one event the subscription asked for");
    let d = &first[0];
    assert_eq!(
        (
            d["event_type"].as_str(),
            d["status"].as_str(),
            d["attempts"].as_i64()
        ),
        (Some("filing.submitted"), Some("pending"), Some(1))
    );
    assert_eq!(d["last_status_code"], 500);
    assert_eq!(d["log"][0]["status_code"], 500);
    // Only the status is kept: what the receiver (or whatever the URL points at)
    // answered never reaches the log (the SSRF read-back).
    assert!(!d.to_string().contains(crate::stub::RECEIVER_BODY), "{d}");
    assert_eq!(d["next_attempt_at"], "2026-03-02T10:01:00.000+08:00");
    assert_eq!(receiver.requests().len(), 1);

    // Still down a minute later: the next wait doubles.
    at(&app, &admin, "2026-03-02T10:01:00+08:00").await;
    let second = log(&app, &admin, &hook).await;
    assert_eq!(second[0]["attempts"], 2);
    assert_eq!(
        second[0]["next_attempt_at"],
        "2026-03-02T10:03:00.000+08:00"
    );
    at(&app, &admin, "2026-03-02T10:02:59+08:00").await;
    assert_eq!(receiver.requests().len(), 2, "not before the backoff");

    // It recovers: the event arrives, signed, with the same idempotency id.
    receiver.set_status(200);
    at(&app, &admin, "2026-03-02T10:03:00+08:00").await;
    let got = receiver.requests();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(signed), "every attempt is signed");
    let event_id = got[0].header("x-beian-event-id").to_string();
    assert!(got.iter().all(|r| r.header("x-beian-event-id") == event_id));
    let payload = got[2].json();
    assert_eq!(payload["id"], event_id.as_str());
    assert_eq!(payload["type"], "filing.submitted");
    assert_eq!(payload["data"]["filing_id"], flow.filing.as_str());
    assert_eq!(payload["data"]["status"], "platform_review");
    assert!(!got[2].body.contains(&flow.mobile), "no personal data");
    let done = log(&app, &admin, &hook).await;
    assert_eq!(done[0]["status"], "delivered");
    assert_eq!(done[0]["log"].as_array().unwrap().len(), 3);
    assert_eq!(done[0]["log"][2]["status_code"], 200);

    // Replay sends the same event again; receivers deduplicate on its id.
    let delivery = done[0]["id"].as_str().unwrap().to_string();
    let replayed = replay(&app, &admin, &delivery).await.expect(202);
    assert_eq!(replayed["status"], "pending");
    app.advance_hours(0.0).await;
    assert_eq!(receiver.requests().len(), 4);
    assert_eq!(receiver.requests()[3].header("x-beian-event-id"), event_id);
    assert_eq!(log(&app, &admin, &hook).await[0]["attempts"], 4);
    replay(&app, &admin, "999999")
        .await
        .expect_error(404, "NOT_FOUND");

    // Only the subscribed types; nothing after the subscription is deleted.
    flow.decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    app.advance_hours(0.0).await;
    let types: Vec<String> = log(&app, &admin, &hook)
        .await
        .iter()
        .map(|d| d["event_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, vec!["filing.platform_approved", "filing.submitted"]);
    let subscription = format!("{hooks}/{hook}");
    let delete = || app.delete(&subscription, &admin);
    delete().await.expect(204);
    delete().await.expect_error(404, "NOT_FOUND");
    let other = Flow::prepare(&app, &applicant, 52).await;
    other.submit().await.expect(200);
    app.advance_hours(0.0).await;
    assert_eq!(log(&app, &admin, &hook).await.len(), 2, "no new deliveries");
    let left = app.get(hooks, &admin).await.expect(200);
    assert_eq!(left["items"].as_array().unwrap().len(), 1);
}

/// Polls until `done` holds for the receiver's requests (the workers of
/// other processes deliver on their own ticks).
async fn wait_for(receiver: &Receiver, done: impl Fn(&[Received]) -> bool) {
    for _ in 0..200 {
        if done(&receiver.requests()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("receiver got {:?}", receiver.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_deliver_each_webhook_once_and_sweep_once_a_day() {
    let db = fresh_pg_database().await;
    let (_servers, apps) = crate::concurrency::start(3, &db).await;
    let admin = apps[0].login("admin", ADMIN_PASSWORD).await;
    let receiver = Receiver::start(200).await;
    subscribe(
        &apps[0],
        &admin,
        json!({"url": receiver.url, "events": ["*"], "secret": SECRET}),
    )
    .await
    .expect(201);
    let applicant = apps[0].user("applicant", None).await;
    let reviewer = apps[0].user("platform_reviewer", None).await;
    apps[0]
        .post(
            "/api/v1/apps",
            &applicant,
            json!({"appid": "wxmultilegacy", "name": "多进程老应用", "listed": true,
                   "registered_at": "2023-05-01T10:00:00+08:00"}),
        )
        .await
        .expect(201);

    // Orders changed through all three processes; every worker delivers.
    for (i, n) in (71..74).enumerate() {
        let app = &apps[i % 3];
        let flow = Flow::prepare(app, &applicant, n).await;
        flow.to_sms(&reviewer).await;
    }
    wait_for(&receiver, |r| r.len() >= 6).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let got = receiver.requests();
    let mut ids: Vec<&str> = got.iter().map(|r| r.header("x-beian-event-id")).collect();
    ids.sort_unstable();
    let all = ids.len();
    ids.dedup();
    assert_eq!((all, ids.len()), (6, 6), "each event once: {ids:?}");
    assert!(got.iter().all(signed));

    // The day of the clearance reaches all three at once: one sweep.
    let set = json!({"set": "2024-04-01T00:10:00+08:00"});
    let calls = apps.iter().map(|a| {
        a.call(
            Method::POST,
            "/api/v1/admin/clock",
            Some(&admin),
            Some(set.clone()),
        )
    });
    for r in futures::future::join_all(calls).await {
        r.expect(200);
    }
    wait_for(&receiver, |r| {
        r.iter().any(|x| x.json()["type"] == "app.cleared")
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let cleared = receiver
        .requests()
        .iter()
        .filter(|x| x.json()["type"] == "app.cleared")
        .count();
    assert_eq!(cleared, 1);
    let inbox = apps[1].items("/api/v1/inbox?limit=500", &applicant).await;
    let notices = inbox
        .iter()
        .filter(|m| m["event"] == "release_cleared")
        .count();
    assert_eq!(notices, 1);
    let view = apps[2]
        .get("/api/v1/apps/wxmultilegacy", &applicant)
        .await
        .expect(200);
    assert_eq!(view["clearance"]["state"], "cleared");
}
