//! What every section of validation shares: the [`Check`] that collects issues, and the text
//! helpers the rules compare with.

use chrono::{Months, NaiveDate};

use crate::filing::env::Env;
use crate::ids;
use crate::issue::Issue;
use crate::policy::Policy;
use crate::reference::{CertificateType, NumberFormat, ReferenceData};
use crate::validate::catalogue::{issue, make, rule, CATALOGUE, VARIANTS};

pub(super) fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

pub(super) fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

/// Names compared the way the host compares them: brackets unified, spaces dropped.
pub(super) fn same_name(a: &str, b: &str) -> bool {
    let norm = |x: &str| {
        x.replace(['(', '（'], "(")
            .replace([')', '）'], ")")
            .replace([' ', '\u{3000}'], "")
    };
    norm(a) == norm(b)
}

/// CJK unified ideographs (basic, extensions A–G) and compatibility ideographs.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// Latin letters: ASCII and the accented letters of Latin-1 and Latin Extended-A/B.
pub(super) fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{00C0}'..='\u{024F}').contains(&c) && c != '×' && c != '÷')
}

pub(super) struct Check<'a> {
    pub(super) out: Vec<Issue>,
    pub(super) today: NaiveDate,
    pub(super) env: &'a Env<'a>,
    pub(super) refs: &'a ReferenceData,
}

impl<'a> Check<'a> {
    pub(super) fn push(&mut self, rule_id: &str, field: impl Into<String>) {
        self.out.push(issue(rule_id, field));
    }

    pub(super) fn push_with(
        &mut self,
        rule_id: &str,
        field: impl Into<String>,
        args: &[(&str, &str)],
    ) {
        self.out
            .push(make(rule(rule_id).unwrap_or(&CATALOGUE[0]), field, args));
    }

    pub(super) fn variant(&mut self, code: &str, field: impl Into<String>) {
        if let Some(r) = VARIANTS.iter().find(|r| r.code == code) {
            self.out.push(make(r, field, &[]));
        }
    }

    pub(super) fn policy(&self) -> &'a Policy {
        self.env.policy
    }

    pub(super) fn required(&mut self, value: &Option<String>, field: &str) -> bool {
        if text(value).is_none() {
            self.push("V-REQ-001", field);
            false
        } else {
            true
        }
    }

    /// A personal certificate type of the reference data, enabled.
    pub(super) fn personal_type(&self, kind: u32) -> Option<&'a CertificateType> {
        self.refs
            .certificate_types
            .get(&kind)
            .filter(|c| c.personal && c.enabled)
    }

    /// V-ID-*: a personal certificate number against its format.
    pub(super) fn person_number(&mut self, format: NumberFormat, number: &str, field: &str) {
        let today = self.today;
        let result = match format {
            NumberFormat::ResidentId => ids::ResidentId::parse(number, today).map(|_| ()),
            NumberFormat::HkmoResidencePermit => {
                ids::ResidencePermit::parse(number, ids::PermitKind::HongKongMacau, today)
                    .map(|_| ())
            }
            NumberFormat::TwResidencePermit => {
                ids::ResidencePermit::parse(number, ids::PermitKind::Taiwan, today).map(|_| ())
            }
            NumberFormat::ForeignPermanentResidentId => {
                ids::ForeignPermanentResident::parse(number, today).map(|_| ())
            }
            NumberFormat::Passport => ids::Passport::parse(number).map(|p| {
                if p.prc_warning() {
                    self.out.push(issue("V-ID-010", field));
                }
            }),
            NumberFormat::HkmoTravelPermit => ids::HkMoPermit::parse(number).map(|_| ()),
            NumberFormat::TwTravelPermit => ids::TwPermit::parse(number).map(|_| ()),
            // Organisation formats never reach here: callers pass personal types only.
            _ => return,
        };
        if let Err(e) = result {
            let rule = CATALOGUE
                .iter()
                .find(|r| r.code == e.code() && r.id.starts_with("V-ID"));
            self.push(rule.map_or("V-ID-002", |r| r.id), field);
        }
    }

    /// V-PER-004: more than `min_remaining_months` must be left (§8.2.10 add_months).
    pub(super) fn expiring(&mut self, end: NaiveDate, field: String) {
        let months = Months::new(self.policy().certificate_min_remaining_months);
        let limit = self
            .today
            .checked_add_months(months)
            .unwrap_or(NaiveDate::MAX);
        if end <= limit {
            self.push("V-PER-004", field);
        }
    }
}
