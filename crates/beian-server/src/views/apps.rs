//! The app view of api.md: a mini program of the host platform and its filing entry.

use super::ts;
use beian_domain::console::console_entry;
use beian_domain::filing::Filing;
use beian_domain::gating::RecordState;
use beian_store::{AppRow, RecordStatus, ServiceRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// One mini program.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppView {
    pub appid: String,
    pub name: String,
    pub listed: bool,
    pub owner_name: Option<String>,
    pub registered_at: String,
    pub preconditions: PreconditionsView,
    /// The live order's status, `filed`, the record's status, or `unfiled`.
    pub filing_status: String,
    pub open_filing_id: Option<String>,
    pub subject_number: Option<String>,
    pub service_number: Option<String>,
    /// What the console shows (api.md `entry`).
    pub entry: String,
    /// The app's standing in the deadline policy of §13.
    pub clearance: Clearance,
}

/// What the host platform says of the app before it may file (§1.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreconditionsView {
    pub profile_complete: bool,
    pub category_approved: bool,
    pub certified: bool,
}

/// `none`, `warned` (deadline warnings sent), `cleared` (清退 by the sweep; releases
/// blocked) or `lifted` (cleared, then filed).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Clearance {
    pub state: String,
    pub delisted: bool,
    pub action: Option<String>,
    pub cleared_at: Option<String>,
    /// The deadline warnings sent, by number.
    pub warnings_sent: Vec<u32>,
    pub legacy_deadline: String,
    pub clearance_start: String,
}

/// What the console shows for an app (api.md `entry`).
pub fn entry(app: &AppRow, live: Option<&Filing>, record: Option<&ServiceRecord>) -> &'static str {
    let record = RecordState::of(record.map(|r| r.status.as_str()));
    console_entry(live.map(|f| (f.status, f.kind)), record, app.listed).as_str()
}

/// The app view, with its clearance worked out by the caller.
pub fn app(
    a: &AppRow,
    live: Option<&Filing>,
    record: Option<&ServiceRecord>,
    clearance: Clearance,
) -> AppView {
    let filing_status = match (live, record) {
        (Some(f), _) => f.status.as_str().to_string(),
        (None, Some(r)) if r.status == RecordStatus::Active => "filed".into(),
        (None, Some(r)) => r.status.as_str().to_string(),
        (None, None) => "unfiled".into(),
    };
    let active = record.filter(|r| r.status == RecordStatus::Active);
    AppView {
        appid: a.appid.clone(),
        name: a.name.clone(),
        listed: a.listed,
        owner_name: a.owner_name.clone(),
        registered_at: ts(a.registered_at),
        preconditions: PreconditionsView {
            profile_complete: a.preconditions.profile_complete,
            category_approved: a.preconditions.category_approved,
            certified: a.preconditions.certified,
        },
        filing_status,
        open_filing_id: live.map(|f| f.id.clone()),
        subject_number: active.map(|r| r.subject_number.clone()),
        service_number: active.map(|r| r.service_number.clone()),
        entry: entry(a, live, record).into(),
        clearance,
    }
}

/// A release let through the gate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReleaseView {
    pub appid: String,
    pub version: String,
    pub service_number: Option<String>,
    pub released_at: String,
}
