//! The vocabulary of a filing order: kinds, states and actors, the SMS round, review outcomes,
//! timers, the projection [`Filing`] and the [`Env`] a decision reads. Types only; the state
//! machine that moves between them is [`crate::filing`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::papers::PaperStamp;

/// Instants are kept in UTC and shown in +08:00 at the edges.
pub type Time = DateTime<Utc>;

/// Kind of order (§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    New,
    Change,
    Cancel,
}

impl Kind {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Change => "change",
            Kind::Cancel => "cancel",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "new" => Some(Kind::New),
            "change" => Some(Kind::Change),
            "cancel" => Some(Kind::Cancel),
            _ => None,
        }
    }
}

/// Order states of §3.1 and §3.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    PlatformReview,
    PlatformRejected,
    SmsVerification,
    Returned,
    AuthorityReview,
    AuthorityRejected,
    Filed,
    Withdrawn,
    Discarded,
    Expired,
    Terminated,
    Cancelled,
    Abandoned,
}

/// Every status, for iteration in tests and filters.
pub const ALL_STATUSES: [Status; 14] = [
    Status::Draft,
    Status::PlatformReview,
    Status::PlatformRejected,
    Status::SmsVerification,
    Status::Returned,
    Status::AuthorityReview,
    Status::AuthorityRejected,
    Status::Filed,
    Status::Withdrawn,
    Status::Discarded,
    Status::Expired,
    Status::Terminated,
    Status::Cancelled,
    Status::Abandoned,
];

impl Status {
    /// The name people read (consoles, charts, exports).
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::PlatformReview => "平台初审中",
            Status::PlatformRejected => "平台已驳回",
            Status::SmsVerification => "待短信核验",
            Status::Returned => "已退回",
            Status::AuthorityReview => "通管局审核中",
            Status::AuthorityRejected => "通管局已驳回",
            Status::Filed => "已备案",
            Status::Withdrawn => "已撤回",
            Status::Discarded => "已放弃",
            Status::Expired => "已过期",
            Status::Terminated => "已终止",
            Status::Cancelled => "已注销",
            Status::Abandoned => "注销未完成",
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::PlatformReview => "platform_review",
            Status::PlatformRejected => "platform_rejected",
            Status::SmsVerification => "sms_verification",
            Status::Returned => "returned",
            Status::AuthorityReview => "authority_review",
            Status::AuthorityRejected => "authority_rejected",
            Status::Filed => "filed",
            Status::Withdrawn => "withdrawn",
            Status::Discarded => "discarded",
            Status::Expired => "expired",
            Status::Terminated => "terminated",
            Status::Cancelled => "cancelled",
            Status::Abandoned => "abandoned",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Status> {
        ALL_STATUSES.into_iter().find(|st| st.as_str() == s)
    }

    /// Where the order stands among the five steps the applicant's console shows (0 备案信息
    /// 填写, 1 平台初审, 2 工信部短信核验, 3 通管局审核, 4 备案成功): a rejected order is back
    /// at a review it must pass again, a returned one at SMS verification.
    pub fn console_step(self) -> usize {
        match self {
            Status::PlatformReview => 1,
            Status::SmsVerification | Status::Returned => 2,
            Status::AuthorityReview | Status::AuthorityRejected => 3,
            Status::Filed | Status::Cancelled => 4,
            _ => 0,
        }
    }

    /// Open states block other orders of the same subject (V-POL-003).
    pub fn is_open(self, kind: Kind) -> bool {
        match kind {
            Kind::Cancel => matches!(self, Status::SmsVerification | Status::AuthorityReview),
            _ => matches!(
                self,
                Status::PlatformReview
                    | Status::PlatformRejected
                    | Status::SmsVerification
                    | Status::Returned
                    | Status::AuthorityReview
                    | Status::AuthorityRejected
            ),
        }
    }

    /// Terminal states never change again.
    pub fn is_terminal(self, kind: Kind) -> bool {
        match self {
            Status::AuthorityRejected => kind == Kind::Cancel,
            Status::Filed
            | Status::Withdrawn
            | Status::Discarded
            | Status::Expired
            | Status::Terminated
            | Status::Cancelled
            | Status::Abandoned => true,
            _ => false,
        }
    }

    /// Past its review deadline (§13, the SLA): only the two review stages have one.
    pub fn is_overdue(self, due_at: Option<Time>, now: Time) -> bool {
        matches!(self, Status::PlatformReview | Status::AuthorityReview)
            && due_at.is_some_and(|d| now > d)
    }

    /// Whether the applicant may edit the document in this state.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            Status::Draft | Status::PlatformRejected | Status::AuthorityRejected | Status::Returned
        )
    }
}

/// 注销类型 (§2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CancelType {
    Subject,
    MiniProgram,
    Access,
}

/// 注销原因 (§2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CancelReason {
    NotOperating,
    SubjectChanged,
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Applicant(String),
    PlatformReviewer(String),
    AuthorityReviewer(String),
    Recipient(String),
    Admin(String),
    System,
}

impl Actor {
    /// The role word shown in timelines.
    pub fn role(&self) -> &'static str {
        match self {
            Actor::Applicant(_) => "applicant",
            Actor::PlatformReviewer(_) => "platform_reviewer",
            Actor::AuthorityReviewer(_) => "authority_reviewer",
            Actor::Recipient(_) => "recipient",
            Actor::Admin(_) => "admin",
            Actor::System => "system",
        }
    }
}

/// Which principal receives a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientRole {
    SubjectPrincipal,
    MiniProgramPrincipal,
}

/// One person of an SMS round (§3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub role: RecipientRole,
    pub mobile: String,
    pub last6: String,
    pub code_hash: String,
    pub sent_at: Time,
    pub resends_used: u32,
    pub wrong_attempts: u32,
    pub verified_at: Option<Time>,
}

/// One SMS round: its recipients and its fixed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsRound {
    pub number: u32,
    pub deadline: Time,
    pub recipients: Vec<Recipient>,
}

/// Who should get a code, before codes exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientSpec {
    pub role: RecipientRole,
    pub mobile: String,
    pub last6: String,
}

/// A code about to be sent: the caller turns these into SMS messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeToSend {
    pub mobile: String,
    pub code: String,
}

/// Review stage of a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Stage {
    Platform,
    Authority,
}

/// One reviewer's reason (§12.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    #[serde(default)]
    pub field: Option<String>,
    pub error: String,
    #[serde(default)]
    pub suggestion: String,
}

/// A review rejection, attached to the version it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub stage: Stage,
    pub at: Time,
    pub version_no: u32,
    pub reasons: Vec<Reason>,
}

/// Why the verification site returned the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReturnReason {
    Timeout,
    TooManyAttempts,
}

/// A frozen submitted version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenVersion {
    pub number: u32,
    pub hash: String,
    pub at: Time,
    /// Content hashes of the platform documents frozen with this version (§10.3): those
    /// the applicant confirmed at submission, and the authenticity form added at T06. The
    /// content itself lives in the event log ([`frozen_papers`](crate::filing::frozen_papers)),
    /// so the projection every command loads stays small.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub papers: Vec<PaperStamp>,
}

/// The numbers issued at T19 for a new filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedNumbers {
    pub subject_number: String,
    pub service_number: String,
}

/// What the caller knows about the existing records when an order is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordFacts {
    pub subject_key: String,
    pub province: String,
    pub subject_number: Option<String>,
    pub service_number: Option<String>,
    pub document: Option<Document>,
}

/// Durable timers a filing needs (§3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    /// The SMS round with this number closes.
    SmsDeadline(u32),
    /// The fix window of a rejected or returned order ends.
    FixWindow,
    /// A year the order's due date was counted over has become official: count it again
    /// (domain §11.4). Scheduled by the server when a notice loads, never by the order.
    RecomputeDue,
}

/// The stored key of [`TimerKind::RecomputeDue`], which the store inserts itself.
pub const RECOMPUTE_DUE: &str = "recompute_due";

impl TimerKind {
    /// Stable text form stored in the timers table.
    pub fn key(self) -> String {
        match self {
            TimerKind::SmsDeadline(n) => format!("sms_deadline:{n}"),
            TimerKind::FixWindow => "fix_window".into(),
            TimerKind::RecomputeDue => RECOMPUTE_DUE.into(),
        }
    }

    /// Parses the stored text form.
    pub fn parse(s: &str) -> Option<TimerKind> {
        if s == "fix_window" {
            return Some(TimerKind::FixWindow);
        }
        if s == RECOMPUTE_DUE {
            return Some(TimerKind::RecomputeDue);
        }
        s.strip_prefix("sms_deadline:")?
            .parse()
            .ok()
            .map(TimerKind::SmsDeadline)
    }
}

/// A line of the filing's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: Time,
    pub event: String,
    pub actor: String,
}

/// The projection of one order: what queries read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filing {
    pub id: String,
    pub kind: Kind,
    pub appid: String,
    pub owner_id: String,
    pub status: Status,
    pub version: i64,
    pub created_at: Time,
    pub province: Option<String>,
    pub subject_key: Option<String>,
    pub document: Option<Document>,
    pub cancel: Option<(CancelType, CancelReason)>,
    pub record: Option<RecordFacts>,
    pub versions: Vec<FrozenVersion>,
    pub sms_hash: Option<String>,
    pub submitted_at: Option<Time>,
    pub due_at: Option<Time>,
    /// `due_at` is a working-day deadline counted over a projected year (§11.4).
    #[serde(default, skip_serializing_if = "is_false")]
    pub due_provisional: bool,
    /// When the current working-day deadline started counting (the stage's start event),
    /// so a loaded notice can count it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_started_at: Option<Time>,
    pub sms: Option<SmsRound>,
    pub rejections: Vec<Rejection>,
    pub returned_reason: Option<ReturnReason>,
    pub fix_deadline: Option<Time>,
    pub face_task: Option<String>,
    pub subject_number: Option<String>,
    pub service_number: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// The link of the last event applied (`crate::audit`); it starts empty, and for an
    /// order whose first events predate the chain it counts from the first one after.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chain_head: String,
    /// The reviewer who holds the order in review, until when (`claims.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim>,
}

/// A reviewer's hold on an order in review: others see it and cannot decide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The reviewer's user id.
    pub holder: String,
    pub until: Time,
}

/// For `skip_serializing_if`: a false flag is left out of stored JSON.
pub(super) fn is_false(b: &bool) -> bool {
    !*b
}
