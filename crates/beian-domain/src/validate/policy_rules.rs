//! Rules that compare the document with the subject's other records and orders and with the
//! platform's policy: what a change order may not change (V-SUB-009..011, V-MP-023) and
//! V-POL-001..003, 007..011; with the helpers callers use to look those facts up.

use chrono::{Duration, NaiveTime};

use crate::document::Document;
use crate::filing::facts::ValidationFacts;
use crate::filing::model::{Filing, Kind, Time};
use crate::ids;
use crate::policy::Policy;
use crate::reference::{ProvinceRule, ReferenceData, SubjectNature};
use crate::validate::check::{same_name, text, Check};

/// The quota of a nature's class (§4.1); unknown natures count as organisations.
pub fn quota_limit(reference: &ReferenceData, policy: &Policy, nature: u32) -> u32 {
    reference
        .natures
        .get(&nature)
        .map_or(policy.quota_organisation, |n| {
            policy.quota_for_class(n.quota_class)
        })
}

/// The normalised mobiles of the document's principals, as V-PER-011 compares them.
pub fn principal_mobiles(doc: &Document, policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = [&doc.subject_principal, doc.mp_principal()]
        .into_iter()
        .filter_map(|p| text(&p.mobile))
        .filter_map(|m| ids::Mobile::parse(m, policy.mobile_allow_virtual).ok())
        .map(|m| m.as_str().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The start of the submission day that contains `now`: daily quotas reset at 10:00 China
/// time (§4.1 `submissions.daily_per_mp`).
pub fn daily_reset(now: Time) -> Time {
    let china = crate::calendar::china_offset();
    let local = now.with_timezone(&china);
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default();
    let mut day = local.date_naive();
    if local.time() < ten {
        day = day.pred_opt().unwrap_or(day);
    }
    let start = day.and_time(ten) - Duration::hours(8);
    start.and_utc()
}

/// V-SUB-009..011 and V-MP-023: what a change order may not change (§2.3).
pub(super) fn change_order(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    filing: &Filing,
    nature: Option<&SubjectNature>,
) {
    if let Some(appid) = text(&doc.mini_program.appid) {
        if appid != filing.appid {
            c.push("V-MP-023", "mini_program.appid");
        }
    }
    let Some(record) = facts.record.as_deref().or(filing.record.as_ref()) else {
        return;
    };
    if let Some(province) = doc.province2() {
        if !record.province.is_empty() && province != record.province {
            c.push("V-SUB-011", "subject.province");
        }
    }
    let Some(before) = record.document.as_ref() else {
        return;
    };
    let (now, was) = (&doc.subject, &before.subject);
    if now.nature.is_some() && now.nature != was.nature {
        c.push("V-SUB-010", "subject.nature");
    }
    if now.certificate.kind.is_some() && now.certificate.kind != was.certificate.kind {
        c.push("V-SUB-010", "subject.certificate.type");
    }
    let number = |n: &Option<String>| text(n).map(ids::normalise);
    if number(&now.certificate.number).is_some()
        && number(&now.certificate.number) != number(&was.certificate.number)
    {
        c.push("V-SUB-010", "subject.certificate.number");
    }
    let renamed = match (text(&now.name), text(&was.name)) {
        (Some(a), Some(b)) => !same_name(a, b),
        _ => false,
    };
    let organisation = nature.is_some_and(|n| !n.is_individual());
    if organisation && renamed && text(&doc.materials.name_change_letter).is_none() {
        c.push("V-SUB-009", "materials.name_change_letter");
    }
}

/// V-POL-001..003 and V-POL-007..011 (V-POL-004..006 are individual rules above).
pub(super) fn policy_rules(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    filing: &Filing,
    nature: Option<&SubjectNature>,
    province: Option<&ProvinceRule>,
) {
    if let (Some(used), Some(n)) = (facts.quota_used, nature) {
        if filing.kind == Kind::New && used >= c.policy().quota_for_class(n.quota_class) {
            c.push("V-POL-001", "subject");
        }
    }
    if let Some(own) = doc.province2() {
        if let Some(other) = facts.subject_provinces.iter().find(|p| **p != own) {
            let refs = c.refs;
            let name = refs
                .province(other)
                .map_or(other.as_str(), |p| p.name_zh.as_str());
            c.push_with("V-POL-002", "subject.province", &[("省", name)]);
        }
    }
    if facts.subject_busy == Some(true) {
        c.push("V-POL-003", "subject");
    }
    if filing.kind == Kind::New && facts.app_filed == Some(true) {
        c.push("V-POL-007", "mini_program.appid");
    }
    if facts.preconditions_met == Some(false) {
        c.push("V-POL-008", "mini_program");
    }
    if province.is_some_and(|p| p.paused) {
        c.push("V-POL-009", "subject.province");
    }
    let limit = c.policy().submissions_daily_per_mp;
    if limit > 0 && facts.submissions_today.is_some_and(|n| n >= limit) {
        c.push("V-POL-010", "mini_program");
    }
}
