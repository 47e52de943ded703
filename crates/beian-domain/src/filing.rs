//! The one state machine of a filing order (domain.md §3).
//!
//! `Filing::decide` checks a command against the current state and returns the
//! events it causes, or a refusal; `Filing::apply` folds an event into the
//! state. Nothing here reads a clock or touches storage: the caller passes the
//! time, the policy, the calendar and whatever facts it looked up.
//!
//! The vocabulary is in `model` (states, the projection), `env` (what `decide` consults), `events` (commands,
//! events, refusals, record effects) and `facts` (what the caller looked up), all re-exported
//! here; read-only questions about a filing are in `queries`; the 12381 verification (identity
//! first, then the code) in `verify`, which extends `Filing` with the decision's verification
//! step. The vocabulary modules import neither this file nor the validator, which imports them.

mod claims;
pub(crate) mod env;
pub(crate) mod events;
pub(crate) mod facts;
pub(crate) mod model;
mod queries;
mod verify;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::document::Document;
use crate::issue::Issue;
use crate::papers::{self, Paper, PaperStamp};
use crate::validate;

pub use crate::text::mask_mobile;
pub use env::Env;
pub use events::{Change, Command, Event, RecordEffect, Refusal};
pub use model::{
    Actor, CancelReason, CancelType, Claim, CodeToSend, Filing, FrozenVersion, IssuedNumbers, Kind,
    Reason, Recipient, RecipientRole, RecipientSpec, RecordFacts, Rejection, ReturnReason,
    SmsRound, Stage, Status, Time, TimelineEntry, TimerKind, ALL_STATUSES, RECOMPUTE_DUE,
};
pub use queries::frozen_papers;

/// The links of `events` after `previous`, in order, over their canonical JSON (as the
/// store writes it). The last is the order's new head.
pub fn chain(previous: &str, events: &[Event]) -> Vec<String> {
    let mut head = previous.to_string();
    events
        .iter()
        .map(|e| {
            head = crate::audit::link(&head, &serde_json::to_string(e).unwrap_or_default());
            head.clone()
        })
        .collect()
}

/// Keyed hash of an SMS code (`k1:` + HMAC-SHA256 under `key`): codes are never stored in
/// clear (§3.3), and without the key a copy of the database cannot try the million codes.
pub fn code_hash(key: &[u8], filing_id: &str, round: u32, index: usize, code: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{filing_id}\x1f{round}\x1f{index}\x1f{code}").as_bytes());
    format!("k1:{}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `code` is the one `stored` was made from. Rounds sent before codes were keyed
/// (no `k1:`) still verify until they run out (24 hours).
pub fn code_matches(
    key: &[u8],
    stored: &str,
    filing_id: &str,
    round: u32,
    index: usize,
    code: &str,
) -> bool {
    let computed = if stored.starts_with("k1:") {
        code_hash(key, filing_id, round, index, code)
    } else {
        let mut h = Sha256::new();
        h.update(format!("{filing_id}\x1f{round}\x1f{index}\x1f{code}"));
        hex::encode(h.finalize())
    };
    // Constant time: the comparison says nothing about how much of a guess was right.
    computed.len() == stored.len()
        && computed
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

impl Filing {
    /// §1.3: an order is opened only for an app whose console profile, service category and
    /// certification are complete; the hint names the first that is not.
    pub fn check_app_ready(
        profile_complete: bool,
        category_approved: bool,
        certified: bool,
    ) -> Result<(), Refusal> {
        let hint = if !profile_complete {
            "请先完善小程序名称、头像及介绍"
        } else if !category_approved {
            "请先设置小程序服务类目"
        } else if !certified {
            "请先完成小程序认证"
        } else {
            return Ok(());
        };
        Err(Refusal::PreconditionUnmet { hint })
    }

    /// §2: a new filing needs an app without an active record; a change or a cancellation
    /// needs one.
    pub fn check_record_for(kind: Kind, filed: bool) -> Result<(), Refusal> {
        match (kind, filed) {
            (Kind::New, true) => Err(Refusal::AlreadyFiled),
            (Kind::New, false) | (_, true) => Ok(()),
            (_, false) => Err(Refusal::NotFiled),
        }
    }

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
            chain_head: String::new(),
            claim: None,
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
                code_hash: code_hash(env.code_key, &self.id, number, i, code),
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
        if matches!(
            cmd,
            Command::PlatformApprove { .. }
                | Command::PlatformReject { .. }
                | Command::AuthorityApprove { .. }
                | Command::AuthorityReject { .. }
        ) {
            self.check_claim(env)?;
        }
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
                // api.md answers a busy subject and a full quota with 409, not as field
                // issues: the store refuses a second open order of a subject atomically
                // (SUBJECT_BUSY), and the quota is refused here. Save and precheck report
                // both as issues (V-POL-003, V-POL-001).
                let mut facts = facts;
                facts.subject_busy = None;
                if let (Some(used), Some(nature)) = (facts.quota_used.take(), doc.subject.nature) {
                    if used >= validate::quota_limit(env.reference, env.policy, nature) {
                        return Err(Refusal::QuotaExceeded);
                    }
                }
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
                    code_hash: code_hash(env.code_key, &self.id, round.number, index, &code),
                }))
            }
            (
                Command::SmsVerify { mobile, last6, .. } | Command::SmsResend { mobile, last6, .. },
                _,
            ) => Err(self.after_the_round(&mobile, &last6)),
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
            (Command::Claim { holder }, _) => self.decide_claim(env, holder),
            (Command::Release, _) => self.decide_release(env),
            (Command::Terminate { reason }, s) if !s.is_terminal(self.kind) => {
                if reason.trim().is_empty() {
                    return Err(Refusal::ReasonsRequired);
                }
                Ok(ev(Change::Terminated { reason }))
            }
            _ => Err(self.wrong()),
        }
    }

    /// Folds one event into the projection. Never fails: events are facts.
    pub fn apply(&mut self, e: &Event) {
        let status_before = self.status;
        // The tamper-evident chain (crate::audit) over the event's canonical form.
        self.chain_head = crate::audit::link(
            &self.chain_head,
            &serde_json::to_string(e).unwrap_or_default(),
        );
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
            Change::Claimed { holder, until } => {
                self.claim = Some(Claim {
                    holder: holder.clone(),
                    until: *until,
                })
            }
            Change::Released { .. } => self.claim = None,
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
        // A claim is on one review stage: the order leaving it frees it.
        if self.status != status_before {
            self.claim = None;
        }
    }

    /// T-calendar: counts a provisional working-day deadline again from its stage's start,
    /// on the calendar in force (a notice may have made its year official). Stale when the
    /// deadline is not provisional, or counts out the same and is still provisional (the
    /// deciding process has not yet seen the notice: the timer is tried again later).
    fn recompute_due(&self, env: &Env) -> Result<Vec<Event>, Refusal> {
        let Some((previous, due)) = self.recount_due(env.calendar, env.policy) else {
            return Err(Refusal::StaleTimer);
        };
        let due = due?;
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

    /// The current working-day deadline (when it is provisional) and the same deadline
    /// counted again on `calendar` from its stage's start: what a loaded notice would make of
    /// it. `None` when the order has no provisional working-day deadline.
    pub fn recount_due(
        &self,
        calendar: &crate::calendar::Calendar,
        policy: &crate::policy::Policy,
    ) -> Option<(
        Time,
        Result<crate::calendar::Due, crate::calendar::CalendarError>,
    )> {
        let sla = match self.status {
            Status::PlatformReview => policy.platform_review_sla_wd,
            Status::AuthorityReview => policy.authority_review_sla_wd,
            _ => return None,
        };
        let (Some(previous), Some(start), true) =
            (self.due_at, self.due_started_at, self.due_provisional)
        else {
            return None;
        };
        let start = start.with_timezone(&crate::calendar::china_offset());
        Some((previous, calendar.sla_due(start, sla)))
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
}

#[cfg(test)]
mod tests;
