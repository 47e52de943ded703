//! The application document (api.md "The application document", domain.md §6).
//!
//! Every field is optional on the wire: a draft is saved whatever it holds, and
//! validation reports what is missing. Wrong JSON types are refused at the
//! boundary by serde (400), never half-read.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The whole application of a `new` or `change` order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub subject: Subject,
    pub subject_principal: Person,
    pub legal_representative: Option<LegalRepresentative>,
    pub mini_program: MiniProgram,
    pub mini_program_principal: MiniProgramPrincipal,
    pub materials: Materials,
}

/// 主体信息.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subject {
    pub nature: Option<u32>,
    pub name: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub certificate: SubjectCertificate,
    pub residence_proof: Option<Vec<String>>,
    pub remark: Option<String>,
}

/// The subject's own certificate (licence, or the individual's ID).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectCertificate {
    #[serde(rename = "type")]
    pub kind: Option<u32>,
    pub number: Option<String>,
    pub address: Option<String>,
    pub valid_until: Option<String>,
    pub photo: Option<String>,
}

/// A natural person: subject principal or mini program principal (§6.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub name: Option<String>,
    pub certificate: PersonCertificate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    pub mobile: Option<String>,
    pub emergency_mobile: Option<String>,
    pub email: Option<String>,
    pub is_legal_representative: Option<bool>,
    pub authorization_letter: Option<String>,
}

/// A personal certificate with its validity and photos.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonCertificate {
    #[serde(rename = "type")]
    pub kind: Option<u32>,
    pub number: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub front: Option<String>,
    pub back: Option<String>,
}

/// 法定代表人 (§6.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalRepresentative {
    pub name: Option<String>,
    pub certificate: LegalRepCertificate,
}

/// The legal representative's certificate: type and number only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalRepCertificate {
    #[serde(rename = "type")]
    pub kind: Option<u32>,
    pub number: Option<String>,
}

/// 小程序信息 (§6.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MiniProgram {
    /// System-filled from the host (§6.4); a change order may not carry another (V-MP-023).
    /// Left out of the JSON when absent so that documents saved before it hash the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    pub name: Option<String>,
    pub service_content_types: Option<Vec<u32>>,
    /// `None` means "not answered"; an empty list declares 以上都不涉及.
    pub preapprovals: Option<Vec<PreApproval>>,
    pub languages: Option<Vec<u32>>,
    pub remark: Option<String>,
}

/// One pre-approval item (前置审批).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreApproval {
    pub category: Option<u32>,
    pub approval_number: Option<String>,
    pub document: Option<String>,
}

/// 小程序负责人: either "same as the subject principal" or a full person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MiniProgramPrincipal {
    pub same_as_subject_principal: Option<bool>,
    pub face_verification: Option<String>,
    #[serde(flatten)]
    pub person: Person,
}

/// 材料与承诺 (§6.6). Province-specific slots are kept as free JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Materials {
    pub commitment_letter: Option<Confirmation>,
    pub authenticity_form: Option<Confirmation>,
    pub anti_fraud_assessment: Option<AntiFraud>,
    pub signed_forms: Vec<String>,
    pub name_change_letter: Option<String>,
    pub subject_other: Vec<String>,
    pub mini_program_other: Vec<String>,
    /// The province's own material slots (domain.md §9), by name.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub province_slots: serde_json::Map<String, serde_json::Value>,
}

/// A platform-generated document the applicant ticks to confirm.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Confirmation {
    pub confirmed: bool,
    /// The content hash of the paper the applicant read (`GET …/papers`). Optional on the
    /// wire; when given and the paper has changed since, the confirmation no longer holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// 反诈自评估: the questionnaire answers and the confirmation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AntiFraud {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub confirmed: bool,
    /// As [`Confirmation::hash`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// The optional material slots some provinces require (§6.6, api.md), each a media id (or a
/// list of them). `no_preapproval_commitment` is api.md's spelling of the pack's
/// `no_pre_approval_commitment`; both are read.
pub const PROVINCE_SLOTS: [&str; 8] = [
    "authenticity_commitment_letter",
    "authenticity_responsibility_notice",
    "party_building_letter",
    "promise_video",
    "construction_proposal",
    "handheld_certificate_photo",
    "no_pre_approval_commitment",
    "no_preapproval_commitment",
];

impl Materials {
    /// Media ids held by a province slot: a string, or a list of strings.
    pub fn slot(&self, name: &str) -> Vec<&str> {
        match self.province_slots.get(name) {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(serde_json::Value::as_str).collect()
            }
            _ => vec![],
        }
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect()
    }
}

impl Document {
    /// Every media id the document names, with the field path naming it (V-MAT-004).
    ///
    /// The MP principal's own photos count only when it is not "same as the subject
    /// principal", because only then are they used.
    pub fn media_refs(&self) -> Vec<(String, &str)> {
        fn one<'d>(out: &mut Vec<(String, &'d str)>, path: String, id: &'d Option<String>) {
            if let Some(id) = id.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
                out.push((path, id));
            }
        }
        fn list<'d>(out: &mut Vec<(String, &'d str)>, path: &str, ids: &'d [String]) {
            for (i, id) in ids.iter().enumerate() {
                if !id.trim().is_empty() {
                    out.push((format!("{path}[{i}]"), id.trim()));
                }
            }
        }
        fn person<'d>(out: &mut Vec<(String, &'d str)>, path: &str, p: &'d Person) {
            one(
                out,
                format!("{path}.certificate.front"),
                &p.certificate.front,
            );
            one(out, format!("{path}.certificate.back"), &p.certificate.back);
            one(
                out,
                format!("{path}.authorization_letter"),
                &p.authorization_letter,
            );
        }
        let mut out = vec![];
        one(
            &mut out,
            "subject.certificate.photo".into(),
            &self.subject.certificate.photo,
        );
        if let Some(proof) = &self.subject.residence_proof {
            list(&mut out, "subject.residence_proof", proof);
        }
        person(&mut out, "subject_principal", &self.subject_principal);
        if self.mini_program_principal.same_as_subject_principal != Some(true) {
            person(
                &mut out,
                "mini_program_principal",
                &self.mini_program_principal.person,
            );
        }
        for (i, item) in self.mini_program.preapprovals.iter().flatten().enumerate() {
            one(
                &mut out,
                format!("mini_program.preapprovals[{i}].document"),
                &item.document,
            );
        }
        let m = &self.materials;
        list(&mut out, "materials.signed_forms", &m.signed_forms);
        one(
            &mut out,
            "materials.name_change_letter".into(),
            &m.name_change_letter,
        );
        list(&mut out, "materials.subject_other", &m.subject_other);
        list(
            &mut out,
            "materials.mini_program_other",
            &m.mini_program_other,
        );
        for slot in PROVINCE_SLOTS {
            match m.province_slots.get(slot) {
                Some(serde_json::Value::Array(_)) => {
                    for (i, id) in m.slot(slot).into_iter().enumerate() {
                        out.push((format!("materials.{slot}[{i}]"), id.trim()));
                    }
                }
                _ => {
                    for id in m.slot(slot) {
                        out.push((format!("materials.{slot}"), id.trim()));
                    }
                }
            }
        }
        out
    }

    /// Content hash of the document, used to tell an unchanged resubmission (T16).
    ///
    /// serde_json writes struct fields in declaration order and maps sorted, so
    /// the same document always hashes the same.
    pub fn content_hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }

    /// The mini program principal as a full person, resolving "same as subject principal".
    pub fn mp_principal(&self) -> &Person {
        if self.mini_program_principal.same_as_subject_principal == Some(true) {
            &self.subject_principal
        } else {
            &self.mini_program_principal.person
        }
    }

    /// Two-digit filing province code taken from `subject.province`.
    pub fn province2(&self) -> Option<String> {
        let p = self.subject.province.as_deref()?.trim();
        (p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p[..2].to_string())
    }

    /// Subject identity: (certificate type, normalised number), as a stable key.
    pub fn subject_key(&self) -> Option<String> {
        let kind = self.subject.certificate.kind?;
        let number = crate::ids::normalise(self.subject.certificate.number.as_deref()?);
        (!number.is_empty()).then(|| format!("{kind}:{number}"))
    }
}

impl Person {
    /// Identity of a person: (certificate type, normalised number).
    pub fn identity(&self) -> Option<(u32, String)> {
        let kind = self.certificate.kind?;
        let number = crate::ids::normalise(self.certificate.number.as_deref()?);
        (!number.is_empty()).then_some((kind, number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_changes_with_content_and_is_stable() {
        let mut d = Document::default();
        let h1 = d.content_hash();
        assert_eq!(h1, d.clone().content_hash());
        d.subject.name = Some("深圳市星河科技有限公司".into());
        assert_ne!(h1, d.content_hash());
    }

    #[test]
    fn wrong_types_are_refused_and_unknown_material_slots_kept() {
        let bad = serde_json::json!({"subject": {"nature": "four"}});
        assert!(serde_json::from_value::<Document>(bad).is_err());
        let ok = serde_json::json!({"materials": {"party_building_letter": "m1"}});
        let d: Document = serde_json::from_value(ok).unwrap();
        assert_eq!(d.materials.province_slots["party_building_letter"], "m1");
    }

    #[test]
    fn media_refs_name_every_media_field_with_its_path() {
        let mut d = crate::fixtures::enterprise_document(
            "深圳市星河科技有限公司",
            "91440300708461136T",
            "星河记账",
            "face1",
            "m1",
        );
        d.subject.certificate.photo = Some("licence".into());
        d.materials.subject_other = vec!["a".into(), " ".into()];
        d.materials
            .province_slots
            .insert("promise_video".into(), "v".into());
        d.materials
            .province_slots
            .insert("unrelated".into(), "x".into());
        d.mini_program.preapprovals = Some(vec![PreApproval {
            category: Some(4),
            approval_number: Some("n".into()),
            document: Some("doc".into()),
        }]);
        let refs: Vec<(String, &str)> = d.media_refs();
        let paths: Vec<&str> = refs.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "subject.certificate.photo",
                "subject_principal.certificate.front",
                "subject_principal.certificate.back",
                "mini_program.preapprovals[0].document",
                "materials.signed_forms[0]",
                "materials.subject_other[0]",
                "materials.promise_video",
            ]
        );
        assert_eq!(refs[0].1, "licence");
        let count = refs.len();
        // A reused subject principal's photos are not counted twice.
        d.mini_program_principal.person.certificate.front = Some("ignored".into());
        assert_eq!(d.media_refs().len(), count);
    }

    #[test]
    fn mp_principal_resolves_reuse() {
        let mut d = Document::default();
        d.subject_principal.name = Some("张三".into());
        d.mini_program_principal.same_as_subject_principal = Some(true);
        assert_eq!(d.mp_principal().name.as_deref(), Some("张三"));
        d.mini_program_principal.same_as_subject_principal = Some(false);
        assert_eq!(d.mp_principal().name, None);
    }
}
