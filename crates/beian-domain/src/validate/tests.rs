//! Each implemented rule made to fire, and a valid document with no issue.

use super::*;
use crate::calendar::Calendar;
use crate::filing::{Actor, Filing, Kind};
use crate::fixtures;
use crate::policy::Policy;
use chrono::{Duration, TimeZone, Utc};

fn now() -> Time {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2025, 1, 31, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn good() -> Document {
    fixtures::enterprise_document(
        "深圳市星河科技有限公司",
        "91440300708461136T",
        "星河记账",
        "face1",
        "m1",
    )
}

fn facts() -> ValidationFacts {
    ValidationFacts {
        app_name: Some("星河记账".into()),
        owner_name: Some("深圳市星河科技有限公司".into()),
        face: Some(FaceFacts {
            id: "face1".into(),
            succeeded: true,
            expires_at: now() + Duration::days(3),
            consumed_by: None,
            identity: Some((2, "440300198512311238".into())),
            name: Some("张三".into()),
        }),
        quota_used: Some(0),
    }
}

fn run(doc: &Document, facts: &ValidationFacts) -> Vec<Issue> {
    let cal = Calendar::embedded();
    let policy = Policy::default();
    let actor = Actor::Applicant("u".into());
    let env = Env {
        now: now(),
        actor: &actor,
        policy: &policy,
        calendar: &cal,
    };
    let (filing, _) = Filing::create(
        "f".into(),
        Kind::New,
        "wx".into(),
        &actor,
        None,
        None,
        now(),
    )
    .unwrap();
    validate(doc, facts, &filing, &env)
}

#[test]
fn the_sample_document_has_no_issue() {
    assert_eq!(run(&good(), &facts()), vec![]);
}

#[test]
fn an_empty_document_reports_every_missing_field_at_once() {
    let issues = run(&Document::default(), &ValidationFacts::default());
    let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
    for f in [
        "subject.nature",
        "subject.name",
        "subject_principal.mobile",
        "mini_program.remark",
        "materials.commitment_letter",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert!(issues.iter().all(Issue::is_blocking));
}

#[test]
fn each_rule_fires_on_its_field() {
    type Mutate = fn(&mut Document, &mut ValidationFacts);
    let cases: Vec<(&str, &str, Mutate)> = vec![
        ("subject.nature", "NATURE_INVALID", |d, _| {
            d.subject.nature = Some(99)
        }),
        ("subject.name", "SUBJECT_NAME_MISMATCH", |d, _| {
            d.subject.name = Some("别的公司".into())
        }),
        ("subject.province", "REGION_INVALID", |d, _| {
            d.subject.city = Some("110100".into())
        }),
        ("subject.address", "ADDRESS_FORMAT", |d, _| {
            d.subject.address = Some("1号".into())
        }),
        (
            "subject.certificate.type",
            "CERT_TYPE_NATURE_MISMATCH",
            |d, _| d.subject.certificate.kind = Some(6),
        ),
        ("subject.certificate.number", "USCC_CHECKSUM", |d, _| {
            d.subject.certificate.number = Some("91440300708461136U".into())
        }),
        ("subject.certificate.number", "USCC_FORMAT", |d, _| {
            d.subject.certificate.number = Some("91440300708461136I".into())
        }),
        ("subject.certificate.photo", "CERT_PHOTO_MISSING", |d, _| {
            d.subject.certificate.photo = None
        }),
        (
            "subject.certificate.address",
            "CERT_ADDRESS_REQUIRED",
            |d, _| d.subject.certificate.address = None,
        ),
        ("subject.remark", "REMARK_TOO_LONG", |d, _| {
            d.subject.remark = Some("长".repeat(201))
        }),
        ("subject_principal.name", "NAME_FORMAT", |d, _| {
            d.subject_principal.name = Some("张3".into())
        }),
        (
            "subject_principal.certificate.type",
            "CERT_TYPE_NOT_PERSONAL",
            |d, _| d.subject_principal.certificate.kind = Some(1),
        ),
        (
            "subject_principal.certificate.number",
            "ID_CHECKSUM",
            |d, _| d.subject_principal.certificate.number = Some("110105194912310021".into()),
        ),
        (
            "subject_principal.certificate.number",
            "ID_BIRTHDATE",
            |d, _| d.subject_principal.certificate.number = Some("11010120000230001X".into()),
        ),
        (
            "subject_principal.certificate.valid_from",
            "CERT_VALIDITY_START",
            |d, _| d.subject_principal.certificate.valid_from = Some("2030-01-01".into()),
        ),
        (
            "subject_principal.certificate.valid_until",
            "CERT_EXPIRING",
            |d, _| d.subject_principal.certificate.valid_until = Some("2025-02-28".into()),
        ),
        (
            "subject_principal.certificate.valid_until",
            "CERT_VALIDITY_END",
            |d, _| {
                d.subject_principal.certificate.kind = Some(7);
                d.subject_principal.certificate.number = Some("E12345678".into());
                d.subject_principal.certificate.valid_until = Some("长期".into());
            },
        ),
        (
            "subject_principal.certificate.front",
            "CERT_PHOTO_MISSING",
            |d, _| d.subject_principal.certificate.back = None,
        ),
        ("subject_principal.mobile", "MOBILE_FORMAT", |d, _| {
            d.subject_principal.mobile = Some("1381234567".into())
        }),
        ("subject_principal.mobile", "MOBILE_NO_SMS", |d, _| {
            d.subject_principal.mobile = Some("14412345678".into())
        }),
        (
            "subject_principal.emergency_mobile",
            "EMERGENCY_FORMAT",
            |d, _| d.subject_principal.emergency_mobile = Some("abc".into()),
        ),
        (
            "subject_principal.emergency_mobile",
            "EMERGENCY_SAME_AS_MOBILE",
            |d, _| d.subject_principal.emergency_mobile = Some("+86 138-0013-8000".into()),
        ),
        ("subject_principal.email", "EMAIL_FORMAT", |d, _| {
            d.subject_principal.email = Some("a..b@x".into())
        }),
        ("legal_representative", "LEGAL_REP_REQUIRED", |d, _| {
            d.subject_principal.is_legal_representative = Some(false);
            d.subject_principal.authorization_letter = Some("m9".into());
        }),
        (
            "subject_principal.authorization_letter",
            "AUTH_LETTER_REQUIRED",
            |d, _| {
                d.subject_principal.is_legal_representative = Some(false);
                d.legal_representative = Some(crate::document::LegalRepresentative {
                    name: Some("王五".into()),
                    certificate: crate::document::LegalRepCertificate {
                        kind: Some(2),
                        number: Some("110101200001010010".into()),
                    },
                });
            },
        ),
        ("mini_program_principal.mobile", "MOBILE_SHARED", |d, f| {
            d.mini_program_principal.same_as_subject_principal = Some(false);
            d.mini_program_principal.person = fixtures::person(
                "李四",
                "110101200001010029",
                "13800138000",
                "13600136000",
                "m1",
            );
            f.face.as_mut().unwrap().identity = Some((2, "110101200001010029".into()));
            f.face.as_mut().unwrap().name = Some("李四".into());
        }),
        (
            "mini_program_principal.face_verification",
            "FACE_REQUIRED",
            |d, _| d.mini_program_principal.face_verification = None,
        ),
        (
            "mini_program_principal.face_verification",
            "FACE_NOT_PASSED",
            |_, f| f.face.as_mut().unwrap().succeeded = false,
        ),
        (
            "mini_program_principal.face_verification",
            "FACE_EXPIRED",
            |_, f| f.face.as_mut().unwrap().expires_at = now(),
        ),
        (
            "mini_program_principal.face_verification",
            "FACE_IDENTITY_MISMATCH",
            |_, f| f.face.as_mut().unwrap().name = Some("李四".into()),
        ),
        ("mini_program.name", "MP_NAME_MISMATCH", |d, _| {
            d.mini_program.name = Some("别的名字".into())
        }),
        (
            "mini_program.service_content_types",
            "SERVICE_TYPES_COUNT",
            |d, _| d.mini_program.service_content_types = Some(vec![]),
        ),
        (
            "mini_program.service_content_types[0]",
            "SERVICE_TYPE_INVALID",
            |d, _| d.mini_program.service_content_types = Some(vec![6]),
        ),
        (
            "mini_program.service_content_types[1]",
            "SERVICE_TYPE_DUPLICATE",
            |d, _| d.mini_program.service_content_types = Some(vec![601, 601]),
        ),
        (
            "mini_program.preapprovals",
            "PRE_APPROVAL_NONE_EXCLUSIVE",
            |d, _| d.mini_program.preapprovals = None,
        ),
        (
            "mini_program.preapprovals[0].document",
            "PRE_APPROVAL_INCOMPLETE",
            |d, _| {
                d.mini_program.preapprovals = Some(vec![crate::document::PreApproval {
                    category: Some(4),
                    approval_number: Some("教审2025-1".into()),
                    document: None,
                }]);
            },
        ),
        (
            "mini_program.preapprovals[1].category",
            "PRE_APPROVAL_DUPLICATE",
            |d, _| {
                let item = crate::document::PreApproval {
                    category: Some(4),
                    approval_number: Some("a".into()),
                    document: Some("m".into()),
                };
                d.mini_program.preapprovals = Some(vec![item.clone(), item]);
            },
        ),
        ("mini_program.languages", "LANGUAGE_INVALID", |d, _| {
            d.mini_program.languages = Some(vec![1, 1])
        }),
        ("mini_program.remark", "MP_REMARK_LENGTH", |d, _| {
            d.mini_program.remark = Some("太短了".into())
        }),
        (
            "materials.commitment_letter",
            "COMMITMENT_NOT_CONFIRMED",
            |d, _| d.materials.commitment_letter = None,
        ),
        (
            "materials.anti_fraud_assessment",
            "ANTI_FRAUD_NOT_CONFIRMED",
            |d, _| d.materials.anti_fraud_assessment = None,
        ),
        ("materials.subject_other", "TOO_MANY_ATTACHMENTS", |d, _| {
            d.materials.subject_other = vec!["m".into(); 11]
        }),
        ("subject", "QUOTA_EXCEEDED", |_, f| f.quota_used = Some(50)),
    ];
    for (field, code, mutate) in cases {
        let (mut d, mut f) = (good(), facts());
        mutate(&mut d, &mut f);
        let issues = run(&d, &f);
        assert!(
            issues.iter().any(|i| i.field == field && i.code == code),
            "{code} on {field} not raised; got {issues:?}"
        );
    }
}

#[test]
fn embedded_org_code_failure_is_only_a_warning() {
    let mut d = good();
    d.subject.nature = Some(7);
    d.subject.certificate.kind = Some(13);
    d.subject.certificate.number = Some("52110000500000001B".into());
    let issues = run(&d, &facts());
    let i = issues
        .iter()
        .find(|i| i.code == "USCC_ORG_CODE")
        .expect("warning raised");
    assert_eq!(i.severity, Severity::Warning);
}

#[test]
fn validity_vectors_of_section_8_3() {
    // Submission 2025-01-31: an end of 2025-02-28 is too close, 2025-03-01 is fine.
    let mut d = good();
    d.subject_principal.certificate.valid_until = Some("2025-03-01".into());
    assert!(run(&d, &facts()).is_empty());
}

#[test]
fn age_vectors_of_section_8_3() {
    let birth = NaiveDate::from_ymd_opt(2007, 3, 15).unwrap();
    assert_eq!(
        age_on(birth, NaiveDate::from_ymd_opt(2025, 3, 14).unwrap()),
        17
    );
    assert_eq!(
        age_on(birth, NaiveDate::from_ymd_opt(2025, 3, 15).unwrap()),
        18
    );
    let leap = NaiveDate::from_ymd_opt(2004, 2, 29).unwrap();
    assert_eq!(
        age_on(leap, NaiveDate::from_ymd_opt(2022, 2, 28).unwrap()),
        17
    );
    assert_eq!(
        age_on(leap, NaiveDate::from_ymd_opt(2022, 3, 1).unwrap()),
        18
    );
}

#[test]
fn catalogue_ids_and_codes_are_well_formed_and_unique() {
    let mut ids: Vec<_> = CATALOGUE.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), CATALOGUE.len());
    assert!(CATALOGUE
        .iter()
        .all(|r| r.id.starts_with("V-") && !r.message.is_empty() && !r.suggestion.is_empty()));
}
