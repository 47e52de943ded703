//! V-OCR-001: a typed value that differs from what its certificate photo shows (R-03, R-04,
//! of §12.2, caught before anyone reviews). A warning unless the policy makes it
//! blocking; what could not be read, or was read without confidence, raises nothing.

use std::collections::BTreeMap;

use crate::document::Document;
use crate::filing::facts::ValidationFacts;
use crate::issue::Severity;
use crate::ocr::compare::mismatches;
use crate::validate::catalogue::{make, rule, CATALOGUE};
use crate::validate::check::Check;

pub(super) fn ocr(c: &mut Check, doc: &Document, facts: &ValidationFacts, individual: bool) {
    let Some(media) = &facts.media else {
        return;
    };
    let readings: BTreeMap<String, _> = media
        .iter()
        .filter_map(|(id, m)| m.reading.clone().map(|r| (id.clone(), r)))
        .collect();
    if readings.is_empty() {
        return;
    }
    let policy = &c.policy().ocr;
    let r = rule("V-OCR-001").unwrap_or(&CATALOGUE[0]);
    for m in mismatches(doc, &readings, individual, policy) {
        let mut issue = make(r, m.path, &[("项", m.item), ("值", &m.shown)]);
        if policy.mismatch_blocking {
            issue.severity = Severity::Error;
        }
        c.out.push(issue);
    }
}
