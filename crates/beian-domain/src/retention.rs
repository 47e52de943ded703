//! How long personal data is kept after an order ends (PIPL: no longer than needed).
//!
//! Erasure is crypto-shredding: the order's data key is destroyed, so its sealed
//! document, events, face identity and SMS can no longer be read by anyone. The order's
//! projection keeps a redacted state ([`crate::filing::Filing::redacted`]) and its events
//! keep their links, so the chain's order, count and head, and the daily anchors, still
//! verify. Face photos are erased sooner than the rest: the object is deleted.

use crate::filing::model::{Kind, Status, Time};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// Retention periods in days (policy values; operators override them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Retention {
    /// A discarded draft, after it was discarded.
    pub discarded_days: i64,
    /// A withdrawn or expired order, after it ended.
    pub closed_days: i64,
    /// The face photos of any order, after it ended (filed ones included).
    pub face_days: i64,
    /// What was read from a certificate photo (names, numbers), after the upload: it serves
    /// the form's pre-fill and the first review; the photo itself stays with the order.
    pub readings_days: i64,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            discarded_days: 30,
            closed_days: 180,
            face_days: 90,
            readings_days: 30,
        }
    }
}

/// What is erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Erase {
    /// The order's data key: everything sealed with it.
    Order,
    /// The face photos of the order's face task.
    FacePhoto,
}

impl Retention {
    /// The shortest period: orders that ended more recently than this keep everything.
    pub fn shortest_days(&self) -> i64 {
        self.discarded_days
            .min(self.closed_days)
            .min(self.face_days)
    }

    /// What of an order of `kind` in `status`, which ended at `ended`, is due at `now`.
    pub fn due(&self, kind: Kind, status: Status, ended: Time, now: Time) -> Vec<Erase> {
        if !status.is_terminal(kind) {
            return vec![];
        }
        let past = |days: i64| now - ended >= Duration::days(days);
        let order = match status {
            Status::Discarded => Some(self.discarded_days),
            Status::Withdrawn | Status::Expired => Some(self.closed_days),
            _ => None,
        };
        let mut out = vec![];
        if order.is_some_and(past) {
            out.push(Erase::Order);
        }
        if past(self.face_days) {
            out.push(Erase::FacePhoto);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Time {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(i64::from(day))
    }

    #[test]
    fn each_kind_of_end_keeps_its_own_period() {
        let r = Retention::default();
        let due = |status, days| r.due(Kind::New, status, at(0), at(days));
        assert_eq!(due(Status::Discarded, 29), vec![]);
        assert_eq!(due(Status::Discarded, 30), vec![Erase::Order]);
        assert_eq!(due(Status::Withdrawn, 89), vec![]);
        assert_eq!(due(Status::Withdrawn, 90), vec![Erase::FacePhoto]);
        assert_eq!(
            due(Status::Expired, 180),
            vec![Erase::Order, Erase::FacePhoto]
        );
        // A filed order keeps its record; only its face photos go.
        assert_eq!(due(Status::Filed, 3650), vec![Erase::FacePhoto]);
        // An order still in progress keeps everything, however old.
        assert_eq!(due(Status::Draft, 3650), vec![]);
        assert_eq!(due(Status::AuthorityReview, 3650), vec![]);
        assert_eq!(r.shortest_days(), 30);
    }

    #[test]
    fn periods_are_policy_values() {
        let r = Retention {
            discarded_days: 1,
            closed_days: 2,
            face_days: 3,
            readings_days: 4,
        };
        assert_eq!(
            r.due(Kind::New, Status::Discarded, at(0), at(1)),
            vec![Erase::Order]
        );
        assert_eq!(
            r.due(Kind::New, Status::Withdrawn, at(0), at(3)),
            vec![Erase::Order, Erase::FacePhoto]
        );
    }
}
