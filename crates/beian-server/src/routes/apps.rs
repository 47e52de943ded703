//! Mini programs of the host platform, their filing entry and release gating.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::apps`] does the work.

use super::Call;
use crate::app::apps::{self, NewApp, Release};
use crate::http::error::{ApiJson, ApiResult};
use crate::views::apps::ReleaseView;
use crate::views::{AppView, Page};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;

/// Registers an app; the applicant becomes its owner.
#[utoipa::path(post, path = "/api/v1/apps", tag = "apps", request_body = NewApp,
    responses((status = 201, body = AppView)))]
pub async fn create(
    c: Call,
    ApiJson(b): ApiJson<NewApp>,
) -> ApiResult<(StatusCode, Json<AppView>)> {
    apps::create(&c.s, &c.caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The caller's apps (for staff, those they may see).
#[utoipa::path(get, path = "/api/v1/apps", tag = "apps",
    responses((status = 200, body = Page<AppView>)))]
pub async fn list(c: Call) -> ApiResult<Json<Page<AppView>>> {
    apps::list(&c.s, &c.caller).await.map(Json)
}

/// One app with its filing entry.
#[utoipa::path(get, path = "/api/v1/apps/{appid}", tag = "apps", params(("appid" = String, Path)),
    responses((status = 200, body = AppView)))]
pub async fn show(c: Call, Path(appid): Path<String>) -> ApiResult<Json<AppView>> {
    apps::show(&c.s, &c.caller, &appid).await.map(Json)
}

/// Release gating (§13): filed apps publish; legacy listed apps until the clearance date.
#[utoipa::path(post, path = "/api/v1/apps/{appid}/releases", tag = "apps", params(("appid" = String, Path)),
    request_body = Release,
    responses((status = 201, body = ReleaseView)))]
pub async fn release(
    c: Call,
    Path(appid): Path<String>,
    ApiJson(b): ApiJson<Release>,
) -> ApiResult<(StatusCode, Json<ReleaseView>)> {
    apps::release(&c.s, &c.caller, &appid, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}
