//! The admin's views: the SMS outbox, audit anchors, the manual clock, the dashboard.

use super::ts;
use beian_domain::dashboard::trends::Trends;
use beian_domain::dashboard::Dashboard;
use beian_store::{Anchor, SmsRow};
use serde::Serialize;
use utoipa::ToSchema;

/// One SMS of the outbox with its delivery state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: i64,
    pub to: String,
    pub body: String,
    pub filing_id: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub kind: String,
    pub template: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
}

impl From<&SmsRow> for OutboxItem {
    fn from(r: &SmsRow) -> OutboxItem {
        OutboxItem {
            id: r.id,
            to: r.mobile.clone(),
            body: r.body.clone(),
            filing_id: r.filing_id.clone(),
            created_at: ts(r.created_at),
            sent_at: r.sent_at.map(ts),
            kind: r.kind.clone(),
            template: r.template.clone(),
            status: r.status.clone(),
            attempts: r.attempts,
            last_error: r.last_error.clone(),
            next_attempt_at: (r.status == "pending").then(|| ts(r.next_attempt_at)),
        }
    }
}

/// The outbox and the gateway that sends it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outbox {
    pub items: Vec<OutboxItem>,
    pub gateway: String,
}

/// A day's audit anchor: the hash of every order head that changed that day, chained
/// to the previous anchor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnchorView {
    /// `YYYY-MM-DD`, China time.
    pub day: String,
    pub hash: String,
    /// The previous anchor's hash, empty for the first.
    pub previous: String,
    /// How many order heads it covers.
    pub orders: i64,
}

impl From<&Anchor> for AnchorView {
    fn from(a: &Anchor) -> AnchorView {
        AnchorView {
            day: a.day.clone(),
            hash: a.hash.clone(),
            previous: a.previous.clone(),
            orders: a.orders,
        }
    }
}

/// What moving the manual clock ran.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockResult {
    pub now: String,
    pub timers_fired: u64,
    pub reminders_sent: u64,
    pub sweep: Option<SweepView>,
    pub sms_sent: u64,
    pub webhooks_delivered: u64,
}

/// The day's deadline sweep, when the clock crossed into it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepView {
    pub day: String,
    pub warnings: usize,
    pub clearances: Vec<String>,
}

/// Every figure of the dashboard, with where its charts and CSV files are.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardView {
    #[serde(flatten)]
    pub figures: Dashboard,
    pub generated_at: String,
    pub charts: Vec<String>,
    pub csv: Vec<String>,
}

/// The dashboard's time series over a date range (China days), with the CSV of the
/// same range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendsView {
    #[serde(flatten)]
    pub trends: Trends,
    pub generated_at: String,
    pub csv: String,
}
