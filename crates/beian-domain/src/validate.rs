//! Validation of the application document (domain.md §8).
//!
//! Every rule of the §8.4 catalogue lives once in [`CATALOGUE`] with its id, code, Chinese
//! message and suggestion (the V-REQ-* rows are ours); checks refer to rules by id and report
//! every issue at once. Enumerations, the province pack, regions and name lists come from the
//! [`ReferenceData`](crate::reference::ReferenceData) in the [`Env`]; whatever needs the
//! database (other subjects' mobiles and records, media, quotas) arrives in [`ValidationFacts`],
//! so this module stays pure.
//!
//! [`validate`] runs the sections in the order of the document: `subject`, `persons`,
//! `mini_program`, `materials`, then `policy_rules` (other records and platform policy). The
//! catalogue and the shared `Check` are child modules too, so that no section imports this
//! file, which imports every section.

mod catalogue;
mod check;
mod materials;
mod mini_program;
mod ocr;
mod persons;
mod policy_rules;
mod subject;

use crate::document::Document;
use crate::filing::env::Env;
use crate::filing::model::{Filing, Kind};
use crate::reference::SubjectNature;
use check::{chars, text, Check};
use materials::{materials, stale_confirmations};
use mini_program::{face, mini_program};
use persons::{individual_rules, persons};
use policy_rules::{change_order, policy_rules};
use subject::{address, region, subject_certificate, subject_name, subject_nature};

pub use crate::filing::facts::{FaceFacts, MediaFacts, ValidationFacts};
pub use crate::issue::{Issue, Severity};
pub use catalogue::{no_recipient_issue, rule, Rule, CATALOGUE, VARIANTS};
pub use persons::age_on;
pub use policy_rules::{daily_reset, principal_mobiles, quota_limit};

/// Runs every rule of the catalogue that applies to a document; returns all issues at once.
pub fn validate(doc: &Document, facts: &ValidationFacts, filing: &Filing, env: &Env) -> Vec<Issue> {
    let today = env
        .now
        .with_timezone(&crate::calendar::china_offset())
        .date_naive();
    let mut c = Check {
        out: vec![],
        today,
        env,
        refs: env.reference,
    };
    let nature = subject_nature(&mut c, doc);
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let chain = region(&mut c, doc);
    let province = chain
        .as_ref()
        .and_then(|ch| c.refs.province(&ch.province.code[..2]));
    subject_name(&mut c, doc, facts, filing);
    address(&mut c, doc, chain.as_ref(), province);
    subject_certificate(&mut c, doc, nature);
    if text(&doc.subject.remark).is_some_and(|r| chars(r) > 200) {
        c.push("V-SUB-007", "subject.remark");
    }
    persons(&mut c, doc, facts, nature, province);
    if individual {
        individual_rules(&mut c, doc, province);
    }
    face(&mut c, doc, facts, filing);
    mini_program(&mut c, doc, facts, nature);
    materials(&mut c, doc, facts, province);
    ocr::ocr(&mut c, doc, facts, individual);
    stale_confirmations(&mut c, doc, filing);
    if filing.kind == Kind::Change {
        change_order(&mut c, doc, facts, filing, nature);
    }
    policy_rules(&mut c, doc, facts, filing, nature, province);
    c.out
}

#[cfg(test)]
mod tests;
