//! What moves a filing: the commands it is asked, the events it records, the refusals it answers
//! with, and the record changes that committed events imply.

use serde::{Deserialize, Serialize};

use crate::calendar::CalendarError;
use crate::document::Document;
use crate::filing::facts::ValidationFacts;
use crate::filing::model::{
    is_false, Actor, CancelReason, CancelType, IssuedNumbers, Kind, Reason, RecordFacts,
    ReturnReason, SmsRound, Time, TimerKind,
};
use crate::issue::Issue;
use crate::papers::Paper;

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
    /// A reviewer claimed (or renewed, or was given) the order in review.
    Claimed {
        holder: String,
        until: Time,
    },
    /// The holder, or an admin, let the order go.
    Released {
        holder: String,
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
            Change::Claimed { .. } => "claimed",
            Change::Released { .. } => "released",
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
    /// Claims the order in review for `holder` (the actor, or whom an admin names), or
    /// renews the holder's own claim.
    Claim {
        holder: String,
    },
    /// Lets a claimed order go.
    Release,
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
    /// §1.3: the app's profile, category or certification is not complete.
    #[error("请先完善小程序信息、类目或认证")]
    PreconditionUnmet { hint: &'static str },
    /// A new filing for an app that is filed already.
    #[error("该小程序已备案")]
    AlreadyFiled,
    /// A change or cancellation for an app that is not filed.
    #[error("该小程序尚未备案")]
    NotFiled,
    /// V-POL-001 at submission: the subject's quota of mini programs is used up.
    #[error("该主体可备案的小程序数量已达上限")]
    QuotaExceeded,
    /// Another reviewer holds the order (`claims.rs`).
    #[error("该备案正由其他审核员审核")]
    Claimed { holder: String, until: Time },
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
            Refusal::PreconditionUnmet { .. } => "PRECONDITION_UNMET",
            Refusal::AlreadyFiled => "MP_ALREADY_FILED",
            Refusal::NotFiled => "NOT_FILED",
            Refusal::QuotaExceeded => "QUOTA_EXCEEDED",
            Refusal::Claimed { .. } => "CLAIMED",
        }
    }
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
