//! The operations dashboard's figures, computed from the event log: filings
//! by stage, time per stage, SLA breaches, rejection reasons and SMS
//! verification outcomes. Pure: the store hands over the histories.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::filing::{Change, Event, Kind, ReturnReason, Status, Time};

pub mod trends;

/// One order with its event log.
#[derive(Debug, Clone)]
pub struct History {
    pub filing_id: String,
    pub kind: Kind,
    pub province: Option<String>,
    pub status: Status,
    pub events: Vec<Event>,
}

/// A labelled count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: u64,
}

/// Duration statistics of one stage, in hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageTime {
    pub stage: String,
    pub label: String,
    /// Completed passes through the stage.
    pub samples: u64,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

/// SLA breaches of one stage in one province: finished late, or still open past due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breach {
    pub stage: String,
    pub province: String,
    pub closed_late: u64,
    pub open_overdue: u64,
    pub count: u64,
}

/// How often a rejection reason was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    pub reason: String,
    pub platform: u64,
    pub authority: u64,
    pub count: u64,
}

/// All figures of the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub total_filings: u64,
    pub by_stage: Vec<Count>,
    pub by_status: Vec<Count>,
    pub stage_times: Vec<StageTime>,
    pub sla_breaches: Vec<Breach>,
    pub rejection_reasons: Vec<ReasonCount>,
    pub sms_outcomes: Vec<Count>,
}

/// The five stages of §1.2 plus the ended orders, with their labels.
pub const STAGES: [(&str, &str); 6] = [
    ("fill_in", "备案信息填写"),
    ("platform_review", "平台初审"),
    ("sms_verification", "工信部短信核验"),
    ("authority_review", "通管局审核"),
    ("filed", "备案成功"),
    ("closed", "已结束"),
];

const TIMED: [(&str, &str); 3] = [
    ("platform_review", "平台初审"),
    ("sms_verification", "工信部短信核验"),
    ("authority_review", "通管局审核"),
];

const OUTCOMES: [(&str, &str); 5] = [
    ("verified", "核验通过"),
    ("timed_out", "核验超时"),
    ("too_many_attempts", "错误次数过多"),
    ("pending", "核验中"),
    ("ended_otherwise", "其他结束"),
];

/// How many rejection reasons the dashboard lists.
pub const TOP_REASONS: usize = 10;

/// The stage an order in `status` is at.
pub fn stage_of(status: Status, kind: Kind) -> &'static str {
    match status {
        Status::Draft => "fill_in",
        Status::PlatformReview | Status::PlatformRejected => "platform_review",
        Status::SmsVerification | Status::Returned => "sms_verification",
        Status::AuthorityReview => "authority_review",
        Status::AuthorityRejected if kind != Kind::Cancel => "authority_review",
        Status::Filed => "filed",
        _ => "closed",
    }
}

/// The timed stage a change opens, with its SLA due time (SMS rounds have a
/// deadline, not an SLA).
fn opens(change: &Change) -> Option<(usize, Option<Time>)> {
    match change {
        Change::Submitted { due_at, .. } => Some((0, Some(*due_at))),
        Change::PlatformApproved { .. }
        | Change::SmsRestarted { .. }
        | Change::CancellationSubmitted { .. } => Some((1, None)),
        Change::AuthorityReviewStarted { due_at, .. } => Some((2, Some(*due_at))),
        _ => None,
    }
}

/// Whether a change moves the order to another status. A reviewer's claim or
/// release is recorded in the history but leaves the order where it is.
fn is_transition(change: &Change) -> bool {
    !matches!(
        change,
        Change::Created { .. }
            | Change::Saved { .. }
            | Change::RecipientVerified { .. }
            | Change::WrongCode { .. }
            | Change::CodeResent { .. }
            | Change::DueRecomputed { .. }
            | Change::Claimed { .. }
            | Change::Released { .. }
    )
}

/// One pass of an order through a timed stage (0 platform review, 1 SMS
/// verification, 2 authority review): when it began, its SLA due time (moved
/// by a loaded notice, §11.4) and the transition that ended it, if any.
#[derive(Debug, Clone)]
pub(crate) struct Pass<'a> {
    pub stage: usize,
    pub start: Time,
    pub due: Option<Time>,
    pub end: Option<(Time, &'a Change)>,
}

/// Every pass of one order through the timed stages, in order.
pub(crate) fn passes(events: &[Event]) -> Vec<Pass<'_>> {
    let mut out = vec![];
    let mut open: Option<Pass> = None;
    for e in events {
        if let Change::DueRecomputed { due_at, .. } = &e.change {
            if let Some(p) = open.as_mut() {
                p.due = Some(*due_at);
            }
        }
        if !is_transition(&e.change) {
            continue;
        }
        if let Some(mut p) = open.take() {
            p.end = Some((e.at, &e.change));
            out.push(p);
        }
        open = opens(&e.change).map(|(stage, due)| Pass {
            stage,
            start: e.at,
            due,
            end: None,
        });
    }
    out.extend(open);
    out
}

fn sms_outcome(change: &Change) -> usize {
    match change {
        Change::AuthorityReviewStarted { .. } | Change::Cancelled => 0,
        Change::Returned { reason, .. } | Change::Abandoned { reason } => match reason {
            ReturnReason::Timeout => 1,
            ReturnReason::TooManyAttempts => 2,
        },
        _ => 4,
    }
}

/// The `p` quantile (0..=1) of sorted values, interpolating linearly between
/// the closest ranks (the common "type 7" definition).
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Computes every figure at `now`.
pub fn compute(histories: &[History], now: Time) -> Dashboard {
    let mut by_stage: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    let mut durations: [Vec<f64>; 3] = Default::default();
    let mut breaches: BTreeMap<(usize, String), (u64, u64)> = BTreeMap::new();
    let mut reasons: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut outcomes = [0u64; 5];
    for h in histories {
        *by_stage.entry(stage_of(h.status, h.kind)).or_default() += 1;
        *by_status.entry(h.status.as_str()).or_default() += 1;
        let province = h.province.clone().unwrap_or_else(|| "—".into());
        for e in &h.events {
            match &e.change {
                Change::PlatformRejected { reasons: rs, .. } => {
                    for r in rs {
                        reasons.entry(r.error.trim().to_string()).or_default().0 += 1;
                    }
                }
                Change::AuthorityRejected { reasons: rs, .. } => {
                    for r in rs {
                        reasons.entry(r.error.trim().to_string()).or_default().1 += 1;
                    }
                }
                _ => {}
            }
        }
        for p in passes(&h.events) {
            match p.end {
                Some((at, change)) => {
                    let hours = (at - p.start).num_milliseconds() as f64 / 3_600_000.0;
                    durations[p.stage].push(hours);
                    // A loaded notice moved the open stage's deadline: the SLA is judged on it.
                    if p.due.is_some_and(|d| at > d) {
                        breaches.entry((p.stage, province.clone())).or_default().0 += 1;
                    }
                    if p.stage == 1 {
                        outcomes[sms_outcome(change)] += 1;
                    }
                }
                None => {
                    if p.due.is_some_and(|d| now > d) {
                        breaches.entry((p.stage, province.clone())).or_default().1 += 1;
                    }
                    if p.stage == 1 {
                        outcomes[3] += 1;
                    }
                }
            }
        }
    }
    let count = |key: &str, label: &str, n: u64| Count {
        key: key.into(),
        label: label.into(),
        count: n,
    };
    let stage_times = TIMED
        .iter()
        .zip(durations.iter_mut())
        .map(|((key, label), d)| {
            d.sort_by(f64::total_cmp);
            StageTime {
                stage: (*key).into(),
                label: (*label).into(),
                samples: d.len() as u64,
                median_hours: quantile(d, 0.5).map(round2),
                p90_hours: quantile(d, 0.9).map(round2),
            }
        })
        .collect();
    let mut reason_list: Vec<ReasonCount> = reasons
        .into_iter()
        .map(|(reason, (platform, authority))| ReasonCount {
            reason,
            platform,
            authority,
            count: platform + authority,
        })
        .collect();
    reason_list.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    reason_list.truncate(TOP_REASONS);
    Dashboard {
        total_filings: histories.len() as u64,
        by_stage: STAGES
            .iter()
            .map(|(k, l)| count(k, l, by_stage.get(k).copied().unwrap_or(0)))
            .collect(),
        by_status: crate::filing::ALL_STATUSES
            .iter()
            .map(|s| {
                let k = s.as_str();
                count(k, s.label(), by_status.get(k).copied().unwrap_or(0))
            })
            .collect(),
        stage_times,
        sla_breaches: breaches
            .into_iter()
            .map(|((stage, province), (late, open))| Breach {
                stage: TIMED[stage].0.into(),
                province,
                closed_late: late,
                open_overdue: open,
                count: late + open,
            })
            .collect(),
        rejection_reasons: reason_list,
        sms_outcomes: OUTCOMES
            .iter()
            .zip(outcomes)
            .map(|((k, l), n)| count(k, l, n))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing::{Actor, Reason, SmsRound};
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn statuses_are_labelled_in_chinese() {
        let d = compute(&[], t(0));
        assert_eq!(d.by_status.len(), crate::filing::ALL_STATUSES.len());
        let draft = d.by_status.iter().find(|c| c.key == "draft").unwrap();
        assert_eq!(draft.label, "草稿");
        assert!(d
            .by_status
            .iter()
            .all(|c| c.label != c.key && !c.label.is_ascii()));
    }

    fn t(h: i64) -> Time {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap() + Duration::hours(h)
    }

    fn ev(h: i64, change: Change) -> Event {
        event(t(h), change)
    }

    fn submitted(h: i64, due: i64) -> Event {
        submitted_at(t(h), t(due))
    }

    fn approved(h: i64) -> Event {
        approved_at(t(h))
    }

    /// A system event at `at`; the builders below are shared with the trends' tests.
    pub(super) fn event(at: Time, change: Change) -> Event {
        Event {
            at,
            actor: Actor::System,
            change,
        }
    }

    /// A first submission in Guangdong, due at `due`.
    pub(super) fn submitted_at(at: Time, due: Time) -> Event {
        event(
            at,
            Change::Submitted {
                version_no: 1,
                hash: String::new(),
                province: "44".into(),
                subject_key: "k".into(),
                due_at: due,
                due_provisional: false,
                face_task: None,
                papers: vec![],
            },
        )
    }

    /// The platform's approval, opening an SMS round of 24 hours.
    pub(super) fn approved_at(at: Time) -> Event {
        event(
            at,
            Change::PlatformApproved {
                round: SmsRound {
                    number: 1,
                    deadline: at + Duration::hours(24),
                    recipients: vec![],
                },
                authenticity_form: None,
            },
        )
    }

    fn history(id: &str, status: Status, events: Vec<Event>) -> History {
        History {
            filing_id: id.into(),
            kind: Kind::New,
            province: Some("44".into()),
            status,
            events,
        }
    }

    fn reason(e: &str) -> Reason {
        Reason {
            field: None,
            error: e.into(),
            suggestion: String::new(),
        }
    }

    /// A reviewer's claim and its release are in the history but end no stage.
    #[test]
    fn claims_leave_the_stage_open() {
        let claimed = ev(
            1,
            Change::Claimed {
                holder: "u1".into(),
                until: t(1) + Duration::minutes(30),
            },
        );
        let released = ev(
            2,
            Change::Released {
                holder: "u1".into(),
            },
        );
        let h = history(
            "a",
            Status::SmsVerification,
            vec![submitted(0, 48), claimed, released, approved(60)],
        );
        let d = compute(&[h], t(61));
        assert_eq!(d.stage_times[0].samples, 1);
        assert_eq!(d.stage_times[0].median_hours, Some(60.0));
        assert_eq!(d.sla_breaches[0].closed_late, 1);
        let outcome = |k: &str| d.sms_outcomes.iter().find(|c| c.key == k).unwrap().count;
        assert_eq!(outcome("pending"), 1);
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[3.0], 0.9), Some(3.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&ten, 0.9), Some(9.1));
    }

    #[test]
    fn figures_follow_the_event_log() {
        let filed = history(
            "a",
            Status::Filed,
            vec![
                submitted(0, 48),
                approved(10),
                ev(
                    12,
                    Change::AuthorityReviewStarted {
                        due_at: t(500),
                        due_provisional: false,
                    },
                ),
                ev(40, Change::Filed { numbers: None }),
            ],
        );
        let rejected_late = history(
            "b",
            Status::PlatformRejected,
            vec![
                submitted(0, 48),
                ev(
                    60,
                    Change::PlatformRejected {
                        reasons: vec![reason("证件照片模糊"), reason("备注过于简单")],
                        fix_deadline: None,
                    },
                ),
            ],
        );
        let timed_out = history(
            "c",
            Status::Returned,
            vec![
                submitted(0, 48),
                approved(20),
                ev(
                    44,
                    Change::Returned {
                        reason: ReturnReason::Timeout,
                        fix_deadline: None,
                    },
                ),
            ],
        );
        let waiting = history("d", Status::PlatformReview, vec![submitted(0, 48)]);
        let d = compute(&[filed, rejected_late, timed_out, waiting], t(100));
        assert_eq!(d.total_filings, 4);
        let stage = |k: &str| d.by_stage.iter().find(|c| c.key == k).unwrap().count;
        assert_eq!(
            (
                stage("platform_review"),
                stage("sms_verification"),
                stage("filed")
            ),
            (2, 1, 1)
        );
        // Platform review took 10, 60 and 20 hours.
        let platform = &d.stage_times[0];
        assert_eq!(platform.samples, 3);
        assert_eq!(platform.median_hours, Some(20.0));
        assert_eq!(platform.p90_hours, Some(52.0));
        assert_eq!(d.stage_times[1].samples, 2);
        assert_eq!(d.stage_times[1].median_hours, Some(13.0));
        assert_eq!(d.stage_times[2].median_hours, Some(28.0));
        // b decided after its due time; d still waiting past it.
        assert_eq!(
            d.sla_breaches,
            vec![Breach {
                stage: "platform_review".into(),
                province: "44".into(),
                closed_late: 1,
                open_overdue: 1,
                count: 2,
            }]
        );
        assert_eq!(d.rejection_reasons.len(), 2);
        assert_eq!(d.rejection_reasons[0].reason, "备注过于简单");
        let outcome = |k: &str| d.sms_outcomes.iter().find(|c| c.key == k).unwrap().count;
        assert_eq!(
            (
                outcome("verified"),
                outcome("timed_out"),
                outcome("too_many_attempts")
            ),
            (1, 1, 0)
        );
    }
}
