//! The attack suite: every test performs one attack from the security review
//! (SECURITY.md) against a running server and asserts that it fails.

use crate::harness::{
    at_sms, forms_client, other_code, png, Backend, Flow, TestApp, ADMIN_PASSWORD,
};
use reqwest::Method;
use serde_json::{json, Value};

crate::both_backends!(
    a_wrong_last6_counts_nothing_against_the_order,
    identity_guesses_are_limited_per_mobile,
    a_right_code_after_the_deadline_answers_expired,
    staff_see_uploads_only_through_orders_they_may_see,
    login_is_throttled_and_an_admin_lifts_the_lock,
    a_new_province_sees_a_moved_order_only_once_it_arrives,
    the_public_query_neither_shows_nor_matches_an_individuals_name,
    unmasking_is_recorded_in_the_orders_history,
    control_characters_get_a_clear_error_not_a_server_error,
);

fn wrong_last6(right: &str) -> &'static str {
    if right == "00000X" {
        "11111X"
    } else {
        "00000X"
    }
}

/// The attack: knowing only a principal's mobile, six guesses with a made-up
/// `last6` and code, meant to return the order. Identity comes first: a wrong
/// `last6` is a 404 that counts nothing, and the principal can still verify.
async fn a_wrong_last6_counts_nothing_against_the_order(app: TestApp) {
    let (applicant, flow) = at_sms(&app, 9101).await;
    let code = app.latest_code(&flow.mobile).await;
    for _ in 0..6 {
        let body = app
            .post_public(
                "/api/v1/miit/sms-verify",
                json!({"mobile": flow.mobile, "certificate_last6": wrong_last6(&flow.last6), "code": other_code(&code)}),
            )
            .await
            .expect_error(404, "NOT_FOUND");
        assert!(body["error"].get("attempts_left").is_none(), "{body}");
    }
    assert_eq!(flow.view(&applicant).await["status"], "sms_verification");
    let v = flow.verify(&code).await.expect(200);
    assert_eq!(v["filing_status"], "authority_review");
}

/// The identity answers leak nothing (an unknown mobile and a wrong `last6` read
/// the same), and guessing `last6` through verify or resend is capped per mobile:
/// after the budget even the right pair waits, with `Retry-After`.
async fn identity_guesses_are_limited_per_mobile(app: TestApp) {
    let (_, flow) = at_sms(&app, 9102).await;
    let code = app.latest_code(&flow.mobile).await;
    let unknown = app
        .post_public(
            "/api/v1/miit/sms-verify",
            json!({"mobile": "13911112222", "certificate_last6": flow.last6, "code": code}),
        )
        .await
        .expect_error(404, "NOT_FOUND");
    let wrong = app
        .post_public(
            "/api/v1/miit/sms-resend",
            json!({"mobile": flow.mobile, "certificate_last6": wrong_last6(&flow.last6)}),
        )
        .await
        .expect_error(404, "NOT_FOUND");
    assert_eq!(unknown, wrong, "one answer for every identity failure");
    let mut limited = None;
    for guess in 0..30 {
        let last6 = format!("{:06}", 100_000 + guess);
        let path = if guess % 2 == 0 {
            "/api/v1/miit/sms-resend"
        } else {
            "/api/v1/miit/sms-verify"
        };
        let resp = raw(
            &app,
            Method::POST,
            path,
            json!({"mobile": flow.mobile, "certificate_last6": last6, "code": "123456"}),
        )
        .await;
        if resp.0 == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.0, 404, "{}", resp.2);
    }
    let (_, headers, body) = limited.expect("guesses on one mobile are limited");
    assert_eq!(body["error"]["code"], "RATE_LIMITED", "{body}");
    assert!(headers.get("retry-after").is_some(), "Retry-After is sent");
    // The right pair waits too: the budget is the mobile's, not the guesser's.
    flow.verify(&code).await.expect_error(429, "RATE_LIMITED");
}

/// A right code after the 24-hour deadline: 409 `EXPIRED`, telling the person the
/// order went back to the applicant (api.md), not 404.
async fn a_right_code_after_the_deadline_answers_expired(app: TestApp) {
    let (applicant, flow) = at_sms(&app, 9103).await;
    let code = app.latest_code(&flow.mobile).await;
    app.advance_hours(25.0).await;
    assert_eq!(flow.view(&applicant).await["status"], "returned");
    let body = flow.verify(&code).await.expect_error(409, "EXPIRED");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("退回"), "{message}");
}

/// The attack: an authority reviewer of Beijing downloads a Guangdong applicant's ID
/// photo by id. Staff see an upload only through an order they may see.
async fn staff_see_uploads_only_through_orders_they_may_see(app: TestApp) {
    let (applicant, reviewer, gd) = app.filing_roles().await;
    let bj = app.user("authority_reviewer", Some("11")).await;
    let loose = app
        .media(&applicant, "certificate_front", Some(2), (720, 1280))
        .await;
    for staff in [&reviewer, &gd, &bj] {
        app.get(&format!("/api/v1/media/{loose}"), staff)
            .await
            .expect_error(404, "NOT_FOUND");
    }
    let flow = Flow::prepare(&app, &applicant, 9104).await;
    let photo = flow.document["subject_principal"]["certificate"]["front"]
        .as_str()
        .expect("an id photo in the document")
        .to_string();
    // App lists are not nationwide to a province's reviewers either.
    let listed = app.get("/api/v1/apps", &gd).await.expect(200);
    assert!(!listed.to_string().contains(&flow.appid), "{listed}");
    app.get(&format!("/api/v1/apps/{}", flow.appid), &gd)
        .await
        .expect_error(404, "NOT_FOUND");
    flow.submit().await.expect(200);
    assert_eq!(media_status(&app, &photo, &reviewer).await, 200);
    assert_eq!(
        media_status(&app, &photo, &gd).await,
        404,
        "not yet at the authority"
    );
    flow.decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    flow.verify_latest().await;
    assert_eq!(media_status(&app, &photo, &gd).await, 200);
    assert_eq!(media_status(&app, &photo, &bj).await, 404);
    assert_eq!(media_status(&app, &photo, &applicant).await, 200);
    app.get(&format!("/api/v1/apps/{}", flow.appid), &gd)
        .await
        .expect(200);
    app.get(&format!("/api/v1/apps/{}", flow.appid), &bj)
        .await
        .expect_error(404, "NOT_FOUND");
}

/// After an authority rejection the applicant moves the subject to Beijing and
/// submits again. Beijing's reviewers see nothing while the platform reviews; they
/// see the order once it reaches them.
async fn a_new_province_sees_a_moved_order_only_once_it_arrives(app: TestApp) {
    let (applicant, reviewer, gd) = app.filing_roles().await;
    let bj = app.user("authority_reviewer", Some("11")).await;
    let mut flow = Flow::prepare(&app, &applicant, 9105).await;
    flow.to_authority(&reviewer).await;
    let reason =
        json!([{"field": "subject.address", "error": "地址不详", "suggestion": "补全门牌号"}]);
    flow.decide("authority", &gd, "reject", reason)
        .await
        .expect(200);
    let subject = &mut flow.document["subject"];
    subject["province"] = json!("110000");
    subject["city"] = json!("110100");
    subject["district"] = json!("110105");
    subject["address"] = json!("建国路1号");
    subject["certificate"]["address"] = json!("北京市朝阳区建国路1号");
    flow.save().await;
    flow.submit().await.expect(200);
    let path = format!("/api/v1/filings/{}", flow.filing);
    app.get(&path, &bj).await.expect_error(404, "NOT_FOUND");
    let queue = app.get("/api/v1/filings", &bj).await.expect(200);
    assert_eq!(queue["items"], json!([]), "{queue}");
    flow.decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    app.get(&path, &bj).await.expect_error(404, "NOT_FOUND");
    flow.verify_latest().await;
    assert_eq!(app.get(&path, &bj).await.expect(200)["province"], "11");
    app.get(&path, &gd).await.expect_error(404, "NOT_FOUND");
}

/// An individual's subject name is the person's name: the public query shows it
/// masked, and does not find the record by it (only by its number or the mini
/// program's name).
async fn the_public_query_neither_shows_nor_matches_an_individuals_name(app: TestApp) {
    let (applicant, reviewer, gd) = app.filing_roles().await;
    let person = "欧阳娜娜";
    let appid = format!("wxindividual{}", std::process::id());
    let flow = Flow::prepare_individual(&app, &applicant, 9106, person, &appid).await;
    flow.file(&reviewer, &gd).await;
    let search = |q: String| {
        let app = &app;
        async move { app.public_search(&q).await.expect(200)["items"].clone() }
    };
    assert_eq!(
        search(person.to_string()).await,
        json!([]),
        "not found by the name"
    );
    assert_eq!(
        search("欧阳".to_string()).await,
        json!([]),
        "nor by its start"
    );
    let hits = search(flow.name.clone()).await;
    assert_eq!(hits[0]["subject_name"], "欧***", "{hits}");
    let number = hits[0]["service_number"].as_str().unwrap().to_string();
    let by_number = search(number).await;
    assert_eq!(by_number[0]["subject_name"], "欧***", "{by_number}");
    assert!(!by_number.to_string().contains(person));
}

/// A reviewer unmasking personal data leaves an entry in the order's history:
/// the applicant sees that (and when) a reviewer looked; staff see who.
async fn unmasking_is_recorded_in_the_orders_history(app: TestApp) {
    let (applicant, flow) = at_sms(&app, 9107).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let log = format!("/api/v1/filings/{}/access-log", flow.filing);
    assert_eq!(
        app.get(&log, &applicant).await.expect(200)["items"],
        json!([])
    );
    let papers = format!("/api/v1/filings/{}/papers", flow.filing);
    app.get(&papers, &reviewer).await.expect(200);
    assert_eq!(
        app.get(&log, &applicant).await.expect(200)["items"],
        json!([]),
        "masked: no entry"
    );
    let version = flow.view(&reviewer).await["version"].clone();
    app.get(&format!("{papers}?unmask=1"), &reviewer)
        .await
        .expect(200);
    let seen = app.get(&log, &applicant).await.expect(200);
    assert_eq!(seen["items"].as_array().map(Vec::len), Some(1), "{seen}");
    assert_eq!(seen["items"][0]["role"], "platform_reviewer");
    assert_eq!(seen["items"][0]["what"], "papers");
    assert!(seen["items"][0].get("user_id").is_none(), "{seen}");
    let staff = app.get(&log, &reviewer).await.expect(200);
    assert!(staff["items"][0]["user_id"].is_string(), "{staff}");
    assert_eq!(
        flow.view(&reviewer).await["version"],
        version,
        "the order's version is unchanged"
    );
    let other = app.user("applicant", None).await;
    app.get(&log, &other).await.expect_error(404, "NOT_FOUND");
}

/// Found by schemathesis: a NUL in the public query answered 500, and PostgreSQL
/// cannot store a NUL in any text field. Both are refused with a clear error.
async fn control_characters_get_a_clear_error_not_a_server_error(app: TestApp) {
    let public = |q: &'static str| app.call(Method::GET, q, None, None);
    public("/api/v1/public/filings?q=%00%23-%C3%B0")
        .await
        .expect_error(400, "BAD_REQUEST");
    public("/api/v1/public/filings?q=%07%07%07")
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let applicant = app.user("applicant", None).await;
    app.get("/api/v1/filings?province=4%004", &applicant)
        .await
        .expect_error(400, "BAD_REQUEST");
    let flow = Flow::prepare(&app, &applicant, 9108).await;
    let version = flow.view(&applicant).await["version"].clone();
    let mut doc = flow.document.clone();
    doc["subject"]["address"] = json!("高新南七道\u{0}1号");
    app.save_application(&flow.filing, &applicant, doc)
        .await
        .expect_error(400, "BAD_REQUEST");
    let precheck = json!({"subject": {"name": "星河\u{0}"}});
    app.post("/api/v1/precheck", &applicant, precheck)
        .await
        .expect_error(400, "BAD_REQUEST");
    assert_eq!(
        flow.view(&applicant).await["version"],
        version,
        "nothing saved"
    );
}

async fn media_status(app: &TestApp, id: &str, token: &str) -> u16 {
    app.get_bytes(&format!("/api/v1/media/{id}"), token).await.0
}

/// The attack: 30 wrong passwords in a row. After the budget the
/// account is locked (429 with `Retry-After`, the right password too); the admin
/// sees the lock and lifts it.
async fn login_is_throttled_and_an_admin_lifts_the_lock(app: TestApp) {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let name = format!("victim{}", std::process::id());
    app.create_user(&admin, &name, "applicant").await;
    let mut statuses = vec![];
    for _ in 0..30 {
        let (status, headers, _) = raw(
            &app,
            Method::POST,
            "/api/v1/sessions",
            json!({"username": name, "password": "guess"}),
        )
        .await;
        statuses.push(status);
        if status == 429 {
            assert!(headers.get("retry-after").is_some());
            break;
        }
    }
    assert_eq!(
        statuses.last(),
        Some(&429),
        "locked after a few: {statuses:?}"
    );
    assert!(statuses.len() <= 10, "{statuses:?}");
    let right = json!({"username": name, "password": "password-123"});
    assert_eq!(
        raw(&app, Method::POST, "/api/v1/sessions", right.clone())
            .await
            .0,
        429
    );
    // Only an admin sees or lifts locks.
    let nosy = app.user("platform_reviewer", None).await;
    app.get("/api/v1/admin/login-locks", &nosy)
        .await
        .expect_error(403, "FORBIDDEN");
    app.delete(&format!("/api/v1/admin/login-locks/{name}"), &nosy)
        .await
        .expect_error(403, "FORBIDDEN");
    let locks = app.items("/api/v1/admin/login-locks", &admin).await;
    assert!(
        locks.iter().any(|l| l["username"] == name.as_str()),
        "{locks:?}"
    );
    app.delete(&format!("/api/v1/admin/login-locks/{name}"), &admin)
        .await
        .expect(204);
    assert_eq!(
        raw(&app, Method::POST, "/api/v1/sessions", right).await.0,
        201
    );
}

/// Status, headers and JSON body of a request without an account.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = app.request(method, path).json(&body).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

/// Pages carry a strict CSP (no inline script, no framing), `nosniff` and a
/// referrer policy; the camera is allowed on the face page only; uploads are
/// served as attachments under a sandbox CSP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_uploads_carry_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let resp = app.request(Method::GET, "/login").send().await.unwrap();
    let h = resp.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline'; script"),
        "{csp}"
    );
    assert!(
        !csp.split(';')
            .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.get("referrer-policy").is_some());
    assert!(h["permissions-policy"]
        .to_str()
        .unwrap()
        .contains("camera=()"));
    let applicant = app.user("applicant", None).await;
    let id = app
        .media(&applicant, "certificate_front", Some(2), (720, 1280))
        .await;
    let resp = app
        .request(Method::GET, &format!("/api/v1/media/{id}"))
        .bearer_auth(&applicant)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
}

/// JSON routes take at most 256 KiB; uploads keep their own limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_bodies_are_limited() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let applicant = app.user("applicant", None).await;
    let big = json!({"remark": "好".repeat(120_000)});
    let resp = app.post("/api/v1/precheck", &applicant, big).await;
    assert_eq!(resp.status.as_u16(), 413, "{}", resp.body);
    let upload = app
        .upload_media(&applicant, "certificate_front", png(1100, 1500))
        .await;
    assert_eq!(upload.status.as_u16(), 201, "{}", upload.body);
}

/// Pre-checks (which answer cross-subject facts) and uploads are budgeted per
/// user: past the budget, 429 with `Retry-After`, and other users are unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expensive_work_is_budgeted_per_user() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |c| c.security.user_requests_per_minute = 3).await;
    let prober = app.user("applicant", None).await;
    let doc = json!({"subject_principal": {"mobile": "13800138000"}});
    let mut statuses = vec![];
    for _ in 0..5 {
        statuses.push(
            app.post("/api/v1/precheck", &prober, doc.clone())
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let upload = app
        .upload_media(&prober, "certificate_front", png(720, 1280))
        .await;
    assert_eq!(upload.status.as_u16(), 429, "{}", upload.body);
    let other = app.user("applicant", None).await;
    app.post("/api/v1/precheck", &other, doc).await.expect(200);
}

/// A webhook pointing at the server's own machine or a cloud metadata address is
/// refused (SSRF), unless the operator allows private networks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_cannot_point_inside() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.security.webhook_private_networks = false
    })
    .await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    for url in [
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/metrics",
        "http://[::1]/",
        "http://10.0.0.5/hook",
    ] {
        let body = app
            .post(
                "/api/v1/admin/webhooks",
                &admin,
                json!({"url": url, "events": ["*"]}),
            )
            .await
            .expect_error(422, "VALIDATION_FAILED");
        assert_eq!(
            body["error"]["issues"][0]["code"], "WEBHOOK_URL_INTERNAL",
            "{url}: {body}"
        );
    }
}

/// Idempotency keys are stored only for a live session: a stranger sending keys under
/// made-up tokens fills no table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_need_a_session() {
    let mut dir = std::path::PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    for i in 0..5 {
        app.call_with(
            Method::POST,
            "/api/v1/apps",
            Some(&format!("made-up-token-{i}")),
            Some(json!({"appid": "wxstranger", "name": "陌生人"})),
            &[("idempotency-key", &format!("key-{i}"))],
        )
        .await
        .expect_error(401, "UNAUTHENTICATED");
    }
    let applicant = app.user("applicant", None).await;
    app.call_with(
        Method::POST,
        "/api/v1/apps",
        Some(&applicant),
        Some(
            json!({"appid": "wxidem1", "name": "幂等应用", "owner_name": "深圳市星河科技有限公司"}),
        ),
        &[("idempotency-key", "key-real")],
    )
    .await
    .expect(201);
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", dir.join("beian.db").display());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let keys: Vec<(String,)> = sqlx::query_as("SELECT key FROM idempotency")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        keys,
        vec![("key-real".to_string(),)],
        "only the signed-in caller's key"
    );
}

/// Someone with a copy of the data directory finds neither an upload's bytes nor its
/// content hash there: objects are sealed under a keyed name; the owner still gets the
/// original back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_sealed_at_rest() {
    let mut dir = std::path::PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let applicant = app.user("applicant", None).await;
    let original = png(720, 1280);
    let up = app
        .upload_media(&applicant, "certificate_front", original.clone())
        .await;
    assert_eq!(up.status.as_u16(), 201, "{}", up.body);
    let sha = up.body["sha256"].as_str().unwrap().to_string();
    let id = up.body["id"].as_str().unwrap().to_string();
    let stored = files_under(&dir.join("media"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(
        !stored[0].to_string_lossy().contains(&sha),
        "the name says nothing"
    );
    let bytes = std::fs::read(&stored[0]).unwrap();
    assert!(
        !bytes.windows(8).any(|w| w == &original[..8]),
        "no PNG signature"
    );
    assert!(
        !bytes.windows(64).any(|w| w == &original[100..164]),
        "no plain run"
    );
    let (status, _, back) = app
        .get_bytes(&format!("/api/v1/media/{id}"), &applicant)
        .await;
    assert_eq!((status, back), (200, original));
}

/// `/metrics` is for operators: an admin token (or the configured scrape token).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_not_public() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let metrics = || app.request(Method::GET, "/metrics");
    assert_eq!(status_of(metrics()).await, 401);
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(status_of(metrics().bearer_auth(&admin)).await, 200);
}

/// The attack: a JPEG with its last third cut off, which decoders fill with grey
/// and every photo check passes. It is refused, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_jpeg_is_refused_and_nothing_stored() {
    let mut dir = std::path::PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let applicant = app.user("applicant", None).await;
    let img = image::RgbImage::from_fn(720, 1280, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut jpeg = vec![];
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    let whole = app
        .upload_media(&applicant, "certificate_front", jpeg.clone())
        .await;
    assert_eq!(whole.status.as_u16(), 201, "{}", whole.body);
    let stored = files_under(&dir);
    jpeg.truncate(jpeg.len() * 2 / 3);
    let cut = app
        .upload_media(&applicant, "certificate_front", jpeg)
        .await;
    assert_eq!(cut.status.as_u16(), 422, "{}", cut.body);
    assert_eq!(
        cut.body["error"]["issues"][0]["code"], "MEDIA_TRUNCATED",
        "{}",
        cut.body
    );
    assert_eq!(
        files_under(&dir),
        stored,
        "the cut file left nothing behind"
    );
}

/// The status `request` is answered with.
async fn status_of(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

/// Every file below `dir` (database files excluded): the object store's contents.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().contains(".db") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The `/miit` page form is limited like the API: the double-submit token does
/// not help an attacker who sets both halves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_miit_page_form_is_rate_limited() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.public_rate_per_minute = 3).await;
    let mut statuses = vec![];
    for _ in 0..5 {
        let resp = app
            .request(Method::POST, "/miit")
            .header("cookie", "beian_form=attacker")
            .form(&[
                ("mobile", "13800138000"),
                ("certificate_last6", "000000"),
                ("code", "123456"),
                ("action", "verify"),
                ("form_token", "attacker"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

/// The page login wants its own CSRF token (login CSRF) and throttles like the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_login_wants_a_csrf_token() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let login = app
        .request(Method::POST, "/login")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]);
    assert_eq!(status_of(login).await, 403);
}

/// Behind https (`BEIAN_PUBLIC_URL`), pages send HSTS and every cookie is `Secure`;
/// the session cookie ends with the session's absolute limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.security.public_url = Some("https://beian.example.com".into())
    })
    .await;
    let page = app.request(Method::GET, "/login").send().await.unwrap();
    assert!(page.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let token = cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap();
    let signed_in = forms_client()
        .post(format!("{}/login", app.base))
        .header("cookie", format!("beian_login={token}"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("form_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let session = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| !c.starts_with("beian_login="))
        .unwrap_or_else(|| panic!("a session cookie: {:?}", signed_in.headers()));
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly"),
        "{session}"
    );
    assert!(session.contains("Max-Age=43200"), "{session}");
}

/// Bearer sessions end after the idle limit (a policy value).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_expire() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.security.session_idle_secs = 2).await;
    let applicant = app.user("applicant", None).await;
    app.get("/api/v1/filings", &applicant).await.expect(200);
    tokio::time::sleep(std::time::Duration::from_millis(3_000)).await;
    app.get("/api/v1/filings", &applicant)
        .await
        .expect_error(401, "UNAUTHENTICATED");
}

/// A cross-site post carries the session cookie but not the page's CSRF token. A step
/// form that also carries a file is refused before the file is stored: the forged
/// request leaves nothing behind, not even an unattached upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_step_form_stores_none_of_its_files() {
    let mut dir = std::path::PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let (applicant, _, _) = app.filing_roles().await;
    let flow = Flow::prepare(&app, &applicant, 1).await;
    let cookie = app.page_session_of(&applicant).await;
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", dir.join("beian.db").display());
    let media = || async {
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media")
            .fetch_one(&pool)
            .await
            .unwrap();
        n
    };
    let before = media().await;
    // A wrong token, an empty one, and none at all (the file first).
    for csrf in [Some("forged"), Some(""), None] {
        let file = reqwest::multipart::Part::bytes(png(720, 1280))
            .file_name("letter.png")
            .mime_str("image/png")
            .unwrap();
        let form = match csrf {
            Some(token) => reqwest::multipart::Form::new().text("csrf", token),
            None => reqwest::multipart::Form::new(),
        }
        .part("file:mini_program_principal.authorization_letter", file);
        let posted = app
            .request(Method::POST, &format!("/filings/{}/edit/4", flow.filing))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status().as_u16(), 403, "csrf {csrf:?}");
    }
    assert_eq!(media().await, before, "a forged form stored a file");
}
