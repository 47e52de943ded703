//! The sample enterprise document, the facts under which it passes every rule, and an
//! applicant's new order to check it on. The validation tests, the precheck benchmark
//! and the fuzz targets include this file by path, each using a part of it; each
//! includer brings the types below into its own scope.
#![allow(dead_code)]

use super::{
    fixtures, Actor, Calendar, Document, Env, FaceFacts, Filing, Kind, MediaFacts, Policy,
    ReferenceData, Time, ValidationFacts,
};
use chrono::Duration;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The embedded calendar, parsed once: parsing it per check would dominate a run.
pub fn calendar() -> &'static Calendar {
    static CALENDAR: OnceLock<Calendar> = OnceLock::new();
    CALENDAR.get_or_init(Calendar::embedded)
}

/// The embedded reference data, parsed once like the calendar.
pub fn reference() -> &'static ReferenceData {
    static REFERENCE: OnceLock<ReferenceData> = OnceLock::new();
    REFERENCE.get_or_init(ReferenceData::embedded)
}

/// An enterprise in Shenzhen with the principal's face verification `face1` and every
/// photo `m1`.
pub fn document() -> Document {
    fixtures::enterprise_document(
        "深圳市星河科技有限公司",
        "91440300708461136T",
        "星河记账",
        "face1",
        "m1",
    )
}

/// Every fact known, and each one passing [`document`], for a submission at `now`.
pub fn known_facts(now: Time) -> ValidationFacts {
    let photo = MediaFacts {
        owned: true,
        video: false,
        certificate_type: None,
        reading: None,
    };
    ValidationFacts {
        app_name: Some("星河记账".into()),
        owner_name: Some("深圳市星河科技有限公司".into()),
        face: Some(FaceFacts {
            id: "face1".into(),
            succeeded: true,
            expires_at: now + Duration::days(3),
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

/// An applicant's new order `f` of app `wx`, and the default policy its precheck runs
/// under.
pub struct NewOrder {
    pub actor: Actor,
    pub filing: Filing,
    pub policy: Policy,
}

impl NewOrder {
    /// The order as created at `now`.
    pub fn at(now: Time) -> NewOrder {
        let actor = Actor::Applicant("u".into());
        let (filing, _) =
            Filing::create("f".into(), Kind::New, "wx".into(), &actor, None, None, now)
                .expect("an applicant can create a new filing");
        NewOrder {
            actor,
            filing,
            policy: Policy::default(),
        }
    }

    /// The environment of its precheck at `now`.
    pub fn env<'a>(
        &'a self,
        now: Time,
        calendar: &'a Calendar,
        reference: &'a ReferenceData,
    ) -> Env<'a> {
        Env {
            now,
            actor: &self.actor,
            policy: &self.policy,
            calendar,
            reference,
            code_key: b"test code key",
        }
    }
}
