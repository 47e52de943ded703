//! Rows and requests exchanged with the store.

use beian_domain::deadline::{SweepApp, SweepPlan};
use beian_domain::document::Document;
use beian_domain::filing::{Event, Filing, RecordEffect, Time};
pub use beian_domain::gating::RecordStatus;
use beian_domain::notify::Notice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub province: Option<String>,
    pub created_at: Time,
}

/// The host's preconditions (§1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preconditions {
    pub profile_complete: bool,
    pub category_approved: bool,
    pub certified: bool,
}

impl Default for Preconditions {
    fn default() -> Self {
        Preconditions {
            profile_complete: true,
            category_approved: true,
            certified: true,
        }
    }
}

/// A mini program of the host platform.
#[derive(Debug, Clone, PartialEq)]
pub struct AppRow {
    pub appid: String,
    pub name: String,
    pub owner_id: String,
    pub listed: bool,
    pub owner_name: Option<String>,
    pub registered_at: Time,
    pub preconditions: Preconditions,
    pub created_at: Time,
}

/// A subject record (主体备案).
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRecord {
    pub subject_key: String,
    pub province: String,
    pub subject_number: String,
    pub subject_name: String,
    pub next_service_index: i64,
    pub status: RecordStatus,
}

/// A service record (服务备案) of one mini program.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRecord {
    pub appid: String,
    pub subject_key: String,
    pub subject_number: String,
    pub service_number: String,
    pub mini_program_name: String,
    pub status: RecordStatus,
    pub filed_at: Time,
    pub document: Document,
}

/// Filters of the filing list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct FilingQuery {
    pub owner: Option<String>,
    /// Authority scope: this province, only orders that reached the authority.
    pub authority_province: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub province: Option<String>,
    pub appid: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
    /// Oldest due date first (the review queue), then id; `after_due` with
    /// `after_id` is the cursor.
    pub sort_due: bool,
    pub after_due: Option<i64>,
}

/// The columns of a listed order ([`crate::Store::list_filing_heads`]): enough to
/// page, to tell whether a cached view is current (`version`) and whether it is
/// overdue, without reading the state document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingHead {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub due_at: Option<Time>,
}

/// An SMS to record in the outbox in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundSms {
    pub mobile: String,
    /// What the outbox shows: the code is masked when a real provider delivers.
    pub body: String,
    /// The template key (`verification_code`, or a notice's key).
    pub template: String,
    /// What the provider needs to render its template; erased once delivered.
    pub params: BTreeMap<String, String>,
}

/// A stored outbox message with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsRow {
    pub id: i64,
    pub filing_id: Option<String>,
    pub mobile: String,
    pub body: String,
    pub created_at: Time,
    pub sent_at: Option<Time>,
    /// `code` (verification code) or `notice` (template notice).
    pub kind: String,
    pub template: String,
    /// Present while the message still has to be delivered.
    pub params: Option<BTreeMap<String, String>>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Time,
    /// The claim's lease; a result is recorded only by the claim holder.
    pub lease_until: i64,
}

/// One atomic change of a filing.
#[derive(Debug, Clone)]
pub struct Commit {
    /// The projection after the events.
    pub filing: Filing,
    /// The version the events were decided on.
    pub expected_version: i64,
    pub events: Vec<Event>,
    /// Each event's link in the order's chain (`beian_domain::filing::chain` from the
    /// order's head before): stored beside the event. Left empty, events are stored
    /// without links, as before the chain existed.
    pub event_hashes: Vec<String>,
    pub effects: Vec<RecordEffect>,
    pub sms: Vec<OutboundSms>,
    /// A face task to bind to this order at its first submission.
    pub bind_face_task: Option<String>,
    pub now: Time,
    /// Inbox messages and template SMS announcing the events (§1.4).
    pub notices: Vec<Notice>,
    /// Webhook events, fanned out to the matching subscriptions.
    pub webhooks: Vec<WebhookEvent>,
}

/// What number allocation needs to know (§5.2).
#[derive(Debug, Clone)]
pub struct NumberRequest {
    pub filing_id: String,
    pub province: String,
    pub abbr: String,
    pub year: i32,
    pub subject_key: String,
}

/// An uploaded file's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRow {
    pub id: String,
    pub owner_id: String,
    pub purpose: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub checks: serde_json::Value,
    pub created_at: Time,
}

/// A face verification task (§6.5).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceTaskRow {
    pub id: String,
    pub filing_id: String,
    pub owner_id: String,
    pub status: String,
    pub created_at: Time,
    pub identity_type: Option<i64>,
    pub identity_number: Option<String>,
    pub name: Option<String>,
    pub photo: Option<String>,
    pub consumed_by: Option<String>,
}

/// Outcome of reserving an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    Started,
    InProgress,
    Done { status: u16, body: String },
}

/// One public query hit: never a person's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicItem {
    pub mini_program_name: String,
    pub subject_name: String,
    pub subject_nature: Option<i64>,
    pub subject_number: String,
    pub service_number: String,
    pub filed_at: Time,
}

// --- notifications and webhooks ---

/// One in-site message (站内信).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub id: i64,
    pub user_id: String,
    pub template: String,
    pub title: String,
    pub body: String,
    pub filing_id: Option<String>,
    pub appid: Option<String>,
    pub created_at: Time,
    pub read_at: Option<Time>,
}

/// The outcome of one delivery attempt of an outbox SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsAttempt {
    pub id: i64,
    /// The lease of the claim that made the attempt.
    pub lease_until: i64,
    pub at: Time,
    pub sent: bool,
    pub error: Option<String>,
    /// When to try again; `None` after a failure gives the message up.
    pub next_attempt_at: Option<Time>,
}

/// A webhook event to fan out to subscriptions, in the commit's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The idempotency id receivers deduplicate on.
    pub event_id: String,
    pub event_type: String,
    /// The JSON body sent.
    pub payload: String,
}

/// An integrator's webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// The HMAC key; never shown after creation.
    pub secret: String,
    /// Event types, or `*` for all.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub created_by: String,
    pub created_at: Time,
    pub deleted_at: Option<Time>,
}

/// One event to deliver to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub status: String,
    /// Attempts ever made (the delivery log numbers them).
    pub attempts: i64,
    /// Failures since the delivery was last queued; drives the backoff.
    pub retry_count: i64,
    pub next_attempt_at: Time,
    pub lease_until: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Time,
    pub delivered_at: Option<Time>,
}

/// A claimed delivery with where to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    pub delivery: DeliveryRow,
    pub url: String,
    pub secret: String,
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub delivery_id: i64,
    pub attempt: i64,
    pub at: Time,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// The outcome of one webhook delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttempt {
    pub delivery_id: i64,
    /// The lease of the claim that made the attempt.
    pub lease_until: i64,
    pub at: Time,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub delivered: bool,
    /// When to try again; `None` after a failure gives the delivery up.
    pub next_attempt_at: Option<Time>,
}

/// A State Council notice loaded at run time (domain.md §11.5): the year's data in the
/// data-file form (`data/holidays/*.toml`) and the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    pub year: i32,
    pub data: String,
    pub notice_text: String,
    pub loaded_at: Time,
    pub loaded_by: String,
}

/// An app's clearance (清退) by the deadline sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceRow {
    pub appid: String,
    pub action: String,
    pub day: String,
    pub cleared_at: Time,
}

/// What one day's sweep writes, decided from the apps read in its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepWrite {
    pub plan: SweepPlan,
    /// `unlist` or `block_access`.
    pub action: String,
    pub notices: Vec<Notice>,
    pub webhooks: Vec<WebhookEvent>,
}

/// Builds a sweep's writes from the apps as the transaction sees them.
pub type SweepBuild = Box<dyn FnOnce(Vec<SweepApp>) -> SweepWrite + Send>;

// --- validation facts ---

/// An open order of a subject, as V-POL-002 and V-POL-003 see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    pub id: String,
    pub appid: String,
    pub kind: String,
    /// Two-digit filing province, set at submission.
    pub province: Option<String>,
}

/// What validation needs of an upload: who owns it, what it is, which certificate it shows
/// (V-MAT-004, V-MAT-005).
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub id: String,
    pub owner_id: String,
    pub content_type: String,
    pub certificate_type: Option<i64>,
    /// Codes of the quality checks the file failed at upload (V-MAT-007 at submission).
    pub failed_checks: Vec<String>,
    /// What was read from the photo, once read (V-OCR-001).
    pub reading: Option<beian_domain::ocr::Reading>,
}

/// What a submission's validation asks the database, answered in one round trip
/// instead of ten. Empty strings and `None` leave a part out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactsQuery {
    /// The order's mini program: its app row, whether it is filed, today's submissions.
    pub appid: Option<String>,
    /// The face verification task the document names.
    pub face_task: Option<String>,
    /// The subject's identity key: quota, open orders, record, names, mobiles.
    pub subject_key: Option<String>,
    /// The order itself, left out of the subject's counts.
    pub except_filing: String,
    /// Count the subject's quota (new orders and prechecks only).
    pub quota: bool,
    /// Principal mobiles to look for under other subjects (V-PER-010).
    pub mobiles: Vec<String>,
    /// Referenced uploads.
    pub media: Vec<String>,
    /// Count the app's submissions since this instant (the daily limit).
    pub submissions_since: Option<Time>,
}

/// The answers to a [`FactsQuery`]; lists are sorted as the single-purpose reads sort
/// them, so both ways of reading give equal values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactsRows {
    pub app: Option<AppRow>,
    pub face_task: Option<FaceTaskRow>,
    pub quota_used: Option<u32>,
    pub open_orders: Vec<OpenOrder>,
    pub subject_record: Option<SubjectRecord>,
    pub service_names: Vec<String>,
    pub mobiles_elsewhere: Vec<String>,
    pub media: Vec<MediaInfo>,
    /// Whether the app has an active service record (asked with `appid`).
    pub app_filed: Option<bool>,
    pub submissions: Option<u32>,
}
