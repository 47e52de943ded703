//! Which event leads to which notice, and the template file's checks.

use super::*;
use crate::filing::{Actor, IssuedNumbers, Recipient, SmsRound, Status};
use crate::fixtures::enterprise_document;
use chrono::{TimeZone, Utc};

fn t0() -> Time {
    // Monday 2026-03-02 10:00 +08:00.
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn ev(change: Change) -> Event {
    Event {
        at: t0(),
        actor: Actor::System,
        change,
    }
}

fn saved(kind: Kind) -> Filing {
    let cancel = (kind == Kind::Cancel).then_some((
        CancelType::MiniProgram,
        crate::filing::CancelReason::NotOperating,
    ));
    let (mut f, _) = Filing::create(
        "f1".into(),
        kind,
        "wx1".into(),
        &Actor::Applicant("owner-1".into()),
        cancel,
        None,
        t0(),
    )
    .unwrap();
    let doc = enterprise_document(
        "深圳市星河科技有限公司",
        "91440300708461136T",
        "星河记账",
        "face",
        "m",
    );
    f.apply(&ev(Change::Saved {
        document: Box::new(doc),
    }));
    f
}

fn round() -> SmsRound {
    SmsRound {
        number: 1,
        deadline: t0() + Duration::hours(24),
        recipients: vec![Recipient {
            role: RecipientRole::SubjectPrincipal,
            mobile: "13800138000".into(),
            last6: "311238".into(),
            code_hash: "h".into(),
            sent_at: t0(),
            resends_used: 0,
            wrong_attempts: 0,
            verified_at: None,
        }],
    }
}

fn reasons() -> Vec<Reason> {
    vec![Reason {
        field: Some("subject.address".into()),
        error: "所选地区与通讯地址不一致".into(),
        suggestion: "重新选择省市区".into(),
    }]
}

/// Applies `change` and returns the notices it causes.
fn notices(f: &mut Filing, change: Change) -> Vec<Notice> {
    let e = ev(change);
    f.apply(&e);
    for_events(f, &[e], &Templates::embedded())
}

#[test]
fn embedded_templates_are_complete_and_render_every_placeholder() {
    let t = Templates::embedded();
    for s in SPECS {
        let tpl = t.get(s.key);
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for v in BASE.iter().chain(s.vars) {
            vars.insert(v.to_string(), "X".into());
        }
        for text in [
            tpl.title.clone(),
            tpl.inbox.clone(),
            tpl.sms.unwrap_or_default(),
        ] {
            let out = render(&text, &vars);
            assert!(!out.contains('{') && !out.contains('}'), "{}: {out}", s.key);
        }
    }
}

#[test]
fn template_files_with_gaps_are_refused() {
    let good = include_str!("../../../../data/templates/notifications.toml");
    let unknown = good.replace("{due_date}", "{due}");
    assert_eq!(
        Templates::parse(&unknown).unwrap_err(),
        TemplateError::UnknownPlaceholder("submitted".into(), "due".into())
    );
    let no_sms = good.replace(
        "sms = \"【小程序备案】小程序「{app_name}」备案成功，服务备案号{service_number}。\"",
        "",
    );
    assert_eq!(
        Templates::parse(&no_sms).unwrap_err(),
        TemplateError::MissingText("filed", "sms")
    );
    let extra = format!("{good}\n[surprise]\ntitle = \"x\"\ninbox = \"y\"\n");
    assert!(matches!(
        Templates::parse(&extra),
        Err(TemplateError::UnknownKey(_))
    ));
    assert!(matches!(
        Templates::parse("not toml ["),
        Err(TemplateError::Syntax(_))
    ));
}

#[test]
fn every_status_change_gets_an_inbox_message_and_attention_events_an_sms() {
    let fix = Some(t0() + Duration::days(45));
    let cases: Vec<(Kind, Vec<Change>, &str, bool)> = vec![
        (
            Kind::New,
            vec![Change::Submitted {
                version_no: 1,
                hash: "h".into(),
                province: "44".into(),
                subject_key: "k".into(),
                due_at: t0() + Duration::days(2),
                due_provisional: false,
                face_task: None,
                papers: vec![],
            }],
            "submitted",
            false,
        ),
        (Kind::New, vec![Change::Withdrawn], "withdrawn", false),
        (Kind::New, vec![Change::Discarded], "discarded", false),
        (
            Kind::New,
            vec![Change::PlatformApproved {
                round: round(),
                authenticity_form: None,
            }],
            "sms_verification_started",
            true,
        ),
        (
            Kind::New,
            vec![Change::SmsRestarted { round: round() }],
            "sms_verification_started",
            true,
        ),
        (
            Kind::Cancel,
            vec![Change::CancellationSubmitted { round: round() }],
            "cancellation_submitted",
            true,
        ),
        (
            Kind::New,
            vec![Change::PlatformRejected {
                reasons: reasons(),
                fix_deadline: fix,
            }],
            "platform_rejected",
            true,
        ),
        (
            Kind::New,
            vec![Change::AuthorityRejected {
                reasons: reasons(),
                fix_deadline: fix,
            }],
            "authority_rejected",
            true,
        ),
        (
            Kind::Cancel,
            vec![Change::AuthorityRejected {
                reasons: reasons(),
                fix_deadline: None,
            }],
            "cancellation_rejected",
            true,
        ),
        (
            Kind::New,
            vec![Change::Returned {
                reason: ReturnReason::Timeout,
                fix_deadline: fix,
            }],
            "returned",
            true,
        ),
        (
            Kind::Cancel,
            vec![Change::Abandoned {
                reason: ReturnReason::TooManyAttempts,
            }],
            "cancellation_abandoned",
            false,
        ),
        (
            Kind::New,
            vec![Change::AuthorityReviewStarted {
                due_at: t0() + Duration::days(28),
                due_provisional: false,
            }],
            "authority_review_started",
            false,
        ),
        (
            Kind::New,
            vec![Change::Filed {
                numbers: Some(IssuedNumbers {
                    subject_number: "粤ICP备2026000001号".into(),
                    service_number: "粤ICP备2026000001号-1X".into(),
                }),
            }],
            "filed",
            true,
        ),
        (
            Kind::Change,
            vec![Change::Filed { numbers: None }],
            "change_applied",
            true,
        ),
        (Kind::Cancel, vec![Change::Cancelled], "cancelled", true),
        (Kind::New, vec![Change::Expired], "expired", false),
        (
            Kind::New,
            vec![Change::Terminated {
                reason: "小程序已被封禁".into(),
            }],
            "terminated",
            false,
        ),
    ];
    for (kind, changes, key, sms) in cases {
        let mut f = saved(kind);
        let mut out = vec![];
        for c in changes {
            out.extend(notices(&mut f, c));
        }
        let inbox: Vec<_> = out.iter().filter(|n| n.channel == Channel::Inbox).collect();
        assert_eq!(inbox.len(), 1, "{key}: one inbox message");
        assert_eq!(inbox[0].template, key);
        assert_eq!(inbox[0].to, "owner-1", "{key}: to the owner");
        assert_eq!(inbox[0].filing_id.as_deref(), Some("f1"));
        assert!(
            inbox[0].body.contains("星河记账"),
            "{key}: {}",
            inbox[0].body
        );
        assert!(!inbox[0].body.contains('{'), "{key}: {}", inbox[0].body);
        let texts: Vec<_> = out.iter().filter(|n| n.channel == Channel::Sms).collect();
        assert_eq!(texts.len(), usize::from(sms), "{key}: template SMS");
        if sms {
            // The administrator: the mini program principal (here the subject principal).
            assert_eq!(texts[0].to, "13800138000");
            assert_eq!(texts[0].template, key);
            assert!(!texts[0].body.contains('{'), "{}", texts[0].body);
        }
    }
}

#[test]
fn texts_carry_the_facts_of_the_event() {
    let mut f = saved(Kind::New);
    let out = notices(
        &mut f,
        Change::PlatformRejected {
            reasons: reasons(),
            fix_deadline: Some(t0() + Duration::days(45)),
        },
    );
    assert!(out[0]
        .body
        .contains("subject.address：所选地区与通讯地址不一致"));
    assert!(out[0].body.contains("2026年4月16日"), "{}", out[0].body);
    let out = notices(
        &mut f,
        Change::PlatformApproved {
            round: round(),
            authenticity_form: None,
        },
    );
    assert!(out[0].body.contains("主体负责人（138****8000）"));
    assert!(
        out[0].body.contains("2026年3月3日 10:00"),
        "{}",
        out[0].body
    );
    assert_eq!(
        out[1].params.get("deadline").map(String::as_str),
        Some("2026年3月3日 10:00")
    );
    assert!(!out[1].params.contains_key("recipients"), "only used names");
}

#[test]
fn partial_steps_announce_nothing() {
    let mut f = saved(Kind::New);
    for c in [
        Change::RecipientVerified { index: 0 },
        Change::WrongCode { index: 0 },
        Change::CodeResent {
            index: 0,
            code_hash: "x".into(),
        },
    ] {
        assert!(notices(&mut f, c).is_empty());
    }
}

#[test]
fn reminder_goes_to_unverified_recipients_and_the_owner() {
    let mut f = saved(Kind::New);
    f.apply(&ev(Change::PlatformApproved {
        round: round(),
        authenticity_form: None,
    }));
    assert_eq!(f.status, Status::SmsVerification);
    let out = sms_reminder(&f, &Templates::embedded());
    assert_eq!(out.len(), 2);
    assert_eq!(
        (out[0].channel, out[0].to.as_str()),
        (Channel::Inbox, "owner-1")
    );
    assert_eq!(
        (out[1].channel, out[1].to.as_str()),
        (Channel::Sms, "13800138000")
    );
    f.apply(&ev(Change::RecipientVerified { index: 0 }));
    assert!(sms_reminder(&f, &Templates::embedded()).is_empty());
}

#[test]
fn verification_code_is_masked_for_real_providers() {
    let t = Templates::embedded();
    let clear = t.verification_code("13800138000", "012345", 24, false);
    assert!(clear.body.contains("核验码为012345"));
    let masked = t.verification_code("13800138000", "012345", 24, true);
    assert!(!masked.body.contains("012345"));
    assert!(masked.body.contains("核验码为******"));
    assert_eq!(
        masked.params.get("code").map(String::as_str),
        Some("012345")
    );
}

#[test]
fn webhook_types_cover_status_changes_only() {
    assert_eq!(webhook_type(&Change::Expired), Some("filing.expired"));
    assert_eq!(webhook_type(&Change::RecipientVerified { index: 0 }), None);
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let base = Duration::seconds(60);
    let cap = Duration::hours(1);
    let got: Vec<i64> = (1..=8)
        .map(|n| backoff(n, base, cap).num_seconds())
        .collect();
    assert_eq!(got, vec![60, 120, 240, 480, 960, 1920, 3600, 3600]);
    assert_eq!(backoff(200, base, cap), cap);
}
