//! Certificate photos read at upload (issue: OCR cross-checks): the reading arrives on the
//! media after the upload has answered, names the printed fields with their confidence, and
//! a typed value other than the printed one is an `OCR_MISMATCH` warning before submission.
//! Real tesseract, real generated cards (beian-cards), real HTTP.

use std::time::{Duration, Instant};

use beian_cards::{encode, id_back, id_front, licence, Business, Identity, Variant};
use beian_domain::fixtures::enterprise_document;
use serde_json::{json, Value};

use crate::harness::{resident_id, unique, Backend, Flow, TestApp, ADMIN_PASSWORD};

/// Uploads a photo with its purpose and certificate type; the upload's answer.
async fn upload(app: &TestApp, token: &str, purpose: &str, kind: u32, bytes: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("card.png"),
        )
        .text("purpose", purpose.to_string())
        .text("certificate_type", kind.to_string());
    let resp = app.post_form("/api/v1/media", token, form).await;
    assert_eq!(resp.status().as_u16(), 201, "upload of {purpose}");
    resp.json().await.expect("media JSON")
}

/// Polls the media's reading until it is read (OCR takes seconds).
async fn reading(app: &TestApp, token: &str, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let r = app
            .get(&format!("/api/v1/media/{id}/reading"), token)
            .await
            .expect(200);
        if r["status"] != "pending" {
            return r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "still pending after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn field<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["reading"]["fields"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["field"] == name))
        .unwrap_or_else(|| panic!("{name} not read: {r}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_card_is_read_after_upload_and_a_different_typed_number_is_flagged() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let applicant = app.user("applicant", None).await;
    let person = Identity::random(20261207);
    let front = upload(
        &app,
        &applicant,
        "certificate_front",
        2,
        encode(&id_front(&person), Variant::Clean, 1),
    )
    .await;
    // The upload answers before the photo is read.
    assert_eq!(front["reading"]["status"], "pending", "{front}");
    let id = front["id"].as_str().unwrap().to_string();
    let r = reading(&app, &applicant, &id).await;
    assert_eq!(r["status"], "read");
    assert_eq!(r["reading"]["kind"], "id_front");
    assert_eq!(field(&r, "number")["value"], person.number.as_str());
    assert_eq!(field(&r, "name")["value"], person.name.as_str());
    let confidence = field(&r, "number")["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence), "{confidence}");
    // Nobody else may see what the photo says.
    let other = app.user("applicant", None).await;
    app.get(&format!("/api/v1/media/{id}/reading"), &other)
        .await
        .expect_error(404, "NOT_FOUND");

    // The principal's number typed as another valid number: flagged at precheck, with the
    // printed number masked, as a warning.
    let typed_other = resident_id(4242);
    assert_ne!(typed_other, person.number);
    let mut doc = enterprise_document(
        "深圳市星河科技有限公司",
        "91440300708461136T",
        "星河记账",
        "face",
        &id,
    );
    doc.subject_principal.name = Some(person.name.clone());
    doc.subject_principal.certificate.number = Some(typed_other);
    let issues = app
        .post("/api/v1/precheck", &applicant, json!(doc))
        .await
        .expect(200);
    let found: Vec<&Value> = issues["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "OCR_MISMATCH")
        .collect();
    assert_eq!(found.len(), 1, "{issues} {r}");
    assert_eq!(found[0]["field"], "subject_principal.certificate.number");
    assert_eq!(found[0]["severity"], "warning");
    let masked = format!("{}**********{}", &person.number[..4], &person.number[14..]);
    assert_eq!(
        found[0]["message"],
        format!("证件照片上的号码为 {masked}，与填写的不一致")
    );
    // Typed as printed: no mismatch.
    doc.subject_principal.certificate.number = Some(person.number.clone());
    let issues = app
        .post("/api/v1/precheck", &applicant, json!(doc))
        .await
        .expect(200);
    assert!(
        !issues["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "OCR_MISMATCH"),
        "{issues}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_licence_and_an_id_back_read_their_fields_even_turned_or_compressed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let applicant = app.user("applicant", None).await;
    let business = Business::random(77);
    let lic = upload(
        &app,
        &applicant,
        "subject_certificate",
        1,
        encode(&licence(&business), Variant::Rotated, 77),
    )
    .await;
    let person = Identity::random(78);
    let back = upload(
        &app,
        &applicant,
        "certificate_back",
        2,
        encode(&id_back(&person), Variant::UpsideDown, 78),
    )
    .await;
    let r = reading(&app, &applicant, lic["id"].as_str().unwrap()).await;
    assert_eq!(field(&r, "number")["value"], business.uscc.as_str(), "{r}");
    assert_eq!(field(&r, "name")["value"], business.name.as_str(), "{r}");
    assert_eq!(
        field(&r, "address")["value"],
        business.address.as_str(),
        "{r}"
    );
    let r = reading(&app, &applicant, back["id"].as_str().unwrap()).await;
    assert_eq!(r["reading"]["rotation"], 180, "{r}");
    let until = person
        .valid_until
        .map_or("长期".to_string(), |d| d.format("%Y-%m-%d").to_string());
    assert_eq!(field(&r, "valid_until")["value"], until.as_str(), "{r}");
    assert_eq!(
        field(&r, "valid_from")["value"],
        person.valid_from.format("%Y-%m-%d").to_string().as_str()
    );
    // Not a certificate: not read.
    let other = app
        .upload_media(&applicant, "other", crate::harness::png(720, 1280))
        .await
        .expect(201);
    assert_eq!(other["reading"]["status"], "not_applicable");
}

/// A machine without tesseract: the server starts, says so, and reads nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_tesseract_starts_and_reads_nothing() {
    let db = format!(
        "sqlite://{}/beian.db?mode=rwc",
        crate::harness::temp_dir().display()
    );
    let env = [("BEIAN_TESSERACT", "/nonexistent/tesseract".to_string())];
    let (_servers, apps) = crate::concurrency::start_with_env(1, &db, &env).await;
    let app = &apps[0];
    let applicant = app.user("applicant", None).await;
    let person = Identity::random(5);
    let front = upload(
        app,
        &applicant,
        "certificate_front",
        2,
        encode(&id_front(&person), Variant::Clean, 5),
    )
    .await;
    assert_eq!(front["reading"]["status"], "unavailable", "{front}");
    let id = front["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/media/{id}/reading"), &applicant)
        .await
        .expect(200);
    assert_eq!(r["status"], "unavailable");
}

/// A photo a process stored but did not read (here: a process without tesseract) is read
/// by the next process that starts, from the stored upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_left_unread_is_read_when_the_next_process_starts() {
    let dir = crate::harness::temp_dir();
    let db = format!("sqlite://{}/beian.db?mode=rwc", dir.display());
    let blind = [("BEIAN_TESSERACT", "/nonexistent/tesseract".to_string())];
    let (servers, apps) = crate::concurrency::start_in(1, &db, &dir, &blind).await;
    let applicant = apps[0].user("applicant", None).await;
    let person = Identity::random(11);
    let front = upload(
        &apps[0],
        &applicant,
        "certificate_front",
        2,
        encode(&id_front(&person), Variant::Clean, 11),
    )
    .await;
    assert_eq!(front["reading"]["status"], "unavailable", "{front}");
    let id = front["id"].as_str().unwrap().to_string();
    drop((servers, apps));

    let (_servers, apps) = crate::concurrency::start_in(1, &db, &dir, &[]).await;
    let r = reading(&apps[0], &applicant, &id).await;
    assert_eq!(r["status"], "read", "{r}");
    assert_eq!(field(&r, "number")["value"], person.number.as_str());
}

/// The edit page's pre-fill (`GET /filings/{id}/prefill`) tells what an order's photos read:
/// another applicant asking for it gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_applicant_gets_no_prefill_of_an_order_not_theirs() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let owner = app.user("applicant", None).await;
    let flow = Flow::prepare(&app, &owner, 9301).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let other = unique("applicant");
    app.create_user(&admin, &other, "applicant").await;
    let cookie = app.page_session(&other, "password-123").await;
    let (status, body) = app
        .page(&format!("/filings/{}/prefill", flow.filing), &cookie)
        .await;
    assert!(status == 403 || status == 404, "{status}: {body}");
    assert!(!body.contains("values"), "{body}");
}
