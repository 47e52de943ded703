//! Rows and requests exchanged with the store.

use beian_domain::document::Document;
use beian_domain::filing::{Event, Filing, RecordEffect, Time};
use serde::{Deserialize, Serialize};

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
    pub status: String,
}

/// A service record (服务备案) of one mini program.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRecord {
    pub appid: String,
    pub subject_key: String,
    pub subject_number: String,
    pub service_number: String,
    pub mini_program_name: String,
    pub status: String,
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
}

/// An SMS to record in the outbox in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundSms {
    pub mobile: String,
    pub body: String,
}

/// A stored outbox message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsRow {
    pub id: i64,
    pub filing_id: Option<String>,
    pub mobile: String,
    pub body: String,
    pub created_at: Time,
    pub sent_at: Option<Time>,
}

/// One atomic change of a filing.
#[derive(Debug, Clone)]
pub struct Commit {
    /// The projection after the events.
    pub filing: Filing,
    /// The version the events were decided on.
    pub expected_version: i64,
    pub events: Vec<Event>,
    pub effects: Vec<RecordEffect>,
    pub sms: Vec<OutboundSms>,
    /// A face task to bind to this order at its first submission.
    pub bind_face_task: Option<String>,
    pub now: Time,
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
