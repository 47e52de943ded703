//! The state machine driven directly: every transition of §3.2/§3.4, refusals
//! for the illegal ones, and a property test over random command sequences.

use super::*;
use crate::calendar::Calendar;
use crate::fixtures;
use crate::papers::PaperKind;
use crate::policy::Policy;
use crate::validate::{FaceFacts, ValidationFacts};
use chrono::TimeZone;
use proptest::prelude::*;
use std::sync::OnceLock;

fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::embedded)
}

fn reference() -> &'static crate::reference::ReferenceData {
    static REFS: OnceLock<crate::reference::ReferenceData> = OnceLock::new();
    REFS.get_or_init(crate::reference::ReferenceData::embedded)
}

fn t0() -> Time {
    // Friday 2025-09-26 10:00 +08:00, the §11.3 platform SLA example.
    china(2025, 9, 26, 10)
}

struct H {
    f: Filing,
    now: Time,
    policy: Policy,
    next_numbers: u32,
    /// Every event applied, as the store's log would hold them.
    log: Vec<Event>,
    /// The calendar in force; a test may load a notice into it.
    cal: Calendar,
}

const APP: &str = "星河记账";

impl H {
    fn new(kind: Kind) -> H {
        H::create(kind).0
    }

    /// A harness on a new order of `kind` by applicant `u1`, and the order's creation event.
    fn create(kind: Kind) -> (H, Event) {
        let applicant = Actor::Applicant("u1".into());
        let record = (kind != Kind::New).then(|| RecordFacts {
            subject_key: "1:91440300708461136T".into(),
            province: "44".into(),
            subject_number: Some("粤ICP备2025000001号".into()),
            service_number: Some("粤ICP备2025000001号-1X".into()),
            document: Some(doc()),
        });
        let cancel =
            (kind == Kind::Cancel).then_some((CancelType::MiniProgram, CancelReason::NotOperating));
        let (f, created) = Filing::create(
            "f1".into(),
            kind,
            "wx1".into(),
            &applicant,
            cancel,
            record,
            t0(),
        )
        .unwrap();
        let h = H {
            f,
            now: t0(),
            policy: Policy::default(),
            next_numbers: 1,
            log: vec![],
            cal: calendar().clone(),
        };
        (h, created)
    }

    fn run(&mut self, cmd: Command, actor: Actor) -> Result<Vec<Event>, Refusal> {
        let env = Env {
            now: self.now,
            actor: &actor,
            policy: &self.policy,
            calendar: &self.cal,
            reference: reference(),
            code_key: b"test code key",
        };
        let events = self.f.decide(cmd, &env)?;
        for e in &events {
            self.f.apply(e);
        }
        self.log.extend(events.iter().cloned());
        Ok(events)
    }

    fn app(&mut self, cmd: Command) -> Result<Vec<Event>, Refusal> {
        self.run(cmd, Actor::Applicant("u1".into()))
    }

    /// The papers the order shows for confirmation now, under the default policy and the
    /// embedded calendar.
    fn papers_shown(&self) -> Vec<crate::papers::Paper> {
        let policy = Policy::default();
        let env = Env {
            now: self.now,
            actor: &Actor::System,
            policy: &policy,
            calendar: calendar(),
            reference: reference(),
            code_key: b"test code key",
        };
        self.f.papers_to_confirm(&env)
    }

    /// The applicant saves `document`.
    fn save(&mut self, document: Document) -> Result<Vec<Event>, Refusal> {
        self.app(Command::Save {
            document: Box::new(document),
        })
    }

    fn submit(&mut self) -> Result<Vec<Event>, Refusal> {
        let mut facts = facts(&self.f);
        // The face capture was made shortly before, whatever date the test runs at.
        if let Some(face) = facts.face.as_mut() {
            face.expires_at = face.expires_at.max(self.now + Duration::days(3));
        }
        self.app(Command::Submit {
            facts: Box::new(facts),
            codes: codes(1),
        })
    }

    fn approve_platform(&mut self) -> Result<Vec<Event>, Refusal> {
        self.run(
            Command::PlatformApprove { codes: codes(1) },
            Actor::PlatformReviewer("r1".into()),
        )
    }

    fn verify(&mut self, code: &str) -> Result<Vec<Event>, Refusal> {
        let cmd = Command::SmsVerify {
            mobile: "13800138000".into(),
            last6: "311238".into(),
            code: code.into(),
        };
        self.run(cmd, Actor::Recipient("13800138000".into()))
    }

    fn approve_authority(&mut self) -> Result<Vec<Event>, Refusal> {
        let n = self.next_numbers;
        self.next_numbers += 1;
        let numbers = Some(IssuedNumbers {
            subject_number: format!("粤ICP备2025{n:06}号"),
            service_number: format!("粤ICP备2025{n:06}号-1X"),
        });
        self.run(
            Command::AuthorityApprove { numbers },
            Actor::AuthorityReviewer("a1".into()),
        )
    }

    fn reject(&mut self, platform: bool) -> Result<Vec<Event>, Refusal> {
        let reasons = vec![Reason {
            field: Some("subject.address".into()),
            error: "所选地区与通讯地址不一致".into(),
            suggestion: "重新选择省市区或修改地址".into(),
        }];
        if platform {
            self.run(
                Command::PlatformReject { reasons },
                Actor::PlatformReviewer("r1".into()),
            )
        } else {
            self.run(
                Command::AuthorityReject { reasons },
                Actor::AuthorityReviewer("a1".into()),
            )
        }
    }

    fn timer(&mut self, kind: TimerKind) -> Result<Vec<Event>, Refusal> {
        self.run(Command::Timer(kind), Actor::System)
    }

    /// `hours` pass and the first SMS round's deadline fires.
    fn expire_first_round_after(&mut self, hours: i64) {
        self.now += Duration::hours(hours);
        self.timer(TimerKind::SmsDeadline(1)).unwrap();
    }

    fn reach_sms(&mut self) {
        self.save(doc()).unwrap();
        self.submit().unwrap();
        self.approve_platform().unwrap();
        assert_eq!(self.f.status, Status::SmsVerification);
    }
}

fn doc() -> Document {
    fixtures::enterprise_document(
        "深圳市星河科技有限公司",
        "91440300708461136T",
        APP,
        "face1",
        "m1",
    )
}

fn facts(f: &Filing) -> ValidationFacts {
    ValidationFacts {
        app_name: Some(APP.into()),
        owner_name: None,
        face: Some(FaceFacts {
            id: "face1".into(),
            succeeded: true,
            expires_at: t0() + Duration::days(3),
            consumed_by: f.face_task.as_ref().map(|_| f.id.clone()),
            identity: Some((2, "440300198512311238".into())),
            name: Some("张三".into()),
        }),
        quota_used: Some(0),
        ..ValidationFacts::default()
    }
}

fn codes(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("12345{i}")).collect()
}

#[test]
fn happy_path_new_filing_reaches_filed_with_numbers_and_due_dates() {
    let mut h = H::new(Kind::New);
    assert_eq!(h.f.status, Status::Draft);
    h.save(doc()).unwrap();
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
    // Submitted Fri 2025-09-26: 2 wd later is Mon 09-29 (the make-up Sunday counts).
    let due =
        h.f.due_at
            .unwrap()
            .with_timezone(&crate::calendar::china_offset());
    assert_eq!(due.to_rfc3339(), "2025-09-29T23:59:59.999+08:00");
    h.approve_platform().unwrap();
    assert_eq!(h.f.sms.as_ref().unwrap().recipients.len(), 1);
    assert_eq!(h.f.due_at, Some(t0() + Duration::hours(24)));
    h.verify("123450").unwrap();
    assert_eq!(h.f.status, Status::AuthorityReview);
    h.approve_authority().unwrap();
    assert_eq!(h.f.status, Status::Filed);
    assert_eq!(
        h.f.service_number.as_deref(),
        Some("粤ICP备2025000001号-1X")
    );
    assert_eq!(h.f.version, h.f.timeline.len() as i64);
}

#[test]
fn authority_sla_counts_twenty_working_days_from_verification() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    // Verified on Sat 2025-09-27: 09-28 (make-up), 09-29, 09-30, then the National Day block.
    h.now = china(2025, 9, 27, 9);
    h.verify("123450").unwrap();
    let due =
        h.f.due_at
            .unwrap()
            .with_timezone(&crate::calendar::china_offset());
    assert_eq!(due.date_naive().to_string(), "2025-10-30");
}

#[test]
fn platform_rejection_needs_a_reason_and_allows_resubmission() {
    let mut h = H::new(Kind::New);
    h.save(doc()).unwrap();
    h.submit().unwrap();
    let none = h.run(
        Command::PlatformReject { reasons: vec![] },
        Actor::PlatformReviewer("r".into()),
    );
    assert_eq!(none.unwrap_err(), Refusal::ReasonsRequired);
    h.reject(true).unwrap();
    assert_eq!(h.f.status, Status::PlatformRejected);
    assert_eq!(
        h.f.rejections[0].reasons[0].field.as_deref(),
        Some("subject.address")
    );
    assert_eq!(h.f.fix_deadline, Some(t0() + Duration::days(45)));
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
    assert_eq!(h.f.versions.len(), 2);
}

#[test]
fn invalid_document_is_refused_with_every_issue() {
    let mut h = H::new(Kind::New);
    let mut d = doc();
    d.subject_principal.mobile = Some("12345".into());
    d.mini_program.remark = Some("太短".into());
    h.save(d).unwrap();
    let Err(Refusal::Invalid(issues)) = h.submit() else {
        panic!("expected invalid")
    };
    let codes: Vec<_> = issues.iter().map(|i| i.code.as_str()).collect();
    assert!(
        codes.contains(&"MOBILE_FORMAT") && codes.contains(&"MP_REMARK_LENGTH"),
        "{codes:?}"
    );
    assert_eq!(h.f.status, Status::Draft);
}

#[test]
fn wrong_codes_count_down_and_the_sixth_returns_the_order() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    for left in (0..5).rev() {
        h.verify("000000").unwrap();
        let r = &h.f.sms.as_ref().unwrap().recipients[0];
        assert_eq!(5 - r.wrong_attempts, left);
        assert_eq!(h.f.status, Status::SmsVerification);
    }
    let events = h.verify("000000").unwrap();
    assert!(matches!(
        events.last().unwrap().change,
        Change::Returned {
            reason: ReturnReason::TooManyAttempts,
            ..
        }
    ));
    assert_eq!(h.f.status, Status::Returned);
    // Codes stop working once returned.
    assert_eq!(h.verify("123450").unwrap_err(), Refusal::RecipientNotFound);
}

#[test]
fn a_wrong_last6_is_not_found_and_counts_nothing() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    let guess = |code: &str| Command::SmsVerify {
        mobile: "13800138000".into(),
        last6: "999999".into(),
        code: code.into(),
    };
    for code in ["123450", "000000"] {
        assert_eq!(
            h.run(guess(code), Actor::System).unwrap_err(),
            Refusal::RecipientNotFound
        );
    }
    assert_eq!(h.f.sms.as_ref().unwrap().recipients[0].wrong_attempts, 0);
    assert_eq!(h.f.status, Status::SmsVerification);
    assert_eq!(h.f.sms_mobiles(), vec!["13800138000"]);
}

#[test]
fn after_the_round_ran_out_a_recipient_hears_expired_and_anyone_else_not_found() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    h.expire_first_round_after(24);
    assert_eq!(h.f.status, Status::Returned);
    assert_eq!(h.verify("123450").unwrap_err(), Refusal::SmsExpired);
    let stranger = Command::SmsResend {
        mobile: "13800138000".into(),
        last6: "999999".into(),
        code: "111111".into(),
    };
    assert_eq!(
        h.run(stranger, Actor::System).unwrap_err(),
        Refusal::RecipientNotFound
    );
    assert_eq!(h.f.sms_mobiles(), vec!["13800138000"], "still answered");
    h.submit().unwrap();
    assert_ne!(h.f.status, Status::Returned);
}

#[test]
fn resend_replaces_the_code_once_and_does_not_extend_the_window() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    let deadline = h.f.sms.as_ref().unwrap().deadline;
    let resend = |code: &str| Command::SmsResend {
        mobile: "13800138000".into(),
        last6: "311238".into(),
        code: code.into(),
    };
    h.now += Duration::hours(2);
    h.run(resend("654321"), Actor::System).unwrap();
    assert_eq!(
        h.run(resend("111111"), Actor::System).unwrap_err(),
        Refusal::ResendLimit
    );
    assert_eq!(h.f.sms.as_ref().unwrap().deadline, deadline);
    h.verify("123450").unwrap();
    assert_eq!(
        h.f.status,
        Status::SmsVerification,
        "the old code no longer works"
    );
    h.verify("654321").unwrap();
    assert_eq!(h.f.status, Status::AuthorityReview);
}

#[test]
fn timeout_returns_once_and_unchanged_resubmission_goes_straight_to_sms() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    assert_eq!(
        h.timer(TimerKind::SmsDeadline(1)).unwrap_err(),
        Refusal::StaleTimer,
        "not due yet"
    );
    h.now += Duration::hours(24);
    assert_eq!(h.verify("123450").unwrap_err(), Refusal::SmsExpired);
    h.timer(TimerKind::SmsDeadline(1)).unwrap();
    assert_eq!(h.f.status, Status::Returned);
    assert_eq!(h.f.returned_reason, Some(ReturnReason::Timeout));
    assert_eq!(
        h.timer(TimerKind::SmsDeadline(1)).unwrap_err(),
        Refusal::StaleTimer,
        "fires once"
    );
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::SmsVerification);
    assert_eq!(h.f.sms.as_ref().unwrap().number, 2);
    assert_eq!(
        h.f.versions.len(),
        1,
        "no new version for an unchanged resubmission"
    );
}

#[test]
fn changed_resubmission_after_return_goes_back_to_platform_review() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    h.expire_first_round_after(25);
    let mut d = doc();
    d.subject.address = Some("高新南七道2号".into());
    h.save(d).unwrap();
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
}

#[test]
fn withdrawal_only_during_platform_review() {
    let mut h = H::new(Kind::New);
    h.save(doc()).unwrap();
    h.submit().unwrap();
    h.app(Command::Withdraw).unwrap();
    assert_eq!(h.f.status, Status::Withdrawn);
    let mut h = H::new(Kind::New);
    h.reach_sms();
    assert_eq!(
        h.app(Command::Withdraw).unwrap_err(),
        Refusal::NotWithdrawable("平台初审通过后不可撤回")
    );
    let mut c = H::new(Kind::Cancel);
    assert_eq!(
        c.app(Command::Withdraw).unwrap_err(),
        Refusal::NotWithdrawable("注销申请不可撤回")
    );
}

#[test]
fn authority_rejection_resubmits_through_platform_review() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    h.verify("123450").unwrap();
    h.reject(false).unwrap();
    assert_eq!(h.f.status, Status::AuthorityRejected);
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
}

/// The authority sees a round from the moment it arrives; a resubmission after
/// its rejection is the platform's again until it comes back.
#[test]
fn the_authority_sees_only_rounds_that_reached_it() {
    let mut h = H::new(Kind::New);
    assert!(!h.f.reached_authority());
    h.reach_sms();
    assert!(
        !h.f.reached_authority(),
        "SMS verification is before the authority"
    );
    h.verify("123450").unwrap();
    assert!(h.f.reached_authority());
    h.reject(false).unwrap();
    assert!(
        h.f.reached_authority(),
        "the rejecting province keeps sight of it"
    );
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
    assert!(
        !h.f.reached_authority(),
        "the next round is at the platform"
    );
    h.approve_platform().unwrap();
    assert!(!h.f.reached_authority());
}

#[test]
fn fix_window_expires_rejected_orders() {
    let mut h = H::new(Kind::New);
    h.save(doc()).unwrap();
    h.submit().unwrap();
    h.reject(true).unwrap();
    assert_eq!(
        h.f.timers(),
        vec![(TimerKind::FixWindow, t0() + Duration::days(45))]
    );
    h.now += Duration::days(45);
    h.timer(TimerKind::FixWindow).unwrap();
    assert_eq!(h.f.status, Status::Expired);
    assert!(h.f.timers().is_empty());
}

#[test]
fn new_filing_cannot_be_approved_without_numbers_and_change_keeps_them() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    h.verify("123450").unwrap();
    let cmd = Command::AuthorityApprove { numbers: None };
    assert_eq!(
        h.run(cmd, Actor::AuthorityReviewer("a".into()))
            .unwrap_err(),
        Refusal::NumbersRequired
    );

    let mut c = H::new(Kind::Change);
    assert_eq!(
        c.f.service_number.as_deref(),
        Some("粤ICP备2025000001号-1X")
    );
    c.reach_sms();
    c.verify("123450").unwrap();
    c.run(
        Command::AuthorityApprove { numbers: None },
        Actor::AuthorityReviewer("a".into()),
    )
    .unwrap();
    assert_eq!(c.f.status, Status::Filed);
    assert_eq!(
        c.f.service_number.as_deref(),
        Some("粤ICP备2025000001号-1X")
    );
    let effects = c.f.record_effects(&[c.f_last_event()], &Policy::default());
    assert!(matches!(effects[0], RecordEffect::ServiceChanged { .. }));
}

impl H {
    fn f_last_event(&self) -> Event {
        Event {
            at: self.now,
            actor: Actor::System,
            change: Change::Filed { numbers: None },
        }
    }
}

#[test]
fn change_may_not_alter_the_subject_certificate() {
    let mut c = H::new(Kind::Change);
    let mut d = doc();
    d.subject.certificate.number = Some("91110000600037341L".into());
    assert_eq!(c.save(d).unwrap_err(), Refusal::RefileRequired);
}

#[test]
fn change_renaming_the_mp_with_a_different_principal_sends_two_codes() {
    let mut c = H::new(Kind::Change);
    let mut d = doc();
    d.mini_program.name = Some("星河账本".into());
    d.mini_program_principal.same_as_subject_principal = Some(false);
    d.mini_program_principal.person = fixtures::person(
        "李四",
        "110101200001010029",
        "13700137000",
        "13600136000",
        "m1",
    );
    c.save(d).unwrap();
    let roles: Vec<_> = c.f.recipients().iter().map(|r| r.role).collect();
    assert_eq!(
        roles,
        vec![
            RecipientRole::SubjectPrincipal,
            RecipientRole::MiniProgramPrincipal
        ]
    );
}

#[test]
fn cancellation_sms_then_authority_then_cancelled() {
    let mut c = H::new(Kind::Cancel);
    assert!(c
        .app(Command::Save {
            document: Box::new(doc())
        })
        .is_err());
    c.app(Command::Submit {
        facts: Box::default(),
        codes: codes(1),
    })
    .unwrap();
    assert_eq!(c.f.status, Status::SmsVerification);
    assert!(c.f.is_open());
    c.verify("123450").unwrap();
    assert_eq!(c.f.status, Status::AuthorityReview);
    let events = c.approve_authority().unwrap();
    assert_eq!(c.f.status, Status::Cancelled);
    let effects = c.f.record_effects(&events, &Policy::default());
    assert!(matches!(
        effects[0],
        RecordEffect::ServiceCancelled {
            access_only: false,
            cancel_empty_subject: true,
            ..
        }
    ));
}

#[test]
fn ignored_cancellation_sms_abandons_it() {
    let mut c = H::new(Kind::Cancel);
    c.app(Command::Submit {
        facts: Box::default(),
        codes: codes(1),
    })
    .unwrap();
    c.now += Duration::hours(24);
    c.timer(TimerKind::SmsDeadline(1)).unwrap();
    assert_eq!(c.f.status, Status::Abandoned);
    assert!(c.f.status.is_terminal(Kind::Cancel));
}

#[test]
fn terminate_needs_a_reason_and_ends_any_live_order() {
    let mut h = H::new(Kind::New);
    assert_eq!(
        h.run(
            Command::Terminate { reason: " ".into() },
            Actor::Admin("a".into())
        )
        .unwrap_err(),
        Refusal::ReasonsRequired
    );
    h.run(
        Command::Terminate {
            reason: "小程序已封禁".into(),
        },
        Actor::Admin("a".into()),
    )
    .unwrap();
    assert_eq!(h.f.status, Status::Terminated);
    assert!(h.app(Command::Discard).is_err());
}

/// Every command kind, used for the legality table.
fn all_commands() -> Vec<(&'static str, Command)> {
    let reasons = vec![Reason {
        field: None,
        error: "x".into(),
        suggestion: String::new(),
    }];
    vec![
        (
            "save",
            Command::Save {
                document: Box::new(doc()),
            },
        ),
        (
            "submit",
            Command::Submit {
                facts: Box::default(),
                codes: codes(1),
            },
        ),
        ("withdraw", Command::Withdraw),
        ("discard", Command::Discard),
        (
            "platform_approve",
            Command::PlatformApprove { codes: codes(1) },
        ),
        (
            "platform_reject",
            Command::PlatformReject {
                reasons: reasons.clone(),
            },
        ),
        (
            "authority_approve",
            Command::AuthorityApprove { numbers: None },
        ),
        ("authority_reject", Command::AuthorityReject { reasons }),
    ]
}

/// (status, command) pairs of §3.2 that may succeed for a `new` order.
fn legal(status: Status, cmd: &str) -> bool {
    use Status::*;
    matches!(
        (status, cmd),
        (
            Draft | PlatformRejected | Returned | AuthorityRejected,
            "save" | "submit" | "discard"
        ) | (
            PlatformReview,
            "withdraw" | "platform_approve" | "platform_reject"
        ) | (AuthorityReview, "authority_approve" | "authority_reject")
    )
}

/// Drives a fresh `new` order into `status`.
fn reach(status: Status) -> H {
    let mut h = H::new(Kind::New);
    let s = |h: &mut H| {
        h.save(doc()).unwrap();
        h.submit().unwrap();
    };
    match status {
        Status::Draft => {
            h.save(doc()).unwrap();
        }
        Status::PlatformReview => s(&mut h),
        Status::PlatformRejected => {
            s(&mut h);
            h.reject(true).unwrap();
        }
        Status::SmsVerification => h.reach_sms(),
        Status::Returned => {
            h.reach_sms();
            h.expire_first_round_after(24);
        }
        Status::AuthorityReview => {
            h.reach_sms();
            h.verify("123450").unwrap();
        }
        Status::AuthorityRejected => {
            h.reach_sms();
            h.verify("123450").unwrap();
            h.reject(false).unwrap();
        }
        Status::Filed => {
            h.reach_sms();
            h.verify("123450").unwrap();
            h.approve_authority().unwrap();
        }
        Status::Withdrawn => {
            s(&mut h);
            h.app(Command::Withdraw).unwrap();
        }
        Status::Discarded => {
            h.app(Command::Discard).unwrap();
        }
        Status::Expired => {
            s(&mut h);
            h.reject(true).unwrap();
            h.now += Duration::days(46);
            h.timer(TimerKind::FixWindow).unwrap();
        }
        Status::Terminated => {
            h.run(
                Command::Terminate { reason: "r".into() },
                Actor::Admin("a".into()),
            )
            .unwrap();
        }
        Status::Cancelled | Status::Abandoned => unreachable!("cancellation states"),
    }
    assert_eq!(h.f.status, status);
    h
}

#[test]
fn every_illegal_command_is_refused_in_every_state() {
    for status in ALL_STATUSES
        .into_iter()
        .filter(|s| !matches!(s, Status::Cancelled | Status::Abandoned))
    {
        for (name, cmd) in all_commands() {
            let mut h = reach(status);
            let before = h.f.clone();
            let result = if name == "authority_approve" {
                h.approve_authority()
            } else if name == "submit" {
                h.submit()
            } else {
                h.app(cmd)
            };
            if legal(status, name) {
                assert!(
                    result.is_ok(),
                    "{status:?} {name} should be allowed: {result:?}"
                );
            } else {
                assert!(result.is_err(), "{status:?} {name} should be refused");
                assert_eq!(h.f, before, "a refusal changes nothing");
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Save(bool),
    Submit,
    Withdraw,
    Discard,
    Approve,
    Reject,
    Verify(bool),
    Resend,
    Advance(i64),
    Timer,
    AuthorityApprove,
    AuthorityReject,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<bool>().prop_map(Op::Save),
        Just(Op::Submit),
        Just(Op::Withdraw),
        Just(Op::Discard),
        Just(Op::Approve),
        Just(Op::Reject),
        any::<bool>().prop_map(Op::Verify),
        Just(Op::Resend),
        (1i64..30).prop_map(Op::Advance),
        Just(Op::Timer),
        Just(Op::AuthorityApprove),
        Just(Op::AuthorityReject),
    ]
}

fn check_invariants(f: &Filing) {
    assert_eq!(f.version, f.timeline.len() as i64);
    if f.status == Status::SmsVerification {
        let r = f.sms.as_ref().expect("a round while verifying");
        assert!(!r.recipients.is_empty());
        assert!(r
            .recipients
            .iter()
            .all(|x| x.wrong_attempts <= 5 && x.resends_used <= 1));
    }
    if f.status == Status::Filed && f.kind == Kind::New {
        assert!(f.service_number.is_some() && f.subject_number.is_some());
    }
    if f.is_open() {
        assert!(f.subject_key.is_some() && f.province.is_some());
    }
    if f.status.is_terminal(f.kind) {
        assert!(f.timers().is_empty(), "terminal orders keep no timers");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_sequences_keep_invariants_and_never_issue_a_number_twice(ops in proptest::collection::vec(op(), 1..40)) {
        let mut h = H::new(Kind::New);
        let mut issued = std::collections::HashSet::new();
        let mut terminal_seen: Option<Filing> = None;
        for o in ops {
            let _ = match o {
                Op::Save(changed) => {
                    let mut d = doc();
                    if changed { d.subject.address = Some(format!("高新南七道{}号", h.f.version)); }
                    h.app(Command::Save { document: Box::new(d) })
                }
                Op::Submit => h.submit(),
                Op::Withdraw => h.app(Command::Withdraw),
                Op::Discard => h.app(Command::Discard),
                Op::Approve => h.approve_platform(),
                Op::Reject => h.reject(true),
                Op::Verify(right) => h.verify(if right { "123450" } else { "000000" }),
                Op::Resend => h.run(Command::SmsResend { mobile: "13800138000".into(), last6: "311238".into(), code: "123450".into() }, Actor::System),
                Op::Advance(hours) => { h.now += Duration::hours(hours); Ok(vec![]) }
                Op::Timer => {
                    let timers = h.f.timers();
                    let mut last = Ok(vec![]);
                    for (k, _) in timers { last = h.timer(k); }
                    last
                }
                Op::AuthorityApprove => h.approve_authority(),
                Op::AuthorityReject => h.reject(false),
            }.inspect(|events| {
                for e in events {
                    if let Change::Filed { numbers: Some(n) } = &e.change {
                        assert!(issued.insert(n.service_number.clone()), "number issued twice");
                    }
                }
            });
            check_invariants(&h.f);
            if let Some(t) = &terminal_seen {
                prop_assert_eq!(t, &h.f, "terminal orders never change");
            } else if h.f.status.is_terminal(h.f.kind) {
                terminal_seen = Some(h.f.clone());
            }
        }
        let filed = h.f.timeline.iter().filter(|t| t.event == "filed").count();
        prop_assert!(filed <= 1);
    }
}

#[test]
fn replay_rebuilds_the_same_projection() {
    let (mut h, created) = H::create(Kind::New);
    let mut log = vec![created];
    log.extend(h.save(doc()).unwrap());
    log.extend(h.submit().unwrap());
    log.extend(h.approve_platform().unwrap());
    assert_eq!(Filing::replay(&log), h.f);
}

#[test]
fn events_round_trip_through_json() {
    let mut h = H::new(Kind::New);
    h.reach_sms();
    let events = h.verify("123450").unwrap();
    let json = serde_json::to_string(&events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, events);
    assert!(json.contains("\"event\":\"recipient_verified\""));
}

#[test]
fn timer_keys_round_trip() {
    for k in [
        TimerKind::SmsDeadline(3),
        TimerKind::FixWindow,
        TimerKind::RecomputeDue,
    ] {
        assert_eq!(TimerKind::parse(&k.key()), Some(k));
    }
    assert_eq!(TimerKind::parse("bogus"), None);
}

/// §10.3: the confirmed papers are frozen with the version; later edits change the draft's
/// papers but never the frozen ones, and T06 adds the authenticity form.
#[test]
fn papers_are_frozen_with_the_version_and_the_form_added_at_approval() {
    let mut h = H::new(Kind::New);
    h.save(doc()).unwrap();
    let shown = h.papers_shown();
    assert_eq!(shown.len(), 2, "commitment letter and anti-fraud report");
    h.submit().unwrap();
    let letter = |h: &H, n: u32| {
        frozen_papers(&h.f, &h.log, n)
            .into_iter()
            .find(|p| p.kind == PaperKind::CommitmentLetter)
    };
    let frozen = letter(&h, 1).unwrap();
    assert_eq!(
        h.f.versions[0].papers.len(),
        2,
        "the version holds the hashes"
    );
    assert_eq!(h.f.versions[0].papers[0].hash, frozen.hash());
    assert_eq!(frozen.hash(), shown[0].hash());
    assert!(frozen.text().contains("wx1"), "the AppID is the filing's");

    h.reject(true).unwrap();
    let mut edited = doc();
    edited.subject.name = Some("深圳市银河科技有限公司".into());
    h.save(edited).unwrap();
    assert_ne!(h.papers_shown()[0].hash(), frozen.hash());
    assert_eq!(
        letter(&h, 1),
        Some(frozen),
        "an edit after submission leaves version 1's letter as confirmed"
    );
    assert!(frozen_papers(&h.f, &h.log, 1)
        .iter()
        .all(|p| p.kind != PaperKind::AuthenticityForm));

    h.save(doc()).unwrap();
    h.submit().unwrap();
    h.approve_platform().unwrap();
    let papers = frozen_papers(&h.f, &h.log, 2);
    let form = papers
        .iter()
        .find(|p| p.kind == PaperKind::AuthenticityForm)
        .unwrap();
    assert_eq!(h.f.versions[1].papers.len(), 3);
    let text = form.text();
    assert!(text.contains("r1"), "reviewer id in {text}");
    assert!(
        text.contains("2025-09-26 10:00:00"),
        "review time in {text}"
    );
    assert!(form.blocks.iter().any(
        |b| matches!(b, crate::papers::Block::FacePhoto { face_task, .. } if face_task == "face1")
    ));
}

#[test]
fn a_confirmation_of_an_outdated_paper_blocks_submission() {
    let mut h = H::new(Kind::New);
    let mut d = doc();
    d.materials.commitment_letter = Some(crate::document::Confirmation {
        confirmed: true,
        hash: Some("0".repeat(64)),
    });
    h.save(d.clone()).unwrap();
    let Err(Refusal::Invalid(issues)) = h.submit() else {
        panic!("a stale confirmation must block");
    };
    assert!(issues.iter().any(|i| i.rule == "V-MAT-001"), "{issues:?}");

    // Confirming the paper as shown now lets it through.
    let hash = h.papers_shown()[0].hash();
    d.materials.commitment_letter.as_mut().unwrap().hash = Some(hash);
    h.save(d).unwrap();
    h.submit().unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
}

#[test]
fn only_the_review_stages_fall_overdue_and_only_after_their_due_time() {
    let due = Some(t0());
    let later = t0() + Duration::minutes(1);
    assert!(Status::PlatformReview.is_overdue(due, later));
    assert!(Status::AuthorityReview.is_overdue(due, later));
    assert!(
        !Status::PlatformReview.is_overdue(due, t0()),
        "due, not past due"
    );
    assert!(!Status::PlatformReview.is_overdue(None, later));
    assert!(!Status::SmsVerification.is_overdue(due, later));
    assert!(!Status::Draft.is_overdue(due, later));
}

/// The hour `h` of a day in China time.
fn china(y: i32, m: u32, d: u32, h: u32) -> Time {
    crate::calendar::china_offset()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn china_date(t: Option<Time>) -> String {
    t.unwrap()
        .with_timezone(&crate::calendar::china_offset())
        .date_naive()
        .to_string()
}

#[test]
fn deadlines_counted_over_a_projected_year_are_provisional_until_its_notice_loads() {
    let mut h = H::new(Kind::New);
    h.now = china(2026, 12, 10, 9);
    h.reach_sms();
    // The platform SLA (2 working days, Mon 12-14) stays inside the official 2026.
    let submitted = h.log.iter().find_map(|e| match &e.change {
        Change::Submitted {
            due_provisional, ..
        } => Some(*due_provisional),
        _ => None,
    });
    assert_eq!(submitted, Some(false));
    h.now = china(2026, 12, 10, 10);
    h.verify("123450").unwrap();
    assert_eq!(h.f.status, Status::AuthorityReview);
    // §11.4: 2026-12-10 + 20 working days on the projected 2027 is Fri 2027-01-08.
    assert_eq!(china_date(h.f.due_at), "2027-01-08");
    assert!(h.f.due_provisional);
    let before = h.f.clone();
    // Nothing loaded yet: counting again changes nothing, so the timer is stale.
    assert_eq!(h.timer(TimerKind::RecomputeDue), Err(Refusal::StaleTimer));

    // The 2027 notice: 元旦 1 January with 4 January (Monday) as its 补休.
    let mut years = Calendar::embedded_years();
    years.push(
        crate::calendar::HolidayYear::from_parts(
            2027,
            "国务院办公厅关于2027年部分节假日安排的通知".into(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap(),
            [(2027, 1, 1), (2027, 1, 4)]
                .iter()
                .map(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(*y, *m, *d).unwrap())
                .collect(),
            Default::default(),
        )
        .unwrap(),
    );
    h.cal = Calendar::from_years(years).unwrap();
    h.now = china(2026, 12, 20, 12);
    let events = h.timer(TimerKind::RecomputeDue).unwrap();
    assert_eq!(
        events.iter().map(|e| e.change.name()).collect::<Vec<_>>(),
        vec!["due_recomputed"]
    );
    match &events[0].change {
        Change::DueRecomputed {
            previous,
            due_at,
            due_provisional,
        } => {
            assert_eq!(Some(*previous), before.due_at);
            assert_eq!(china_date(Some(*due_at)), "2027-01-11");
            assert!(!due_provisional);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(china_date(h.f.due_at), "2027-01-11");
    assert!(!h.f.due_provisional);
    assert_eq!(h.f.status, Status::AuthorityReview);
    // Exactly once: a second firing (another process, a retried timer) finds nothing to do.
    assert_eq!(h.timer(TimerKind::RecomputeDue), Err(Refusal::StaleTimer));
    // The order still ends normally, and replay rebuilds the recomputed state.
    h.approve_authority().unwrap();
    assert_eq!(h.f.status, Status::Filed);
    assert!(!h.f.due_provisional && h.f.due_at.is_none());
}

#[test]
fn recompute_is_stale_outside_the_review_stages() {
    let mut h = H::new(Kind::New);
    h.now = china(2026, 12, 30, 9);
    h.reach_sms();
    // In SMS verification the deadline counts hours: never provisional, never recomputed.
    assert!(!h.f.due_provisional);
    assert_eq!(h.timer(TimerKind::RecomputeDue), Err(Refusal::StaleTimer));
}

#[test]
fn opening_an_order_needs_a_ready_app_and_the_right_record() {
    assert_eq!(Filing::check_app_ready(true, true, true), Ok(()));
    assert!(matches!(
        Filing::check_app_ready(true, false, true),
        Err(Refusal::PreconditionUnmet { hint }) if hint.contains("类目")
    ));
    assert_eq!(Filing::check_record_for(Kind::New, false), Ok(()));
    assert_eq!(
        Filing::check_record_for(Kind::New, true),
        Err(Refusal::AlreadyFiled)
    );
    assert_eq!(Filing::check_record_for(Kind::Change, true), Ok(()));
    assert_eq!(
        Filing::check_record_for(Kind::Cancel, false),
        Err(Refusal::NotFiled)
    );
    assert_eq!(Refusal::AlreadyFiled.code(), "MP_ALREADY_FILED");
}

#[test]
fn submission_refuses_a_full_quota_and_leaves_a_busy_subject_to_the_store() {
    let mut h = H::new(Kind::New);
    h.save(doc()).unwrap();
    let mut full = facts(&h.f);
    full.quota_used = Some(1_000);
    let cmd = Command::Submit {
        facts: Box::new(full),
        codes: codes(1),
    };
    assert_eq!(h.app(cmd), Err(Refusal::QuotaExceeded));
    let mut busy = facts(&h.f);
    busy.subject_busy = Some(true);
    let cmd = Command::Submit {
        facts: Box::new(busy),
        codes: codes(1),
    };
    h.app(cmd).unwrap();
    assert_eq!(h.f.status, Status::PlatformReview);
}
