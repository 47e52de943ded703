//! Erasing personal data after its retention period (`beian_domain::retention`):
//! `beian retention --preview` lists what is due, `beian retention` erases exactly that.
//! Every step applies once across processes (the store's erasures are conditional), so
//! two runs at once, or a run after an interruption, erase each thing once.

use crate::app::state::AppState;
use crate::http::error::{ApiError, ApiResult};
use beian_domain::filing::{Kind, Status, Time};
use beian_domain::retention::Erase;
use beian_store::RetentionRow;
use chrono::Duration;
use serde::Serialize;

/// One order's erasures due now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub filing_id: String,
    pub status: String,
    /// When the order ended (its last change), RFC 3339.
    pub ended_at: String,
    /// Its data key is due for destruction.
    pub order: bool,
    /// Its face photos due for deletion (media ids).
    pub photos: Vec<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Done {
    pub orders: usize,
    pub photos: usize,
    /// Readings of certificate photos erased (`retention.readings_days` after upload).
    pub readings: u64,
}

/// What is due at `now`, by order.
pub async fn preview(s: &AppState, now: Time) -> ApiResult<Vec<Due>> {
    let retention = &s.policy.retention;
    let before = now - Duration::days(retention.shortest_days());
    let rows = s.store.retention_candidates(before).await?;
    let mut out = vec![];
    for r in rows {
        let (Some(kind), Some(status)) = (Kind::parse(&r.kind), Status::parse(&r.status)) else {
            continue;
        };
        let due = retention.due(kind, status, r.ended_at, now);
        let order = due.contains(&Erase::Order) && !r.erased;
        let photos = if due.contains(&Erase::FacePhoto) {
            r.photos.clone()
        } else {
            vec![]
        };
        if order || !photos.is_empty() {
            out.push(entry(&r, order, photos));
        }
    }
    Ok(out)
}

fn entry(r: &RetentionRow, order: bool, photos: Vec<String>) -> Due {
    Due {
        filing_id: r.filing_id.clone(),
        status: r.status.clone(),
        ended_at: r.ended_at.to_rfc3339(),
        order,
        photos,
    }
}

/// Erases what [`preview`] lists at `now`.
pub async fn run(s: &AppState, now: Time) -> ApiResult<Done> {
    let mut done = Done {
        readings: s
            .store
            .erase_readings(now - Duration::days(s.policy.retention.readings_days))
            .await?,
        ..Done::default()
    };
    for due in preview(s, now).await? {
        for photo in &due.photos {
            if erase_photo(s, photo, now).await? {
                done.photos += 1;
            }
        }
        if due.order {
            let Some(f) = s.store.filing(&due.filing_id).await? else {
                continue;
            };
            if s.store.erase_order(&f.redacted(), now).await? {
                done.orders += 1;
            }
        }
    }
    Ok(done)
}

/// Deletes an upload's object (unless another upload shares its content), then marks
/// it erased: a crash between the two leaves it to the next run.
async fn erase_photo(s: &AppState, media_id: &str, now: Time) -> ApiResult<bool> {
    let Some(m) = s.store.media(media_id).await? else {
        return Ok(false);
    };
    if !s.store.media_shared(media_id).await? {
        crate::adapters::objects::delete_sealed(s.objects.as_ref(), &s.sealer, &m.sha256)
            .await
            .map_err(|e| ApiError::internal(format!("object store: {e}")))?;
    }
    Ok(s.store.mark_media_erased(media_id, now).await?)
}
