//! Known-good sample documents, shared by tests, the demo seed and the README.
//!
//! The numbers are the synthetic or published vectors of domain.md §8.3.

use crate::document::*;

/// A person with a valid resident ID, distinct mobiles and photos.
pub fn person(name: &str, id_number: &str, mobile: &str, emergency: &str, photo: &str) -> Person {
    Person {
        name: Some(name.into()),
        certificate: PersonCertificate {
            kind: Some(2),
            number: Some(id_number.into()),
            valid_from: Some("2020-01-01".into()),
            valid_until: Some("2040-01-01".into()),
            front: Some(photo.into()),
            back: Some(photo.into()),
        },
        birth_date: None,
        mobile: Some(mobile.into()),
        emergency_mobile: Some(emergency.into()),
        email: Some("zs@example.com".into()),
        is_legal_representative: Some(true),
        authorization_letter: None,
    }
}

/// An enterprise (nature 4) in Shenzhen, Guangdong, that passes every rule.
///
/// `credit_code` must be a valid USCC of Guangdong (e.g. `91440300708461136T`); `photo` is
/// the media id used for every photo, and for the signed forms Guangdong requires (§9).
pub fn enterprise_document(
    subject_name: &str,
    credit_code: &str,
    mp_name: &str,
    face: &str,
    photo: &str,
) -> Document {
    Document {
        subject: Subject {
            nature: Some(4),
            name: Some(subject_name.into()),
            province: Some("440000".into()),
            city: Some("440300".into()),
            district: Some("440305".into()),
            address: Some("高新南七道1号".into()),
            certificate: SubjectCertificate {
                kind: Some(1),
                number: Some(credit_code.into()),
                address: Some("深圳市南山区高新南七道1号".into()),
                valid_until: Some("长期".into()),
                photo: Some(photo.into()),
            },
            residence_proof: None,
            remark: Some(String::new()),
        },
        subject_principal: person(
            "张三",
            "440300198512311238",
            "13800138000",
            "13900139000",
            photo,
        ),
        legal_representative: None,
        mini_program: MiniProgram {
            appid: None,
            name: Some(mp_name.into()),
            service_content_types: Some(vec![601, 603]),
            preapprovals: Some(vec![]),
            languages: Some(vec![1]),
            remark: Some("为个人用户提供记账、账单分类与月度统计功能，不涉及支付与理财。".into()),
        },
        mini_program_principal: MiniProgramPrincipal {
            same_as_subject_principal: Some(true),
            face_verification: Some(face.into()),
            person: Person::default(),
        },
        materials: Materials {
            commitment_letter: Some(Confirmation {
                confirmed: true,
                hash: None,
            }),
            authenticity_form: Some(Confirmation {
                confirmed: true,
                hash: None,
            }),
            anti_fraud_assessment: Some(AntiFraud {
                answers: Default::default(),
                confirmed: true,
                hash: None,
            }),
            signed_forms: vec![photo.into()],
            ..Materials::default()
        },
    }
}

/// An individual (nature 5) in Shenzhen with a local resident ID, filing a personal tool
/// (individual-selectable service types, no commercial words), that passes every rule.
///
/// `id_number` must be a valid Guangdong resident ID of an adult (e.g. `440300198512311238`).
pub fn individual_document(
    name: &str,
    id_number: &str,
    mp_name: &str,
    face: &str,
    photo: &str,
) -> Document {
    let mut doc = enterprise_document(name, id_number, mp_name, face, photo);
    doc.subject.nature = Some(5);
    doc.subject.certificate = SubjectCertificate {
        kind: Some(2),
        number: Some(id_number.into()),
        address: None,
        valid_until: None,
        photo: None,
    };
    doc.subject_principal = person(name, id_number, "13700137000", "13600136000", photo);
    doc.mini_program.service_content_types = Some(vec![602, 605]);
    doc.mini_program.remark =
        Some("个人制作的图片处理小工具，提供裁剪、拼图与水印功能，不涉及交易。".into());
    doc
}
