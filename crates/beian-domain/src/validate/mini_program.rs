//! The mini program section: face verification of its principal, its name, service types,
//! pre-approvals, languages and remark (V-MP-001..004, V-MP-007..022, the name part of
//! V-POL-009).

use crate::document::Document;
use crate::filing::facts::ValidationFacts;
use crate::filing::model::Filing;
use crate::reference::SubjectNature;
use crate::validate::check::{chars, is_cjk, text, Check};

pub(super) fn face(c: &mut Check, doc: &Document, facts: &ValidationFacts, filing: &Filing) {
    let field = "mini_program_principal.face_verification";
    let Some(id) = text(&doc.mini_program_principal.face_verification) else {
        c.push("V-MP-001", field);
        return;
    };
    let Some(face) = facts.face.as_ref().filter(|f| f.id == id) else {
        c.push("V-MP-001", field);
        return;
    };
    if !face.succeeded {
        c.push("V-MP-002", field);
        return;
    }
    // A task stays valid once bound to this order by its first submission.
    let bound_here = face.consumed_by.as_deref() == Some(filing.id.as_str());
    if !bound_here && (face.consumed_by.is_some() || c.env.now >= face.expires_at) {
        c.push("V-MP-003", field);
    }
    let principal = doc.mp_principal();
    if face.identity != principal.identity()
        || face.name.as_deref().map(str::trim) != text(&principal.name)
    {
        c.push("V-MP-004", field);
    }
}

/// V-MP-017..022 and the name part of V-POL-009 on `mini_program.name`.
fn mp_name(c: &mut Check, name: &str, facts: &ValidationFacts, nature: Option<&SubjectNature>) {
    let field = "mini_program.name";
    let refs = c.refs;
    let rules = &refs.name_rules;
    if let Some(registered) = facts.app_name.as_deref() {
        if name != registered.trim() {
            c.push("V-MP-017", field);
        }
    }
    let state_body = nature.is_some_and(|n| c.policy().name_state_natures.contains(&n.id));
    if !state_body {
        if let Some(word) = rules
            .restricted_prefixes
            .iter()
            .find(|w| name.starts_with(w.as_str()))
        {
            c.push_with("V-MP-018", field, &[("词", word)]);
        }
    }
    let letters: Vec<char> = name.chars().collect();
    let only_digits = letters.iter().all(char::is_ascii_digit);
    let only_latin = letters
        .iter()
        .all(|ch| ch.is_ascii_alphanumeric() || *ch == ' ')
        && letters.iter().any(char::is_ascii_alphabetic);
    let allowed = letters
        .iter()
        .all(|ch| is_cjk(*ch) || ch.is_ascii_alphanumeric() || matches!(ch, ' ' | '·' | '-'));
    if !(2..=30).contains(&letters.len()) || only_digits || only_latin || !allowed {
        c.push("V-MP-019", field);
    }
    let lower = name.to_lowercase();
    let contains = |words: &[String]| words.iter().any(|w| lower.contains(&w.to_lowercase()));
    if contains(&rules.sensitive_words) {
        c.push("V-MP-020", field);
    }
    if facts
        .other_service_names
        .iter()
        .any(|other| other.trim() == name)
    {
        c.push("V-MP-021", field);
    }
    if nature.is_some_and(SubjectNature::is_individual) && contains(&rules.commercial_words) {
        c.push("V-MP-022", field);
    }
    if contains(&rules.entry_blocked_words) {
        c.push("V-POL-009", field);
    }
}

pub(super) fn mini_program(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    nature: Option<&SubjectNature>,
) {
    let refs = c.refs;
    let mp = &doc.mini_program;
    if c.required(&mp.name, "mini_program.name") {
        mp_name(c, text(&mp.name).unwrap_or_default(), facts, nature);
    }
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let types = mp.service_content_types.clone().unwrap_or_default();
    if types.is_empty() || types.len() > c.policy().service_types_max as usize {
        c.push("V-MP-007", "mini_program.service_content_types");
    }
    let mut hints = vec![];
    for (i, t) in types.iter().enumerate() {
        let field = format!("mini_program.service_content_types[{i}]");
        let item = refs
            .service_types
            .get(t)
            .filter(|s| s.enabled && s.parent_id != 0);
        match item {
            None => c.push("V-MP-008", field),
            Some(_) if types[..i].contains(t) => c.push("V-MP-009", field),
            Some(s) if individual && !s.individual_selectable => c.push("V-MP-010", field),
            Some(s)
                if s.gov_only
                    && nature.is_some_and(|n| !c.policy().taxonomy_gov_only.contains(&n.id)) =>
            {
                c.push("V-MP-008", field)
            }
            Some(s) => hints.extend(s.preapproval_hint),
        }
    }
    match &mp.preapprovals {
        None => c.push("V-MP-011", "mini_program.preapprovals"),
        Some(items) => {
            let mut none_reported = false;
            for (i, item) in items.iter().enumerate() {
                let path = format!("mini_program.preapprovals[{i}]");
                match item.category {
                    None => c.push("V-REQ-001", format!("{path}.category")),
                    // "以上都不涉及" is the empty list, never an item beside real ones.
                    Some(0) => {
                        if !none_reported {
                            c.push("V-MP-011", "mini_program.preapprovals");
                            none_reported = true;
                        }
                        continue;
                    }
                    Some(cat)
                        if !refs
                            .preapproval_categories
                            .get(&cat)
                            .is_some_and(|p| p.enabled)
                            || items[..i].iter().any(|o| o.category == Some(cat)) =>
                    {
                        c.push("V-MP-012", format!("{path}.category"))
                    }
                    Some(_) => {}
                }
                if text(&item.approval_number).is_none_or(|n| chars(n) > 100) {
                    c.push("V-MP-013", format!("{path}.approval_number"));
                }
                if text(&item.document).is_none() {
                    c.push("V-MP-013", format!("{path}.document"));
                }
            }
            // V-MP-014: a selected service usually needs an approval that is not listed.
            let listed: Vec<u32> = items.iter().filter_map(|p| p.category).collect();
            if hints.iter().any(|h| !listed.contains(h)) {
                c.push("V-MP-014", "mini_program.preapprovals");
            }
        }
    }
    let langs = mp.languages.clone().unwrap_or_default();
    let known = |l: &u32| refs.languages.get(l).is_some_and(|x| x.enabled);
    if langs.is_empty()
        || !langs.iter().all(known)
        || (1..langs.len()).any(|i| langs[..i].contains(&langs[i]))
    {
        c.push("V-MP-015", "mini_program.languages");
    }
    match text(&mp.remark) {
        Some(r) if (20..=200).contains(&chars(r)) => {}
        _ => c.push("V-MP-016", "mini_program.remark"),
    }
}
