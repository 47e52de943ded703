//! The materials section: confirmed platform documents, attachments, uploaded media and the
//! province's required materials (V-MAT-001..007).

use crate::document::{Document, Materials};
use crate::filing::facts::ValidationFacts;
use crate::filing::model::Filing;
use crate::reference::ProvinceRule;
use crate::validate::check::{text, Check};

/// Whether a material slot of the province pack is filled.
fn has_material(m: &Materials, slot: &str) -> bool {
    let filled = |ids: &[String]| ids.iter().any(|i| !i.trim().is_empty());
    match slot {
        "signed_forms" => filled(&m.signed_forms),
        "subject_other" => filled(&m.subject_other),
        "mini_program_other" => filled(&m.mini_program_other),
        "name_change_letter" => text(&m.name_change_letter).is_some(),
        "no_pre_approval_commitment" | "no_preapproval_commitment" => {
            !m.slot("no_pre_approval_commitment").is_empty()
                || !m.slot("no_preapproval_commitment").is_empty()
        }
        other => !m.slot(other).is_empty(),
    }
}

/// V-MAT-001/002 also when the applicant confirmed a paper by its hash and the paper has
/// changed since (an edit after confirming): they must read and confirm it again. Without
/// a hash the confirmation is of the paper as submitted, which is frozen with the version.
pub(super) fn stale_confirmations(c: &mut Check, doc: &Document, filing: &Filing) {
    let m = &doc.materials;
    let letter = m
        .commitment_letter
        .as_ref()
        .filter(|x| x.confirmed)
        .and_then(|x| x.hash.as_deref());
    let anti_fraud = m
        .anti_fraud_assessment
        .as_ref()
        .filter(|x| x.confirmed && c.policy().anti_fraud_enabled)
        .and_then(|x| x.hash.as_deref());
    if letter.is_none() && anti_fraud.is_none() {
        return;
    }
    let mut shown = doc.clone();
    shown
        .mini_program
        .appid
        .get_or_insert_with(|| filing.appid.clone());
    if letter.is_some_and(|h| h != crate::papers::commitment_letter(&shown, c.refs).hash()) {
        c.push("V-MAT-001", "materials.commitment_letter");
    }
    if anti_fraud.is_some_and(|h| h != crate::papers::anti_fraud_assessment(&shown, c.refs).hash())
    {
        c.push("V-MAT-002", "materials.anti_fraud_assessment");
    }
}

/// V-MAT-001..006. V-MAT-007 (format, size, resolution) is checked at upload.
pub(super) fn materials(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    province: Option<&ProvinceRule>,
) {
    let m = &doc.materials;
    if !m.commitment_letter.as_ref().is_some_and(|x| x.confirmed) {
        c.push("V-MAT-001", "materials.commitment_letter");
    }
    if c.policy().anti_fraud_enabled
        && !m
            .anti_fraud_assessment
            .as_ref()
            .is_some_and(|x| x.confirmed)
    {
        c.push("V-MAT-002", "materials.anti_fraud_assessment");
    }
    for (list, path) in [
        (&m.subject_other, "materials.subject_other"),
        (&m.mini_program_other, "materials.mini_program_other"),
    ] {
        if list.len() > 10 {
            c.push("V-MAT-003", path);
        }
    }
    if let Some(media) = &facts.media {
        let sp_kind = doc.subject_principal.certificate.kind;
        let mp_kind = doc.mini_program_principal.person.certificate.kind;
        for (path, id) in doc.media_refs() {
            // Only the promise video is a video; every other material is an image.
            let video_slot = path.starts_with("materials.promise_video");
            let Some(found) = media.get(id).filter(|f| f.owned && f.video == video_slot) else {
                c.push("V-MAT-004", path);
                continue;
            };
            let expected = match path.as_str() {
                "subject.certificate.photo" => doc.subject.certificate.kind,
                "subject_principal.certificate.front" | "subject_principal.certificate.back" => {
                    sp_kind
                }
                "mini_program_principal.certificate.front"
                | "mini_program_principal.certificate.back" => mp_kind,
                _ => None,
            };
            if let (Some(tagged), Some(expected)) = (found.certificate_type, expected) {
                if tagged != expected {
                    c.push("V-MAT-005", path.as_str());
                }
            }
            for code in facts.media_failed_checks.get(id).into_iter().flatten() {
                c.variant(code, path.as_str());
            }
        }
    }
    if let Some(p) = province {
        for slot in &p.required_materials {
            if !has_material(m, slot) {
                c.push_with(
                    "V-MAT-006",
                    format!("materials.{slot}"),
                    &[("材料名", crate::checklist::material_name(slot))],
                );
            }
        }
    }
}
