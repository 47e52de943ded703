use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::compare::{mask_number, mismatches, prefill, side_by_side};
use super::read::{extract, parse_tsv};
use super::*;
use crate::document::Document;
use crate::reference::NumberFormat;

fn policy() -> OcrPolicy {
    OcrPolicy::default()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// Lines from `(text, conf)` words; each line's words placed left to right at row `i`,
/// the first word at `indent` pixels.
fn lines(rows: &[(i32, &[(&str, f32)])]) -> Vec<Line> {
    rows.iter()
        .enumerate()
        .map(|(i, (indent, words))| {
            let mut left = *indent;
            Line {
                words: words
                    .iter()
                    .map(|(t, conf)| {
                        let width = 40 * t.chars().count() as i32;
                        let w = Word {
                            text: t.to_string(),
                            conf: *conf,
                            left,
                            top: 60 * i as i32,
                            width,
                            height: 40,
                        };
                        left += width + 20;
                        w
                    })
                    .collect(),
            }
        })
        .collect()
}

fn id_front(number: &str, name_conf: f32) -> Vec<Line> {
    lines(&[
        (
            80,
            &[("姓名", 96.0), ("”欧阳", name_conf), ("明", name_conf)],
        ),
        (
            80,
            &[("性别", 95.0), ("男", 90.0), ("民族", 96.0), ("汉", 91.0)],
        ),
        (80, &[("出生", 95.0), ("1985年12月31日", 92.0)]),
        (80, &[("住址", 96.0), ("广东省深圳市南山区科技", 91.0)]),
        (200, &[("园南区12栋301室", 90.0)]),
        (80, &[("公民身份号码", 96.0), (number, 93.0)]),
    ])
}

#[test]
fn an_id_front_reads_name_number_and_the_address_over_two_lines() {
    let r = extract(
        &id_front("440300198512311238", 92.0),
        Side::Front,
        None,
        today(),
    );
    assert_eq!(r.kind, CardKind::IdFront);
    assert_eq!(r.get(FieldName::Name).unwrap().value, "欧阳明");
    assert_eq!(
        r.get(FieldName::Number).unwrap().value,
        "440300198512311238"
    );
    assert_eq!(
        r.get(FieldName::Address).unwrap().value,
        "广东省深圳市南山区科技园南区12栋301室"
    );
    // The least confidence of the words a value comes from, on 0–1.
    assert!((r.get(FieldName::Name).unwrap().confidence - 0.92).abs() < 1e-6);
}

#[test]
fn a_number_that_fails_its_checksum_is_not_read_and_letters_for_digits_are_undone() {
    let r = extract(
        &id_front("440300198512311239", 92.0),
        Side::Front,
        None,
        today(),
    );
    assert!(
        r.get(FieldName::Number).is_none(),
        "a wrong check digit is not read"
    );
    let r = extract(
        &id_front("44O3OO1985I2311238", 92.0),
        Side::Front,
        None,
        today(),
    );
    assert_eq!(
        r.get(FieldName::Number).unwrap().value,
        "440300198512311238"
    );
}

#[test]
fn tesseract_tsv_of_a_rendered_card_parses_into_lines() {
    // Output of `tesseract card.png - -l chi_sim --psm 6 tsv` for a card rendered with
    // this layout (the stray quotes are the engine's).
    let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t1280\t808\t-1\t\n\
4\t1\t1\t1\t1\t0\t81\t82\t240\t56\t-1\t\n\
5\t1\t1\t1\t1\t1\t81\t94\t52\t25\t96.86\t姓名\n\
5\t1\t1\t1\t1\t2\t203\t86\t114\t36\t92.91\t”欧阳明\n\
5\t1\t1\t1\t2\t1\t81\t650\t160\t25\t95.10\t公民身份号码\n\
5\t1\t1\t1\t2\t2\t400\t640\t420\t40\t91.50\t440300198512311238\n";
    let l = parse_tsv(tsv);
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].words.len(), 2);
    let r = extract(&l, Side::Front, Some(NumberFormat::ResidentId), today());
    assert_eq!(r.get(FieldName::Name).unwrap().value, "欧阳明");
    assert_eq!(
        r.get(FieldName::Number).unwrap().value,
        "440300198512311238"
    );
}

#[test]
fn an_id_back_reads_the_validity_only_as_cards_issue_it() {
    let back = |v: &str| {
        lines(&[
            (300, &[("中华人民共和国", 95.0)]),
            (300, &[("居民身份证", 95.0)]),
            (200, &[("签发机关", 95.0), ("深圳市公安局南山分局", 90.0)]),
            (200, &[("有效期限", 95.0), (v, 91.0)]),
        ])
    };
    let r = extract(&back("2016.03.05-2036.03.05"), Side::Back, None, today());
    assert_eq!(r.kind, CardKind::IdBack);
    assert_eq!(r.get(FieldName::ValidFrom).unwrap().value, "2016-03-05");
    assert_eq!(r.get(FieldName::ValidUntil).unwrap().value, "2036-03-05");
    let r = extract(&back("2016.03.05-长期"), Side::Back, None, today());
    assert_eq!(r.get(FieldName::ValidUntil).unwrap().value, "长期");
    // A misread day breaks the same-day rule: nothing is read rather than something wrong.
    let r = extract(&back("2016.03.05-2036.03.06"), Side::Back, None, today());
    assert!(r.fields.is_empty());
    let r = extract(&back("2016.02.30-2036.02.30"), Side::Back, None, today());
    assert!(r.fields.is_empty(), "no such date");
}

#[test]
fn a_licence_reads_code_name_and_domicile() {
    let l = lines(&[
        (400, &[("营业执照", 96.0)]),
        (
            80,
            &[("统一社会信用代码", 95.0), ("91440300708461136T", 93.0)],
        ),
        (
            80,
            &[("名", 95.0), ("称", 95.0), ("深圳市星河科技有限公司", 92.0)],
        ),
        (80, &[("类", 95.0), ("型", 95.0), ("有限责任公司", 92.0)]),
        (
            80,
            &[("住", 95.0), ("所", 95.0), ("深圳市南山区高新南七道", 91.0)],
        ),
        (260, &[("1号", 90.0)]),
        (600, &[("登记机关", 90.0)]),
    ]);
    let r = extract(&l, Side::Subject, Some(NumberFormat::Uscc), today());
    assert_eq!(r.kind, CardKind::BusinessLicence);
    assert_eq!(
        r.get(FieldName::Number).unwrap().value,
        "91440300708461136T"
    );
    assert_eq!(
        r.get(FieldName::Name).unwrap().value,
        "深圳市星河科技有限公司"
    );
    assert_eq!(
        r.get(FieldName::Address).unwrap().value,
        "深圳市南山区高新南七道1号"
    );
    // Without a declared type the subject's certificate is read as a licence.
    let r = extract(&l, Side::Subject, None, today());
    assert_eq!(
        r.get(FieldName::Number).unwrap().value,
        "91440300708461136T"
    );
}

#[test]
fn two_different_valid_numbers_without_a_label_read_as_none() {
    let l = lines(&[
        (80, &[("440300198512311238", 93.0)]),
        (80, &[("11010519491231002X", 93.0)]),
    ]);
    assert!(extract(&l, Side::Front, None, today())
        .get(FieldName::Number)
        .is_none());
    let one = lines(&[(80, &[("号码:", 90.0), ("11010519491231002X", 93.0)])]);
    let r = extract(&one, Side::Front, None, today());
    assert_eq!(
        r.get(FieldName::Number).unwrap().value,
        "11010519491231002X"
    );
}

fn reading(fields: &[(FieldName, &str, f32)]) -> Reading {
    Reading {
        kind: CardKind::Other,
        fields: fields
            .iter()
            .map(|(f, v, c)| ReadField {
                field: *f,
                value: v.to_string(),
                confidence: *c,
                area: None,
                checked: false,
            })
            .collect(),
        rotation: 0,
        skew: 0.0,
        elapsed_ms: 0,
        error: None,
    }
}

fn person_doc() -> Document {
    let mut d = Document::default();
    d.subject_principal.name = Some("欧阳明".into());
    d.subject_principal.certificate.kind = Some(2);
    d.subject_principal.certificate.number = Some("440300198512311238".into());
    d.subject_principal.certificate.front = Some("m-front".into());
    d.subject_principal.certificate.back = Some("m-back".into());
    d.subject_principal.certificate.valid_from = Some("2016-03-05".into());
    d.subject_principal.certificate.valid_until = Some("2036-03-05".into());
    d.mini_program_principal.same_as_subject_principal = Some(true);
    d
}

#[test]
fn a_printed_number_other_than_the_typed_one_is_a_mismatch_with_the_read_value_masked() {
    let doc = person_doc();
    let mut readings = BTreeMap::new();
    readings.insert(
        "m-front".to_string(),
        reading(&[
            (FieldName::Number, "11010519491231002X", 0.93),
            (FieldName::Name, "欧阳明", 0.95),
        ]),
    );
    let m = mismatches(&doc, &readings, false, &policy());
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].path, "subject_principal.certificate.number");
    assert_eq!(m[0].shown, "1101**********002X");
    // The same reading below the confidence threshold raises nothing.
    readings.insert(
        "m-front".to_string(),
        reading(&[(FieldName::Number, "11010519491231002X", 0.5)]),
    );
    assert!(mismatches(&doc, &readings, false, &policy()).is_empty());
    // Unless it passed its checksum: then a lower confidence suffices.
    if let Some(r) = readings.get_mut("m-front") {
        r.fields[0].checked = true;
    }
    assert_eq!(mismatches(&doc, &readings, false, &policy()).len(), 1);
}

#[test]
fn equal_values_written_differently_are_no_mismatch() {
    let mut doc = person_doc();
    doc.subject_principal.certificate.number = Some(" 4403 0019 8512 3112 38 ".into());
    doc.subject_principal.certificate.valid_from = Some("2016.3.5".into());
    let mut readings = BTreeMap::new();
    readings.insert(
        "m-front".to_string(),
        reading(&[
            (FieldName::Number, "440300198512311238", 0.93),
            (FieldName::Name, "欧阳明", 0.95),
        ]),
    );
    readings.insert(
        "m-back".to_string(),
        reading(&[
            (FieldName::ValidFrom, "2016-03-05", 0.9),
            (FieldName::ValidUntil, "2036-03-05", 0.9),
        ]),
    );
    assert_eq!(mismatches(&doc, &readings, false, &policy()), vec![]);
    doc.subject_principal.certificate.valid_until = Some("长期".into());
    let m = mismatches(&doc, &readings, false, &policy());
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].path.as_str(), m[0].shown.as_str()),
        ("subject_principal.certificate.valid_until", "2036-03-05")
    );
}

#[test]
fn an_individuals_id_front_also_checks_the_subjects_name_and_certificate_address() {
    let mut doc = person_doc();
    doc.subject.name = Some("欧阳明".into());
    doc.subject.certificate.address = Some("广东省深圳市南山区科技园南区12栋302室".into());
    let mut readings = BTreeMap::new();
    readings.insert(
        "m-front".to_string(),
        reading(&[(
            FieldName::Address,
            "广东省深圳市南山区科技园南区12栋301室",
            0.9,
        )]),
    );
    let m = mismatches(&doc, &readings, true, &policy());
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].path, "subject.certificate.address");
    assert_eq!(
        m[0].shown, "广东省深圳市****",
        "a person's address is masked"
    );
    // Not an individual: the person's ID says nothing about the subject.
    assert!(mismatches(&doc, &readings, false, &policy()).is_empty());
}

#[test]
fn prefill_offers_read_values_for_empty_fields_only() {
    let mut doc = Document::default();
    doc.subject.certificate.photo = Some("m-lic".into());
    doc.subject.name = Some("已填写的名称".into());
    let mut readings = BTreeMap::new();
    readings.insert(
        "m-lic".to_string(),
        reading(&[
            (FieldName::Number, "91440300708461136T", 0.93),
            (FieldName::Name, "深圳市星河科技有限公司", 0.95),
            (FieldName::Address, "深圳市南山区高新南七道1号", 0.6),
        ]),
    );
    let p = prefill(&doc, &readings, false, 0.5);
    assert_eq!(
        p,
        vec![
            (
                "subject.certificate.number".to_string(),
                "91440300708461136T".to_string()
            ),
            (
                "subject.certificate.address".to_string(),
                "深圳市南山区高新南七道1号".to_string()
            ),
        ]
    );
    let rows = side_by_side(&doc, &readings, false, &policy());
    let name = rows.iter().find(|r| r.path == "subject.name").unwrap();
    assert!(name.differs);
    assert!(
        !rows
            .iter()
            .find(|r| r.path == "subject.certificate.number")
            .unwrap()
            .differs
    );
}

#[test]
fn numbers_are_masked_to_their_ends() {
    assert_eq!(mask_number("440300198512311238"), "4403**********1238");
    assert_eq!(mask_number("H1234567"), "H1****67");
}

#[test]
fn a_reading_of_another_side_than_the_field_asks_for_is_not_compared() {
    let doc = person_doc();
    let mut licence = reading(&[(FieldName::Number, "91440300708461136T", 0.95)]);
    licence.kind = CardKind::BusinessLicence;
    let readings = BTreeMap::from([("m-front".to_string(), licence)]);
    assert!(mismatches(&doc, &readings, false, &policy()).is_empty());
    assert!(prefill(&doc, &readings, false, 0.5).is_empty());
    // The same reading, its side not recognised, is compared.
    let mut unknown = readings.clone();
    unknown.get_mut("m-front").unwrap().kind = CardKind::Other;
    assert_eq!(mismatches(&doc, &unknown, false, &policy()).len(), 1);
}
