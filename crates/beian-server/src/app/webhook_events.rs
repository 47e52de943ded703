//! The webhook events of committed changes and of the deadline sweep: their ids and
//! payloads (no personal data). Delivering them is `jobs::webhooks`.

use crate::views;
use beian_domain::deadline::Clearance;
use beian_domain::filing::{Change, Event, Filing, Time};
use beian_domain::notify::webhook_type;
use beian_store::WebhookEvent;
use serde_json::{json, Value};

/// The idempotency id of the `seq`-th event of a filing.
pub fn event_id(filing_id: &str, seq: i64) -> String {
    format!("evt_{filing_id}_{seq}")
}

fn envelope(id: &str, kind: &str, at: Time, data: Value) -> String {
    json!({"id": id, "type": kind, "created_at": views::ts(at), "data": data}).to_string()
}

/// The webhook events of committed events; `first_seq` is the log sequence
/// number of the first one. Payloads carry no personal data.
pub fn for_events(after: &Filing, events: &[Event], first_seq: i64) -> Vec<WebhookEvent> {
    let mut out = vec![];
    for (i, e) in events.iter().enumerate() {
        let Some(kind) = webhook_type(&e.change) else {
            continue;
        };
        let id = event_id(&after.id, first_seq + i as i64);
        let mut data = json!({
            "filing_id": after.id,
            "appid": after.appid,
            "kind": after.kind.as_str(),
            "status": after.status.as_str(),
            "version": after.version,
            "province": after.province,
            "subject_number": after.subject_number,
            "service_number": after.service_number,
            "actor": e.actor.role(),
        });
        match &e.change {
            Change::PlatformRejected { reasons, .. }
            | Change::AuthorityRejected { reasons, .. } => data["reasons"] = json!(reasons),
            Change::Returned { reason, .. } | Change::Abandoned { reason } => {
                data["return_reason"] = json!(reason)
            }
            _ => {}
        }
        if let Some(d) = after.due_at {
            data["due_at"] = json!(views::ts(d));
            data["due_provisional"] = json!(after.due_provisional);
        }
        out.push(WebhookEvent {
            payload: envelope(&id, kind, e.at, data),
            event_id: id,
            event_type: kind.to_string(),
        });
    }
    out
}

/// The `app.cleared` event of the deadline sweep of `day`.
pub fn cleared(c: &Clearance, day: &str, action: &str, at: Time) -> WebhookEvent {
    let id = format!("evt_cleared_{}_{day}", c.appid);
    let data = json!({"appid": c.appid, "day": day, "action": action});
    WebhookEvent {
        payload: envelope(&id, "app.cleared", at, data),
        event_id: id,
        event_type: "app.cleared".into(),
    }
}
