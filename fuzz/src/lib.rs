//! Shared set-up of the fuzz targets: a fixed submission date and the environment the
//! whole-document precheck runs in.

use beian_domain::calendar::Calendar;
use beian_domain::document::Document;
use beian_domain::filing::{Actor, Env, Filing, Kind, Time};
use beian_domain::fixtures;
use beian_domain::policy::Policy;
use beian_domain::reference::ReferenceData;
use beian_domain::validate::{validate, FaceFacts, Issue, MediaFacts, ValidationFacts};
use chrono::{NaiveDate, TimeZone, Utc};

/// Submission date every parser is fuzzed with (birth dates must not follow it).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 31).expect("a real date")
}

fn now() -> Time {
    Utc.with_ymd_and_hms(2025, 1, 31, 2, 0, 0)
        .single()
        .expect("a real instant")
}

/// The facts that make the fixture document pass (fuzzed documents meet them half-way),
/// and the new order the precheck runs on.
#[path = "../../crates/beian-domain/src/validate/tests/sample.rs"]
mod sample;

/// Runs the full validation of `doc` for a new order, with no facts and with known facts.
pub fn precheck(doc: &Document) -> [Vec<Issue>; 2] {
    let order = sample::NewOrder::at(now());
    let env = order.env(now(), sample::calendar(), sample::reference());
    [
        validate(doc, &ValidationFacts::default(), &order.filing, &env),
        validate(doc, &sample::known_facts(now()), &order.filing, &env),
    ]
}
