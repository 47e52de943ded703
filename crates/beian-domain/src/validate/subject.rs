//! The subject section (主办者): nature, name, region and address, and the subject's own
//! certificate (V-SUB-001, V-ORG-*, V-REG-*, V-POL-011).

use chrono::NaiveDate;

use crate::document::Document;
use crate::filing::facts::ValidationFacts;
use crate::filing::model::{Filing, Kind};
use crate::ids;
use crate::reference::{NumberFormat, ProvinceRule, Region, SubjectNature};
use crate::validate::check::{chars, same_name, text, Check};

/// V-SUB-001: the nature must be a known, enabled id.
pub(super) fn subject_nature<'a>(c: &mut Check<'a>, doc: &Document) -> Option<&'a SubjectNature> {
    let refs = c.refs;
    match doc.subject.nature {
        None => {
            c.push("V-REQ-001", "subject.nature");
            None
        }
        Some(n) => match refs.natures.get(&n).filter(|x| x.enabled) {
            None => {
                c.push("V-SUB-001", "subject.nature");
                None
            }
            found => found,
        },
    }
}

/// V-ORG-009 (the host's verified name) and V-POL-011 (the name on record).
pub(super) fn subject_name(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    filing: &Filing,
) {
    if !c.required(&doc.subject.name, "subject.name") {
        return;
    }
    let name = text(&doc.subject.name).unwrap_or_default();
    if let Some(owner) = facts.owner_name.as_deref() {
        if !same_name(owner, name) {
            c.push("V-ORG-009", "subject.name");
        }
    }
    // A change order may rename the subject (with a name-change letter, V-SUB-009).
    if filing.kind != Kind::Change {
        if let Some(recorded) = facts.recorded_subject_name.as_deref() {
            if !same_name(recorded, name) {
                c.push("V-POL-011", "subject.name");
            }
        }
    }
}

fn six_digits(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The chosen province → city → district chain, once it is known to be valid.
pub(super) struct Chain<'r> {
    pub(super) province: &'r Region,
    pub(super) city: &'r Region,
    pub(super) district: &'r Region,
}

/// V-REG-001: each code exists in the region table and the three form a chain. Reported on
/// the first link that breaks.
pub(super) fn region<'a>(c: &mut Check<'a>, doc: &Document) -> Option<Chain<'a>> {
    let refs = c.refs;
    let s = &doc.subject;
    let (p, ci, d) = (text(&s.province), text(&s.city), text(&s.district));
    let (Some(p), Some(ci), Some(d)) = (p, ci, d) else {
        for (v, f) in [
            (p, "subject.province"),
            (ci, "subject.city"),
            (d, "subject.district"),
        ] {
            if v.is_none() {
                c.push("V-REQ-001", f);
            }
        }
        return None;
    };
    // Taiwan, Hong Kong and Macau have no filing authority.
    let province = refs.region(p).filter(|r| {
        r.level == 1
            && six_digits(p)
            && p.ends_with("0000")
            && !["71", "81", "82"].contains(&&p[..2])
    });
    let Some(province) = province else {
        c.push("V-REG-001", "subject.province");
        return None;
    };
    let city = refs.region(ci).filter(|r| {
        r.level == 2
            && r.parent.as_deref() == Some(p)
            && six_digits(ci)
            && ci[..2] == p[..2]
            && ci.ends_with("00")
    });
    let Some(city) = city else {
        c.push("V-REG-001", "subject.city");
        return None;
    };
    // A few cities (东莞, 中山, 儋州, 嘉峪关) have no county-level units; their own code
    // stands in for the district.
    let district = if d == ci && !refs.has_children(ci) {
        Some(city)
    } else {
        refs.region(d).filter(|r| {
            r.level == 3 && r.parent.as_deref() == Some(ci) && six_digits(d) && d[..4] == ci[..4]
        })
    };
    let Some(district) = district else {
        c.push("V-REG-001", "subject.district");
        return None;
    };
    Some(Chain {
        province,
        city,
        district,
    })
}

/// A place's name without its administrative suffix, for loose matches (V-REG-006).
/// Autonomous prefectures keep their first two characters (延边, 黔南, 恩施 …).
fn short_place_name(name: &str) -> String {
    if name.ends_with("自治州") || name.ends_with("自治县") || name.ends_with("自治旗") {
        return name.chars().take(2).collect();
    }
    for suffix in ["地区", "市", "盟", "区", "县"] {
        if let Some(short) = name.strip_suffix(suffix) {
            if short.chars().count() >= 2 {
                return short.to_string();
            }
        }
    }
    name.to_string()
}

/// V-REG-002..004 on the communication address, V-REG-006 on the certificate address.
pub(super) fn address(
    c: &mut Check,
    doc: &Document,
    chain: Option<&Chain>,
    province: Option<&ProvinceRule>,
) {
    let s = &doc.subject;
    let address = match text(&s.address) {
        None => {
            c.push("V-REQ-001", "subject.address");
            None
        }
        Some(a) if !(5..=100).contains(&chars(a)) => {
            c.push("V-REG-002", "subject.address");
            None
        }
        Some(a) => Some(a.replace([' ', '\u{3000}'], "")),
    };
    let Some(chain) = chain else { return };
    if let Some(a) = &address {
        // Full names of the chain, and the province's short name (广东). Short names of
        // cities and districts are left out on purpose: they begin real street and landmark
        // names (深圳湾, 南山大道) inside the very district chosen.
        let mut prefixes = vec![chain.province.name.as_str()];
        if let Some(p) = province {
            prefixes.push(p.name_zh.as_str());
        }
        for r in [chain.city, chain.district] {
            if !r.is_placeholder() {
                prefixes.push(r.name.as_str());
            }
        }
        if prefixes.iter().any(|n| !n.is_empty() && a.starts_with(n)) {
            c.push("V-REG-003", "subject.address");
        }
        let chain_names = [
            chain.province.name.as_str(),
            chain.city.name.as_str(),
            chain.district.name.as_str(),
        ];
        let outside = c.refs.regions.values().any(|r| {
            (r.level == 1 || (r.level == 2 && !r.is_placeholder()))
                && !chain_names.contains(&r.name.as_str())
                && a.contains(r.name.as_str())
        });
        if outside {
            c.push("V-REG-004", "subject.address");
        }
    }
    if province.is_some_and(|p| p.same_city_address) {
        if let Some(cert_address) = text(&s.certificate.address) {
            let place = if chain.city.is_placeholder() {
                chain.district
            } else {
                chain.city
            };
            let short = short_place_name(&place.name);
            if !cert_address.contains(place.name.as_str()) && !cert_address.contains(&short) {
                c.push("V-REG-006", "subject.certificate.address");
            }
        }
    }
}

/// V-ORG-001..008, 010..012, V-REG-005 and V-PER-004 on the subject's own certificate.
pub(super) fn subject_certificate(c: &mut Check, doc: &Document, nature: Option<&SubjectNature>) {
    let s = &doc.subject;
    let cert = &s.certificate;
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let Some(kind) = cert.kind else {
        c.push("V-REQ-001", "subject.certificate.type");
        return;
    };
    if let Some(n) = nature {
        if !n.allowed_certificates.contains(&kind) {
            c.push("V-ORG-001", "subject.certificate.type");
        }
    }
    let field = "subject.certificate.number";
    let kind_info = c.refs.certificate_types.get(&kind).filter(|t| t.enabled);
    match (text(&cert.number), kind_info) {
        (None, _) => c.push("V-REQ-001", field),
        // An unknown type is V-ORG-001 (or V-SUB-001 for an unknown nature) already.
        (Some(_), None) => {}
        (Some(number), Some(t)) => match t.format {
            NumberFormat::Uscc => match ids::CreditCode::parse(number) {
                Ok(code) => {
                    if !code.embedded_org_code_ok() {
                        c.push("V-ORG-004", field);
                    }
                    credit_code_origin(c, doc, nature, &code);
                }
                Err(e) if e.code() == "USCC_CHECKSUM" => c.push("V-ORG-003", field),
                Err(_) => c.push("V-ORG-002", field),
            },
            NumberFormat::OrgCode => {
                if ids::OrgCode::parse(number).is_err() {
                    c.push("V-ORG-006", field);
                }
            }
            NumberFormat::UsccIfShaped => {
                let n = ids::normalise(number);
                let uscc_shaped = n.chars().count() == 18
                    && n.chars()
                        .all(|ch| "0123456789ABCDEFGHJKLMNPQRTUWXY".contains(ch));
                match ids::CreditCode::parse(&n) {
                    Ok(code) => credit_code_origin(c, doc, nature, &code),
                    Err(e) if uscc_shaped && e.code() == "USCC_CHECKSUM" => {
                        c.push("V-ORG-007", field)
                    }
                    Err(_) => {
                        if !free_number_ok(&n, 4) {
                            c.push("V-ORG-007", field);
                        }
                    }
                }
            }
            NumberFormat::Free => {
                if !free_number_ok(&ids::normalise(number), 2) {
                    c.push("V-ORG-008", field);
                }
            }
            personal => c.person_number(personal, number, field),
        },
    }
    if individual {
        // V-ORG-010: an individual's subject certificate is the principal's own.
        let sp = &doc.subject_principal;
        let number = text(&cert.number).map(ids::normalise);
        let principal_number = text(&sp.certificate.number).map(ids::normalise);
        if sp.certificate.kind.is_some() && cert.kind != sp.certificate.kind {
            c.push("V-ORG-010", "subject.certificate.type");
        }
        if principal_number.is_some() && number != principal_number {
            c.push("V-ORG-010", "subject.certificate.number");
        }
        if let (Some(a), Some(b)) = (text(&s.name), text(&sp.name)) {
            if !same_name(a, b) {
                c.push("V-ORG-010", "subject.name");
            }
        }
    } else {
        match text(&cert.address) {
            Some(a) if chars(a) <= 200 => {}
            _ => c.push("V-ORG-011", "subject.certificate.address"),
        }
        if text(&cert.photo).is_none() {
            c.push("V-ORG-012", "subject.certificate.photo");
        }
    }
    if let Some(until) = text(&cert.valid_until).filter(|u| *u != "长期") {
        match NaiveDate::parse_from_str(until, "%Y-%m-%d") {
            Ok(end) => c.expiring(end, "subject.certificate.valid_until".into()),
            Err(_) => c.push("V-PER-003", "subject.certificate.valid_until"),
        }
    }
}

/// Letters, digits, CJK, `-` and brackets, `min`–50 characters (V-ORG-007, V-ORG-008).
fn free_number_ok(n: &str, min: usize) -> bool {
    (min..=50).contains(&n.chars().count())
        && n.chars()
            .all(|ch| ch.is_alphanumeric() || "-()（）".contains(ch))
}

/// V-ORG-005 and V-REG-005: what a valid credit code says about category and province.
fn credit_code_origin(
    c: &mut Check,
    doc: &Document,
    nature: Option<&SubjectNature>,
    code: &ids::CreditCode,
) {
    let Some(n) = nature.filter(|n| !n.is_individual()) else {
        return;
    };
    let prefix: String = code.as_str().chars().take(2).collect();
    if !n.uscc_prefixes.is_empty() && !n.uscc_prefixes.contains(&prefix) {
        c.push("V-ORG-005", "subject.certificate.number");
    }
    // Positions 3–4 are the registering authority's province (ASCII digits, checked by parse).
    let registered = code.division_code().get(..2).unwrap_or_default();
    if let Some(filing) = doc.province2() {
        if c.refs.province(registered).is_some() && registered != filing {
            c.push("V-REG-005", "subject.province");
        }
    }
}
