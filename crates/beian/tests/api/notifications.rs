//! Notifications (domain.md §1.4): an inbox message for every status change,
//! template SMS for the events needing attention, the SMS reminder, and the
//! HTTP provider gateway with its retries, masking and daily limit.

use crate::harness::*;
use crate::stub::Receiver;
use beian_server::config::{HttpSmsConfig, Secret, SmsGatewayConfig};
use serde_json::{json, Value};
use sqlx::Connection;

crate::both_backends!(every_status_change_reaches_the_inbox);

/// The template an event name is announced with (None: not a status change).
fn template_of(event: &str) -> Option<&'static str> {
    Some(match event {
        "submitted" => "submitted",
        "withdrawn" => "withdrawn",
        "discarded" => "discarded",
        "platform_approved" | "sms_restarted" => "sms_verification_started",
        "cancellation_submitted" => "cancellation_submitted",
        "platform_rejected" => "platform_rejected",
        "authority_rejected" => "authority_rejected",
        "returned" => "returned",
        "abandoned" => "cancellation_abandoned",
        "authority_review_started" => "authority_review_started",
        "filed" => "filed",
        "cancelled" => "cancelled",
        "expired" => "expired",
        "terminated" => "terminated",
        _ => return None,
    })
}

async fn inbox(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/inbox?limit=500", token).await.expect(200)
}

/// Templates of the outbox messages to a mobile, oldest first.
async fn sms_templates(app: &TestApp, mobile: &str) -> Vec<String> {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let body = app.sms_outbox(&admin, mobile).await;
    let mut out: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["template"].as_str().unwrap().to_string())
        .collect();
    out.reverse();
    out
}

async fn every_status_change_reaches_the_inbox(app: TestApp) {
    let (applicant, reviewer, authority) = app.filing_roles().await;

    // A: rejected, fixed, verified, filed.
    let mut a = Flow::prepare(&app, &applicant, 31).await;
    a.submit().await.expect(200);
    let reason = json!([{"field": "subject.address", "error": "所选地区与通讯地址不一致", "suggestion": "重新选择省市区"}]);
    a.decide("platform", &reviewer, "reject", reason)
        .await
        .expect(200);
    a.document["subject"]["address"] = json!("高新南七道9号");
    a.save().await;
    a.file(&reviewer, &authority).await;
    // B: approved, never verified: reminded, then returned.
    let b = Flow::prepare(&app, &applicant, 32).await;
    b.to_sms(&reviewer).await;
    // C: withdrawn during platform review; D: a discarded draft.
    let c = Flow::prepare(&app, &applicant, 33).await;
    c.submit().await.expect(200);
    app.act(&c.filing, "withdraw", &applicant).await.expect(200);
    let d = Flow::prepare(&app, &applicant, 34).await;
    app.act(&d.filing, "discard", &applicant).await.expect(200);

    // 4 hours before B's window closes: the reminder, once.
    app.advance_hours(20.5).await;
    app.advance_hours(0.5).await;
    app.advance_hours(4.0).await;
    assert_eq!(b.view(&applicant).await["status"], "returned");

    let all = inbox(&app, &applicant).await;
    let items = all["items"].as_array().unwrap();
    for flow in [&a, &b, &c, &d] {
        let events = app.events(&flow.filing, &applicant).await;
        let expected: Vec<&str> = events
            .iter()
            .filter_map(|e| template_of(e["event"].as_str().unwrap()))
            .collect();
        assert!(!expected.is_empty());
        let mut got: Vec<&str> = items
            .iter()
            .filter(|m| m["filing_id"] == flow.filing.as_str())
            .map(|m| m["event"].as_str().unwrap())
            .filter(|e| !matches!(*e, "face_verification_notice" | "sms_reminder"))
            .collect();
        got.reverse();
        assert_eq!(got, expected, "inbox of {}", flow.filing);
        let face = items.iter().filter(|m| {
            m["filing_id"] == flow.filing.as_str() && m["event"] == "face_verification_notice"
        });
        assert_eq!(face.count(), 1, "the face verification notice");
    }
    let reminders: Vec<_> = items
        .iter()
        .filter(|m| m["event"] == "sms_reminder")
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0]["filing_id"], b.filing.as_str());
    let filed = items.iter().find(|m| m["event"] == "filed").unwrap();
    assert!(
        filed["body"]
            .as_str()
            .unwrap()
            .contains("粤ICP备2026000001号-1X"),
        "{filed}"
    );

    // Attention events also reach the administrator's mobile as template SMS.
    assert_eq!(
        sms_templates(&app, &a.mobile).await,
        vec![
            "platform_rejected",
            "sms_verification_started",
            "verification_code",
            "filed"
        ]
    );
    assert_eq!(
        sms_templates(&app, &b.mobile).await,
        vec![
            "sms_verification_started",
            "verification_code",
            "sms_reminder",
            "returned"
        ]
    );
    assert!(sms_templates(&app, &c.mobile).await.is_empty());

    // Read state, pagination, and nobody else's messages.
    let unread = all["unread"].as_i64().unwrap();
    assert_eq!(unread, items.len() as i64);
    let first = items[0]["id"].as_str().unwrap();
    let read = app
        .post(
            &format!("/api/v1/inbox/{first}/read"),
            &applicant,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(read["read"], true);
    assert_eq!(inbox(&app, &applicant).await["unread"], unread - 1);
    let other = app.user("applicant", None).await;
    app.post(&format!("/api/v1/inbox/{first}/read"), &other, json!({}))
        .await
        .expect_error(404, "NOT_FOUND");
    assert_eq!(inbox(&app, &other).await["items"], json!([]));
    let page1 = app
        .get("/api/v1/inbox?limit=5", &applicant)
        .await
        .expect(200);
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/inbox?limit=5&cursor={cursor}"),
            &applicant,
        )
        .await
        .expect(200);
    let ids = |p: &Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    let both: Vec<String> = ids(&page1).into_iter().chain(ids(&page2)).collect();
    let direct: Vec<String> = items[..10]
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(both, direct, "pages continue newest first");
    app.get("/api/v1/inbox?cursor=abc", &applicant)
        .await
        .expect_error(400, "BAD_REQUEST");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_provider_gets_the_code_the_outbox_does_not_keep() {
    const SECRET: &str = "sms-provider-secret-42";
    let provider = Receiver::start(200).await;
    // The first message fails at the provider; the outbox retries it later.
    provider.script(&[500]);
    let mut data_dir = std::path::PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        let mut http = HttpSmsConfig::new(
            provider.url.clone(),
            "ak-test".into(),
            Secret(SECRET.into()),
        );
        http.retries = 0;
        http.templates
            .insert("verification_code".into(), "SMS_100".into());
        c.sms = SmsGatewayConfig::Http(http);
        c.policy.sms_daily_limit_per_mobile = 3;
        data_dir = c.data_dir.clone();
    })
    .await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let flow = Flow::prepare(&app, &applicant, 41).await;
    flow.to_sms(&reviewer).await;
    app.advance_hours(0.0).await;

    let seen = provider.requests();
    assert_eq!(seen.len(), 2, "the notice (refused) and the code");
    for r in &seen {
        let ts: i64 = r.header("x-beian-timestamp").parse().unwrap();
        let expected = beian_server::sms::request_signature(
            SECRET,
            "ak-test",
            ts,
            r.header("x-beian-nonce"),
            &r.body,
        );
        assert_eq!(r.header("x-beian-signature"), expected);
        assert_eq!(r.header("x-beian-access-key"), "ak-test");
    }
    assert_eq!(seen[0].json()["template"], "sms_verification_started");
    assert_eq!(seen[0].answered, 500);
    let code_request = seen[1].json();
    assert_eq!(code_request["template_id"], "SMS_100");
    assert_eq!(code_request["to"], flow.mobile.as_str());
    let code = code_request["params"]["code"].as_str().unwrap().to_string();

    // The outbox records both, without the code.
    let outbox = app.sms_outbox(&admin, &flow.mobile).await;
    assert_eq!(outbox["gateway"], "http");
    assert!(!outbox.to_string().contains(&code), "{outbox}");
    let items = outbox["items"].as_array().unwrap();
    assert_eq!(items[0]["template"], "verification_code");
    assert!(items[0]["body"].as_str().unwrap().contains("******"));
    assert_eq!(items[0]["status"], "sent");
    assert_eq!(items[1]["status"], "pending");
    assert_eq!(items[1]["attempts"], 1);
    assert!(items[1]["last_error"]
        .as_str()
        .unwrap()
        .contains("HTTP 500"));

    // The code works; the refused notice goes out once its backoff passes.
    assert_eq!(
        flow.verify(&code).await.expect(200)["filing_status"],
        "authority_review"
    );
    app.advance_hours(0.5 / 60.0).await;
    assert_eq!(provider.requests().len(), 2, "not before the backoff");
    app.advance_hours(1.0 / 60.0).await;
    assert_eq!(provider.requests().len(), 3);
    assert_eq!(
        provider.requests()[2].json()["template"],
        "sms_verification_started"
    );

    // The third message of the day reaches the limit of 3; the fourth is refused.
    let reason = json!([{"field": "mobile", "error": "手机号码无法接通或非本人使用", "suggestion": "填写本人实名、可接通的号码"}]);
    flow.decide("authority", &authority, "reject", reason)
        .await
        .expect(200);
    app.advance_hours(0.0).await;
    assert_eq!(provider.requests().len(), 4);
    app.act(&flow.filing, "discard", &applicant)
        .await
        .expect(200);
    // Another order of the same person: its messages are over the daily limit.
    let again = Flow::prepare(&app, &applicant, 41).await;
    assert_eq!(again.mobile, flow.mobile);
    again.to_sms(&reviewer).await;
    app.advance_hours(0.0).await;
    assert_eq!(
        provider.requests().len(),
        4,
        "nothing more reached the provider"
    );
    let outbox = app.sms_outbox(&admin, &flow.mobile).await;
    let limited: Vec<_> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "failed")
        .collect();
    assert_eq!(limited.len(), 2, "{outbox}");
    assert!(limited
        .iter()
        .all(|m| m["last_error"].as_str().unwrap().starts_with("DAILY_LIMIT")));

    // Settled messages keep no provider parameters (no code at rest).
    let url = format!("sqlite://{}", data_dir.join("beian.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sms_outbox WHERE params IS NOT NULL AND status <> 'pending'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(left, 0);
    let (with_code,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_outbox WHERE body LIKE ?")
        .bind(format!("%{code}%"))
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(with_code, 0);
}
