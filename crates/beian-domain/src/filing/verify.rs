//! The 12381 verification of a filing: the recipient is found by the pair mobile + last
//! six of the certificate (identity first), then the code counts (§3.3).

use super::{code_matches, Change, Env, Event, Filing, Kind, Refusal, ReturnReason, Status};
use chrono::Utc;

impl Filing {
    /// A verification request for an order no longer in verification: `EXPIRED`
    /// when the round ran out and the pair is a recipient's, "not found" otherwise.
    pub(super) fn after_the_round(&self, mobile: &str, last6: &str) -> Refusal {
        let expired =
            self.status == Status::Returned && self.returned_reason == Some(ReturnReason::Timeout);
        let recipient = self.sms.as_ref().is_some_and(|round| {
            round
                .recipients
                .iter()
                .any(|r| r.mobile == mobile && r.last6.eq_ignore_ascii_case(last6.trim()))
        });
        if expired && recipient {
            Refusal::SmsExpired
        } else {
            Refusal::RecipientNotFound
        }
    }

    pub(super) fn decide_verify(
        &self,
        env: &Env,
        mobile: &str,
        last6: &str,
        code: &str,
    ) -> Result<Vec<Event>, Refusal> {
        let round = self.sms.as_ref().ok_or(Refusal::RecipientNotFound)?;
        // Identity first: only the pair mobile + last six finds a recipient, and
        // anything else is "not found" and counts nothing, so knowing a mobile
        // is not enough to spend its attempts and return the order.
        let index = round
            .recipients
            .iter()
            .position(|r| r.mobile == mobile && r.last6.eq_ignore_ascii_case(last6.trim()))
            .ok_or(Refusal::RecipientNotFound)?;
        if env.now >= round.deadline {
            return Err(Refusal::SmsExpired);
        }
        let r = &round.recipients[index];
        if r.verified_at.is_some() {
            return Err(Refusal::AlreadyVerified);
        }
        let event = |change| Event {
            at: env.now,
            actor: env.actor.clone(),
            change,
        };
        let right = code_matches(
            env.code_key,
            &r.code_hash,
            &self.id,
            round.number,
            index,
            code.trim(),
        );
        if !right {
            let mut events = vec![event(Change::WrongCode { index })];
            if r.wrong_attempts + 1 > env.policy.sms_max_wrong_attempts {
                events.push(event(if self.kind == Kind::Cancel {
                    Change::Abandoned {
                        reason: ReturnReason::TooManyAttempts,
                    }
                } else {
                    Change::Returned {
                        reason: ReturnReason::TooManyAttempts,
                        fix_deadline: self.fix_deadline(env),
                    }
                }));
            }
            return Ok(events);
        }
        let mut events = vec![event(Change::RecipientVerified { index })];
        let others_done = round
            .recipients
            .iter()
            .enumerate()
            .all(|(i, r)| i == index || r.verified_at.is_some());
        if others_done {
            if self.kind == Kind::Cancel && !env.policy.cancel_authority_step {
                events.push(event(Change::Cancelled));
            } else {
                let sla = env.policy.authority_review_sla_wd;
                let start = env.now.with_timezone(&crate::calendar::china_offset());
                let due = env.calendar.sla_due(start, sla)?;
                events.push(event(Change::AuthorityReviewStarted {
                    due_at: due.at.with_timezone(&Utc),
                    due_provisional: due.provisional,
                }));
            }
        }
        Ok(events)
    }
}
