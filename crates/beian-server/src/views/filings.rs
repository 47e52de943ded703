//! The filing view of api.md and the lists around an order.

use super::ts;
use beian_domain::document::Document;
use beian_domain::filing::{
    mask_mobile, CancelReason, CancelType, Filing, Kind, Reason, RecipientRole, ReturnReason,
    Stage, Status, Time,
};
use beian_domain::issue::Issue;
use beian_domain::policy::Policy;
use serde::Serialize;
use utoipa::ToSchema;

/// One order as the API and the pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FilingView {
    pub id: String,
    /// `new`, `change` or `cancel`.
    #[schema(example = "new")]
    pub kind: String,
    pub appid: String,
    /// One of the statuses of domain.md §3.
    #[schema(example = "platform_review")]
    pub status: String,
    /// Bumped by every change; a reviewer's decision names the version it saw.
    pub version: i64,
    /// The subject's province code (two digits), once known.
    pub province: Option<String>,
    pub created_at: String,
    pub submitted_at: Option<String>,
    /// When the current stage is due, in working days (domain.md §11).
    pub due_at: Option<String>,
    /// Counted over a year without a State Council notice yet; may move when it loads.
    pub due_provisional: bool,
    pub overdue: bool,
    /// Until when a sent-back order may be fixed and resubmitted.
    pub fix_deadline: Option<String>,
    pub returned_reason: Option<ReturnReason>,
    pub cancel_type: Option<CancelType>,
    pub cancel_reason: Option<CancelReason>,
    /// The application document; null for a cancellation.
    pub document: Option<Document>,
    /// The SMS verification round, while the order is in it.
    pub sms: Option<SmsView>,
    pub rejections: Vec<RejectionView>,
    pub subject_number: Option<String>,
    pub service_number: Option<String>,
    pub timeline: Vec<TimelineView>,
    /// The reviewer holding the order in review, while the lease runs; staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimView>,
}

/// A reviewer's hold on an order in review (我来审).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimView {
    /// The reviewer's user id.
    pub holder_id: String,
    pub until: String,
}

impl FilingView {
    /// Leaves out what only staff see: the claim.
    pub fn for_applicant(mut self) -> FilingView {
        self.claim = None;
        self
    }

    /// Drops a claim whose lease ran out by `now` (a view kept from earlier).
    pub fn expire_claim(mut self, now: Time) -> FilingView {
        let ended = self.claim.as_ref().is_some_and(|c| {
            chrono::DateTime::parse_from_rfc3339(&c.until).map_or(true, |u| u <= now)
        });
        if ended {
            self.claim = None;
        }
        self
    }

    /// The claim as of `now`: a lease that ran out holds nothing.
    pub fn claim_at(mut self, f: Option<&beian_domain::filing::Claim>, now: Time) -> FilingView {
        self.claim = f.filter(|c| c.until > now).map(|c| ClaimView {
            holder_id: c.holder.clone(),
            until: ts(c.until),
        });
        self
    }
}

/// The SMS verification round of an order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SmsView {
    pub round: u32,
    pub deadline: String,
    pub recipients: Vec<RecipientView>,
}

/// One person who verifies by SMS; the mobile is masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientView {
    /// `subject_principal` or `mini_program_principal`.
    pub role: String,
    #[schema(example = "138****8000")]
    pub mobile: String,
    pub verified: bool,
    pub attempts_left: u32,
    pub resends_left: u32,
}

/// A review rejection with the version it concerns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectionView {
    pub stage: Stage,
    pub at: String,
    pub version: u32,
    pub reasons: Vec<Reason>,
}

/// One line of the order's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineView {
    pub at: String,
    pub event: String,
    pub actor: String,
}

/// Builds the filing view at `now` (which decides `overdue`).
pub fn filing(f: &Filing, policy: &Policy, now: Time) -> FilingView {
    let sms = f
        .sms
        .as_ref()
        .filter(|_| f.status == Status::SmsVerification)
        .map(|r| SmsView {
            round: r.number,
            deadline: ts(r.deadline),
            recipients: r
                .recipients
                .iter()
                .map(|x| RecipientView {
                    role: match x.role {
                        RecipientRole::SubjectPrincipal => "subject_principal",
                        RecipientRole::MiniProgramPrincipal => "mini_program_principal",
                    }
                    .into(),
                    mobile: mask_mobile(&x.mobile),
                    verified: x.verified_at.is_some(),
                    attempts_left: policy
                        .sms_max_wrong_attempts
                        .saturating_sub(x.wrong_attempts),
                    resends_left: policy.sms_max_resends.saturating_sub(x.resends_used),
                })
                .collect(),
        });
    FilingView {
        id: f.id.clone(),
        kind: f.kind.as_str().into(),
        appid: f.appid.clone(),
        status: f.status.as_str().into(),
        version: f.version,
        province: f.province.clone(),
        created_at: ts(f.created_at),
        submitted_at: f.submitted_at.map(ts),
        due_at: f.due_at.map(ts),
        due_provisional: f.due_provisional,
        overdue: f.status.is_overdue(f.due_at, now),
        fix_deadline: f.fix_deadline.map(ts),
        returned_reason: f.returned_reason,
        cancel_type: f.cancel.map(|c| c.0),
        cancel_reason: f.cancel.map(|c| c.1),
        document: (f.kind != Kind::Cancel)
            .then(|| f.document.clone())
            .flatten(),
        sms,
        rejections: f
            .rejections
            .iter()
            .map(|r| RejectionView {
                stage: r.stage,
                at: ts(r.at),
                version: r.version_no,
                reasons: r.reasons.clone(),
            })
            .collect(),
        subject_number: f.subject_number.clone(),
        service_number: f.service_number.clone(),
        timeline: f
            .timeline
            .iter()
            .map(|t| TimelineView {
                at: ts(t.at),
                event: t.event.clone(),
                actor: t.actor.clone(),
            })
            .collect(),
        claim: None,
    }
    .claim_at(f.claim.as_ref(), now)
}

/// One event of an order's audit log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub seq: usize,
    pub at: String,
    pub event: String,
    pub actor: String,
    /// For a due date a loaded notice moved: the old date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_due_at: Option<String>,
    /// For a due date a loaded notice moved: the new date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_provisional: Option<bool>,
}

/// One time someone saw the order's personal data unmasked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessView {
    pub at: String,
    pub role: String,
    pub what: String,
    /// Shown to staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// What a save answers: the new version and the document's issues (not fatal).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SaveResult {
    pub version: i64,
    pub issues: Vec<Issue>,
}

/// What a precheck answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssueList {
    pub issues: Vec<Issue>,
}
