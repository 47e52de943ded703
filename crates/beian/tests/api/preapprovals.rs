//! The applicant form's pre-approval items (前置审批): any number of them saved through
//! the page land in the filing as the API shows it, and a bad item is named by the page
//! exactly as the API names it.

use crate::harness::*;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

/// The page's CSRF token (the hidden `csrf` field).
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// Step 3 of the form as a browser posts it: the document's answers, and one row per
/// `(category, approval number, upload?)`.
fn step3(csrf: &str, doc: &Value, rows: &[(&str, &str, bool)]) -> Form {
    let mp = &doc["mini_program"];
    let mut form = Form::new().text("csrf", csrf.to_string());
    for t in mp["service_content_types"].as_array().unwrap() {
        form = form.text("mini_program.service_content_types", t.to_string());
    }
    for l in mp["languages"].as_array().unwrap() {
        form = form.text("mini_program.languages", l.to_string());
    }
    form = form.text(
        "mini_program.remark",
        mp["remark"].as_str().unwrap().to_string(),
    );
    for (i, (category, number, upload)) in rows.iter().enumerate() {
        let path = format!("mini_program.preapprovals.{i}");
        form = form
            .text(format!("{path}.category"), category.to_string())
            .text(format!("{path}.approval_number"), number.to_string());
        if *upload {
            let file = Part::bytes(png(720, 1280))
                .file_name("approval.png")
                .mime_str("image/png")
                .unwrap();
            form = form.part(format!("file:{path}.document"), file);
        }
    }
    form
}

/// The pre-approval issues of a list, as (field, code).
fn preapproval_issues(issues: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = issues
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["field"]
                .as_str()
                .unwrap()
                .starts_with("mini_program.preapprovals")
        })
        .map(|i| {
            (
                i["field"].as_str().unwrap().to_string(),
                i["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_preapproval_items_saved_through_the_page_reach_the_api() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (applicant, _, _) = app.filing_roles().await;
    let flow = Flow::prepare(&app, &applicant, 1).await;
    let cookie = app.page_session_of(&applicant).await;
    let step = format!("/filings/{}/edit/3", flow.filing);
    let forms = forms_client();
    let post = |path: String, form: Form| {
        forms
            .post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };

    // 再添加一项 with the first item filled: saved, and the page comes back with a second row.
    let (status, html) = app.page(&step, &cookie).await;
    assert_eq!(status, 200);
    let csrf = csrf_of(&html);
    let form = step3(&csrf, &flow.document, &[("1", "新出审字[2026]1号", true)])
        .text("preapproval_action", "add");
    let added = post(step.clone(), form).await.unwrap();
    assert_eq!(added.status().as_u16(), 303);
    let again = added.headers()["location"].to_str().unwrap().to_string();
    assert!(again.starts_with(&format!("{step}?add=1")), "{again}");
    let (_, html) = app.page(again.split('#').next().unwrap(), &cookie).await;
    assert!(
        html.contains("id=\"f-mini_program.preapprovals.1.category\""),
        "a second row: {html}"
    );
    assert!(html.contains("第2项 前置审批类别") && html.contains("再添加一项"));

    // Two items through the page: the API shows both, each with its own document.
    let form = step3(
        &csrf,
        &flow.document,
        &[("1", "新出审字[2026]1号", false), ("2", "出版审字-2", true)],
    );
    let saved = post(step.clone(), form).await.unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    let items = flow.view(&applicant).await["document"]["mini_program"]["preapprovals"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(2), "{items}");
    assert_eq!(items[0]["category"], 1);
    assert_eq!(items[0]["approval_number"], "新出审字[2026]1号");
    assert_eq!(items[1]["category"], 2);
    assert_eq!(items[1]["approval_number"], "出版审字-2");
    let (d0, d1) = (items[0]["document"].as_str(), items[1]["document"].as_str());
    assert!(d0.is_some() && d1.is_some() && d0 != d1, "{items}");

    // A second item without its number: the page's check names it as the API does.
    let bad_rows = [("1", "新出审字[2026]1号", false), ("2", "", false)];
    let checked = post(
        format!("/filings/{}/check/3", flow.filing),
        step3(&csrf, &flow.document, &bad_rows),
    )
    .await
    .unwrap();
    assert_eq!(checked.status().as_u16(), 200);
    let checked: Value = checked.json().await.unwrap();
    let mut bad = flow.view(&applicant).await["document"].clone();
    bad["mini_program"]["preapprovals"][1]["approval_number"] = Value::Null;
    let api = app
        .save_application(&flow.filing, &applicant, bad)
        .await
        .expect(200);
    let expected = vec![(
        "mini_program.preapprovals[1].approval_number".to_string(),
        "PRE_APPROVAL_INCOMPLETE".to_string(),
    )];
    assert_eq!(preapproval_issues(&api["issues"]), expected, "{api}");
    assert_eq!(
        preapproval_issues(&checked["issues"]),
        expected,
        "{checked}"
    );

    // Saved through the page, the problem stands under the second item's number field.
    let saved = post(step.clone(), step3(&csrf, &flow.document, &bad_rows))
        .await
        .unwrap();
    assert_eq!(saved.status().as_u16(), 303);
    let (_, html) = app.page(&step, &cookie).await;
    let marker = "data-for=\"mini_program.preapprovals[1].approval_number\" role=\"alert\">";
    let at = html.find(marker).expect("the item's problem slot") + marker.len();
    assert!(
        html[at..].starts_with("请填写审批号并上传审批文件"),
        "{}",
        &html[at..at + 200]
    );

    // 删除第1项 removes the first item; the second keeps its document.
    let form = step3(&csrf, &flow.document, &bad_rows).text("preapproval_action", "remove:0");
    assert_eq!(post(step, form).await.unwrap().status().as_u16(), 303);
    let items = flow.view(&applicant).await["document"]["mini_program"]["preapprovals"].clone();
    assert_eq!(
        items,
        json!([{"category": 2, "approval_number": null, "document": d1}])
    );
}
