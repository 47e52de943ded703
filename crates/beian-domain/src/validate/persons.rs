//! The persons: both principals field by field, the rules across them, the legal
//! representative, and the province rules for individual subjects (V-PER-*, V-ID-*,
//! V-SUB-002..006, V-SUB-008, V-MP-005, V-MP-006, V-POL-004..006).

use chrono::{Datelike, NaiveDate};

use crate::document::{Document, Person};
use crate::filing::facts::ValidationFacts;
use crate::ids;
use crate::reference::{NonLocal, NumberFormat, PrincipalLegalRep, ProvinceRule, SubjectNature};
use crate::validate::check::{chars, is_cjk, is_latin_letter, text, Check};

/// A person as the cross-person rules compare it, normalised.
#[derive(Default)]
struct Seen {
    path: &'static str,
    identity: Option<(u32, String)>,
    name: Option<String>,
    mobile: Option<String>,
    emergency: Option<String>,
    email: Option<String>,
    validity: (Option<String>, Option<String>),
}

impl Check<'_> {
    /// Rules of one person (V-PER-001..009, 012, V-ID-*); returns it normalised.
    fn person(&mut self, p: &Person, path: &'static str) -> Seen {
        let mut seen = Seen {
            path,
            identity: p.identity(),
            validity: (
                text(&p.certificate.valid_from).map(String::from),
                text(&p.certificate.valid_until).map(String::from),
            ),
            ..Seen::default()
        };
        if let Some(name) = text(&p.name) {
            seen.name = Some(name.to_string());
            let ok = chars(name) <= 64
                && name.chars().all(|c| {
                    is_cjk(c) || is_latin_letter(c) || matches!(c, ' ' | '·' | '-' | '\'' | '.')
                });
            if !ok {
                self.push("V-PER-001", format!("{path}.name"));
            }
        } else {
            self.push("V-REQ-001", format!("{path}.name"));
        }
        let cert = &p.certificate;
        match cert.kind {
            None => self.push("V-REQ-001", format!("{path}.certificate.type")),
            Some(k) => match self.personal_type(k) {
                None => self.push("V-ID-001", format!("{path}.certificate.type")),
                Some(t) => {
                    if let Some(n) = text(&cert.number) {
                        self.person_number(t.format, n, &format!("{path}.certificate.number"));
                    } else {
                        self.push("V-REQ-001", format!("{path}.certificate.number"));
                    }
                    self.validity(k, &cert.valid_from, &cert.valid_until, path);
                    if text(&cert.front).is_none() {
                        self.push("V-PER-005", format!("{path}.certificate.front"));
                    }
                    if t.has_back_side != Some(false) && text(&cert.back).is_none() {
                        self.push("V-PER-005", format!("{path}.certificate.back"));
                    }
                }
            },
        }
        let allow_virtual = self.policy().mobile_allow_virtual;
        let mobile = text(&p.mobile).map(|m| ids::Mobile::parse(m, allow_virtual));
        match &mobile {
            None => self.push("V-REQ-001", format!("{path}.mobile")),
            Some(Err(e)) if e.code() == "MOBILE_NO_SMS" => {
                self.push("V-PER-007", format!("{path}.mobile"))
            }
            Some(Err(_)) => self.push("V-PER-006", format!("{path}.mobile")),
            Some(Ok(m)) => seen.mobile = Some(m.as_str().to_string()),
        }
        match text(&p.emergency_mobile).map(|m| ids::Mobile::parse(m, allow_virtual)) {
            None => self.push("V-REQ-001", format!("{path}.emergency_mobile")),
            Some(Err(e)) if e.code() == "MOBILE_NO_SMS" => {
                self.push("V-PER-007", format!("{path}.emergency_mobile"))
            }
            Some(Err(_)) => self.push("V-PER-008", format!("{path}.emergency_mobile")),
            Some(Ok(em)) => {
                if seen.mobile.as_deref() == Some(em.as_str()) {
                    self.push("V-PER-009", format!("{path}.emergency_mobile"));
                }
                seen.emergency = Some(em.as_str().to_string());
            }
        }
        match text(&p.email).map(ids::Email::parse) {
            None => self.push("V-REQ-001", format!("{path}.email")),
            Some(Err(_)) => self.push("V-PER-012", format!("{path}.email")),
            Some(Ok(e)) => seen.email = Some(e.as_str().to_ascii_lowercase()),
        }
        seen
    }

    fn validity(&mut self, kind: u32, from: &Option<String>, until: &Option<String>, path: &str) {
        let from_date = text(from).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d"));
        match from_date {
            None => self.push("V-REQ-001", format!("{path}.certificate.valid_from")),
            Some(Ok(d)) if d <= self.today => {}
            Some(_) => self.push("V-PER-002", format!("{path}.certificate.valid_from")),
        }
        let field = format!("{path}.certificate.valid_until");
        let resident_id = self
            .personal_type(kind)
            .is_some_and(|t| t.format == NumberFormat::ResidentId);
        match text(until) {
            None => self.push("V-REQ-001", field),
            Some("长期") if resident_id => {}
            Some("长期") => self.push("V-PER-003", field),
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Err(_) => self.push("V-PER-003", field),
                Ok(end) => {
                    if matches!(from_date, Some(Ok(start)) if end <= start) {
                        self.push("V-PER-003", field);
                    } else {
                        self.expiring(end, field);
                    }
                }
            },
        }
    }
}

/// Person rules for both principals, the cross-person rules (V-PER-010, 011, 013..015) and
/// the legal representative (V-SUB-002..006, V-MP-005, V-MP-006).
pub(super) fn persons(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    nature: Option<&SubjectNature>,
    province: Option<&ProvinceRule>,
) {
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let organisation = nature.is_some_and(|n| !n.is_individual());
    let sp = &doc.subject_principal;
    let sp_seen = c.person(sp, "subject_principal");
    let separate = doc.mini_program_principal.same_as_subject_principal != Some(true);
    let mp = &doc.mini_program_principal.person;
    let mp_seen = separate.then(|| c.person(mp, "mini_program_principal"));
    if organisation && sp.is_legal_representative.is_none() {
        c.push("V-REQ-001", "subject_principal.is_legal_representative");
    }

    let mut people = vec![&sp_seen];
    if let Some(m) = &mp_seen {
        people.push(m);
        let same_person = sp_seen.identity.is_some() && sp_seen.identity == m.identity;
        if same_person {
            // V-PER-014: one person entered twice must read the same both times.
            let differs = sp_seen.name != m.name
                || sp_seen.mobile != m.mobile
                || sp_seen.email != m.email
                || sp_seen.validity != m.validity;
            if differs {
                c.push("V-PER-014", "mini_program_principal");
            }
        } else {
            if m.mobile.is_some() && m.mobile == sp_seen.mobile {
                c.push("V-PER-010", "mini_program_principal.mobile");
            }
            if c.policy().email_unique_per_person && m.email.is_some() && m.email == sp_seen.email {
                c.push("V-PER-013", "mini_program_principal.email");
            }
        }
        if individual && !same_person {
            c.push("V-MP-006", "mini_program_principal");
        }
        if organisation && !same_person {
            match mp.is_legal_representative {
                None => c.push(
                    "V-REQ-001",
                    "mini_program_principal.is_legal_representative",
                ),
                Some(false) if text(&mp.authorization_letter).is_none() => {
                    c.push("V-MP-005", "mini_program_principal.authorization_letter")
                }
                Some(_) => {}
            }
        }
    }
    let mobiles: Vec<&String> = people.iter().filter_map(|p| p.mobile.as_ref()).collect();
    for p in &people {
        // V-PER-015: the emergency contact must be a third party in these provinces.
        if province.is_some_and(|pr| pr.emergency_third_party)
            && p.emergency.as_ref().is_some_and(|e| mobiles.contains(&e))
        {
            c.push("V-PER-015", format!("{}.emergency_mobile", p.path));
        }
        if c.policy().mobile_unique_across_subjects
            && p.mobile
                .as_ref()
                .is_some_and(|m| facts.mobiles_used_elsewhere.contains(m))
        {
            c.push("V-PER-011", format!("{}.mobile", p.path));
        }
        // V-PER-016 (MOBILE_NOT_LOCAL) needs a prefix-to-province dataset, which does not
        // exist (§8.2.8 item 5: number portability makes prefixes unreliable), so it never
        // fires; provinces with `local_mobile = yes` leave it to the reviewer's checklist.
    }
    legal_representative(c, doc, &sp_seen, mp_seen.as_ref(), nature, province);
}

/// V-SUB-002..006 and the legal representative's certificate (V-ID-* apply to it, §8.1).
fn legal_representative(
    c: &mut Check,
    doc: &Document,
    sp: &Seen,
    mp: Option<&Seen>,
    nature: Option<&SubjectNature>,
    province: Option<&ProvinceRule>,
) {
    let rep = doc
        .legal_representative
        .as_ref()
        .filter(|r| **r != Default::default());
    if nature.is_some_and(SubjectNature::is_individual) {
        if rep.is_some() {
            c.push("V-SUB-006", "legal_representative");
        }
        return;
    }
    let principal_is_rep = doc.subject_principal.is_legal_representative;
    if principal_is_rep == Some(false) && nature.is_some() {
        if province.is_some_and(|p| p.principal_legal_rep == PrincipalLegalRep::Yes) {
            c.push("V-SUB-004", "subject_principal.is_legal_representative");
        }
        let complete = rep.is_some_and(|r| {
            text(&r.name).is_some()
                && r.certificate.kind.is_some()
                && text(&r.certificate.number).is_some()
        });
        if !complete {
            c.push("V-SUB-002", "legal_representative");
        }
        if text(&doc.subject_principal.authorization_letter).is_none() {
            c.push("V-SUB-003", "subject_principal.authorization_letter");
        }
    }
    let Some(rep) = rep else { return };
    let rep_identity = rep
        .certificate
        .kind
        .zip(text(&rep.certificate.number).map(ids::normalise));
    if let Some(kind) = rep.certificate.kind {
        match c.personal_type(kind) {
            None => c.push("V-ID-001", "legal_representative.certificate.type"),
            Some(t) => {
                if let Some(n) = text(&rep.certificate.number) {
                    c.person_number(t.format, n, "legal_representative.certificate.number");
                }
            }
        }
    }
    if rep_identity.is_some() && rep_identity == sp.identity && principal_is_rep == Some(false) {
        c.push("V-SUB-005", "legal_representative.certificate");
    }
    // V-PER-014: the MP principal may be the legal representative, under one name.
    if let Some(mp) = mp.filter(|m| rep_identity.is_some() && m.identity == rep_identity) {
        if mp.name.as_deref() != text(&rep.name) {
            c.push("V-PER-014", "legal_representative");
        }
    }
}

/// The birth date of a personal certificate, from the number where it encodes one.
fn encoded_birth_date(format: NumberFormat, number: &str, today: NaiveDate) -> Option<NaiveDate> {
    match format {
        NumberFormat::ResidentId => ids::ResidentId::parse(number, today)
            .ok()
            .map(|i| i.birth_date()),
        NumberFormat::HkmoResidencePermit => {
            ids::ResidencePermit::parse(number, ids::PermitKind::HongKongMacau, today)
                .ok()
                .map(|p| p.birth_date())
        }
        NumberFormat::TwResidencePermit => {
            ids::ResidencePermit::parse(number, ids::PermitKind::Taiwan, today)
                .ok()
                .map(|p| p.birth_date())
        }
        NumberFormat::ForeignPermanentResidentId => {
            ids::ForeignPermanentResident::parse(number, today)
                .ok()
                .and_then(|f| f.birth_date())
        }
        _ => None,
    }
}

/// Rules of individual subjects (nature 5) from the province pack: V-POL-004..006, V-SUB-008.
pub(super) fn individual_rules(c: &mut Check, doc: &Document, province: Option<&ProvinceRule>) {
    let sp = &doc.subject_principal;
    let Some(t) = sp.certificate.kind.and_then(|k| c.personal_type(k)) else {
        return;
    };
    let number = text(&sp.certificate.number).unwrap_or_default();
    let encodes = matches!(
        t.format,
        NumberFormat::ResidentId
            | NumberFormat::HkmoResidencePermit
            | NumberFormat::TwResidencePermit
    ) || (t.format == NumberFormat::ForeignPermanentResidentId
        && ids::normalise(number).chars().count() == 18);
    let birth = if encodes {
        encoded_birth_date(t.format, number, c.today)
    } else {
        // The certificate does not carry it (types 7, 11, 14, 30 in its 15-character form):
        // the document must (§6.2). An unreadable date counts as missing.
        let given = text(&sp.birth_date)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .filter(|d| *d <= c.today);
        if given.is_none() {
            c.push("V-REQ-001", "subject_principal.birth_date");
        }
        given
    };
    let Some(province) = province else { return };
    let min_age = province.min_age.unwrap_or(c.policy().individual_min_age);
    if let Some(birth) = birth {
        if age_on(birth, c.today) < min_age as i32 {
            c.push_with(
                "V-POL-004",
                "subject_principal",
                &[("n", &min_age.to_string())],
            );
        }
    }
    let foreign = matches!(
        t.format,
        NumberFormat::Passport | NumberFormat::ForeignPermanentResidentId
    );
    if foreign && !province.foreign_individuals {
        c.push("V-POL-006", "subject_principal.certificate.type");
    }
    // V-POL-005: a resident ID issued in another province, or any other personal certificate.
    let local = t.format == NumberFormat::ResidentId
        && ids::ResidentId::parse(number, c.today)
            .is_ok_and(|id| id.province_code() == province.code);
    if local {
        return;
    }
    match province.non_local {
        NonLocal::Accepted => {}
        NonLocal::NotAccepted => c.push("V-POL-005", "subject.province"),
        NonLocal::Unknown => c.variant("WARN_NON_LOCAL_UNKNOWN", "subject.province"),
        NonLocal::AcceptedWithProof => {
            let proof = doc
                .subject
                .residence_proof
                .as_ref()
                .is_some_and(|p| p.iter().any(|m| !m.trim().is_empty()));
            if !proof {
                c.push("V-SUB-008", "subject.residence_proof");
            }
        }
    }
}

/// Age in full years on `on` (§8.2.10; 29 Feb birthdays fall on 1 Mar).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}
