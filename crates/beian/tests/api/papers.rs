//! Platform documents: the applicant reads the papers the platform generated,
//! confirms them by hash, and they are frozen with the submitted version; the reviewer's
//! approval adds the authenticity form with the live photo. PDFs are checked by extracting
//! their text with poppler's `pdftotext` (and `pdfimages`), which the test command installs.

use crate::harness::{item, Flow, TestApp};
use serde_json::{json, Value};
use std::process::Command;

/// Runs a poppler tool on the PDF and returns its output; fails the test when the tool is
/// missing (scripts/test.sh installs poppler-utils), never skips.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = crate::harness::temp_dir();
    let file = dir.join("paper.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&file)
        .args((tool == "pdftotext").then_some("-"))
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Extracted text with all whitespace removed: line breaks fall anywhere in CJK text.
fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    poppler("pdftotext", pdf, &["-enc", "UTF-8"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn paper<'a>(list: &'a Value, kind: &str) -> &'a Value {
    item(list, "kind", kind)
}

async fn papers_are_confirmed_by_hash_frozen_and_rendered(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let stranger = app.user("applicant", None).await;
    let mut flow = Flow::prepare(&app, &applicant, 71).await;
    let base = format!("/api/v1/filings/{}/papers", flow.filing);

    // The draft's papers, with their hashes, for the owner only.
    let list = app.get(&base, &applicant).await.expect(200);
    let letter = paper(&list["draft"], "commitment_letter").clone();
    let report = paper(&list["draft"], "anti_fraud_assessment").clone();
    assert_eq!(list["versions"], json!([]));
    app.get(&base, &stranger)
        .await
        .expect_error(404, "NOT_FOUND");
    let (status, _, _) = app
        .get_bytes(&format!("{base}/commitment_letter"), &stranger)
        .await;
    assert_eq!(status, 404, "another applicant never sees the PDF");

    // The letter as PDF carries the subject, the mini program and the commitments.
    let (status, ctype, pdf) = app
        .get_bytes(&format!("{base}/commitment_letter"), &applicant)
        .await;
    assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
    let text = pdf_text(&pdf);
    let subject = flow.document["subject"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let subject = subject.as_str();
    for needle in [
        "互联网信息服务承诺书",
        subject,
        flow.name.as_str(),
        "郑重承诺",
        flow.appid.as_str(),
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} not in the PDF text: {text}"
        );
    }
    assert!(
        text.contains(&letter["hash"].as_str().unwrap()[..16]),
        "footer hash"
    );

    // Confirming a paper the applicant did not see is refused at submission.
    flow.document["materials"]["commitment_letter"] =
        json!({"confirmed": true, "hash": "0".repeat(64)});
    flow.save().await;
    let refused = flow.submit().await.expect_error(422, "VALIDATION_FAILED");
    assert!(
        refused["error"]["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["rule"] == "V-MAT-001"),
        "{refused}"
    );

    // Answering the questionnaire changes the report: its risky answers add measures.
    flow.document["materials"]["anti_fraud_assessment"] = json!({
        "answers": {"has_payment": true, "collects_identity": false, "financial_services": false,
                    "paid_tasks": false, "stranger_contact": false, "external_links": false,
                    "complaint_channel": true},
        "confirmed": true,
    });
    flow.document["materials"]["commitment_letter"] =
        json!({"confirmed": true, "hash": letter["hash"]});
    flow.save().await;
    let list = app.get(&base, &applicant).await.expect(200);
    let report_now = paper(&list["draft"], "anti_fraud_assessment");
    assert_ne!(
        report_now["hash"], report["hash"],
        "answers change the report"
    );
    let (_, _, pdf) = app
        .get_bytes(&format!("{base}/anti_fraud_assessment"), &applicant)
        .await;
    let text = pdf_text(&pdf);
    assert!(text.contains("反诈自评估报告"), "{text}");
    assert!(
        text.contains("仅使用平台认可的支付渠道"),
        "the payment measure: {text}"
    );
    assert!(
        !text.contains("按最小必要原则收集"),
        "no identity measure: {text}"
    );
    let confirmed = paper(&list["draft"], "commitment_letter")["hash"].clone();
    assert_eq!(confirmed, letter["hash"], "the letter did not change");

    flow.submit().await.expect(200);
    let list = app.get(&base, &applicant).await.expect(200);
    assert_eq!(
        list["draft"],
        json!([]),
        "nothing left to confirm under review"
    );
    let v1 = &list["versions"][0];
    assert_eq!(v1["version"], 1);
    assert_eq!(
        paper(&v1["papers"], "commitment_letter")["hash"],
        letter["hash"]
    );
    let frozen_report = paper(&v1["papers"], "anti_fraud_assessment")["hash"].clone();
    assert_eq!(frozen_report, report_now["hash"]);
    let (status, _, _) = app
        .get_bytes(&format!("{base}/authenticity_form"), &reviewer)
        .await;
    assert_eq!(status, 404, "no form before the platform approves");

    // Rejected, then edited: the draft's letter changes, version 1's stays as confirmed.
    flow.decide(
        "platform",
        &reviewer,
        "reject",
        json!([{"field": "subject.address", "error": "地址不详", "suggestion": "补充门牌号"}]),
    )
    .await
    .expect(200);
    flow.document["subject"]["address"] = json!("高新南七道1号A座");
    flow.document["materials"]["anti_fraud_assessment"]["answers"]["paid_tasks"] = json!(true);
    flow.save().await;
    let list = app.get(&base, &applicant).await.expect(200);
    assert_ne!(
        paper(&list["draft"], "anti_fraud_assessment")["hash"],
        frozen_report
    );
    let (_, _, old) = app
        .get_bytes(
            &format!("{base}/anti_fraud_assessment?version=1"),
            &reviewer,
        )
        .await;
    let old = pdf_text(&old);
    assert!(
        !old.contains("禁止发布刷单返利类任务"),
        "version 1 is frozen: {old}"
    );
    assert!(old.contains("仅使用平台认可的支付渠道"), "{old}");

    // Resubmitted and approved: the authenticity form has the reviewer, time and photo.
    flow.to_sms(&reviewer).await;
    let (status, ctype, form) = app
        .get_bytes(&format!("{base}/authenticity_form"), &applicant)
        .await;
    assert_eq!((status, ctype.as_str()), (200, "application/pdf"));
    let text = pdf_text(&form);
    for needle in [
        "小程序备案真实性核验单",
        subject,
        flow.name.as_str(),
        "核验现场照片",
        "初审人员",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the form: {text}");
    }
    let images = poppler("pdfimages", &form, &["-list"]);
    assert_eq!(
        images
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .count(),
        1,
        "the live photo is embedded: {images}"
    );
    // Others see persons' numbers and mobiles masked unless they unmask (which is logged).
    let (_, _, masked) = app
        .get_bytes(&format!("{base}/authenticity_form"), &reviewer)
        .await;
    let masked = pdf_text(&masked);
    assert!(
        !masked.contains(&flow.mobile),
        "the mobile is masked: {masked}"
    );
    assert!(masked.contains("小程序备案真实性核验单"));
    let (_, _, unmasked) = app
        .get_bytes(&format!("{base}/authenticity_form?unmask=1"), &reviewer)
        .await;
    assert!(pdf_text(&unmasked).contains(&flow.mobile));
    assert!(text.contains(&flow.mobile), "the owner sees their own data");
    let list = app.get(&base, &reviewer).await.expect(200);
    assert_eq!(list["versions"][1]["papers"][0]["masked"], true);
    let v2 = &list["versions"][1];
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["papers"].as_array().unwrap().len(), 3, "{v2}");
    app.get(&format!("{base}/no_such_paper"), &reviewer)
        .await
        .expect_error(404, "NOT_FOUND");
}

crate::both_backends!(papers_are_confirmed_by_hash_frozen_and_rendered);
