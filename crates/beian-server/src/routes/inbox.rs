//! The caller's in-site messages (站内信, domain.md §1.4).

use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::cursor::parse_cursor;
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use axum::extract::{Path, Query, State};
use axum::Json;
use beian_store::InboxRow;
use serde::Deserialize;
use serde_json::{json, Value};

/// `?limit=&cursor=`.
#[derive(Deserialize)]
pub struct InboxQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// One message as the API shows it.
pub fn view(m: &InboxRow) -> Value {
    json!({
        "id": m.id.to_string(),
        "event": m.template,
        "title": m.title,
        "body": m.body,
        "filing_id": m.filing_id,
        "appid": m.appid,
        "created_at": views::ts(m.created_at),
        "read": m.read_at.is_some(),
        "read_at": m.read_at.map(views::ts),
    })
}

/// `GET /api/v1/inbox`: the caller's messages, newest first.
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<InboxQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let before = parse_cursor(q.cursor.as_deref())?;
    let mut rows = s.store.inbox(&caller.user.id, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|m| m.id.to_string()))
        .flatten();
    let unread = s.store.inbox_unread(&caller.user.id).await?;
    Ok(Json(json!({
        "items": rows.iter().map(view).collect::<Vec<_>>(),
        "unread": unread,
        "next_cursor": next_cursor,
    })))
}

/// `POST /api/v1/inbox/{id}/read`: marks one of the caller's messages read.
pub async fn mark_read(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let row = s
        .store
        .inbox_mark_read(&caller.user.id, id, s.now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(view(&row)))
}
