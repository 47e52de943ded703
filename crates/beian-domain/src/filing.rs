//! The one state machine of a filing order (domain.md §3).
//!
//! `Filing::decide` checks a command against the current state and returns the
//! events it causes, or a refusal; `Filing::apply` folds an event into the
//! state. Nothing here reads a clock or touches storage: the caller passes the
//! time, the policy, the calendar and whatever facts it looked up.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::papers::{self, Paper, PaperStamp};

use crate::calendar::{Calendar, CalendarError};
use crate::document::Document;
use crate::policy::{EmptySubjectPolicy, Policy};
use crate::reference::ReferenceData;
use crate::validate::{self, Issue, ValidationFacts};

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
pub enum CancelType {
    Subject,
    MiniProgram,
    Access,
}

/// 注销原因 (§2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
pub enum Stage {
    Platform,
    Authority,
}

/// One reviewer's reason (§12.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// content itself lives in the event log ([`frozen_papers`]), so the projection every
    /// command loads stays small.
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

/// One appended fact. The event log is the audit trail (§3.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: Time,
    pub actor: Actor,
    pub change: Change,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Change {
    Created {
        id: String,
        kind: Kind,
        appid: String,
        owner_id: String,
        cancel: Option<(CancelType, CancelReason)>,
        record: Option<Box<RecordFacts>>,
        document: Option<Box<Document>>,
    },
    Saved {
        document: Box<Document>,
    },
    Submitted {
        version_no: u32,
        hash: String,
        province: String,
        subject_key: String,
        due_at: Time,
        /// The due date was counted over a projected year (§11.4).
        #[serde(default, skip_serializing_if = "is_false")]
        due_provisional: bool,
        face_task: Option<String>,
        /// The confirmed platform documents, frozen with the version.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        papers: Vec<Paper>,
    },
    Withdrawn,
    Discarded,
    PlatformApproved {
        round: SmsRound,
        /// 小程序备案真实性核验单, generated at T06 (§6.6).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        authenticity_form: Option<Box<Paper>>,
    },
    PlatformRejected {
        reasons: Vec<Reason>,
        fix_deadline: Option<Time>,
    },
    SmsRestarted {
        round: SmsRound,
    },
    CancellationSubmitted {
        round: SmsRound,
    },
    RecipientVerified {
        index: usize,
    },
    WrongCode {
        index: usize,
    },
    CodeResent {
        index: usize,
        code_hash: String,
    },
    Returned {
        reason: ReturnReason,
        fix_deadline: Option<Time>,
    },
    Abandoned {
        reason: ReturnReason,
    },
    AuthorityReviewStarted {
        due_at: Time,
        /// The due date was counted over a projected year (§11.4).
        #[serde(default, skip_serializing_if = "is_false")]
        due_provisional: bool,
    },
    /// A notice made a year official and the due date was counted again from the stage's
    /// start (§11.4); `previous` is the date it replaces.
    DueRecomputed {
        previous: Time,
        due_at: Time,
        due_provisional: bool,
    },
    Filed {
        numbers: Option<IssuedNumbers>,
    },
    Cancelled,
    AuthorityRejected {
        reasons: Vec<Reason>,
        fix_deadline: Option<Time>,
    },
    Expired,
    Terminated {
        reason: String,
    },
}

impl Change {
    /// The event name used in timelines and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Change::Created { .. } => "created",
            Change::Saved { .. } => "saved",
            Change::Submitted { .. } => "submitted",
            Change::Withdrawn => "withdrawn",
            Change::Discarded => "discarded",
            Change::PlatformApproved { .. } => "platform_approved",
            Change::PlatformRejected { .. } => "platform_rejected",
            Change::SmsRestarted { .. } => "sms_restarted",
            Change::CancellationSubmitted { .. } => "cancellation_submitted",
            Change::RecipientVerified { .. } => "recipient_verified",
            Change::WrongCode { .. } => "wrong_code",
            Change::CodeResent { .. } => "code_resent",
            Change::Returned { .. } => "returned",
            Change::Abandoned { .. } => "abandoned",
            Change::AuthorityReviewStarted { .. } => "authority_review_started",
            Change::DueRecomputed { .. } => "due_recomputed",
            Change::Filed { .. } => "filed",
            Change::Cancelled => "cancelled",
            Change::AuthorityRejected { .. } => "authority_rejected",
            Change::Expired => "expired",
            Change::Terminated { .. } => "terminated",
        }
    }
}

/// A state-changing request.
#[derive(Debug, Clone)]
pub enum Command {
    Save {
        document: Box<Document>,
    },
    Submit {
        /// Boxed: the facts are large and the other commands small.
        facts: Box<ValidationFacts>,
        /// Fresh codes, one per recipient of `Filing::recipients`, used when
        /// the submission goes straight to SMS (T16, C01).
        codes: Vec<String>,
    },
    Withdraw,
    Discard,
    PlatformApprove {
        codes: Vec<String>,
    },
    PlatformReject {
        reasons: Vec<Reason>,
    },
    SmsVerify {
        mobile: String,
        last6: String,
        code: String,
    },
    SmsResend {
        mobile: String,
        last6: String,
        code: String,
    },
    AuthorityApprove {
        numbers: Option<IssuedNumbers>,
    },
    AuthorityReject {
        reasons: Vec<Reason>,
    },
    Timer(TimerKind),
    Terminate {
        reason: String,
    },
}

/// Why a command was refused; each has a stable code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("当前状态（{status}）不允许此操作")]
    WrongState { status: &'static str },
    #[error("{0}")]
    NotWithdrawable(&'static str),
    #[error("备案信息校验未通过")]
    Invalid(Vec<Issue>),
    #[error("驳回须至少填写一条原因")]
    ReasonsRequired,
    #[error("验证码或证件号码后六位有误，还可尝试{attempts_left}次")]
    WrongCode { attempts_left: u32 },
    #[error("核验已超时，备案申请将退回，请重新提交")]
    SmsExpired,
    #[error("重发次数已用完")]
    ResendLimit,
    #[error("未查询到待核验的备案信息，请确认手机号码")]
    RecipientNotFound,
    #[error("该核验人已完成核验")]
    AlreadyVerified,
    #[error("主体证件号码不能通过变更修改，请注销后重新备案")]
    RefileRequired,
    #[error("定时任务已失效")]
    StaleTimer,
    #[error("备案号未分配")]
    NumbersRequired,
    #[error("工作日数据缺失：{0}")]
    Calendar(#[from] CalendarError),
}

impl Refusal {
    /// The stable machine code of api.md.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongState { .. } => "WRONG_STATE",
            Refusal::NotWithdrawable(_) => "NOT_WITHDRAWABLE",
            Refusal::Invalid(_) => "VALIDATION_FAILED",
            Refusal::ReasonsRequired => "REASONS_REQUIRED",
            Refusal::WrongCode { .. } => "WRONG_CODE",
            Refusal::SmsExpired => "EXPIRED",
            Refusal::ResendLimit => "RESEND_LIMIT",
            Refusal::RecipientNotFound => "NOT_FOUND",
            Refusal::AlreadyVerified => "ALREADY_VERIFIED",
            Refusal::RefileRequired => "REFILE_REQUIRED",
            Refusal::StaleTimer => "STALE_TIMER",
            Refusal::NumbersRequired => "NUMBERS_REQUIRED",
            Refusal::Calendar(_) => "CALENDAR_DATA_MISSING",
        }
    }
}

/// Everything `decide` may consult besides the filing itself.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Time,
    pub actor: &'a Actor,
    pub policy: &'a Policy,
    pub calendar: &'a Calendar,
    /// Enumerations, province pack, regions and name lists that validation reads.
    pub reference: &'a ReferenceData,
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
}

/// The platform documents frozen with version `number`, read back from the order's event
/// log: the papers of its `Submitted` event and the authenticity form of the approval that
/// followed it. Only papers whose hash matches the version's stamp are returned.
pub fn frozen_papers(f: &Filing, events: &[Event], number: u32) -> Vec<Paper> {
    let Some(version) = f.version(Some(number)) else {
        return vec![];
    };
    let mut current = 0;
    let mut out: Vec<Paper> = vec![];
    for e in events {
        match &e.change {
            Change::Submitted {
                version_no, papers, ..
            } => {
                current = *version_no;
                if current == number {
                    out = papers.clone();
                }
            }
            Change::PlatformApproved {
                authenticity_form: Some(form),
                ..
            } if current == number => {
                out.retain(|p| p.kind != form.kind);
                out.push(form.as_ref().clone());
            }
            _ => {}
        }
    }
    out.retain(|p| {
        version
            .papers
            .iter()
            .any(|s| s.kind == p.kind && s.hash == p.hash())
    });
    out
}

/// Salted hash of an SMS code: codes are never stored in clear (§3.3).
pub fn code_hash(filing_id: &str, round: u32, index: usize, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{filing_id}\x1f{round}\x1f{index}\x1f{code}"));
    hex::encode(h.finalize())
}

/// Masks a mobile for display: `138****1234`.
pub fn mask_mobile(m: &str) -> String {
    let chars: Vec<char> = m.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Changes to the records (§2.1) that a committed event implies.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordEffect {
    /// T19 of a new order: create the service record (and the subject record if new).
    ServiceFiled {
        appid: String,
        subject_key: String,
        province: String,
        numbers: IssuedNumbers,
        document: Document,
    },
    /// T19 of a change order: the record takes the new version.
    ServiceChanged { appid: String, document: Document },
    /// C05 of a subject cancellation: the subject and all its services.
    SubjectCancelled { subject_key: String },
    /// C05 of an MP or access cancellation.
    ServiceCancelled {
        appid: String,
        subject_key: String,
        access_only: bool,
        cancel_empty_subject: bool,
    },
}

impl Filing {
    /// T01 / C00: a new order in `draft`. Guards that need the database (one
    /// draft per MP, record existence) are checked by the caller and the store.
    pub fn create(
        id: String,
        kind: Kind,
        appid: String,
        owner: &Actor,
        cancel: Option<(CancelType, CancelReason)>,
        record: Option<RecordFacts>,
        now: Time,
    ) -> Result<(Filing, Event), Refusal> {
        let owner_id = match owner {
            Actor::Applicant(id) | Actor::Admin(id) => id.clone(),
            _ => return Err(Refusal::WrongState { status: "none" }),
        };
        // A change starts from a copy of the filed document; a new MP under a
        // filed subject starts with the subject section pre-filled.
        let document = match (kind, &record) {
            (Kind::Change | Kind::Cancel, Some(r)) => r.document.clone(),
            (Kind::New, Some(r)) => r.document.as_ref().map(|d| Document {
                subject: d.subject.clone(),
                subject_principal: d.subject_principal.clone(),
                legal_representative: d.legal_representative.clone(),
                ..Document::default()
            }),
            _ => None,
        };
        let event = Event {
            at: now,
            actor: owner.clone(),
            change: Change::Created {
                id,
                kind,
                appid,
                owner_id,
                cancel,
                record: record.map(Box::new),
                document: document.map(Box::new),
            },
        };
        let mut f = Filing::empty();
        f.apply(&event);
        Ok((f, event))
    }

    fn empty() -> Filing {
        Filing {
            id: String::new(),
            kind: Kind::New,
            appid: String::new(),
            owner_id: String::new(),
            status: Status::Draft,
            version: 0,
            created_at: DateTime::<Utc>::MIN_UTC,
            province: None,
            subject_key: None,
            document: None,
            cancel: None,
            record: None,
            versions: vec![],
            sms_hash: None,
            submitted_at: None,
            due_at: None,
            due_provisional: false,
            due_started_at: None,
            sms: None,
            rejections: vec![],
            returned_reason: None,
            fix_deadline: None,
            face_task: None,
            subject_number: None,
            service_number: None,
            timeline: vec![],
        }
    }

    /// Rebuilds a filing from its event log.
    pub fn replay<'e>(events: impl IntoIterator<Item = &'e Event>) -> Filing {
        let mut f = Filing::empty();
        for e in events {
            f.apply(e);
        }
        f
    }

    /// The current document, or an empty one.
    pub fn document_or_default(&self) -> Document {
        self.document.clone().unwrap_or_default()
    }

    /// The document as the platform documents show it: the AppID is the filing's.
    fn paper_document(&self) -> Document {
        let mut doc = self.document_or_default();
        doc.mini_program
            .appid
            .get_or_insert_with(|| self.appid.clone());
        doc
    }

    /// The platform documents the applicant reads and confirms for the current draft;
    /// submission freezes exactly these (their hashes are what a confirmation may name).
    pub fn papers_to_confirm(&self, env: &Env) -> Vec<Paper> {
        papers::confirmable(
            &self.paper_document(),
            env.reference,
            env.policy.anti_fraud_enabled,
        )
    }

    /// 小程序备案真实性核验单 for the latest submitted version (T06).
    fn authenticity_form(&self, env: &Env) -> Option<Paper> {
        let version = self.versions.last()?;
        let reviewer = match env.actor {
            Actor::PlatformReviewer(id) | Actor::Admin(id) => id.as_str(),
            _ => "system",
        };
        let facts = papers::ReviewFacts {
            filing_id: &self.id,
            appid: &self.appid,
            version_no: version.number,
            document_hash: &version.hash,
            reviewer,
            reviewed_at: env
                .now
                .with_timezone(&crate::calendar::china_offset())
                .format("%Y-%m-%d %H:%M:%S（北京时间）")
                .to_string(),
            face_task: self.face_task.as_deref(),
        };
        Some(papers::authenticity_form(
            &self.paper_document(),
            env.reference,
            &facts,
        ))
    }

    /// The version a request means: the one numbered, or the latest.
    pub fn version(&self, number: Option<u32>) -> Option<&FrozenVersion> {
        match number {
            Some(n) => self.versions.iter().find(|v| v.number == n),
            None => self.versions.last(),
        }
    }

    /// Who receives codes if a round starts now (§4.2, §2.4).
    pub fn recipients(&self) -> Vec<RecipientSpec> {
        let Some(doc) = &self.document else {
            return vec![];
        };
        let spec = |role, p: &crate::document::Person| -> Option<RecipientSpec> {
            let (_, number) = p.identity()?;
            let mobile = crate::ids::Mobile::parse(p.mobile.as_deref()?, true).ok()?;
            Some(RecipientSpec {
                role,
                mobile: mobile.as_str().to_string(),
                last6: crate::ids::last6(&number),
            })
        };
        let subject = spec(RecipientRole::SubjectPrincipal, &doc.subject_principal);
        let mp = spec(RecipientRole::MiniProgramPrincipal, doc.mp_principal());
        let chosen = match self.cancel {
            Some((CancelType::Subject, _)) => vec![subject],
            Some(_) => vec![mp],
            None => {
                let different_person =
                    doc.subject_principal.identity() != doc.mp_principal().identity();
                let renamed = self.kind == Kind::Change
                    && self
                        .record
                        .as_ref()
                        .and_then(|r| r.document.as_ref())
                        .is_some_and(|r| r.mini_program.name != doc.mini_program.name);
                if different_person && renamed {
                    vec![subject, mp]
                } else {
                    vec![subject]
                }
            }
        };
        chosen.into_iter().flatten().collect()
    }

    /// Timers this state needs; the store keeps exactly these rows.
    pub fn timers(&self) -> Vec<(TimerKind, Time)> {
        let mut out = vec![];
        if self.status == Status::SmsVerification {
            if let Some(r) = &self.sms {
                out.push((TimerKind::SmsDeadline(r.number), r.deadline));
            }
        }
        if matches!(
            self.status,
            Status::PlatformRejected | Status::Returned | Status::AuthorityRejected
        ) && self.kind != Kind::Cancel
        {
            if let Some(d) = self.fix_deadline {
                out.push((TimerKind::FixWindow, d));
            }
        }
        out
    }

    /// Whether the order blocks others of its subject (V-POL-003).
    pub fn is_open(&self) -> bool {
        self.status.is_open(self.kind)
    }

    fn wrong(&self) -> Refusal {
        Refusal::WrongState {
            status: self.status.as_str(),
        }
    }

    fn fix_deadline(&self, env: &Env) -> Option<Time> {
        env.policy
            .fix_window_days
            .map(|d| env.now + Duration::days(d))
    }

    fn new_round(
        &self,
        env: &Env,
        codes: &[String],
        window_hours: i64,
    ) -> Result<SmsRound, Refusal> {
        let specs = self.recipients();
        if specs.is_empty() || specs.len() != codes.len() {
            return Err(Refusal::Invalid(vec![validate::no_recipient_issue()]));
        }
        let number = self.sms.as_ref().map_or(1, |r| r.number + 1);
        let recipients = specs
            .into_iter()
            .zip(codes)
            .enumerate()
            .map(|(i, (s, code))| Recipient {
                role: s.role,
                mobile: s.mobile,
                last6: s.last6,
                code_hash: code_hash(&self.id, number, i, code),
                sent_at: env.now,
                resends_used: 0,
                wrong_attempts: 0,
                verified_at: None,
            })
            .collect();
        Ok(SmsRound {
            number,
            deadline: env.now + Duration::hours(window_hours),
            recipients,
        })
    }

    fn reasons_ok(reasons: &[Reason]) -> Result<(), Refusal> {
        if reasons.is_empty() || reasons.iter().any(|r| r.error.trim().is_empty()) {
            Err(Refusal::ReasonsRequired)
        } else {
            Ok(())
        }
    }

    /// Decides a command: the events it causes, or why not.
    pub fn decide(&self, cmd: Command, env: &Env) -> Result<Vec<Event>, Refusal> {
        let ev = |change| {
            vec![Event {
                at: env.now,
                actor: env.actor.clone(),
                change,
            }]
        };
        let cancel = self.kind == Kind::Cancel;
        match (cmd, self.status) {
            (Command::Save { .. }, _) if cancel => Err(self.wrong()),
            (Command::Save { document }, s) if s.is_editable() => {
                if self.kind == Kind::Change {
                    let record_key = self.record.as_ref().map(|r| r.subject_key.as_str());
                    if document.subject_key().as_deref() != record_key {
                        return Err(Refusal::RefileRequired);
                    }
                }
                Ok(ev(Change::Saved { document }))
            }
            (Command::Submit { codes, .. }, Status::Draft) if cancel => {
                let round = self.new_round(env, &codes, env.policy.cancel_sms_window_hours)?;
                Ok(ev(Change::CancellationSubmitted { round }))
            }
            (Command::Submit { facts, codes }, s)
                if !cancel
                    && matches!(
                        s,
                        Status::Draft
                            | Status::PlatformRejected
                            | Status::Returned
                            | Status::AuthorityRejected
                    ) =>
            {
                let doc = self.document_or_default();
                let issues = validate::validate(&doc, &facts, self, env);
                if issues.iter().any(Issue::is_blocking) {
                    return Err(Refusal::Invalid(issues));
                }
                let hash = doc.content_hash();
                if s == Status::Returned && self.sms_hash.as_deref() == Some(hash.as_str()) {
                    // T16: unchanged, straight back to SMS with a new round.
                    let round = self.new_round(env, &codes, env.policy.sms_window_hours)?;
                    return Ok(ev(Change::SmsRestarted { round }));
                }
                let start = env.now.with_timezone(&crate::calendar::china_offset());
                let due = env
                    .calendar
                    .sla_due(start, env.policy.platform_review_sla_wd)?;
                Ok(ev(Change::Submitted {
                    version_no: self.versions.len() as u32 + 1,
                    hash,
                    province: doc.province2().unwrap_or_default(),
                    subject_key: doc.subject_key().unwrap_or_default(),
                    due_at: due.at.with_timezone(&Utc),
                    due_provisional: due.provisional,
                    face_task: doc.mini_program_principal.face_verification.clone(),
                    papers: self.papers_to_confirm(env),
                }))
            }
            (Command::Withdraw, _) if cancel => Err(Refusal::NotWithdrawable("注销申请不可撤回")),
            (Command::Withdraw, Status::PlatformReview) => Ok(ev(Change::Withdrawn)),
            (Command::Withdraw, s) if s.is_terminal(self.kind) || s == Status::Draft => {
                Err(self.wrong())
            }
            (Command::Withdraw, _) => Err(Refusal::NotWithdrawable("平台初审通过后不可撤回")),
            (Command::Discard, Status::Draft) => Ok(ev(Change::Discarded)),
            (Command::Discard, s)
                if !cancel
                    && matches!(
                        s,
                        Status::PlatformRejected | Status::Returned | Status::AuthorityRejected
                    ) =>
            {
                Ok(ev(Change::Discarded))
            }
            (Command::PlatformApprove { codes }, Status::PlatformReview) => {
                let round = self.new_round(env, &codes, env.policy.sms_window_hours)?;
                let authenticity_form = self.authenticity_form(env).map(Box::new);
                Ok(ev(Change::PlatformApproved {
                    round,
                    authenticity_form,
                }))
            }
            (Command::PlatformReject { reasons }, Status::PlatformReview) => {
                Self::reasons_ok(&reasons)?;
                Ok(ev(Change::PlatformRejected {
                    reasons,
                    fix_deadline: self.fix_deadline(env),
                }))
            }
            (
                Command::SmsVerify {
                    mobile,
                    last6,
                    code,
                },
                Status::SmsVerification,
            ) => self.decide_verify(env, &mobile, &last6, &code),
            (
                Command::SmsResend {
                    mobile,
                    last6,
                    code,
                },
                Status::SmsVerification,
            ) => {
                let round = self.sms.as_ref().ok_or(Refusal::RecipientNotFound)?;
                if env.now >= round.deadline {
                    return Err(Refusal::SmsExpired);
                }
                let index = round
                    .recipients
                    .iter()
                    .position(|r| {
                        r.mobile == mobile
                            && r.last6.eq_ignore_ascii_case(&last6)
                            && r.verified_at.is_none()
                    })
                    .ok_or(Refusal::RecipientNotFound)?;
                if round.recipients[index].resends_used >= env.policy.sms_max_resends {
                    return Err(Refusal::ResendLimit);
                }
                Ok(ev(Change::CodeResent {
                    index,
                    code_hash: code_hash(&self.id, round.number, index, &code),
                }))
            }
            (Command::SmsVerify { .. } | Command::SmsResend { .. }, _) => {
                Err(Refusal::RecipientNotFound)
            }
            (Command::AuthorityApprove { .. }, Status::AuthorityReview) if cancel => {
                Ok(ev(Change::Cancelled))
            }
            (Command::AuthorityApprove { numbers }, Status::AuthorityReview) => {
                if self.kind == Kind::New && numbers.is_none() {
                    return Err(Refusal::NumbersRequired);
                }
                Ok(ev(Change::Filed {
                    numbers: if self.kind == Kind::New {
                        numbers
                    } else {
                        None
                    },
                }))
            }
            (Command::AuthorityReject { reasons }, Status::AuthorityReview) => {
                Self::reasons_ok(&reasons)?;
                let fix_deadline = if cancel { None } else { self.fix_deadline(env) };
                Ok(ev(Change::AuthorityRejected {
                    reasons,
                    fix_deadline,
                }))
            }
            (Command::Timer(TimerKind::SmsDeadline(n)), Status::SmsVerification) => {
                let round = self.sms.as_ref().ok_or(Refusal::StaleTimer)?;
                if round.number != n || env.now < round.deadline {
                    return Err(Refusal::StaleTimer);
                }
                Ok(ev(if cancel {
                    Change::Abandoned {
                        reason: ReturnReason::Timeout,
                    }
                } else {
                    Change::Returned {
                        reason: ReturnReason::Timeout,
                        fix_deadline: self.fix_deadline(env),
                    }
                }))
            }
            (Command::Timer(TimerKind::FixWindow), s)
                if !cancel
                    && matches!(
                        s,
                        Status::PlatformRejected | Status::Returned | Status::AuthorityRejected
                    ) =>
            {
                match self.fix_deadline {
                    Some(d) if env.now >= d => Ok(ev(Change::Expired)),
                    _ => Err(Refusal::StaleTimer),
                }
            }
            (Command::Timer(TimerKind::RecomputeDue), _) => self.recompute_due(env),
            (Command::Timer(_), _) => Err(Refusal::StaleTimer),
            (Command::Terminate { reason }, s) if !s.is_terminal(self.kind) => {
                if reason.trim().is_empty() {
                    return Err(Refusal::ReasonsRequired);
                }
                Ok(ev(Change::Terminated { reason }))
            }
            _ => Err(self.wrong()),
        }
    }

    fn decide_verify(
        &self,
        env: &Env,
        mobile: &str,
        last6: &str,
        code: &str,
    ) -> Result<Vec<Event>, Refusal> {
        let round = self.sms.as_ref().ok_or(Refusal::RecipientNotFound)?;
        let index = round
            .recipients
            .iter()
            .position(|r| r.mobile == mobile)
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
        let right = r.last6.eq_ignore_ascii_case(last6.trim())
            && r.code_hash == code_hash(&self.id, round.number, index, code.trim());
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

    /// Folds one event into the projection. Never fails: events are facts.
    pub fn apply(&mut self, e: &Event) {
        self.version += 1;
        self.timeline.push(TimelineEntry {
            at: e.at,
            event: e.change.name().to_string(),
            actor: e.actor.role().to_string(),
        });
        match &e.change {
            Change::Created {
                id,
                kind,
                appid,
                owner_id,
                cancel,
                record,
                document,
            } => {
                self.id = id.clone();
                self.kind = *kind;
                self.appid = appid.clone();
                self.owner_id = owner_id.clone();
                self.cancel = *cancel;
                self.created_at = e.at;
                self.status = Status::Draft;
                self.document = document.as_deref().cloned();
                if let Some(r) = record {
                    self.subject_key = Some(r.subject_key.clone());
                    self.province = Some(r.province.clone());
                    if *kind != Kind::New {
                        self.subject_number = r.subject_number.clone();
                        self.service_number = r.service_number.clone();
                    }
                }
                self.record = record.as_deref().cloned();
            }
            Change::Saved { document } => {
                if self.status == Status::Draft {
                    self.province = document.province2().or(self.province.take());
                    self.subject_key = document.subject_key().or(self.subject_key.take());
                }
                self.document = Some(document.as_ref().clone());
            }
            Change::Submitted {
                version_no,
                hash,
                province,
                subject_key,
                due_at,
                due_provisional,
                face_task,
                papers,
            } => {
                self.versions.push(FrozenVersion {
                    number: *version_no,
                    hash: hash.clone(),
                    at: e.at,
                    papers: papers.iter().map(PaperStamp::from).collect(),
                });
                self.province = Some(province.clone());
                self.subject_key = Some(subject_key.clone());
                self.face_task = self.face_task.take().or(face_task.clone());
                self.submitted_at = Some(e.at);
                self.due_at = Some(*due_at);
                self.due_provisional = *due_provisional;
                self.due_started_at = Some(e.at);
                self.fix_deadline = None;
                self.returned_reason = None;
                self.status = Status::PlatformReview;
            }
            Change::Withdrawn => self.finish(Status::Withdrawn),
            Change::Discarded => self.finish(Status::Discarded),
            Change::Expired => self.finish(Status::Expired),
            Change::Terminated { .. } => self.finish(Status::Terminated),
            Change::Cancelled => self.finish(Status::Cancelled),
            Change::Abandoned { reason } => {
                self.returned_reason = Some(*reason);
                self.finish(Status::Abandoned);
            }
            Change::PlatformApproved {
                round,
                authenticity_form,
            } => {
                if let (Some(v), Some(form)) = (self.versions.last_mut(), authenticity_form) {
                    v.papers.retain(|p| p.kind != form.kind);
                    v.papers.push(PaperStamp::from(form.as_ref()));
                }
                self.sms_hash = self.versions.last().map(|v| v.hash.clone());
                self.start_round(round);
            }
            Change::SmsRestarted { round } => {
                self.sms_hash = self.versions.last().map(|v| v.hash.clone());
                self.start_round(round);
            }
            Change::CancellationSubmitted { round } => {
                self.submitted_at = Some(e.at);
                self.start_round(round);
            }
            Change::PlatformRejected {
                reasons,
                fix_deadline,
            } => self.reject(
                Stage::Platform,
                e.at,
                reasons,
                *fix_deadline,
                Status::PlatformRejected,
            ),
            Change::AuthorityRejected {
                reasons,
                fix_deadline,
            } => self.reject(
                Stage::Authority,
                e.at,
                reasons,
                *fix_deadline,
                Status::AuthorityRejected,
            ),
            Change::RecipientVerified { index } => {
                if let Some(r) = self.sms.as_mut().and_then(|s| s.recipients.get_mut(*index)) {
                    r.verified_at = Some(e.at);
                }
            }
            Change::WrongCode { index } => {
                if let Some(r) = self.sms.as_mut().and_then(|s| s.recipients.get_mut(*index)) {
                    r.wrong_attempts += 1;
                }
            }
            Change::CodeResent { index, code_hash } => {
                if let Some(r) = self.sms.as_mut().and_then(|s| s.recipients.get_mut(*index)) {
                    r.code_hash = code_hash.clone();
                    r.resends_used += 1;
                    r.sent_at = e.at;
                }
            }
            Change::Returned {
                reason,
                fix_deadline,
            } => {
                self.returned_reason = Some(*reason);
                self.fix_deadline = *fix_deadline;
                self.clear_due();
                self.invalidate_codes();
                self.status = Status::Returned;
            }
            Change::AuthorityReviewStarted {
                due_at,
                due_provisional,
            } => {
                self.due_at = Some(*due_at);
                self.due_provisional = *due_provisional;
                self.due_started_at = Some(e.at);
                self.status = Status::AuthorityReview;
            }
            Change::DueRecomputed {
                due_at,
                due_provisional,
                ..
            } => {
                self.due_at = Some(*due_at);
                self.due_provisional = *due_provisional;
            }
            Change::Filed { numbers } => {
                if let Some(n) = numbers {
                    self.subject_number = Some(n.subject_number.clone());
                    self.service_number = Some(n.service_number.clone());
                }
                self.finish(Status::Filed);
            }
        }
    }

    /// T-calendar: counts a provisional working-day deadline again from its stage's start,
    /// on the calendar in force (a notice may have made its year official). Stale when the
    /// deadline is not provisional, or counts out the same and is still provisional (the
    /// deciding process has not yet seen the notice: the timer is tried again later).
    fn recompute_due(&self, env: &Env) -> Result<Vec<Event>, Refusal> {
        let sla = match self.status {
            Status::PlatformReview => env.policy.platform_review_sla_wd,
            Status::AuthorityReview => env.policy.authority_review_sla_wd,
            _ => return Err(Refusal::StaleTimer),
        };
        let (Some(previous), Some(start), true) =
            (self.due_at, self.due_started_at, self.due_provisional)
        else {
            return Err(Refusal::StaleTimer);
        };
        let due = env
            .calendar
            .sla_due(start.with_timezone(&crate::calendar::china_offset()), sla)?;
        let due_at = due.at.with_timezone(&Utc);
        if due.provisional && due_at == previous {
            return Err(Refusal::StaleTimer);
        }
        Ok(vec![Event {
            at: env.now,
            actor: env.actor.clone(),
            change: Change::DueRecomputed {
                previous,
                due_at,
                due_provisional: due.provisional,
            },
        }])
    }

    fn clear_due(&mut self) {
        self.due_at = None;
        self.due_provisional = false;
        self.due_started_at = None;
    }

    fn finish(&mut self, status: Status) {
        self.status = status;
        self.clear_due();
        self.fix_deadline = None;
        self.invalidate_codes();
    }

    fn start_round(&mut self, round: &SmsRound) {
        // The SMS deadline counts hours: never provisional.
        self.clear_due();
        self.due_at = Some(round.deadline);
        self.sms = Some(round.clone());
        self.returned_reason = None;
        self.fix_deadline = None;
        self.status = Status::SmsVerification;
    }

    fn reject(
        &mut self,
        stage: Stage,
        at: Time,
        reasons: &[Reason],
        fix: Option<Time>,
        status: Status,
    ) {
        self.rejections.push(Rejection {
            stage,
            at,
            version_no: self.versions.len() as u32,
            reasons: reasons.to_vec(),
        });
        self.fix_deadline = fix;
        self.clear_due();
        self.status = status;
    }

    /// Codes stop working once the round is over, whatever ended it.
    fn invalidate_codes(&mut self) {
        if let Some(r) = self.sms.as_mut() {
            for rec in &mut r.recipients {
                rec.code_hash.clear();
            }
        }
    }

    /// Record changes implied by these events, in order (§2.3, §2.4).
    pub fn record_effects(&self, events: &[Event], policy: &Policy) -> Vec<RecordEffect> {
        let subject_key = self.subject_key.clone().unwrap_or_default();
        let mut out = vec![];
        for e in events {
            match (&e.change, self.kind) {
                (Change::Filed { numbers: Some(n) }, Kind::New) => {
                    out.push(RecordEffect::ServiceFiled {
                        appid: self.appid.clone(),
                        subject_key: subject_key.clone(),
                        province: self.province.clone().unwrap_or_default(),
                        numbers: n.clone(),
                        document: self.document_or_default(),
                    })
                }
                (Change::Filed { .. }, Kind::Change) => out.push(RecordEffect::ServiceChanged {
                    appid: self.appid.clone(),
                    document: self.document_or_default(),
                }),
                (Change::Cancelled, _) => out.push(match self.cancel {
                    Some((CancelType::Subject, _)) => RecordEffect::SubjectCancelled {
                        subject_key: subject_key.clone(),
                    },
                    other => RecordEffect::ServiceCancelled {
                        appid: self.appid.clone(),
                        subject_key: subject_key.clone(),
                        access_only: matches!(other, Some((CancelType::Access, _))),
                        cancel_empty_subject: policy.cancel_empty_subject_policy
                            == EmptySubjectPolicy::AutoCancel,
                    },
                }),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;

/// For `skip_serializing_if`: a false flag is left out of stored JSON.
fn is_false(b: &bool) -> bool {
    !*b
}
