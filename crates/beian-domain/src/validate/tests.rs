//! Each catalogue rule made to fire on its field, and valid documents with no issue.

use super::catalogue::severity;
use super::*;
use crate::calendar::Calendar;
use crate::document::{LegalRepCertificate, LegalRepresentative, PreApproval};
use crate::filing::{Actor, Filing, Kind, RecordFacts, Time};
use crate::fixtures;
use crate::policy::Policy;
use crate::reference::ReferenceData;
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;

fn now() -> Time {
    january_2025(31, 10, 0)
}

/// A time of a day of January 2025, China time.
fn january_2025(day: u32, h: u32, min: u32) -> Time {
    crate::calendar::china_offset()
        .with_ymd_and_hms(2025, 1, day, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

mod sample;
use sample::{calendar, reference};

fn good() -> Document {
    sample::document()
}

fn image(owned: bool) -> MediaFacts {
    MediaFacts {
        owned,
        video: false,
        certificate_type: None,
        reading: None,
    }
}

/// A photo reading that shows `number` with high confidence.
fn read_number(number: &str) -> crate::ocr::Reading {
    crate::ocr::Reading {
        kind: crate::ocr::CardKind::IdFront,
        fields: vec![crate::ocr::ReadField {
            field: crate::ocr::FieldName::Number,
            value: number.into(),
            confidence: 0.95,
            area: None,
            checked: true,
        }],
        rotation: 0,
        skew: 0.0,
        elapsed_ms: 0,
        error: None,
    }
}

#[test]
fn a_photo_mismatch_warns_by_default_and_blocks_when_the_policy_says_so() {
    let mut c = Case::enterprise();
    c.facts.media.as_mut().unwrap().insert(
        "m1".into(),
        MediaFacts {
            reading: Some(read_number("11010519491231002X")),
            ..image(true)
        },
    );
    let found = |c: &Case| {
        c.run()
            .into_iter()
            .filter(|i| {
                i.code == "OCR_MISMATCH" && i.field == "subject_principal.certificate.number"
            })
            .collect::<Vec<_>>()
    };
    let issues = found(&c);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(
        issues[0].message,
        "证件照片上的号码为 1101**********002X，与填写的不一致"
    );
    assert_eq!(issues[0].severity, Severity::Warning);
    c.policy.ocr.mismatch_blocking = true;
    assert_eq!(found(&c)[0].severity, Severity::Error);
    // A reading that agrees raises nothing.
    c.facts.media.as_mut().unwrap().insert(
        "m1".into(),
        MediaFacts {
            reading: Some(read_number("440300198512311238")),
            ..image(true)
        },
    );
    assert_eq!(found(&c), vec![]);
}

fn facts() -> ValidationFacts {
    sample::known_facts(now())
}

/// Everything one validation run depends on, so that a test case can change any of it.
struct Case {
    doc: Document,
    facts: ValidationFacts,
    refs: ReferenceData,
    policy: Policy,
    kind: Kind,
    record: Option<RecordFacts>,
}

impl Case {
    fn enterprise() -> Case {
        Case {
            doc: good(),
            facts: facts(),
            refs: reference().clone(),
            policy: Policy::default(),
            kind: Kind::New,
            record: None,
        }
    }

    /// An individual of Guangdong filing with the resident ID `id`.
    fn individual(id: &str) -> Case {
        let mut c = Case::enterprise();
        c.doc = fixtures::individual_document("张三", id, "星河修图", "face1", "m1");
        c.facts.app_name = Some("星河修图".into());
        c.facts.owner_name = Some("张三".into());
        c.person_id(2, id);
        c
    }

    /// Gives the individual's principal (and so the subject) another certificate.
    fn person_id(&mut self, kind: u32, number: &str) {
        if self.doc.subject.nature == Some(5) {
            self.doc.subject.certificate.kind = Some(kind);
            self.doc.subject.certificate.number = Some(number.into());
        }
        self.doc.subject_principal.certificate.kind = Some(kind);
        self.doc.subject_principal.certificate.number = Some(number.into());
        if let Some(face) = self.facts.face.as_mut() {
            face.identity = Some((kind, number.into()));
        }
    }

    /// Turns the order into a change of the filed `good()` document.
    fn change(&mut self) {
        self.kind = Kind::Change;
        self.record = Some(RecordFacts {
            subject_key: "1:91440300708461136T".into(),
            province: "44".into(),
            subject_number: Some("粤ICP备2025000001号".into()),
            service_number: Some("粤ICP备2025000001号-1X".into()),
            document: Some(good()),
        });
    }

    /// A separate MP principal: another person unless `id` is the subject principal's.
    fn separate_mp_principal(&mut self, id: &str, mobile: &str) {
        self.doc.mini_program_principal.same_as_subject_principal = Some(false);
        self.doc.mini_program_principal.person =
            fixtures::person("李四", id, mobile, "13600136000", "m1");
        if let Some(face) = self.facts.face.as_mut() {
            face.identity = Some((2, id.into()));
            face.name = Some("李四".into());
        }
    }

    fn guangdong(&mut self) -> &mut crate::reference::ProvinceRule {
        self.refs
            .provinces
            .get_mut("44")
            .expect("Guangdong is in the pack")
    }

    fn run(&self) -> Vec<Issue> {
        let actor = Actor::Applicant("u".into());
        let env = Env {
            now: now(),
            actor: &actor,
            policy: &self.policy,
            calendar: calendar(),
            reference: &self.refs,
            code_key: b"test code key",
        };
        let (filing, _) = Filing::create(
            "f".into(),
            self.kind,
            "wx".into(),
            &actor,
            None,
            self.record.clone(),
            now(),
        )
        .unwrap();
        validate(&self.doc, &self.facts, &filing, &env)
    }
}

fn run(doc: &Document, facts: &ValidationFacts) -> Vec<Issue> {
    let mut c = Case::enterprise();
    c.doc = doc.clone();
    c.facts = facts.clone();
    c.run()
}

/// A resident ID with a correct check character (§8.2.1).
fn resident_id(first17: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

#[test]
fn the_sample_document_has_no_issue() {
    assert_eq!(Case::enterprise().run(), vec![]);
}

#[test]
fn the_individual_sample_document_has_no_issue() {
    assert_eq!(Case::individual("440300198512311238").run(), vec![]);
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

type Mutate = fn(&mut Case);

/// (rule, field, what to do): every rule of the catalogue that `validate` checks.
fn cases() -> Vec<(&'static str, &'static str, Mutate)> {
    vec![
        ("V-REQ-001", "subject.name", |c| c.doc.subject.name = None),
        ("V-ID-001", "subject_principal.certificate.type", |c| {
            c.doc.subject_principal.certificate.kind = Some(1)
        }),
        ("V-ID-002", "subject_principal.certificate.number", |c| {
            c.doc.subject_principal.certificate.number = Some("1234".into())
        }),
        ("V-ID-003", "subject_principal.certificate.number", |c| {
            c.doc.subject_principal.certificate.number = Some("990101199001010019".into())
        }),
        ("V-ID-004", "subject_principal.certificate.number", |c| {
            c.doc.subject_principal.certificate.number = Some("11010120000230001X".into())
        }),
        ("V-ID-005", "subject_principal.certificate.number", |c| {
            c.doc.subject_principal.certificate.number = Some("110105194912310021".into())
        }),
        ("V-ID-006", "subject_principal.certificate.number", |c| {
            c.person_id(41, "830000199001010039")
        }),
        ("V-ID-007", "subject_principal.certificate.number", |c| {
            c.person_id(30, "USA12345")
        }),
        ("V-ID-008", "subject_principal.certificate.number", |c| {
            c.person_id(30, "932682198501010018")
        }),
        ("V-ID-009", "subject_principal.certificate.number", |c| {
            c.person_id(7, "ABCDE")
        }),
        ("V-ID-010", "subject_principal.certificate.number", |c| {
            c.person_id(7, "EI1234567")
        }),
        ("V-ID-011", "subject_principal.certificate.number", |c| {
            c.person_id(14, "X12345678")
        }),
        ("V-ID-012", "subject_principal.certificate.number", |c| {
            c.person_id(11, "1234")
        }),
        ("V-ID-005", "legal_representative.certificate.number", |c| {
            c.doc.subject_principal.is_legal_representative = Some(false);
            c.doc.legal_representative = Some(LegalRepresentative {
                name: Some("王五".into()),
                certificate: LegalRepCertificate {
                    kind: Some(2),
                    number: Some("110105194912310021".into()),
                },
            });
        }),
        ("V-PER-001", "subject_principal.name", |c| {
            c.doc.subject_principal.name = Some("张3".into())
        }),
        (
            "V-PER-002",
            "subject_principal.certificate.valid_from",
            |c| c.doc.subject_principal.certificate.valid_from = Some("2030-01-01".into()),
        ),
        (
            "V-PER-003",
            "subject_principal.certificate.valid_until",
            |c| {
                c.person_id(7, "E12345678");
                c.doc.subject_principal.certificate.valid_until = Some("长期".into());
            },
        ),
        (
            "V-PER-004",
            "subject_principal.certificate.valid_until",
            |c| c.doc.subject_principal.certificate.valid_until = Some("2025-02-28".into()),
        ),
        ("V-PER-004", "subject.certificate.valid_until", |c| {
            c.doc.subject.certificate.valid_until = Some("2025-02-28".into())
        }),
        ("V-PER-005", "subject_principal.certificate.back", |c| {
            c.doc.subject_principal.certificate.back = None
        }),
        ("V-PER-005", "subject_principal.certificate.front", |c| {
            c.doc.subject_principal.certificate.front = None
        }),
        ("V-PER-006", "subject_principal.mobile", |c| {
            c.doc.subject_principal.mobile = Some("1381234567".into())
        }),
        ("V-PER-007", "subject_principal.mobile", |c| {
            c.doc.subject_principal.mobile = Some("14412345678".into())
        }),
        ("V-PER-008", "subject_principal.emergency_mobile", |c| {
            c.doc.subject_principal.emergency_mobile = Some("abc".into())
        }),
        ("V-PER-009", "subject_principal.emergency_mobile", |c| {
            c.doc.subject_principal.emergency_mobile = Some("+86 138-0013-8000".into())
        }),
        ("V-PER-010", "mini_program_principal.mobile", |c| {
            c.separate_mp_principal("110101200001010029", "13800138000")
        }),
        ("V-PER-011", "subject_principal.mobile", |c| {
            c.facts.mobiles_used_elsewhere = vec!["13800138000".into()]
        }),
        ("V-PER-012", "subject_principal.email", |c| {
            c.doc.subject_principal.email = Some("a..b@x".into())
        }),
        ("V-PER-013", "mini_program_principal.email", |c| {
            c.separate_mp_principal("110101200001010029", "13700137000")
        }),
        ("V-PER-014", "mini_program_principal", |c| {
            c.separate_mp_principal("440300198512311238", "13700137000")
        }),
        (
            "V-PER-015",
            "mini_program_principal.emergency_mobile",
            |c| {
                c.guangdong().emergency_third_party = true;
                c.separate_mp_principal("110101200001010029", "13700137000");
                c.doc.mini_program_principal.person.emergency_mobile = Some("13800138000".into());
            },
        ),
        ("V-SUB-001", "subject.nature", |c| {
            c.doc.subject.nature = Some(99)
        }),
        ("V-ORG-001", "subject.certificate.type", |c| {
            c.doc.subject.certificate.kind = Some(6)
        }),
        ("V-ORG-002", "subject.certificate.number", |c| {
            c.doc.subject.certificate.number = Some("91440300708461136I".into())
        }),
        ("V-ORG-003", "subject.certificate.number", |c| {
            c.doc.subject.certificate.number = Some("91440300708461136U".into())
        }),
        ("V-ORG-004", "subject.certificate.number", |c| {
            c.doc.subject.nature = Some(7);
            c.doc.subject.certificate.kind = Some(13);
            c.doc.subject.certificate.number = Some("52110000500000001B".into());
        }),
        ("V-ORG-005", "subject.certificate.number", |c| {
            c.doc.subject.nature = Some(6);
            c.doc.subject.certificate.kind = Some(13);
        }),
        ("V-ORG-006", "subject.certificate.number", |c| {
            c.doc.subject.nature = Some(2);
            c.doc.subject.certificate.kind = Some(3);
            c.doc.subject.certificate.number = Some("D2143569-1".into());
        }),
        ("V-ORG-007", "subject.certificate.number", |c| {
            c.doc.subject.nature = Some(3);
            c.doc.subject.certificate.kind = Some(4);
            c.doc.subject.certificate.number = Some("91440300708461136U".into());
        }),
        ("V-ORG-008", "subject.certificate.number", |c| {
            c.doc.subject.nature = Some(1);
            c.doc.subject.certificate.kind = Some(5);
            c.doc.subject.certificate.number = Some("!".into());
        }),
        ("V-ORG-009", "subject.name", |c| {
            c.doc.subject.name = Some("别的公司".into())
        }),
        ("V-ORG-010", "subject.certificate.number", |c| {
            *c = Case::individual("440300198512311238");
            c.doc.subject.certificate.number = Some("110101200001010010".into());
        }),
        ("V-ORG-011", "subject.certificate.address", |c| {
            c.doc.subject.certificate.address = None
        }),
        ("V-ORG-012", "subject.certificate.photo", |c| {
            c.doc.subject.certificate.photo = None
        }),
        ("V-SUB-002", "legal_representative", |c| {
            c.doc.subject_principal.is_legal_representative = Some(false);
            c.doc.subject_principal.authorization_letter = Some("m1".into());
        }),
        ("V-SUB-003", "subject_principal.authorization_letter", |c| {
            c.doc.subject_principal.is_legal_representative = Some(false);
            c.doc.legal_representative = Some(LegalRepresentative {
                name: Some("王五".into()),
                certificate: LegalRepCertificate {
                    kind: Some(2),
                    number: Some("110101200001010010".into()),
                },
            });
        }),
        (
            "V-SUB-004",
            "subject_principal.is_legal_representative",
            |c| c.doc.subject_principal.is_legal_representative = Some(false),
        ),
        ("V-SUB-005", "legal_representative.certificate", |c| {
            c.doc.subject_principal.is_legal_representative = Some(false);
            c.doc.subject_principal.authorization_letter = Some("m1".into());
            c.doc.legal_representative = Some(LegalRepresentative {
                name: Some("张三".into()),
                certificate: LegalRepCertificate {
                    kind: Some(2),
                    number: Some("440300198512311238".into()),
                },
            });
        }),
        ("V-SUB-006", "legal_representative", |c| {
            *c = Case::individual("440300198512311238");
            c.doc.legal_representative = Some(LegalRepresentative {
                name: Some("张三".into()),
                ..Default::default()
            });
        }),
        ("V-SUB-007", "subject.remark", |c| {
            c.doc.subject.remark = Some("长".repeat(201))
        }),
        ("V-SUB-008", "subject.residence_proof", |c| {
            *c = Case::individual("110101200001010010")
        }),
        ("V-SUB-009", "materials.name_change_letter", |c| {
            c.change();
            c.doc.subject.name = Some("深圳市银河科技有限公司".into());
        }),
        ("V-SUB-010", "subject.nature", |c| {
            c.change();
            c.doc.subject.nature = Some(15);
        }),
        ("V-SUB-010", "subject.certificate.number", |c| {
            c.change();
            c.doc.subject.certificate.number = Some("91110108MA01ABC17L".into());
        }),
        ("V-SUB-011", "subject.province", |c| {
            c.change();
            if let Some(r) = c.record.as_mut() {
                r.province = "11".into();
            }
        }),
        ("V-REG-001", "subject.city", |c| {
            c.doc.subject.city = Some("110100".into())
        }),
        ("V-REG-001", "subject.province", |c| {
            c.doc.subject.province = Some("810000".into())
        }),
        ("V-REG-001", "subject.district", |c| {
            c.doc.subject.district = Some("440106".into())
        }),
        ("V-REG-002", "subject.address", |c| {
            c.doc.subject.address = Some("1号".into())
        }),
        ("V-REG-003", "subject.address", |c| {
            c.doc.subject.address = Some("广东省深圳市南山区高新南七道1号".into())
        }),
        ("V-REG-004", "subject.address", |c| {
            c.doc.subject.address = Some("科技园旁广州市天河路1号".into())
        }),
        ("V-REG-005", "subject.province", |c| {
            c.doc.subject.certificate.number = Some("91110108MA01ABC17L".into())
        }),
        ("V-REG-006", "subject.certificate.address", |c| {
            c.guangdong().same_city_address = true;
            c.doc.subject.certificate.address = Some("广州市天河区天河路1号".into());
        }),
        (
            "V-MP-001",
            "mini_program_principal.face_verification",
            |c| c.doc.mini_program_principal.face_verification = None,
        ),
        (
            "V-MP-002",
            "mini_program_principal.face_verification",
            |c| {
                if let Some(f) = c.facts.face.as_mut() {
                    f.succeeded = false
                }
            },
        ),
        (
            "V-MP-003",
            "mini_program_principal.face_verification",
            |c| {
                if let Some(f) = c.facts.face.as_mut() {
                    f.expires_at = now()
                }
            },
        ),
        (
            "V-MP-004",
            "mini_program_principal.face_verification",
            |c| {
                if let Some(f) = c.facts.face.as_mut() {
                    f.name = Some("李四".into())
                }
            },
        ),
        (
            "V-MP-005",
            "mini_program_principal.authorization_letter",
            |c| {
                c.separate_mp_principal("110101200001010029", "13700137000");
                c.doc.mini_program_principal.person.is_legal_representative = Some(false);
            },
        ),
        ("V-MP-006", "mini_program_principal", |c| {
            *c = Case::individual("440300198512311238");
            c.separate_mp_principal("110101200001010029", "13500135000");
        }),
        ("V-MP-007", "mini_program.service_content_types", |c| {
            c.doc.mini_program.service_content_types = Some(vec![])
        }),
        ("V-MP-008", "mini_program.service_content_types[0]", |c| {
            c.doc.mini_program.service_content_types = Some(vec![6])
        }),
        ("V-MP-008", "mini_program.service_content_types[1]", |c| {
            c.doc.mini_program.service_content_types = Some(vec![601, 1101])
        }),
        ("V-MP-009", "mini_program.service_content_types[1]", |c| {
            c.doc.mini_program.service_content_types = Some(vec![601, 601])
        }),
        ("V-MP-010", "mini_program.service_content_types[1]", |c| {
            *c = Case::individual("440300198512311238");
            c.doc.mini_program.service_content_types = Some(vec![601, 201]);
        }),
        ("V-MP-011", "mini_program.preapprovals", |c| {
            c.doc.mini_program.preapprovals = None
        }),
        ("V-MP-011", "mini_program.preapprovals", |c| {
            c.doc.mini_program.preapprovals = Some(vec![PreApproval {
                category: Some(0),
                ..Default::default()
            }]);
        }),
        ("V-MP-012", "mini_program.preapprovals[1].category", |c| {
            let item = PreApproval {
                category: Some(4),
                approval_number: Some("a".into()),
                document: Some("m1".into()),
            };
            c.doc.mini_program.preapprovals = Some(vec![item.clone(), item]);
        }),
        ("V-MP-012", "mini_program.preapprovals[0].category", |c| {
            c.doc.mini_program.preapprovals = Some(vec![PreApproval {
                category: Some(64),
                approval_number: Some("a".into()),
                document: Some("m1".into()),
            }]);
        }),
        ("V-MP-013", "mini_program.preapprovals[0].document", |c| {
            c.doc.mini_program.preapprovals = Some(vec![PreApproval {
                category: Some(4),
                approval_number: Some("教审2025-1".into()),
                document: None,
            }]);
        }),
        ("V-MP-014", "mini_program.preapprovals", |c| {
            c.doc.mini_program.service_content_types = Some(vec![601, 305])
        }),
        ("V-MP-015", "mini_program.languages", |c| {
            c.doc.mini_program.languages = Some(vec![1, 1])
        }),
        ("V-MP-015", "mini_program.languages", |c| {
            c.doc.mini_program.languages = Some(vec![18])
        }),
        ("V-MP-016", "mini_program.remark", |c| {
            c.doc.mini_program.remark = Some("太短了".into())
        }),
        ("V-MP-017", "mini_program.name", |c| {
            c.doc.mini_program.name = Some("别的名字".into())
        }),
        ("V-MP-018", "mini_program.name", |c| {
            c.doc.mini_program.name = Some("中国星河".into());
            c.facts.app_name = Some("中国星河".into());
        }),
        ("V-MP-019", "mini_program.name", |c| {
            c.doc.mini_program.name = Some("12345".into());
            c.facts.app_name = Some("12345".into());
        }),
        ("V-MP-019", "mini_program.name", |c| {
            c.doc.mini_program.name = Some("Star Notes 2".into());
            c.facts.app_name = Some("Star Notes 2".into());
        }),
        ("V-MP-019", "mini_program.name", |c| {
            c.doc.mini_program.name = Some("星河★记账".into());
            c.facts.app_name = Some("星河★记账".into());
        }),
        ("V-MP-020", "mini_program.name", |c| {
            c.doc.mini_program.name = Some("星河博彩".into());
            c.facts.app_name = Some("星河博彩".into());
        }),
        ("V-MP-021", "mini_program.name", |c| {
            c.facts.other_service_names = vec!["星河天气".into(), "星河记账".into()]
        }),
        ("V-MP-022", "mini_program.name", |c| {
            *c = Case::individual("440300198512311238");
            c.doc.mini_program.name = Some("星河修图旗舰".into());
            c.facts.app_name = Some("星河修图旗舰".into());
        }),
        ("V-MP-023", "mini_program.appid", |c| {
            c.change();
            c.doc.mini_program.appid = Some("wxother".into());
        }),
        ("V-MAT-001", "materials.commitment_letter", |c| {
            c.doc.materials.commitment_letter = None
        }),
        ("V-MAT-002", "materials.anti_fraud_assessment", |c| {
            c.doc.materials.anti_fraud_assessment = None
        }),
        ("V-MAT-003", "materials.subject_other", |c| {
            c.doc.materials.subject_other = vec!["m1".into(); 11]
        }),
        ("V-MAT-004", "subject.certificate.photo", |c| {
            c.doc.subject.certificate.photo = Some("nope".into())
        }),
        ("V-MAT-004", "materials.signed_forms[0]", |c| {
            c.doc.materials.signed_forms = vec!["theirs".into()];
            if let Some(m) = c.facts.media.as_mut() {
                m.insert("theirs".into(), image(false));
            }
        }),
        ("V-MAT-004", "materials.promise_video", |c| {
            c.doc
                .materials
                .province_slots
                .insert("promise_video".into(), "m1".into());
        }),
        ("V-MAT-005", "subject_principal.certificate.front", |c| {
            if let Some(m) = c.facts.media.as_mut() {
                m.insert(
                    "m1".into(),
                    MediaFacts {
                        certificate_type: Some(1),
                        ..image(true)
                    },
                );
            }
        }),
        ("V-OCR-001", "subject_principal.certificate.number", |c| {
            if let Some(m) = c.facts.media.as_mut() {
                m.insert(
                    "m1".into(),
                    MediaFacts {
                        reading: Some(read_number("11010519491231002X")),
                        ..image(true)
                    },
                );
            }
        }),
        ("V-MAT-006", "materials.signed_forms", |c| {
            c.doc.materials.signed_forms = vec![]
        }),
        (
            "V-MAT-006",
            "materials.authenticity_commitment_letter",
            |c| c.guangdong().required_materials = vec!["authenticity_commitment_letter".into()],
        ),
        ("V-POL-001", "subject", |c| c.facts.quota_used = Some(50)),
        ("V-POL-002", "subject.province", |c| {
            c.facts.subject_provinces = vec!["44".into(), "11".into()]
        }),
        ("V-POL-003", "subject", |c| {
            c.facts.subject_busy = Some(true)
        }),
        ("V-POL-004", "subject_principal", |c| {
            *c = Case::individual(&resident_id("44030020120101001"))
        }),
        ("V-POL-005", "subject.province", |c| {
            *c = Case::individual("110101200001010010");
            c.guangdong().non_local = crate::reference::NonLocal::NotAccepted;
        }),
        ("V-POL-006", "subject_principal.certificate.type", |c| {
            *c = Case::individual("440300198512311238");
            c.person_id(7, "E12345678");
            c.doc.subject_principal.birth_date = Some("1985-12-31".into());
            c.doc.subject.residence_proof = Some(vec!["m1".into()]);
            c.guangdong().foreign_individuals = false;
        }),
        ("V-POL-007", "mini_program.appid", |c| {
            c.facts.app_filed = Some(true)
        }),
        ("V-POL-008", "mini_program", |c| {
            c.facts.preconditions_met = Some(false)
        }),
        ("V-POL-009", "subject.province", |c| {
            c.guangdong().paused = true
        }),
        ("V-POL-009", "mini_program.name", |c| {
            c.refs.name_rules.entry_blocked_words = vec!["记账".into()]
        }),
        ("V-POL-010", "mini_program", |c| {
            c.policy.submissions_daily_per_mp = 3;
            c.facts.submissions_today = Some(3);
        }),
        ("V-POL-011", "subject.name", |c| {
            c.facts.recorded_subject_name = Some("深圳市银河科技有限公司".into())
        }),
    ]
}

/// Rules `validate` never raises, and where they are checked instead.
const NOT_RAISED_BY_VALIDATE: [(&str, &str); 3] = [
    (
        "V-REQ-002",
        "raised by Filing::decide when a round has no recipient",
    ),
    (
        "V-PER-016",
        "needs a prefix-to-province dataset, which does not exist (§8.2.8 item 5)",
    ),
    (
        "V-MAT-007",
        "enforced when the file is uploaded (routes/media.rs)",
    ),
];

#[test]
fn each_rule_fires_on_its_field() {
    for (rule_id, field, mutate) in cases() {
        let mut c = Case::enterprise();
        mutate(&mut c);
        let issues = c.run();
        let expected = rule(rule_id).expect("a catalogue rule");
        assert!(
            issues
                .iter()
                .any(|i| i.rule == rule_id && i.field == field && i.code == expected.code),
            "{rule_id} ({}) on {field} not raised; got {issues:?}",
            expected.code
        );
    }
}

#[test]
fn every_catalogue_rule_has_a_firing_case_or_a_reason() {
    let covered: Vec<&str> = cases().iter().map(|(id, _, _)| *id).collect();
    for r in CATALOGUE {
        let exempt = NOT_RAISED_BY_VALIDATE.iter().any(|(id, _)| *id == r.id);
        assert!(
            covered.contains(&r.id) != exempt,
            "{}: needs exactly one of a firing case or an exemption",
            r.id
        );
    }
    assert_eq!(no_recipient_issue().rule, "V-REQ-002");
}

#[test]
fn messages_fill_in_their_placeholders() {
    let message = |rule_id: &str, mutate: Mutate| {
        let mut c = Case::enterprise();
        mutate(&mut c);
        c.run()
            .into_iter()
            .find(|i| i.rule == rule_id)
            .map(|i| i.message)
            .unwrap_or_default()
    };
    assert_eq!(
        message("V-MP-018", |c| {
            c.doc.mini_program.name = Some("国家星河".into());
            c.facts.app_name = Some("国家星河".into());
        }),
        "名称不能以\"国家\"开头"
    );
    assert_eq!(
        message("V-POL-002", |c| c.facts.subject_provinces =
            vec!["11".into()]),
        "该主体已在北京备案，同一主体只能在一个省份备案"
    );
    assert_eq!(
        message("V-POL-004", |c| *c =
            Case::individual(&resident_id("44030020120101001"))),
        "个人备案须年满16周岁"
    );
    assert_eq!(
        message("V-MAT-006", |c| c.doc.materials.signed_forms = vec![]),
        "该省要求提供签字版承诺书"
    );
}

#[test]
fn warnings_never_block() {
    let blocking = |mutate: Mutate| {
        let mut c = Case::enterprise();
        mutate(&mut c);
        c.run()
    };
    // Shenzhen enterprise with a Beijing credit code; a service that hints at an approval.
    let issues = blocking(|c| {
        c.doc.subject.certificate.number = Some("91110108MA01ABC17L".into());
        c.doc.mini_program.service_content_types = Some(vec![601, 305]);
    });
    let codes: Vec<_> = issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["WARN_PROVINCE_VS_CERT", "WARN_PRE_APPROVAL_SUGGESTED"]
    );
    assert!(issues.iter().all(|i| !i.is_blocking()));
    // Where a province's policy on non-local individuals is unknown: a warning only.
    let mut c = Case::individual("440300198512311238");
    c.refs.provinces.get_mut("44").unwrap().non_local = crate::reference::NonLocal::Unknown;
    c.doc.subject_principal.certificate.number = Some("110101200001010010".into());
    c.doc.subject.certificate.number = Some("110101200001010010".into());
    c.facts.face.as_mut().unwrap().identity = Some((2, "110101200001010010".into()));
    let issues = c.run();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(
        (issues[0].code.as_str(), issues[0].severity),
        ("WARN_NON_LOCAL_UNKNOWN", Severity::Warning)
    );
}

#[test]
fn individual_rules_follow_the_province_pack() {
    // A passport holder must give a birth date; with it, Guangdong accepts them with proof.
    let mut c = Case::individual("440300198512311238");
    c.person_id(7, "E12345678");
    c.doc.subject_principal.certificate.back = None;
    let fields: Vec<_> = c.run().into_iter().map(|i| i.field).collect();
    assert_eq!(
        fields,
        vec!["subject_principal.birth_date", "subject.residence_proof"]
    );
    c.doc.subject_principal.birth_date = Some("1990-05-01".into());
    c.doc.subject.residence_proof = Some(vec!["m1".into()]);
    assert_eq!(c.run(), vec![]);
    // Age is computed on the submission date against the province's minimum (16 here).
    let sixteen = resident_id("44030020090131001");
    assert_eq!(Case::individual(&sixteen).run(), vec![]);
    let almost = resident_id("44030020090201001");
    let issues = Case::individual(&almost).run();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, "UNDER_AGE");
    // Without a pack value the configured minimum (18) applies.
    let mut c = Case::individual(&sixteen);
    c.refs.provinces.get_mut("44").unwrap().min_age = None;
    assert_eq!(c.run()[0].message, "个人备案须年满18周岁");
}

#[test]
fn region_chain_and_address_rules() {
    let run = |province: &str, city: &str, district: &str, address: &str| {
        let mut c = Case::enterprise();
        c.doc.subject.province = Some(province.into());
        c.doc.subject.city = Some(city.into());
        c.doc.subject.district = Some(district.into());
        c.doc.subject.address = Some(address.into());
        // V-REG-005 would compare the Shenzhen credit code with the province chosen here.
        c.run()
            .into_iter()
            .filter(|i| i.rule.starts_with("V-REG") && i.rule != "V-REG-005")
            .map(|i| (i.rule, i.field))
            .collect::<Vec<_>>()
    };
    // 东莞 has no districts: its own code stands in.
    assert_eq!(run("440000", "441900", "441900", "松山湖大道1号"), vec![]);
    // A municipality's placeholder city is no address prefix; its districts are.
    assert_eq!(run("110000", "110100", "110105", "建国路1号院"), vec![]);
    assert_eq!(
        run("110000", "110100", "110105", "朝阳区建国路1号"),
        vec![("V-REG-003".to_string(), "subject.address".to_string())]
    );
    // Street names that begin like a district's short name are fine (南山大道 in 南山区).
    assert_eq!(run("440000", "440300", "440305", "南山大道1088号"), vec![]);
    // Not a chain; bad codes never panic.
    assert_eq!(
        run("440000", "440300", "110105", "高新南七道1号")[0].1,
        "subject.district"
    );
    assert_eq!(
        run("44000０", "440300", "440305", "高新南七道1号")[0].1,
        "subject.province"
    );
    assert_eq!(
        run("440000", "4403", "440305", "高新南七道1号")[0].1,
        "subject.city"
    );
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
fn daily_submissions_reset_at_ten() {
    let at = |h: u32| january_2025(31, h, 30);
    let ten = |day: u32| january_2025(day, 10, 0);
    assert_eq!(daily_reset(at(9)), ten(30));
    assert_eq!(daily_reset(at(10)), ten(31));
    assert_eq!(daily_reset(at(23)), ten(31));
}

#[test]
fn principal_mobiles_are_normalised() {
    let mut d = good();
    d.subject_principal.mobile = Some("+86 138-0013-8000".into());
    d.mini_program_principal.same_as_subject_principal = Some(false);
    d.mini_program_principal.person.mobile = Some("13700137000".into());
    assert_eq!(
        principal_mobiles(&d, &Policy::default()),
        vec!["13700137000".to_string(), "13800138000".to_string()]
    );
}

#[test]
fn catalogue_holds_every_rule_of_section_8_4() {
    const SECTION_8_4: [&str; 98] = [
        "V-ID-001",
        "V-ID-002",
        "V-ID-003",
        "V-ID-004",
        "V-ID-005",
        "V-ID-006",
        "V-ID-007",
        "V-ID-008",
        "V-ID-009",
        "V-ID-010",
        "V-ID-011",
        "V-ID-012",
        "V-PER-001",
        "V-PER-002",
        "V-PER-003",
        "V-PER-004",
        "V-PER-005",
        "V-PER-006",
        "V-PER-007",
        "V-PER-008",
        "V-PER-009",
        "V-PER-010",
        "V-PER-011",
        "V-PER-012",
        "V-PER-013",
        "V-PER-014",
        "V-PER-015",
        "V-PER-016",
        "V-SUB-001",
        "V-ORG-001",
        "V-ORG-002",
        "V-ORG-003",
        "V-ORG-004",
        "V-ORG-005",
        "V-ORG-006",
        "V-ORG-007",
        "V-ORG-008",
        "V-ORG-009",
        "V-ORG-010",
        "V-ORG-011",
        "V-ORG-012",
        "V-SUB-002",
        "V-SUB-003",
        "V-SUB-004",
        "V-SUB-005",
        "V-SUB-006",
        "V-SUB-007",
        "V-SUB-008",
        "V-SUB-009",
        "V-SUB-010",
        "V-SUB-011",
        "V-REG-001",
        "V-REG-002",
        "V-REG-003",
        "V-REG-004",
        "V-REG-005",
        "V-REG-006",
        "V-MP-001",
        "V-MP-002",
        "V-MP-003",
        "V-MP-004",
        "V-MP-005",
        "V-MP-006",
        "V-MP-007",
        "V-MP-008",
        "V-MP-009",
        "V-MP-010",
        "V-MP-011",
        "V-MP-012",
        "V-MP-013",
        "V-MP-014",
        "V-MP-015",
        "V-MP-016",
        "V-MP-017",
        "V-MP-018",
        "V-MP-019",
        "V-MP-020",
        "V-MP-021",
        "V-MP-022",
        "V-MP-023",
        "V-MAT-001",
        "V-MAT-002",
        "V-MAT-003",
        "V-MAT-004",
        "V-MAT-005",
        "V-MAT-006",
        "V-MAT-007",
        "V-POL-001",
        "V-POL-002",
        "V-POL-003",
        "V-POL-004",
        "V-POL-005",
        "V-POL-006",
        "V-POL-007",
        "V-POL-008",
        "V-POL-009",
        "V-POL-010",
        "V-POL-011",
    ];
    for id in SECTION_8_4 {
        assert!(rule(id).is_some(), "{id} missing from CATALOGUE");
    }
    let ours: Vec<_> = CATALOGUE
        .iter()
        .map(|r| r.id)
        .filter(|id| !SECTION_8_4.contains(id))
        .collect();
    // Ours: the two V-REQ rows, and the certificate photo cross-check (docs/domain.md, beyond the contract).
    assert_eq!(ours, vec!["V-REQ-001", "V-REQ-002", "V-OCR-001"]);
    // Spot checks of the verbatim texts.
    let r = rule("V-PER-011").unwrap();
    assert_eq!(
        (r.code, r.message, r.suggestion),
        (
            "MOBILE_USED_BY_OTHER_SUBJECT",
            "该手机号码已被其他备案主体使用",
            "请使用本人名下、未用于其他主体的号码"
        )
    );
    assert_eq!(rule("V-MAT-006").unwrap().message, "该省要求提供{材料名}");
    assert!(VARIANTS.iter().all(|v| rule(v.id).is_some()));
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
    // Severity follows the code alone (§8.1).
    for r in CATALOGUE {
        let warning =
            r.code.starts_with("WARN_") || r.code == "USCC_ORG_CODE" || r.code == "OCR_MISMATCH";
        assert_eq!(severity(r.code) == Severity::Warning, warning, "{}", r.id);
    }
}

#[test]
fn failed_photo_checks_block_every_field_that_uses_the_media() {
    let mut c = Case::enterprise();
    assert!(c.run().is_empty(), "{:?}", c.run());
    c.facts.media_failed_checks = BTreeMap::from([(
        "m1".to_string(),
        vec!["MEDIA_BLUR".to_string(), "FACE_COUNT".to_string()],
    )]);
    let issues = c.run();
    assert!(!issues.is_empty());
    // Only the document checks are catalogued; a face finding never reaches a field.
    assert!(issues
        .iter()
        .all(|i| i.code == "MEDIA_BLUR" && i.rule == "V-MAT-007" && i.severity == Severity::Error));
    assert!(issues
        .iter()
        .any(|i| i.field == "subject.certificate.photo"));
    assert_eq!(issues[0].message, "图片模糊，无法辨认证件内容");
}
