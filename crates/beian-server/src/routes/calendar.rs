//! The working-day calendar's admin endpoints (domain.md §11.5): what is in force, and
//! loading a year's State Council notice from its published text.

use crate::app::holidays;
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiJson, ApiResult};
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /api/v1/admin/calendar`: the official years and the projected-year alert.
pub async fn overview(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    Ok(Json(holidays::overview(&s)))
}

/// `GET /api/v1/admin/calendar/{year}`: the year's rest and make-up days, official or
/// projected.
pub async fn show(
    State(s): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    Ok(Json(holidays::show(&s, year)?))
}

/// `{text, dry_run}`.
#[derive(Deserialize)]
pub struct NoticeBody {
    text: String,
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/v1/admin/calendar/{year}/notice`: with `dry_run`, what the notice would
/// change (its days beside the projection, the due dates that would move); without, loads
/// it for every process and recomputes the due dates it settles.
pub async fn load_notice(
    State(s): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
    ApiJson(b): ApiJson<NoticeBody>,
) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    if b.dry_run {
        let preview = holidays::preview(&s, year, &b.text).await?;
        return Ok(Json(json!({"dry_run": true, "preview": preview})));
    }
    let preview = holidays::preview(&s, year, &b.text).await?;
    let loaded = holidays::load(&s, year, &b.text, &caller.user.username).await?;
    Ok(Json(
        json!({"dry_run": false, "preview": preview, "loaded": loaded}),
    ))
}
