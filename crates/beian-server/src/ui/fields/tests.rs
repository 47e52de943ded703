//! The step forms' field specs and the merge of a posted form into the document.
use super::*;

#[test]
fn the_questionnaire_form_asks_every_question_once() {
    assert_eq!(ANTI_FRAUD_PATHS.len(), ANTI_FRAUD_QUESTIONS.len());
    for (path, q) in ANTI_FRAUD_PATHS.iter().zip(ANTI_FRAUD_QUESTIONS.iter()) {
        assert_eq!(
            path.rsplit('.').next(),
            Some(q.id),
            "{path} is not question {}",
            q.id
        );
    }
    let specs = step(5);
    for q in ANTI_FRAUD_QUESTIONS {
        assert_eq!(specs.iter().filter(|s| s.label == q.text).count(), 1);
    }
}

#[test]
fn merge_writes_paths_types_and_lists() {
    let doc = Document::default();
    let form = vec![
        ("subject.nature".to_string(), "4".to_string()),
        (
            "subject.name".to_string(),
            " 深圳市星河科技有限公司 ".to_string(),
        ),
        ("subject.remark".to_string(), String::new()),
    ];
    let v = merge(
        &doc,
        1,
        &form,
        &[("subject.certificate.photo".into(), "m1".into())],
    );
    assert_eq!(v["subject"]["nature"], 4);
    assert_eq!(v["subject"]["name"], "深圳市星河科技有限公司");
    assert_eq!(v["subject"]["certificate"]["photo"], "m1");
    assert!(v["subject"]["remark"].is_null());
    let back: Document = serde_json::from_value(v).unwrap();
    assert_eq!(back.subject.nature, Some(4));
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn any_number_of_preapproval_items_merge_in_row_order() {
    let mut doc = Document::default();
    doc.mini_program.preapprovals = Some(vec![
        beian_domain::document::PreApproval {
            category: Some(1),
            approval_number: Some("旧".into()),
            document: Some("m-old".into()),
        },
        Default::default(),
    ]);
    let form = pairs(&[
        ("mini_program.preapprovals.0.category", "1"),
        (
            "mini_program.preapprovals.0.approval_number",
            " 新出审字[2026]1号 ",
        ),
        ("mini_program.preapprovals.1.category", "2"),
        ("mini_program.preapprovals.1.approval_number", "B-2"),
        // The empty row the form offers for one more item.
        ("mini_program.preapprovals.2.category", ""),
        ("mini_program.preapprovals.2.approval_number", ""),
    ]);
    let uploads = pairs(&[("mini_program.preapprovals.1.document", "m-new")]);
    let v = merge(&doc, 3, &form, &uploads);
    assert_eq!(
        v["mini_program"]["preapprovals"],
        json!([
            {"category": 1, "approval_number": "新出审字[2026]1号", "document": "m-old"},
            {"category": 2, "approval_number": "B-2", "document": "m-new"},
        ])
    );
    assert_eq!(preapproval_count(&v), 2);
    // Removing the first row keeps the second with its document.
    let mut removing = form.clone();
    removing.push(("preapproval_action".into(), "remove:0".into()));
    let v = merge(&doc, 3, &removing, &uploads);
    assert_eq!(
        v["mini_program"]["preapprovals"],
        json!([{"category": 2, "approval_number": "B-2", "document": "m-new"}])
    );
    // All rows blank: not answered, never 以上都不涉及.
    let blank = pairs(&[("mini_program.preapprovals.0.category", "")]);
    let v = merge(&Document::default(), 3, &blank, &[]);
    assert!(v["mini_program"]["preapprovals"].is_null());
}

#[test]
fn item_paths_and_their_validation_names() {
    assert_eq!(
        item_path("mini_program.preapprovals.0.document", 3).as_deref(),
        Some("mini_program.preapprovals.3.document")
    );
    assert_eq!(item_path("mini_program.remark", 3), None);
    assert_eq!(
        issue_path("mini_program.preapprovals.1.approval_number"),
        "mini_program.preapprovals[1].approval_number"
    );
    assert_eq!(issue_path("subject.name"), "subject.name");
}

#[test]
fn preapproval_none_and_checkbox_lists() {
    let form = vec![
        (
            "mini_program.service_content_types".to_string(),
            "601".to_string(),
        ),
        (
            "mini_program.service_content_types".to_string(),
            "603".to_string(),
        ),
        (
            "mini_program.no_preapproval".to_string(),
            "true".to_string(),
        ),
        ("mini_program.languages".to_string(), "1".to_string()),
    ];
    let v = merge(&Document::default(), 3, &form, &[]);
    assert_eq!(
        v["mini_program"]["service_content_types"],
        json!([601, 603])
    );
    assert_eq!(v["mini_program"]["preapprovals"], json!([]));
    assert_eq!(shown(&v, "mini_program.no_preapproval"), "true");
    assert!(serde_json::from_value::<Document>(v).is_ok());
}
