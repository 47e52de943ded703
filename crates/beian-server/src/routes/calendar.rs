//! The working-day calendar's admin endpoints (domain.md §11.5): what is in force, and
//! loading a year's State Council notice from its published text.

use super::Call;
use crate::app::holidays;
use crate::http::auth::Role;
use crate::http::error::{ApiJson, ApiResult};
use crate::views::calendar::{CalendarOverview, CalendarYear, NoticeResult};
use axum::extract::Path;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// The official years and the projected-year alert.
#[utoipa::path(get, path = "/api/v1/admin/calendar", tag = "calendar",
    responses((status = 200, body = CalendarOverview)))]
pub async fn overview(c: Call) -> ApiResult<Json<CalendarOverview>> {
    c.caller.require(&[Role::Admin])?;
    Ok(Json(holidays::overview(&c.s)))
}

/// The year's rest and make-up days, official or projected.
#[utoipa::path(get, path = "/api/v1/admin/calendar/{year}", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, body = CalendarYear)))]
pub async fn show(c: Call, Path(year): Path<i32>) -> ApiResult<Json<CalendarYear>> {
    c.caller.require(&[Role::Admin])?;
    Ok(Json(holidays::show(&c.s, year)?))
}

/// `{text, dry_run}`.
#[derive(Deserialize, ToSchema)]
pub struct NoticeBody {
    text: String,
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/v1/admin/calendar/{year}/notice`: with `dry_run`, what the notice would
/// change (its days beside the projection, the due dates that would move); without, loads
/// it for every process and recomputes the due dates it settles.
#[utoipa::path(post, path = "/api/v1/admin/calendar/{year}/notice", tag = "calendar",
    params(("year" = i32, Path)), request_body = NoticeBody,
    responses((status = 200, body = NoticeResult)))]
pub async fn load_notice(
    c: Call,
    Path(year): Path<i32>,
    ApiJson(b): ApiJson<NoticeBody>,
) -> ApiResult<Json<NoticeResult>> {
    c.caller.require(&[Role::Admin])?;
    if b.dry_run {
        let preview = holidays::preview(&c.s, year, &b.text).await?;
        return Ok(Json(NoticeResult {
            dry_run: true,
            preview,
            loaded: None,
        }));
    }
    let preview = holidays::preview(&c.s, year, &b.text).await?;
    let loaded = holidays::load(&c.s, year, &b.text, &c.caller.user.username).await?;
    Ok(Json(NoticeResult {
        dry_run: false,
        preview,
        loaded: Some(loaded),
    }))
}
