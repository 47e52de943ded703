//! Read-only questions about a filing: its document and frozen versions, the platform documents
//! to confirm, who receives codes, which timers it needs, and what committed events change in
//! the records.

use crate::document::Document;
use crate::filing::env::Env;
use crate::filing::events::{Change, Event, RecordEffect};
use crate::filing::model::{
    CancelType, Filing, FrozenVersion, Kind, RecipientRole, RecipientSpec, ReturnReason, Status,
    Time, TimerKind,
};
use crate::papers::{self, Paper};
use crate::policy::{EmptySubjectPolicy, Policy};

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

impl Filing {
    /// The order as kept once its personal data is erased (`crate::retention`): what it
    /// was, when, and where its history stands, without any person's data. The document,
    /// the record's document, the subject key (a certificate number), the SMS round's
    /// recipients, the reviewers' reasons and the face task are dropped.
    pub fn redacted(&self) -> Filing {
        Filing {
            subject_key: None,
            document: None,
            record: None,
            sms_hash: None,
            sms: None,
            rejections: vec![],
            face_task: None,
            claim: None,
            ..self.clone()
        }
    }

    /// The current document, or an empty one.
    pub fn document_or_default(&self) -> Document {
        self.document.clone().unwrap_or_default()
    }

    /// The document as the platform documents show it: the AppID is the filing's.
    pub(super) fn paper_document(&self) -> Document {
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

    /// The mobiles the verification site answers to for this order: its
    /// recipients while the round is open, and after the round ran out (so a late
    /// recipient learns the order went back, instead of "not found") until the
    /// applicant submits again. The store keeps exactly these look-up rows.
    pub fn sms_mobiles(&self) -> Vec<&str> {
        let expired =
            self.status == Status::Returned && self.returned_reason == Some(ReturnReason::Timeout);
        let mut mobiles: Vec<&str> = match &self.sms {
            Some(round) if self.status == Status::SmsVerification || expired => {
                round.recipients.iter().map(|r| r.mobile.as_str()).collect()
            }
            _ => vec![],
        };
        mobiles.sort_unstable();
        mobiles.dedup();
        mobiles
    }

    /// Whether the provincial authority may see the order: its current round has
    /// reached the authority (the last `authority_review_started` comes after the
    /// last submission), and it is not a draft again. The province can change only
    /// in a draft, so after an authority rejection a new province sees the order
    /// once it reaches that province, never during the platform's stages.
    pub fn reached_authority(&self) -> bool {
        if self.status == Status::Draft {
            return false;
        }
        let last = |names: &[&str]| {
            self.timeline
                .iter()
                .rposition(|t| names.contains(&t.event.as_str()))
        };
        match (
            last(&["authority_review_started"]),
            last(&["submitted", "cancellation_submitted"]),
        ) {
            (Some(at), Some(round)) => at > round,
            (Some(_), None) => true,
            (None, _) => false,
        }
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
