//! Shared set-up of the fuzz targets: a fixed submission date and the environment the
//! whole-document precheck runs in.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use beian_domain::calendar::Calendar;
use beian_domain::document::Document;
use beian_domain::filing::{Actor, Env, Filing, Kind, Time};
use beian_domain::policy::Policy;
use beian_domain::reference::ReferenceData;
use beian_domain::validate::{validate, FaceFacts, Issue, MediaFacts, ValidationFacts};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

/// Submission date every parser is fuzzed with (birth dates must not follow it).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 31).expect("a real date")
}

fn now() -> Time {
    Utc.with_ymd_and_hms(2025, 1, 31, 2, 0, 0)
        .single()
        .expect("a real instant")
}

/// Parsed once: building the embedded calendar per input would dominate the run.
fn calendar() -> &'static Calendar {
    static CALENDAR: OnceLock<Calendar> = OnceLock::new();
    CALENDAR.get_or_init(Calendar::embedded)
}

/// Parsed once, like the calendar.
fn reference() -> &'static ReferenceData {
    static REFERENCE: OnceLock<ReferenceData> = OnceLock::new();
    REFERENCE.get_or_init(ReferenceData::embedded)
}

/// Facts that make the fixture document pass; fuzzed documents meet them half-way.
fn known_facts() -> ValidationFacts {
    let photo = MediaFacts {
        owned: true,
        video: false,
        certificate_type: None,
    };
    ValidationFacts {
        app_name: Some("星河记账".into()),
        owner_name: Some("深圳市星河科技有限公司".into()),
        face: Some(FaceFacts {
            id: "face1".into(),
            succeeded: true,
            expires_at: now() + Duration::days(3),
            consumed_by: None,
            identity: Some((2, "440300198512311238".into())),
            name: Some("张三".into()),
        }),
        quota_used: Some(0),
        media: Some(BTreeMap::from([("m1".to_string(), photo)])),
        subject_busy: Some(false),
        app_filed: Some(false),
        preconditions_met: Some(true),
        submissions_today: Some(0),
        ..ValidationFacts::default()
    }
}

/// Runs the full validation of `doc` for a new order, with no facts and with known facts.
pub fn precheck(doc: &Document) -> [Vec<Issue>; 2] {
    let policy = Policy::default();
    let actor = Actor::Applicant("u".into());
    let env = Env {
        now: now(),
        actor: &actor,
        policy: &policy,
        calendar: calendar(),
        reference: reference(),
        code_key: b"test code key",
    };
    let (filing, _) = Filing::create(
        "f".into(),
        Kind::New,
        "wx".into(),
        &actor,
        None,
        None,
        now(),
    )
    .expect("an applicant can create a new filing");
    [
        validate(doc, &ValidationFacts::default(), &filing, &env),
        validate(doc, &known_facts(), &filing, &env),
    ]
}
