//! What was read, set against the application document: where each photo's fields belong
//! (one table, [`slots`]), which typed values differ from a confident reading
//! ([`mismatches`], rule V-OCR-001) and which empty fields a reading can fill ([`prefill`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::read::is_cjk;
use super::{CardKind, FieldName, OcrPolicy, ReadField, Reading};
use crate::document::{Document, Person};
use crate::ids;
use crate::text::{mask_person_name, to_half_width};

/// A document field a photo's reading is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub field: FieldName,
    /// The document path of the typed value (domain.md §6).
    pub path: String,
    pub typed: Option<String>,
    /// The value is a person's (masked in messages) rather than an organisation's.
    pub personal: bool,
}

/// A certificate photo of the document and the fields its reading belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The document path of the photo.
    pub media_path: String,
    pub media: String,
    /// The certificate side the field asks for; a reading that recognised another one
    /// (an ID card uploaded as the licence) is not compared: V-MAT-005 speaks for it.
    pub expects: CardKind,
    pub targets: Vec<Target>,
}

impl Slot {
    /// The slot's reading, unless it recognised a side the field does not ask for.
    fn reading<'a>(&self, readings: &'a BTreeMap<String, Reading>) -> Option<&'a Reading> {
        readings
            .get(&self.media)
            .filter(|r| r.kind == self.expects || r.kind == CardKind::Other)
    }
}

fn media(id: &Option<String>) -> Option<String> {
    id.as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(String::from)
}

fn target(field: FieldName, path: String, typed: &Option<String>, personal: bool) -> Target {
    Target {
        field,
        path,
        typed: typed.clone(),
        personal,
    }
}

/// The certificate photos of a document and where their fields belong. An individual's
/// subject certificate is the principal's ID: its front also gives the subject's name,
/// number and certificate address.
pub fn slots(doc: &Document, individual: bool) -> Vec<Slot> {
    let mut out = vec![];
    let s = &doc.subject;
    if !individual {
        if let Some(m) = media(&s.certificate.photo) {
            out.push(Slot {
                media_path: "subject.certificate.photo".into(),
                media: m,
                expects: CardKind::BusinessLicence,
                targets: vec![
                    target(
                        FieldName::Number,
                        "subject.certificate.number".into(),
                        &s.certificate.number,
                        false,
                    ),
                    target(FieldName::Name, "subject.name".into(), &s.name, false),
                    target(
                        FieldName::Address,
                        "subject.certificate.address".into(),
                        &s.certificate.address,
                        false,
                    ),
                ],
            });
        }
    }
    let mut persons: Vec<(&str, &Person)> = vec![("subject_principal", &doc.subject_principal)];
    if doc.mini_program_principal.same_as_subject_principal != Some(true) {
        persons.push(("mini_program_principal", &doc.mini_program_principal.person));
    }
    for (p, person) in persons {
        let c = &person.certificate;
        if let Some(m) = media(&c.front) {
            let mut targets = vec![
                target(
                    FieldName::Number,
                    format!("{p}.certificate.number"),
                    &c.number,
                    true,
                ),
                target(FieldName::Name, format!("{p}.name"), &person.name, true),
            ];
            if individual && p == "subject_principal" {
                targets.extend([
                    target(
                        FieldName::Number,
                        "subject.certificate.number".into(),
                        &s.certificate.number,
                        true,
                    ),
                    target(FieldName::Name, "subject.name".into(), &s.name, true),
                    target(
                        FieldName::Address,
                        "subject.certificate.address".into(),
                        &s.certificate.address,
                        true,
                    ),
                ]);
            }
            out.push(Slot {
                media_path: format!("{p}.certificate.front"),
                media: m,
                expects: CardKind::IdFront,
                targets,
            });
        }
        if let Some(m) = media(&c.back) {
            out.push(Slot {
                media_path: format!("{p}.certificate.back"),
                media: m,
                expects: CardKind::IdBack,
                targets: vec![
                    target(
                        FieldName::ValidFrom,
                        format!("{p}.certificate.valid_from"),
                        &c.valid_from,
                        true,
                    ),
                    target(
                        FieldName::ValidUntil,
                        format!("{p}.certificate.valid_until"),
                        &c.valid_until,
                        true,
                    ),
                ],
            });
        }
    }
    out
}

/// A typed value that differs from what its photo shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The path of the typed value.
    pub path: String,
    /// What differs, in the message's words: 号码, 姓名, 名称, 住址, 住所, 有效期起始日期, …
    pub item: &'static str,
    /// The read value as the message shows it (a person's masked).
    pub shown: String,
    /// The read value in full (for the reviewer's side-by-side view).
    pub read: String,
}

/// Text compared the way a reviewer compares it with the card: full width folded, blanks
/// and punctuation dropped, brackets and middle dots unified, letters upper-cased.
fn folded(s: &str) -> String {
    s.chars()
        .map(to_half_width)
        .filter(|c| is_cjk(*c) || c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A typed date (`2020-01-01`, `2020.1.1`, `2020/01/01`, `20200101`) or `长期`.
fn typed_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s == "长期" {
        return Some(s.to_string());
    }
    let parts: Vec<&str> = s
        .split(['-', '.', '/', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let date = match parts.as_slice() {
        [y, m, d] => NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [ymd] if ymd.len() == 8 => NaiveDate::parse_from_str(ymd, "%Y%m%d").ok(),
        _ => None,
    }?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// Whether a typed value says the same as the value read. `None`: the typed value cannot be
/// compared (an unparsable date is another rule's business).
fn same(field: FieldName, typed: &str, read: &str) -> Option<bool> {
    match field {
        FieldName::Number => {
            let n = |s: &str| ids::normalise(s).replace('-', "");
            Some(n(typed) == n(read))
        }
        FieldName::Name | FieldName::Address => Some(folded(typed) == folded(read)),
        FieldName::ValidFrom | FieldName::ValidUntil => typed_date(typed).map(|t| t == read),
    }
}

/// A number for a message: its first and last four characters (`4403**********1238`).
pub fn mask_number(n: &str) -> String {
    let cs: Vec<char> = n.chars().collect();
    let keep = if cs.len() > 10 {
        4
    } else {
        2.min(cs.len() / 3)
    };
    let head: String = cs[..keep].iter().collect();
    let tail: String = cs[cs.len() - keep..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(cs.len() - 2 * keep))
}

fn item(t: &Target) -> &'static str {
    match (t.field, t.personal) {
        (FieldName::Number, _) => "号码",
        (FieldName::Name, true) => "姓名",
        (FieldName::Name, false) => "名称",
        (FieldName::Address, true) => "住址",
        (FieldName::Address, false) => "住所",
        (FieldName::ValidFrom, _) => "有效期起始日期",
        (FieldName::ValidUntil, _) => "有效期截止日期",
    }
}

fn shown(t: &Target, read: &str) -> String {
    match (t.field, t.personal) {
        (FieldName::Number, _) => mask_number(read),
        (FieldName::Name, true) => mask_person_name(read),
        // A person's address: the first six characters tell where without telling who.
        (FieldName::Address, true) => {
            let head: String = read.chars().take(6).collect();
            format!("{head}****")
        }
        _ => read.to_string(),
    }
}

/// Each document field a photo was read for, with the first reading of it (a path may be
/// the target of two photos: an individual's front and the subject's certificate).
fn pairs<'a>(
    doc: &Document,
    readings: &'a BTreeMap<String, Reading>,
    individual: bool,
) -> Vec<(Slot, Target, &'a ReadField)> {
    let mut out: Vec<(Slot, Target, &ReadField)> = vec![];
    for slot in slots(doc, individual) {
        let Some(reading) = slot.reading(readings) else {
            continue;
        };
        for t in &slot.targets {
            if let Some(read) = reading.get(t.field) {
                if !out.iter().any(|(_, seen, _)| seen.path == t.path) {
                    out.push((slot.clone(), t.clone(), read));
                }
            }
        }
    }
    out
}

fn typed(t: &Target) -> Option<&str> {
    t.typed.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Whether a value was read with enough confidence to contradict a typed one.
pub fn trusted(read: &ReadField, policy: &OcrPolicy) -> bool {
    let min = if read.checked {
        policy.checked_min_confidence
    } else {
        policy.min_confidence
    };
    read.confidence >= min
}

/// Read with confidence, and not what was typed.
fn differs(t: &Target, read: &ReadField, policy: &OcrPolicy) -> bool {
    trusted(read, policy) && typed(t).is_some_and(|v| same(t.field, v, &read.value) == Some(false))
}

/// The typed values that differ from a [`trusted`] reading, one per path.
/// What was not read, or read without confidence, raises nothing.
pub fn mismatches(
    doc: &Document,
    readings: &BTreeMap<String, Reading>,
    individual: bool,
    policy: &OcrPolicy,
) -> Vec<Mismatch> {
    pairs(doc, readings, individual)
        .into_iter()
        .filter(|(_, t, read)| differs(t, read, policy))
        .map(|(_, t, read)| Mismatch {
            path: t.path.clone(),
            item: item(&t),
            shown: shown(&t, &read.value),
            read: read.value.clone(),
        })
        .collect()
}

/// Values a reading offers for fields the applicant has left empty: `(path, value)`. The
/// applicant confirms them by saving.
pub fn prefill(
    doc: &Document,
    readings: &BTreeMap<String, Reading>,
    individual: bool,
    min_confidence: f32,
) -> Vec<(String, String)> {
    pairs(doc, readings, individual)
        .into_iter()
        .filter(|(_, t, read)| typed(t).is_none() && read.confidence >= min_confidence)
        .map(|(_, t, read)| (t.path, read.value.clone()))
        .collect()
}

/// For the reviewer: every compared field of the document's photos, typed beside read.
#[derive(Debug, Clone, PartialEq)]
pub struct SideBySide {
    pub path: String,
    pub media_path: String,
    pub typed: String,
    pub read: String,
    pub confidence: f32,
    /// Read with confidence and different from the typed value.
    pub differs: bool,
}

/// The reviewer's side-by-side view of the readings.
pub fn side_by_side(
    doc: &Document,
    readings: &BTreeMap<String, Reading>,
    individual: bool,
    policy: &OcrPolicy,
) -> Vec<SideBySide> {
    pairs(doc, readings, individual)
        .into_iter()
        .map(|(slot, t, read)| SideBySide {
            differs: differs(&t, read, policy),
            path: t.path.clone(),
            media_path: slot.media_path,
            typed: t.typed.clone().unwrap_or_default(),
            read: read.value.clone(),
            confidence: read.confidence,
        })
        .collect()
}
