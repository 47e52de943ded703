//! Webhook subscriptions and their delivery log, as the admin API shows them.

use super::ts;
use beian_store::{AttemptRow, DeliveryRow, WebhookRow};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One subscription; its secret is shown once, when it is created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub created_at: String,
    /// Only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<&WebhookRow> for WebhookView {
    fn from(w: &WebhookRow) -> WebhookView {
        WebhookView {
            id: w.id.clone(),
            url: w.url.clone(),
            events: w.events.clone(),
            description: w.description.clone(),
            created_at: ts(w.created_at),
            secret: None,
        }
    }
}

/// One delivery of one event, with its attempts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
    /// The event as it is sent.
    #[schema(value_type = Object)]
    pub payload: Value,
    pub log: Vec<AttemptView>,
}

/// One attempt to deliver.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptView {
    pub attempt: i64,
    pub at: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl DeliveryView {
    pub fn of(d: &DeliveryRow, log: &[&AttemptRow]) -> DeliveryView {
        DeliveryView {
            id: d.id.to_string(),
            webhook_id: d.subscription_id.clone(),
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt_at: (d.status == "pending").then(|| ts(d.next_attempt_at)),
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            created_at: ts(d.created_at),
            delivered_at: d.delivered_at.map(ts),
            payload: serde_json::from_str::<Value>(&d.payload).unwrap_or(Value::Null),
            log: log
                .iter()
                .map(|a| AttemptView {
                    attempt: a.attempt,
                    at: ts(a.at),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
        }
    }
}
