//! JSON views of domain objects, in the shapes of api.md. Times are shown in
//! +08:00; phones in SMS recipients are masked.

use beian_domain::calendar::china_offset;
use beian_domain::console::console_entry;
use beian_domain::filing::{mask_mobile, Filing, Kind, RecipientRole, Status, Time};
use beian_domain::gating::RecordState;
use beian_domain::policy::Policy;
use beian_store::RecordStatus;
use beian_store::{AppRow, ServiceRecord};
use serde_json::{json, Value};

/// RFC 3339 in China Standard Time.
pub fn ts(t: Time) -> String {
    t.with_timezone(&china_offset())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

fn opt_ts(t: Option<Time>) -> Value {
    t.map(ts).map(Value::String).unwrap_or(Value::Null)
}

/// The filing view of api.md.
pub fn filing(f: &Filing, policy: &Policy, now: Time) -> Value {
    let sms = f
        .sms
        .as_ref()
        .filter(|_| f.status == Status::SmsVerification)
        .map(|r| {
            json!({
                "round": r.number,
                "deadline": ts(r.deadline),
                "recipients": r.recipients.iter().map(|x| json!({
                    "role": match x.role {
                        RecipientRole::SubjectPrincipal => "subject_principal",
                        RecipientRole::MiniProgramPrincipal => "mini_program_principal",
                    },
                    "mobile": mask_mobile(&x.mobile),
                    "verified": x.verified_at.is_some(),
                    "attempts_left": policy.sms_max_wrong_attempts.saturating_sub(x.wrong_attempts),
                    "resends_left": policy.sms_max_resends.saturating_sub(x.resends_used),
                })).collect::<Vec<_>>(),
            })
        });
    let overdue = f.status.is_overdue(f.due_at, now);
    json!({
        "id": f.id,
        "kind": f.kind.as_str(),
        "appid": f.appid,
        "status": f.status.as_str(),
        "version": f.version,
        "province": f.province,
        "created_at": ts(f.created_at),
        "submitted_at": opt_ts(f.submitted_at),
        "due_at": opt_ts(f.due_at),
        // domain.md §11.4: counted over a year without a notice yet; may move when it loads.
        "due_provisional": f.due_provisional,
        "overdue": overdue,
        "fix_deadline": opt_ts(f.fix_deadline),
        "returned_reason": f.returned_reason,
        "cancel_type": f.cancel.map(|c| c.0),
        "cancel_reason": f.cancel.map(|c| c.1),
        "document": if f.kind == Kind::Cancel { Value::Null } else { json!(f.document) },
        "sms": sms,
        "rejections": f.rejections.iter().map(|r| json!({
            "stage": r.stage, "at": ts(r.at), "version": r.version_no, "reasons": r.reasons,
        })).collect::<Vec<_>>(),
        "subject_number": f.subject_number,
        "service_number": f.service_number,
        "timeline": f.timeline.iter().map(|t| json!({"at": ts(t.at), "event": t.event, "actor": t.actor})).collect::<Vec<_>>(),
    })
}

/// What the console shows for an app (api.md `entry`).
pub fn entry(app: &AppRow, live: Option<&Filing>, record: Option<&ServiceRecord>) -> &'static str {
    let record = RecordState::of(record.map(|r| r.status.as_str()));
    console_entry(live.map(|f| (f.status, f.kind)), record, app.listed).as_str()
}

/// The app view of api.md.
pub fn app(a: &AppRow, live: Option<&Filing>, record: Option<&ServiceRecord>) -> Value {
    let filing_status = match (live, record) {
        (Some(f), _) => f.status.as_str().to_string(),
        (None, Some(r)) if r.status == RecordStatus::Active => "filed".into(),
        (None, Some(r)) => r.status.as_str().to_string(),
        (None, None) => "unfiled".into(),
    };
    let active = record.filter(|r| r.status == RecordStatus::Active);
    json!({
        "appid": a.appid,
        "name": a.name,
        "listed": a.listed,
        "owner_name": a.owner_name,
        "registered_at": ts(a.registered_at),
        "preconditions": a.preconditions,
        "filing_status": filing_status,
        "open_filing_id": live.map(|f| f.id.clone()),
        "subject_number": active.map(|r| r.subject_number.clone()),
        "service_number": active.map(|r| r.service_number.clone()),
        "entry": entry(a, live, record),
    })
}
