//! The caller's in-site messages (站内信, domain.md §1.4).

use super::Call;
use crate::http::cursor::parse_cursor;
use crate::http::error::{ApiError, ApiResult};
use crate::views::accounts::{InboxMessage, InboxPage};
use axum::extract::{Path, Query};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// `?limit=&cursor=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The caller's messages, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox", params(InboxQuery),
    responses((status = 200, body = InboxPage)))]
pub async fn list(c: Call, Query(q): Query<InboxQuery>) -> ApiResult<Json<InboxPage>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let before = parse_cursor(q.cursor.as_deref())?;
    let mut rows =
        c.s.store
            .inbox(&c.caller.user.id, before, limit + 1)
            .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|m| m.id.to_string()))
        .flatten();
    let unread = c.s.store.inbox_unread(&c.caller.user.id).await?;
    Ok(Json(InboxPage {
        items: rows.iter().map(InboxMessage::from).collect(),
        unread,
        next_cursor,
    }))
}

/// Marks one of the caller's messages read.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", tag = "inbox", params(("id" = String, Path)),
    responses((status = 200, body = InboxMessage)))]
pub async fn mark_read(c: Call, Path(id): Path<String>) -> ApiResult<Json<InboxMessage>> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let row =
        c.s.store
            .inbox_mark_read(&c.caller.user.id, id, c.s.now())
            .await?
            .ok_or_else(ApiError::not_found)?;
    Ok(Json(InboxMessage::from(&row)))
}
