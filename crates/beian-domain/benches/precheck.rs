//! Cost of the precheck that runs on every save, submit and resubmit (domain.md §8.1):
//! the whole-document validation and each rule family it is built from.
//!
//! Baseline: `serde_json::to_string` of the same document. Every save serialises the
//! document to store it, so "validation costs N serialisations" says directly whether the
//! precheck matters next to work the request does anyway; and the ratio, unlike raw
//! nanoseconds, carries over between machines. `scripts/bench-precheck.sh` runs this and
//! prints ns per call and the ratio to the baseline.

use std::hint::black_box;

use beian_domain::calendar::Calendar;
use beian_domain::document::Document;
use beian_domain::filing::{Actor, Env, Filing, Kind, Time};
use beian_domain::fixtures;
use beian_domain::ids::{CreditCode, Email, Mobile, ResidentId};
use beian_domain::numbers::FilingNumber;
use beian_domain::policy::Policy;
use beian_domain::reference::ReferenceData;
use beian_domain::validate::{validate, FaceFacts, MediaFacts, ValidationFacts};
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};

fn now() -> Time {
    Utc.with_ymd_and_hms(2025, 1, 31, 2, 0, 0).unwrap()
}

/// The sample document, the facts under which it passes every rule and the order it is
/// checked on, as in validate's own tests.
#[path = "../src/validate/tests/sample.rs"]
mod sample;

fn precheck(c: &mut Criterion) {
    let doc = sample::document();
    let facts = sample::known_facts(now());
    let calendar = Calendar::embedded();
    let reference = ReferenceData::embedded();
    let order = sample::NewOrder::at(now());
    let env = order.env(now(), &calendar, &reference);
    let filing = &order.filing;
    assert!(validate(&doc, &facts, filing, &env).is_empty());
    let today = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
    let sla_start = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();

    let mut g = c.benchmark_group("precheck");
    g.bench_function("baseline_document_to_json", |b| {
        b.iter(|| serde_json::to_string(black_box(&doc)))
    });
    g.bench_function("validate_enterprise_document", |b| {
        b.iter(|| validate(black_box(&doc), &facts, filing, &env))
    });
    g.bench_function("resident_id_parse", |b| {
        b.iter(|| ResidentId::parse(black_box("440300198512311238"), today))
    });
    g.bench_function("credit_code_parse", |b| {
        b.iter(|| CreditCode::parse(black_box("91440300708461136T")))
    });
    g.bench_function("mobile_parse", |b| {
        b.iter(|| Mobile::parse(black_box("13800138000"), true))
    });
    g.bench_function("email_parse", |b| {
        b.iter(|| Email::parse(black_box("zs@example.com")))
    });
    g.bench_function("filing_number_parse", |b| {
        b.iter(|| FilingNumber::parse(black_box("粤ICP备2025000001号-1X")))
    });
    // Crosses the 8-day National Day block and a make-up Saturday (§11.3 vector).
    g.bench_function("add_working_days_20", |b| {
        b.iter(|| calendar.add_working_days(black_box(sla_start), 20))
    });
    g.finish();
}

criterion_group!(benches, precheck);
criterion_main!(benches);
