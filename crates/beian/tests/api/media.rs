//! Uploads and photo checks (§10): refusals, quality findings enforced at submission, and
//! face captures decided by the bundled detector on a real photograph.

use crate::harness::{face_png, face_source, item, png, Flow, TestApp};
use image::{DynamicImage, RgbImage};
use serde_json::{json, Value};

crate::both_backends!(
    uploads_refuse_what_can_never_be_accepted_and_report_quality,
    face_captures_fail_with_reasons_and_pass_a_real_portrait
);

fn encode(img: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn decoded(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().to_rgb8()
}

fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
}

/// A 150-byte PNG declaring 100 000 × 100 000 pixels: a decompression bomb.
fn bomb() -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    let mut idat = vec![0x78, 0x01, 0x01, 64, 0, !64u8, 0xFF];
    idat.extend_from_slice(&[0; 64]);
    idat.extend_from_slice(&1u32.to_be_bytes());
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn check<'a>(media: &'a Value, code: &str) -> &'a Value {
    item(&media["checks"], "code", code)
}

async fn uploads_refuse_what_can_never_be_accepted_and_report_quality(app: TestApp) {
    let dev = app.user("applicant", None).await;
    let up = |purpose: &'static str, bytes: Vec<u8>| {
        let (app, dev) = (&app, dev.clone());
        async move { app.upload_media(&dev, purpose, bytes).await }
    };
    up("certificate_front", b"%PDF-1.4 not an image".to_vec())
        .await
        .expect_error(415, "MEDIA_FORMAT");
    let mut truncated = png(720, 1280);
    truncated.truncate(200);
    up("certificate_front", truncated)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let mut oversize = png(720, 1280);
    oversize.resize(3 * 1024 * 1024, 0);
    up("certificate_front", oversize)
        .await
        .expect_error(413, "MEDIA_TOO_LARGE");
    let refused = up("certificate_front", bomb())
        .await
        .expect_error(422, "VALIDATION_FAILED");
    assert_eq!(
        refused["error"]["issues"][0]["code"], "MEDIA_TOO_MANY_PIXELS",
        "{refused}"
    );

    // A good scan passes every check and is kept byte for byte under its sha256.
    let bytes = png(720, 1280);
    let good = up("certificate_front", bytes.clone()).await.expect(201);
    assert!(
        good["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true),
        "{good}"
    );
    use sha2::Digest;
    assert_eq!(good["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
    let id = good["id"].as_str().unwrap();
    let back = app
        .request(reqwest::Method::GET, &format!("/api/v1/media/{id}"))
        .bearer_auth(&dev)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(back.as_ref(), bytes.as_slice());

    // Quality findings: too small, greyscale, blurred.
    let small = up("certificate_front", png(400, 600)).await.expect(201);
    assert_eq!(check(&small, "MEDIA_RESOLUTION")["ok"], false);
    let grey =
        DynamicImage::ImageLuma8(image::load_from_memory(&png(720, 1280)).unwrap().to_luma8());
    let grey = up("certificate_front", encode(&grey)).await.expect(201);
    assert_eq!(check(&grey, "MEDIA_GREYSCALE")["ok"], false);
    let blurred = image::imageops::blur(&decoded(&png(1100, 1500)), 6.0);
    let blurred = up(
        "subject_certificate",
        encode(&DynamicImage::ImageRgb8(blurred)),
    )
    .await
    .expect(201);
    assert_eq!(check(&blurred, "MEDIA_BLUR")["ok"], false, "{blurred}");

    // At submission the finding is an issue on the field that uses the file (V-MAT-007).
    let flow = Flow::prepare(&app, &dev, 41).await;
    let mut doc = flow.document.clone();
    doc["subject"]["certificate"]["photo"] = blurred["id"].clone();
    let saved = app
        .save_application(&flow.filing, &dev, doc)
        .await
        .expect(200);
    let issues = saved["issues"].as_array().unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i["field"] == "subject.certificate.photo"
                && i["code"] == "MEDIA_BLUR"
                && i["rule"] == "V-MAT-007"),
        "{saved}"
    );
    flow.submit().await.expect_error(422, "VALIDATION_FAILED");
}

async fn face_captures_fail_with_reasons_and_pass_a_real_portrait(app: TestApp) {
    let dev = app.user("applicant", None).await;
    let flow = Flow::prepare(&app, &dev, 42).await;
    let task = app
        .act(&flow.filing, "face-verification", &dev)
        .await
        .expect(201);
    let capture = format!(
        "/api/v1/face-verifications/{}/capture",
        task["id"].as_str().unwrap()
    );
    let portrait = decoded(&face_png());
    let (w, h) = portrait.dimensions();
    let mut cases: Vec<(&str, Vec<u8>, &[&str])> = vec![];
    cases.push(("no face", png(600, 800), &["FACE_COUNT"]));
    let mut two = RgbImage::from_pixel(w * 2, h, image::Rgb([244, 244, 242]));
    image::imageops::overlay(&mut two, &portrait, 0, 0);
    image::imageops::overlay(&mut two, &portrait, i64::from(w), 0);
    cases.push((
        "several faces",
        encode(&DynamicImage::ImageRgb8(two)),
        &["FACE_COUNT"],
    ));
    let mut dark = portrait.clone();
    for p in dark.pixels_mut() {
        if p.0 == [244, 244, 242] {
            *p = image::Rgb([40, 60, 50]);
        }
    }
    cases.push((
        "dark background",
        encode(&DynamicImage::ImageRgb8(dark)),
        &["FACE_BACKGROUND"],
    ));
    let busy = image::load_from_memory(&face_source())
        .unwrap()
        .resize_exact(800, 800, image::imageops::FilterType::Triangle);
    cases.push(("busy background", encode(&busy), &["FACE_BACKGROUND"]));
    let blurred = image::imageops::blur(&portrait, 5.0);
    cases.push((
        "heavy blur",
        encode(&DynamicImage::ImageRgb8(blurred)),
        // The detector still finds the face (σ = 5), and its box measures ≈3 against 100.
        &["FACE_BLUR"],
    ));
    let small = image::imageops::resize(&portrait, 300, 400, image::imageops::FilterType::Triangle);
    cases.push((
        "too small",
        encode(&DynamicImage::ImageRgb8(small)),
        &["FACE_RESOLUTION"],
    ));
    for (name, bytes, codes) in cases {
        let r = app
            .upload(&capture, &dev, "photo", None, bytes)
            .await
            .expect(200);
        assert_eq!(r["status"], "failed", "{name}: {r}");
        assert!(
            r["issues"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| codes.contains(&i["code"].as_str().unwrap())),
            "{name}: {r}"
        );
    }
    let mut bad = face_png();
    bad.truncate(300);
    app.upload(&capture, &dev, "photo", None, bad)
        .await
        .expect_error(422, "VALIDATION_FAILED");
    let ok = app
        .upload(&capture, &dev, "photo", None, face_png())
        .await
        .expect(200);
    assert_eq!(ok["status"], "succeeded", "{ok}");
    assert_eq!(ok["issues"], json!([]));
}
