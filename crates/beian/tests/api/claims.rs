//! Reviewers' claims (我来审): a claimed order is held against the other reviewers, an
//! admin reassigns it, two reviewers racing for one order leave exactly one holder, and
//! "next order" takes the oldest one nobody holds.

use crate::harness::*;
use serde_json::json;

crate::both_backends!(
    a_claimed_order_is_held_against_other_reviewers,
    two_reviewers_racing_for_one_order_leave_one_holder,
    next_takes_the_oldest_order_nobody_holds,
);

async fn username(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me", token).await.expect(200)["username"]
        .as_str()
        .unwrap()
        .to_string()
}

fn claim_path(id: &str) -> String {
    format!("/api/v1/filings/{id}/claim")
}

async fn a_claimed_order_is_held_against_other_reviewers(app: TestApp) {
    let (applicant, r1, _) = app.filing_roles().await;
    let r2 = app.user("platform_reviewer", None).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let flow = Flow::prepare(&app, &applicant, 1).await;
    flow.submit().await.expect(200);
    let path = claim_path(&flow.filing);

    let held = app.post(&path, &r1, json!({})).await.expect(200);
    let r1_id = app.get("/api/v1/me", &r1).await.expect(200)["id"].clone();
    assert_eq!(held["claim"]["holder_id"], r1_id);
    // The other reviewer sees who holds it and can neither claim nor decide it.
    assert_eq!(flow.view(&r2).await["claim"]["holder_id"], r1_id);
    let refused = app
        .post(&path, &r2, json!({}))
        .await
        .expect_error(409, "CLAIMED");
    assert_eq!(refused["error"]["holder"], username(&app, &r1).await);
    flow.decide("platform", &r2, "approve", json!([]))
        .await
        .expect_error(409, "CLAIMED");
    // Nor release it; the applicant never sees the claim.
    app.delete(&path, &r2).await.expect_error(409, "CLAIMED");
    assert!(flow.view(&applicant).await.get("claim").is_none());
    // Only an admin reassigns, and only to a known reviewer of the order's stage.
    let r2_name = username(&app, &r2).await;
    app.put(&path, &r2, json!({"username": r2_name}))
        .await
        .expect_error(403, "FORBIDDEN");
    let (_, _, gd) = app.filing_roles().await;
    let gd_name = username(&app, &gd).await;
    let refusal = app
        .put(&path, &admin, json!({"username": gd_name}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(refusal["error"]["issues"][0]["code"], "REVIEWER_MISMATCH");
    let refusal = app
        .put(&path, &admin, json!({"username": "no-such-reviewer"}))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(refusal["error"]["issues"][0]["code"], "USER_UNKNOWN");
    // The admin gives it to the second reviewer, who decides it; the first no longer can.
    let moved = app
        .put(&path, &admin, json!({"username": r2_name}))
        .await
        .expect(200);
    assert_ne!(moved["claim"]["holder_id"], r1_id);
    flow.decide("platform", &r1, "approve", json!([]))
        .await
        .expect_error(409, "CLAIMED");
    let decided = flow
        .decide("platform", &r2, "approve", json!([]))
        .await
        .expect(200);
    assert_eq!(decided["status"], "sms_verification");
    assert!(decided.get("claim").is_none(), "a decision frees the order");
    let names = app.event_names(&flow.filing, &admin).await;
    assert_eq!(
        names.iter().filter(|n| *n == "claimed").count(),
        2,
        "claims are events of the history: {names:?}"
    );
}

/// A client renewing in a loop: the renewals answer the claim but the history gains no
/// event before half the lease has run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewing_in_a_loop_does_not_grow_the_history() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (applicant, r1, _) = app.filing_roles().await;
    let flow = Flow::prepare(&app, &applicant, 1).await;
    flow.submit().await.expect(200);
    let path = claim_path(&flow.filing);
    let first = app.post(&path, &r1, json!({})).await.expect(200);
    for _ in 0..30 {
        let again = app.post(&path, &r1, json!({})).await.expect(200);
        assert_eq!(again["version"], first["version"]);
        assert_eq!(again["claim"], first["claim"]);
    }
    let names = app.event_names(&flow.filing, &r1).await;
    assert_eq!(
        names.iter().filter(|n| *n == "claimed").count(),
        1,
        "{names:?}"
    );
}

async fn two_reviewers_racing_for_one_order_leave_one_holder(app: TestApp) {
    let (applicant, r1, _) = app.filing_roles().await;
    let r2 = app.user("platform_reviewer", None).await;
    for n in 1..=4 {
        let flow = Flow::prepare(&app, &applicant, n).await;
        flow.submit().await.expect(200);
        let path = claim_path(&flow.filing);
        let (a, b) = tokio::join!(
            app.post(&path, &r1, json!({})),
            app.post(&path, &r2, json!({}))
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 409],
            "exactly one claim wins: {} {}",
            a.body,
            b.body
        );
        let loser = if a.status.as_u16() == 409 { &a } else { &b };
        assert_eq!(loser.body["error"]["code"], "CLAIMED");
        let winner = if a.status.as_u16() == 200 { &a } else { &b };
        assert_eq!(
            flow.view(&r1).await["claim"]["holder_id"],
            winner.body["claim"]["holder_id"]
        );
    }
}

async fn next_takes_the_oldest_order_nobody_holds(app: TestApp) {
    let (applicant, r1, _) = app.filing_roles().await;
    let r2 = app.user("platform_reviewer", None).await;
    let r3 = app.user("platform_reviewer", None).await;
    let first = Flow::prepare(&app, &applicant, 1).await;
    first.submit().await.expect(200);
    let second = Flow::prepare(&app, &applicant, 2).await;
    second.submit().await.expect(200);
    // The queue's order: oldest due first (both are due the same day: then by id).
    let queue = app
        .items("/api/v1/filings?status=platform_review&sort=due", &r1)
        .await;
    let order: Vec<&str> = queue.iter().map(|f| f["id"].as_str().unwrap()).collect();
    let mut both = vec![first.filing.as_str(), second.filing.as_str()];
    both.sort_unstable();
    let mut listed = order.clone();
    listed.sort_unstable();
    assert_eq!(listed, both, "both orders are queued");
    let next = "/api/v1/review-queue/next";
    let a = app.post(next, &r1, json!({})).await.expect(200);
    assert_eq!(a["id"], order[0], "the oldest first");
    let b = app.post(next, &r2, json!({})).await.expect(200);
    assert_eq!(b["id"], order[1], "a held order is passed over");
    // A reviewer's own claim counts as free: asking again renews it.
    let again = app.post(next, &r1, json!({})).await.expect(200);
    assert_eq!(again["id"], order[0]);
    app.post(next, &r3, json!({}))
        .await
        .expect_error(404, "QUEUE_EMPTY");
    // Applicants have no queue.
    app.post(next, &applicant, json!({}))
        .await
        .expect_error(403, "FORBIDDEN");
}

/// The page's CSRF token (the hidden `csrf` field).
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_page_claims_and_shows_who_holds_an_order() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (applicant, r1, _) = app.filing_roles().await;
    let r2 = app.user("platform_reviewer", None).await;
    let (n1, n2) = (username(&app, &r1).await, username(&app, &r2).await);
    let flow = Flow::prepare(&app, &applicant, 1).await;
    flow.submit().await.expect(200);
    let page = format!("/review/{}", flow.filing);
    let c1 = app.page_session(&n1, "password-123").await;
    let (status, html) = app.page(&page, &c1).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("我来审") && html.contains("审核结论"),
        "{html}"
    );
    let forms = forms_client();
    let claimed = forms
        .post(format!("{}{page}/claim", app.base))
        .header("cookie", &c1)
        .form(&[("csrf", csrf_of(&html).as_str()), ("action", "claim")])
        .send()
        .await
        .unwrap();
    assert_eq!(claimed.status().as_u16(), 303);
    let (_, mine) = app.page(&page, &c1).await;
    assert!(mine.contains("您正在审核本备案") && mine.contains("data-claim-renew"));
    // The second reviewer sees the holder, no decision form, and the queue says so.
    let c2 = app.page_session(&n2, "password-123").await;
    let (_, theirs) = app.page(&page, &c2).await;
    assert!(
        theirs.contains(&format!("由审核员 {n1} 审核中")),
        "{theirs}"
    );
    assert!(!theirs.contains("审核结论"));
    let (_, queue) = app.page("/review", &c2).await;
    assert!(queue.contains(&format!("{n1} 审核中")));
    // "Next order" finds nothing free and says so.
    let next = forms
        .post(format!("{}/review/next", app.base))
        .header("cookie", &c2)
        .form(&[("csrf", csrf_of(&queue).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(next.headers()["location"], "/review?empty=1");
}
