//! The seed's five stages through the API, with every refusal the issue lists.

use crate::harness::*;
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    reject_fix_resubmit_verify_and_file,
    wrong_code_and_resend_limit,
    timeout_returns_and_unchanged_resubmission_goes_to_sms,
    too_many_wrong_entries_return_the_order,
    second_mini_program_of_a_subject_gets_service_index_two,
    subject_busy_and_version_conflict,
    withdrawal_allowed_then_refused,
    cancellation_voids_the_number,
    change_filing_keeps_the_app_filed,
    tenants_and_provinces_see_only_their_own,
    idempotency_key_replays_the_first_response,
    malformed_and_unauthorised_requests,
    legacy_listed_apps_release_until_clearance,
    precheck_reports_every_fault_and_submit_refuses_saving_nothing,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_endpoints_are_rate_limited() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.public_rate_per_minute = 3).await;
    for _ in 0..3 {
        app.public_search("星河").await.expect(200);
    }
    app.public_search("星河")
        .await
        .expect_error(429, "RATE_LIMITED");
    app.post_public(
        "/api/v1/miit/sms-verify",
        json!({"mobile": "13800138000", "certificate_last6": "1", "code": "1"}),
    )
    .await
    .expect_error(429, "RATE_LIMITED");
}

async fn reject_fix_resubmit_verify_and_file(app: TestApp) {
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let mut flow = Flow::prepare(&app, &applicant, 1).await;

    // Release is gated until filed (§13).
    app.release(&flow.appid, &applicant, "1.0.0")
        .await
        .expect_error(409, "NOT_FILED");
    let entry = app.app_entry(&flow.appid, &applicant).await;
    assert_eq!(entry["entry"], "go_to_filing");

    let submitted = flow.submit().await.expect(200);
    assert_eq!(submitted["status"], "platform_review");
    // Submitted Mon 2026-03-02: the platform SLA (2 wd) ends Wed 03-04.
    assert_eq!(submitted["due_at"], "2026-03-04T23:59:59.999+08:00");

    // Platform rejects with a field reason; the reason needs content.
    flow.decide("platform", &reviewer, "reject", json!([]))
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let reason = json!([{"field": "subject.address", "error": "所选地区与通讯地址不一致", "suggestion": "重新选择省市区或修改地址"}]);
    let rejected = flow
        .decide("platform", &reviewer, "reject", reason)
        .await
        .expect(200);
    assert_eq!(rejected["status"], "platform_rejected");
    let mine = flow.view(&applicant).await;
    assert_eq!(
        mine["rejections"][0]["reasons"][0]["field"],
        "subject.address"
    );

    // Fix and resubmit.
    flow.document["subject"]["address"] = json!("高新南七道9号");
    flow.save().await;
    assert_eq!(flow.submit().await.expect(200)["status"], "platform_review");
    let approved = flow
        .decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    assert_eq!(approved["status"], "sms_verification");
    let recipients = &approved["sms"]["recipients"];
    assert_eq!(recipients.as_array().unwrap().len(), 1);
    assert_eq!(recipients[0]["role"], "subject_principal");
    assert_eq!(
        recipients[0]["mobile"].as_str().unwrap(),
        format!("138****{}", &flow.mobile[7..])
    );

    // The authority cannot see it before it reaches them.
    app.get(&format!("/api/v1/filings/{}", flow.filing), &authority)
        .await
        .expect_error(404, "NOT_FOUND");

    let verified = flow.verify_latest().await;
    assert_eq!(verified["filing_status"], "authority_review");
    let filed = flow
        .decide("authority", &authority, "approve", json!([]))
        .await
        .expect(200);
    assert_eq!(filed["status"], "filed");
    let number = filed["service_number"].as_str().unwrap();
    assert_eq!(number, "粤ICP备2026000001号-1X");
    assert_eq!(filed["subject_number"], "粤ICP备2026000001号");
    assert!(beian_domain::numbers::FilingNumber::parse(number)
        .unwrap()
        .is_beian_issued(2026));

    // Filed: release allowed, entry shows it, public query finds it without personal data.
    app.release(&flow.appid, &applicant, "1.0.0")
        .await
        .expect(201);
    let entry = app.app_entry(&flow.appid, &applicant).await;
    assert_eq!(
        (entry["entry"].as_str(), entry["service_number"].as_str()),
        (Some("filed"), Some(number))
    );
    for q in [number, flow.name.as_str(), "星河科技1号"] {
        let found = app.public_search(q).await.expect(200);
        assert_eq!(found["items"][0]["service_number"], number, "query {q}");
        let text = found.to_string();
        assert!(
            !text.contains(&flow.mobile) && !text.contains("张三") && !text.contains(&flow.last6)
        );
    }
    // The audit log holds every transition in order.
    let names = app.event_names(&flow.filing, &applicant).await;
    assert_eq!(names.first().map(String::as_str), Some("created"));
    assert_eq!(names.last().map(String::as_str), Some("filed"));
    assert!(names.contains(&"platform_rejected".to_string()));
}

async fn wrong_code_and_resend_limit(app: TestApp) {
    let (_, flow) = at_sms(&app, 2).await;
    let first = app.latest_code(&flow.mobile).await;
    let wrong = other_code(&first);
    let body = flow.verify(wrong).await.expect_error(422, "WRONG_CODE");
    assert_eq!(body["error"]["attempts_left"], 4);
    // Unknown mobile: not counted.
    app.post_public(
        "/api/v1/miit/sms-verify",
        json!({"mobile": "13900000000", "certificate_last6": "000000", "code": "1"}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
    let resend = json!({"mobile": flow.mobile, "certificate_last6": flow.last6});
    let r = app
        .post_public("/api/v1/miit/sms-resend", resend.clone())
        .await
        .expect(200);
    assert_eq!(r["resends_left"], 0);
    app.post_public("/api/v1/miit/sms-resend", resend)
        .await
        .expect_error(409, "RESEND_LIMIT");
    let second = app.latest_code(&flow.mobile).await;
    if second != first {
        flow.verify(&first).await.expect_error(422, "WRONG_CODE");
    }
    assert_eq!(
        flow.verify(&second).await.expect(200)["filing_status"],
        "authority_review"
    );
}

async fn timeout_returns_and_unchanged_resubmission_goes_to_sms(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let mut flow = Flow::prepare(&app, &applicant, 3).await;
    flow.to_sms(&reviewer).await;
    let code = app.latest_code(&flow.mobile).await;
    app.advance_hours(23.5).await;
    assert_eq!(flow.view(&applicant).await["status"], "sms_verification");
    app.advance_hours(1.0).await;
    let returned = flow.view(&applicant).await;
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["returned_reason"], "timeout");
    // The person learns the order went back (api.md `EXPIRED`), not "not found".
    flow.verify(&code).await.expect_error(409, "EXPIRED");
    // Unchanged: straight back to SMS with a new code, no platform review.
    let again = flow.submit().await.expect(200);
    assert_eq!(again["status"], "sms_verification");
    let new_code = app.latest_code(&flow.mobile).await;
    app.advance_hours(25.0).await;
    assert_eq!(flow.view(&applicant).await["status"], "returned");
    // Changed: back through platform review.
    flow.document["mini_program"]["remark"] =
        json!("为个人用户提供天气查询、日程提醒与节假日日历功能，不涉及支付。");
    flow.save().await;
    assert_eq!(flow.submit().await.expect(200)["status"], "platform_review");
    let _ = new_code;
    // Each deadline returned the order exactly once.
    let events = app.event_names(&flow.filing, &applicant).await;
    let returns = events.iter().filter(|e| *e == "returned").count();
    assert_eq!(returns, 2);
}

async fn too_many_wrong_entries_return_the_order(app: TestApp) {
    let (applicant, flow) = at_sms(&app, 4).await;
    let code = app.latest_code(&flow.mobile).await;
    let wrong = other_code(&code);
    for left in (0..5).rev() {
        let body = flow.verify(wrong).await.expect_error(422, "WRONG_CODE");
        assert_eq!(body["error"]["attempts_left"], left);
    }
    flow.verify(wrong).await.expect_error(409, "RETURNED");
    let view = flow.view(&applicant).await;
    assert_eq!(
        (view["status"].as_str(), view["returned_reason"].as_str()),
        (Some("returned"), Some("too_many_attempts"))
    );
    flow.verify(&code).await.expect_error(404, "NOT_FOUND");
}

async fn second_mini_program_of_a_subject_gets_service_index_two(app: TestApp) {
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let (credit, subject) = (credit_code(5), "深圳市星河科技5号有限公司");
    let first = Flow::prepare_with(&app, &applicant, 5, &credit, subject).await;
    let a = first.file(&reviewer, &authority).await;
    let second = Flow::prepare_with(&app, &applicant, 6, &credit, subject).await;
    // The SMS goes to the same principal mobile as the document says.
    let b = second.file(&reviewer, &authority).await;
    assert_eq!(a["subject_number"], b["subject_number"]);
    let subject_number = a["subject_number"].as_str().unwrap();
    assert_eq!(
        b["service_number"].as_str().unwrap(),
        format!("{subject_number}-2X")
    );
}

async fn subject_busy_and_version_conflict(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let (credit, subject) = (credit_code(7), "深圳市星河科技7号有限公司");
    let first = Flow::prepare_with(&app, &applicant, 7, &credit, subject).await;
    let second = Flow::prepare_with(&app, &applicant, 8, &credit, subject).await;
    first.submit().await.expect(200);
    // Precheck and save report the busy subject as an issue (V-POL-003); submit answers 409.
    let pre = app
        .post("/api/v1/precheck", &applicant, second.document.clone())
        .await
        .expect(200);
    assert_eq!(pre["issues"][0]["code"], "SUBJECT_BUSY", "{pre}");
    assert_eq!(pre["issues"][0]["field"], "subject");
    second.submit().await.expect_error(409, "SUBJECT_BUSY");
    assert_eq!(
        second.view(&applicant).await["status"],
        "draft",
        "nothing half-written"
    );
    // A stale expected_version changes nothing.
    let view = first.view(&reviewer).await;
    let stale = view["version"].as_i64().unwrap() - 1;
    let body = json!({"decision": "approve", "reasons": [], "expected_version": stale});
    app.decision(&first.filing, "platform", &reviewer, body)
        .await
        .expect_error(409, "VERSION_CONFLICT");
    assert_eq!(first.view(&reviewer).await["status"], "platform_review");
    // Once the first is withdrawn the subject is free.
    app.act(&first.filing, "withdraw", &applicant)
        .await
        .expect(200);
    second.submit().await.expect(200);
}

async fn withdrawal_allowed_then_refused(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let flow = Flow::prepare(&app, &applicant, 9).await;
    let withdraw = || app.act(&flow.filing, "withdraw", &applicant);
    withdraw().await.expect_error(409, "WRONG_STATE");
    flow.submit().await.expect(200);
    assert_eq!(withdraw().await.expect(200)["status"], "withdrawn");
    // A new order for the same app, approved: no longer withdrawable.
    let again = app
        .open_order(&applicant, json!({"kind": "new", "appid": flow.appid}))
        .await;
    let id = again["id"].as_str().unwrap();
    // The first order consumed the face verification; a new order needs its own.
    let mut doc = flow.document.clone();
    app.save_application(id, &applicant, doc.clone())
        .await
        .expect(200);
    doc["mini_program_principal"]["face_verification"] = json!(app.face(id, &applicant).await);
    app.save_application(id, &applicant, doc).await.expect(200);
    app.act(id, "submit", &applicant).await.expect(200);
    app.approve(id, "platform", &reviewer).await;
    let refused = app
        .act(id, "withdraw", &applicant)
        .await
        .expect_error(409, "NOT_WITHDRAWABLE");
    assert_eq!(refused["error"]["message"], "平台初审通过后不可撤回");
}

async fn cancellation_voids_the_number(app: TestApp) {
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let flow = Flow::prepare(&app, &applicant, 10).await;
    let filed = flow.file(&reviewer, &authority).await;
    let number = filed["service_number"].as_str().unwrap().to_string();
    let cancel = app
        .open_order(&applicant, json!({"kind": "cancel", "appid": flow.appid, "cancel_type": "mini_program", "cancel_reason": "not_operating"}))
        .await;
    let id = cancel["id"].as_str().unwrap().to_string();
    assert_eq!(cancel["document"], json!(null));
    let submitted = app.act(&id, "submit", &applicant).await.expect(200);
    assert_eq!(submitted["status"], "sms_verification");
    app.act(&id, "withdraw", &applicant)
        .await
        .expect_error(409, "NOT_WITHDRAWABLE");
    flow.verify_latest().await;
    let done = app.approve(&id, "authority", &authority).await;
    assert_eq!(done["status"], "cancelled");
    let entry = app.app_entry(&flow.appid, &applicant).await;
    assert_eq!(entry["entry"], "cancelled");
    app.release(&flow.appid, &applicant, "2")
        .await
        .expect_error(409, "NOT_FILED");
    let found = app.public_search(&number).await.expect(200);
    assert_eq!(found["items"], json!([]));
}

async fn change_filing_keeps_the_app_filed(app: TestApp) {
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let flow = Flow::prepare(&app, &applicant, 11).await;
    let filed = flow.file(&reviewer, &authority).await;
    let change = app
        .open_order(&applicant, json!({"kind": "change", "appid": flow.appid}))
        .await;
    let id = change["id"].as_str().unwrap().to_string();
    assert_eq!(
        change["document"]["subject"]["name"], flow.document["subject"]["name"],
        "starts from the filed document"
    );
    let mut doc = change["document"].clone();
    doc["subject"]["certificate"]["number"] = json!(credit_code(999));
    app.save_application(&id, &applicant, doc.clone())
        .await
        .expect_error(409, "REFILE_REQUIRED");
    doc["subject"]["certificate"]["number"] =
        flow.document["subject"]["certificate"]["number"].clone();
    doc["mini_program"]["remark"] =
        json!("为个人用户提供记账、账单分类、月度统计与预算提醒功能，不涉及支付与理财。");
    doc["mini_program_principal"]["face_verification"] = json!(app.face(&id, &applicant).await);
    app.save_application(&id, &applicant, doc).await.expect(200);
    app.act(&id, "submit", &applicant).await.expect(200);
    // In flight: the app stays filed and may release.
    app.release(&flow.appid, &applicant, "1.1")
        .await
        .expect(201);
    app.approve(&id, "platform", &reviewer).await;
    flow.verify_latest().await;
    let done = app.approve(&id, "authority", &authority).await;
    assert_eq!(done["status"], "filed");
    assert_eq!(
        done["service_number"], filed["service_number"],
        "a change issues no number"
    );
}

async fn tenants_and_provinces_see_only_their_own(app: TestApp) {
    let alice = app.user("applicant", None).await;
    let (bob, reviewer, gd) = app.filing_roles().await;
    let bj = app.user("authority_reviewer", Some("11")).await;
    let flow = Flow::prepare(&app, &alice, 12).await;
    let path = format!("/api/v1/filings/{}", flow.filing);
    app.get(&path, &bob).await.expect_error(404, "NOT_FOUND");
    app.save_application(&flow.filing, &bob, flow.document.clone())
        .await
        .expect_error(404, "NOT_FOUND");
    app.act(&flow.filing, "submit", &bob)
        .await
        .expect_error(404, "NOT_FOUND");
    app.get(&format!("/api/v1/apps/{}", flow.appid), &bob)
        .await
        .expect_error(404, "NOT_FOUND");
    let bobs = app.get("/api/v1/filings", &bob).await.expect(200);
    assert_eq!(bobs["items"], json!([]));
    let media = app
        .upload_media(&alice, "certificate_front", png(720, 1280))
        .await
        .expect(201);
    app.get(
        &format!("/api/v1/media/{}", media["id"].as_str().unwrap()),
        &bob,
    )
    .await
    .expect_error(404, "NOT_FOUND");
    flow.to_authority(&reviewer).await;
    app.get(&path, &bj).await.expect_error(404, "NOT_FOUND");
    let approve_v1 = json!({"decision": "approve", "expected_version": 1});
    app.decision(&flow.filing, "authority", &bj, approve_v1.clone())
        .await
        .expect_error(404, "NOT_FOUND");
    assert_eq!(
        app.get("/api/v1/filings", &bj).await.expect(200)["items"],
        json!([])
    );
    let listed = app.get("/api/v1/filings", &gd).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    // Reviewers may not act as applicants, applicants not as reviewers.
    app.decision(&flow.filing, "platform", &alice, approve_v1)
        .await
        .expect_error(403, "FORBIDDEN");
    app.act(&flow.filing, "withdraw", &reviewer)
        .await
        .expect_error(403, "FORBIDDEN");
}

async fn idempotency_key_replays_the_first_response(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let body = json!({"appid": "wxidempotent01", "name": "星河幂等"});
    let headers = [("Idempotency-Key", "k-1")];
    let register = || {
        let body = Some(body.clone());
        app.call_with(
            Method::POST,
            "/api/v1/apps",
            Some(&applicant),
            body,
            &headers,
        )
    };
    let first = register().await.expect(201);
    let again = register().await.expect(201);
    assert_eq!(first, again);
    app.post("/api/v1/apps", &applicant, body)
        .await
        .expect_error(409, "APPID_TAKEN");
}

async fn malformed_and_unauthorised_requests(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    app.call(Method::GET, "/api/v1/me", None, None)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    app.call(
        Method::POST,
        "/api/v1/sessions",
        None,
        Some(json!({"username": "admin", "password": "nope"})),
    )
    .await
    .expect_error(401, "BAD_CREDENTIALS");
    app.post(
        "/api/v1/apps",
        &reviewer,
        json!({"appid": "wxr", "name": "审核员的"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    app.post("/api/v1/apps", &applicant, json!({"appid": 5}))
        .await
        .expect_error(400, "BAD_REQUEST");
    let flow = Flow::prepare(&app, &applicant, 13).await;
    let wrong_type = json!({"subject": {"nature": "enterprise"}});
    app.save_application(&flow.filing, &applicant, wrong_type)
        .await
        .expect_error(400, "BAD_REQUEST");
    // Precheck reports every issue at once; submit refuses with the same list.
    let mut doc = flow.document.clone();
    doc["subject_principal"]["mobile"] = json!("12345");
    doc["mini_program"]["remark"] = json!("太短");
    let pre = app
        .post("/api/v1/precheck", &applicant, doc.clone())
        .await
        .expect(200);
    let codes: Vec<_> = pre["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"MOBILE_FORMAT".into()) && codes.contains(&"MP_REMARK_LENGTH".into()),
        "{codes:?}"
    );
    let saved = app
        .save_application(&flow.filing, &applicant, doc)
        .await
        .expect(200);
    assert_eq!(saved["issues"].as_array().unwrap().len(), codes.len());
    let refused = flow.submit().await.expect_error(422, "VALIDATION_FAILED");
    assert_eq!(
        refused["error"]["issues"][0]["field"],
        pre["issues"][0]["field"]
    );
    assert_eq!(flow.view(&applicant).await["status"], "draft");
    // Uploads: type by bytes, not by name.
    app.upload_media(
        &applicant,
        "certificate_front",
        b"GIF89a not allowed".to_vec(),
    )
    .await
    .expect_error(415, "MEDIA_FORMAT");
    let mut truncated = png(720, 1280);
    truncated.truncate(60);
    app.upload_media(&applicant, "certificate_front", truncated)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let mut oversize = png(720, 1280);
    oversize.resize(3 * 1024 * 1024, 0);
    app.upload_media(&applicant, "certificate_front", oversize)
        .await
        .expect_error(413, "MEDIA_TOO_LARGE");
    let ok = app
        .upload_media(&applicant, "certificate_front", png(100, 100))
        .await
        .expect(201);
    assert_eq!(
        ok["checks"][0]["ok"], false,
        "resolution check reported: {ok}"
    );
    // The OpenAPI document is served.
    let spec = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert!(spec["paths"]["/api/v1/filings/{id}/submit"].is_object());
}

async fn legacy_listed_apps_release_until_clearance(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    app.set_clock(&admin, "2024-03-01T10:00:00+08:00").await;
    let legacy = json!({"appid": "wxlegacy0001", "name": "星河老应用", "listed": true, "registered_at": "2023-05-01T10:00:00+08:00"});
    app.post("/api/v1/apps", &applicant, legacy)
        .await
        .expect(201);
    let fresh = json!({"appid": "wxfresh00001", "name": "星河新应用", "listed": true});
    app.post("/api/v1/apps", &applicant, fresh)
        .await
        .expect(201);
    let entry = app
        .get("/api/v1/apps/wxlegacy0001", &applicant)
        .await
        .expect(200);
    assert_eq!(
        entry["entry"], "supplement_filing",
        "listed but unfiled shows the banner"
    );
    // G3: grace until the clearance date; G2: a new app must file first.
    app.release("wxlegacy0001", &applicant, "3.1")
        .await
        .expect(201);
    let refused = app
        .release("wxfresh00001", &applicant, "1")
        .await
        .expect_error(409, "NOT_FILED");
    assert_eq!(refused["error"]["gate"], "must_file_first");
    // G4: from 2024-04-01 the legacy app is cleared.
    app.set_clock(&admin, "2024-04-01T00:00:00+08:00").await;
    let cleared = app
        .release("wxlegacy0001", &applicant, "3.2")
        .await
        .expect_error(409, "NOT_FILED");
    assert_eq!(cleared["error"]["gate"], "cleared");
}

/// One precheck names every fault of the document; submit refuses (422) with the
/// same list and changes nothing.
async fn precheck_reports_every_fault_and_submit_refuses_saving_nothing(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let stranger = app.user("applicant", None).await;
    let flow = Flow::prepare(&app, &applicant, 14).await;
    let theirs = app.media(&stranger, "other", None, (720, 1280)).await;
    let mut doc = flow.document.clone();
    doc["subject"]["address"] = json!("广东省深圳市南山区高新南七道1号");
    doc["subject_principal"]["mobile"] = json!("12345");
    doc["mini_program"]["service_content_types"] = json!([6, 601]);
    doc["mini_program"]["remark"] = json!("太短");
    doc["materials"]["signed_forms"] = json!([]);
    doc["materials"]["subject_other"] = json!([theirs, "no-such-media"]);
    let pre = app
        .post("/api/v1/precheck", &applicant, doc.clone())
        .await
        .expect(200);
    let found: Vec<(String, String, String)> = pre["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("field"), s("code"))
        })
        .collect();
    let expected = [
        ("V-REG-003", "subject.address", "ADDRESS_HAS_REGION_PREFIX"),
        ("V-PER-006", "subject_principal.mobile", "MOBILE_FORMAT"),
        (
            "V-MP-008",
            "mini_program.service_content_types[0]",
            "SERVICE_TYPE_INVALID",
        ),
        ("V-MP-016", "mini_program.remark", "MP_REMARK_LENGTH"),
        ("V-MAT-004", "materials.subject_other[0]", "MEDIA_INVALID"),
        ("V-MAT-004", "materials.subject_other[1]", "MEDIA_INVALID"),
        (
            "V-MAT-006",
            "materials.signed_forms",
            "PROVINCE_MATERIAL_REQUIRED",
        ),
    ];
    let mut sorted = found.clone();
    sorted.sort();
    let mut want: Vec<(String, String, String)> = expected
        .iter()
        .map(|(r, f, c)| (r.to_string(), f.to_string(), c.to_string()))
        .collect();
    want.sort();
    assert_eq!(sorted, want, "all faults at once: {pre}");
    assert!(
        pre["issues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] == "error"
                && !i["message"].as_str().unwrap_or_default().is_empty())
    );

    // Saving keeps the faulty draft and reports the same issues.
    let saved = app
        .save_application(&flow.filing, &applicant, doc)
        .await
        .expect(200);
    assert_eq!(saved["issues"], pre["issues"]);
    let events_path = format!("/api/v1/filings/{}/events", flow.filing);
    let before = flow.view(&applicant).await;
    let events_before = app.get(&events_path, &applicant).await.expect(200);

    let refused = flow.submit().await.expect_error(422, "VALIDATION_FAILED");
    assert_eq!(refused["error"]["issues"], pre["issues"]);
    let after = flow.view(&applicant).await;
    assert_eq!(after["status"], "draft");
    assert_eq!(after["version"], before["version"], "nothing saved");
    assert_eq!(after["submitted_at"], before["submitted_at"]);
    let events_after = app.get(&events_path, &applicant).await.expect(200);
    assert_eq!(events_after, events_before, "no event appended");
}

/// Every page names an icon that answers, and the skip link shows only on keyboard focus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_have_an_icon_and_a_skip_link_for_the_keyboard() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, page) = app.page("/login", "").await;
    assert!(page.contains(r#"rel="icon" href="/favicon.svg""#), "{page}");
    assert!(
        page.contains(r##"<a href="#main" class="skip-link">"##),
        "{page}"
    );
    for path in ["/favicon.svg", "/favicon.ico"] {
        let icon = app.request(Method::GET, path).send().await.unwrap();
        assert_eq!(icon.status(), 200, "{path}");
        assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    }
    let (_, css) = app.page("/static/app.css", "").await;
    assert!(css.contains(".skip-link { position: absolute; left: -9999px"));
    assert!(css.contains(".skip-link:focus"));
}

/// The review queue shows the mini program's and the subject's names, is searched, filters by a
/// province chosen by name (keeping the choice), and exports what it shows as CSV.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_is_searched_filtered_by_province_and_exported() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let name = format!("rev{}", std::process::id());
    app.create_user(&admin, &name, "platform_reviewer").await;
    let applicant = app.user("applicant", None).await;
    let flow = Flow::prepare(&app, &applicant, 9500).await;
    flow.submit().await.expect(200);
    // Submitted on Monday 10:00; viewed on Thursday: three working days waiting.
    app.advance_hours(72.0).await;
    let cookie = app.page_session(&name, "password-123").await;
    let (status, page) = app.page("/review?province=44", &cookie).await;
    assert!(page.contains("<td>3</td>"), "three working days: {page}");
    assert!(
        page.contains(&flow.name),
        "the mini program's name is a column: {page}"
    );
    assert!(
        page.contains("深圳市星河科技9500号有限公司"),
        "and the subject's: {page}"
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(r#"<select id="province" name="province">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<option value="44" selected>广东"#),
        "{page}"
    );
    assert!(page.contains(r#"<option value="11">北京"#), "{page}");
    // Found by a part of its name; another search leaves the queue empty.
    let (_, found) = app.page("/review?q=%E5%B7%A5%E5%85%B79500", &cookie).await;
    assert!(found.contains(&flow.name), "{found}");
    let (_, none) = app
        .page("/review?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA", &cookie)
        .await;
    assert!(
        none.contains("队列为空") && !none.contains(&flow.name),
        "{none}"
    );
}
