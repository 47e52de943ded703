//! Reviewers' claims on orders in review (我来审): one reviewer holds an order for a
//! lease (a policy value) that the review page renews; the others see who holds it and
//! cannot decide it meanwhile. An admin may give the claim to someone else. Claims and
//! releases are events of the order's history like any other, so two reviewers racing
//! for one order meet at the store's version check: exactly one claim commits.

use super::{Actor, Change, Claim, Env, Event, Filing, Refusal, Status};
use chrono::Duration;

/// The user id behind an actor, for staff.
fn staff_id(actor: &Actor) -> Option<&str> {
    match actor {
        Actor::PlatformReviewer(id) | Actor::AuthorityReviewer(id) | Actor::Admin(id) => Some(id),
        _ => None,
    }
}

impl Filing {
    /// The claim in force at `env.now`, if any; an expired lease holds nothing.
    pub fn live_claim(&self, env: &Env) -> Option<&Claim> {
        self.claim.as_ref().filter(|c| c.until > env.now)
    }

    /// Whether `reviewer` may be given this order (an admin's reassignment): a reviewer of
    /// its current stage, and for the authority's stage one serving its province.
    pub fn may_hold(&self, reviewer: &Actor, reviewer_province: Option<&str>) -> bool {
        match (self.status, reviewer) {
            (Status::PlatformReview, Actor::PlatformReviewer(_)) => true,
            (Status::AuthorityReview, Actor::AuthorityReviewer(_)) => {
                reviewer_province.is_some() && reviewer_province == self.province.as_deref()
            }
            _ => false,
        }
    }

    /// Refuses a reviewer's decision while someone else holds the order.
    pub(super) fn check_claim(&self, env: &Env) -> Result<(), Refusal> {
        match self.live_claim(env) {
            Some(c) if staff_id(env.actor) != Some(c.holder.as_str()) => Err(Refusal::Claimed {
                holder: c.holder.clone(),
                until: c.until,
            }),
            _ => Ok(()),
        }
    }

    /// `Claim { holder }`: the actor claims or renews for themselves; an admin may name
    /// another holder (reassignment), even over a live claim.
    pub(super) fn decide_claim(&self, env: &Env, holder: String) -> Result<Vec<Event>, Refusal> {
        // Each review stage is claimed by its own reviewers; an admin may act on both.
        let stage_reviewer = matches!(
            (self.status, env.actor),
            (
                Status::PlatformReview | Status::AuthorityReview,
                Actor::Admin(_)
            ) | (Status::PlatformReview, Actor::PlatformReviewer(_))
                | (Status::AuthorityReview, Actor::AuthorityReviewer(_))
        );
        if !stage_reviewer {
            return Err(self.wrong());
        }
        let admin = matches!(env.actor, Actor::Admin(_));
        let own = staff_id(env.actor) == Some(holder.as_str());
        if !(own || admin) || holder.is_empty() {
            return Err(self.wrong());
        }
        if !admin {
            self.check_claim(env)?;
        }
        // A holder renewing before half the lease has run records nothing: the page's
        // renewals, or a client calling in a loop, never grow the history faster than
        // one event per half lease.
        let lease = Duration::minutes(env.policy.review_claim_lease_minutes);
        if let Some(c) = self.live_claim(env) {
            if c.holder == holder && c.until - env.now > lease / 2 {
                return Ok(vec![]);
            }
        }
        Ok(vec![Event {
            at: env.now,
            actor: env.actor.clone(),
            change: Change::Claimed {
                holder,
                until: env.now + lease,
            },
        }])
    }

    /// `Release`: by the holder or an admin, of a live claim.
    pub(super) fn decide_release(&self, env: &Env) -> Result<Vec<Event>, Refusal> {
        let claim = self.live_claim(env).ok_or_else(|| self.wrong())?;
        if !matches!(env.actor, Actor::Admin(_)) {
            self.check_claim(env)?;
        }
        Ok(vec![Event {
            at: env.now,
            actor: env.actor.clone(),
            change: Change::Released {
                holder: claim.holder.clone(),
            },
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, Kind, Time};
    use super::*;
    use crate::calendar::Calendar;
    use crate::policy::Policy;
    use crate::reference::ReferenceData;
    use chrono::TimeZone;

    struct Review {
        f: Filing,
        now: Time,
        policy: Policy,
        calendar: Calendar,
        reference: ReferenceData,
    }

    fn platform(id: &str) -> Actor {
        Actor::PlatformReviewer(id.into())
    }

    /// An order in platform review on 3 December 2026, 10:00 +08:00.
    fn in_review() -> Review {
        let now = chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 12, 3, 10, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc);
        let applicant = Actor::Applicant("u1".into());
        let (mut f, _) = Filing::create(
            "f1".into(),
            Kind::New,
            "wx1".into(),
            &applicant,
            None,
            None,
            now,
        )
        .unwrap();
        f.status = Status::PlatformReview;
        Review {
            f,
            now,
            policy: Policy::default(),
            calendar: Calendar::embedded(),
            reference: ReferenceData::embedded(),
        }
    }

    impl Review {
        fn run(&mut self, cmd: Command, actor: Actor) -> Result<Vec<Event>, Refusal> {
            let env = Env {
                now: self.now,
                actor: &actor,
                policy: &self.policy,
                calendar: &self.calendar,
                reference: &self.reference,
                code_key: b"test code key",
            };
            let events = self.f.decide(cmd, &env)?;
            for e in &events {
                self.f.apply(e);
            }
            Ok(events)
        }

        fn claim(&mut self, actor: Actor, holder: &str) -> Result<Vec<Event>, Refusal> {
            self.run(
                Command::Claim {
                    holder: holder.into(),
                },
                actor,
            )
        }

        fn reject(&mut self, actor: Actor) -> Result<Vec<Event>, Refusal> {
            let reasons = vec![super::super::Reason {
                field: None,
                error: "照片不清晰".into(),
                suggestion: "重新拍摄".into(),
            }];
            self.run(Command::PlatformReject { reasons }, actor)
        }
    }

    #[test]
    fn a_claim_holds_the_order_for_the_lease_against_other_reviewers() {
        let mut r = in_review();
        let events = r.claim(platform("r1"), "r1").unwrap();
        assert_eq!(events[0].change.name(), "claimed");
        let lease = Duration::minutes(r.policy.review_claim_lease_minutes);
        assert_eq!(
            r.f.claim,
            Some(Claim {
                holder: "r1".into(),
                until: r.now + lease
            })
        );
        // Another reviewer can neither claim nor decide it.
        let refused = r.claim(platform("r2"), "r2").unwrap_err();
        assert_eq!(refused.code(), "CLAIMED");
        assert_eq!(
            r.reject(platform("r2")).unwrap_err(),
            Refusal::Claimed {
                holder: "r1".into(),
                until: r.now + lease
            }
        );
        // Nor claim it for someone else, even its holder.
        assert_eq!(
            r.claim(platform("r2"), "r1").unwrap_err().code(),
            "WRONG_STATE"
        );
        // Its holder renews it and decides it; the decision frees it.
        r.now += Duration::minutes(20);
        r.claim(platform("r1"), "r1").unwrap();
        assert_eq!(r.f.claim.as_ref().map(|c| c.until), Some(r.now + lease));
        r.reject(platform("r1")).unwrap();
        assert_eq!(r.f.status, Status::PlatformRejected);
        assert_eq!(r.f.claim, None);
    }

    #[test]
    fn renewing_early_records_nothing_until_half_the_lease_has_run() {
        let mut r = in_review();
        r.claim(platform("r1"), "r1").unwrap();
        let first = r.f.claim.clone();
        let half = Duration::minutes(r.policy.review_claim_lease_minutes) / 2;
        for _ in 0..10 {
            r.now += Duration::seconds(30);
            assert!(r.claim(platform("r1"), "r1").unwrap().is_empty());
        }
        assert_eq!(r.f.claim, first, "an early renewal changes nothing");
        r.now = first.as_ref().unwrap().until - half;
        assert_eq!(r.claim(platform("r1"), "r1").unwrap().len(), 1);
        // An admin's reassignment is never swallowed.
        r.claim(Actor::Admin("a1".into()), "r2").unwrap();
        assert_eq!(r.f.claim.as_ref().map(|c| c.holder.as_str()), Some("r2"));
    }

    #[test]
    fn an_order_is_given_only_to_a_reviewer_of_its_stage_and_province() {
        let mut r = in_review();
        let gd = Actor::AuthorityReviewer("g1".into());
        assert!(r.f.may_hold(&platform("r1"), None));
        assert!(!r.f.may_hold(&gd, Some("44")));
        assert!(!r.f.may_hold(&Actor::Admin("a1".into()), None));
        r.f.status = Status::AuthorityReview;
        r.f.province = Some("44".into());
        assert!(!r.f.may_hold(&platform("r1"), None));
        assert!(r.f.may_hold(&gd, Some("44")));
        assert!(!r.f.may_hold(&gd, Some("11")));
        assert!(!r.f.may_hold(&gd, None));
    }

    #[test]
    fn an_expired_lease_holds_nothing() {
        let mut r = in_review();
        r.claim(platform("r1"), "r1").unwrap();
        r.now += Duration::minutes(r.policy.review_claim_lease_minutes);
        r.claim(platform("r2"), "r2").unwrap();
        assert_eq!(r.f.claim.as_ref().map(|c| c.holder.as_str()), Some("r2"));
    }

    #[test]
    fn the_holder_or_an_admin_releases_and_an_admin_reassigns() {
        let mut r = in_review();
        r.claim(platform("r1"), "r1").unwrap();
        assert_eq!(
            r.run(Command::Release, platform("r2")).unwrap_err().code(),
            "CLAIMED"
        );
        r.run(Command::Release, platform("r1")).unwrap();
        assert_eq!(r.f.claim, None);
        // Nothing to release once released.
        assert_eq!(
            r.run(Command::Release, platform("r1")).unwrap_err().code(),
            "WRONG_STATE"
        );
        // An admin gives a held order to another reviewer, and takes it back.
        r.claim(platform("r1"), "r1").unwrap();
        r.claim(Actor::Admin("a1".into()), "r2").unwrap();
        assert_eq!(r.f.claim.as_ref().map(|c| c.holder.as_str()), Some("r2"));
        r.run(Command::Release, Actor::Admin("a1".into())).unwrap();
        assert_eq!(r.f.claim, None);
    }

    #[test]
    fn only_orders_in_review_are_claimed_and_applicants_never_claim() {
        let mut r = in_review();
        assert_eq!(
            r.claim(Actor::Applicant("u1".into()), "u1")
                .unwrap_err()
                .code(),
            "WRONG_STATE"
        );
        r.f.status = Status::Draft;
        assert_eq!(
            r.claim(platform("r1"), "r1").unwrap_err().code(),
            "WRONG_STATE"
        );
        r.f.status = Status::AuthorityReview;
        // The platform's reviewers do not claim the authority's stage.
        assert_eq!(
            r.claim(platform("r1"), "r1").unwrap_err().code(),
            "WRONG_STATE"
        );
        r.claim(Actor::AuthorityReviewer("g1".into()), "g1")
            .unwrap();
    }
}
