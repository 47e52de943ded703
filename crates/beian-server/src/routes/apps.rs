//! Mini programs of the host platform, their filing entry and release gating.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::apps`] does the work.

use crate::app::apps::{self, NewApp, Release};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiJson, ApiResult};
use crate::views::apps::ReleaseView;
use crate::views::{AppView, ErrorBody, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// Registers an app; the applicant becomes its owner.
#[utoipa::path(post, path = "/api/v1/apps", tag = "apps", request_body = NewApp,
    responses((status = 201, body = AppView), (status = "4XX", body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NewApp>,
) -> ApiResult<(StatusCode, Json<AppView>)> {
    apps::create(&s, &caller, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// The caller's apps (for staff, those they may see).
#[utoipa::path(get, path = "/api/v1/apps", tag = "apps",
    responses((status = 200, body = Page<AppView>), (status = "4XX", body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Page<AppView>>> {
    apps::list(&s, &caller).await.map(Json)
}

/// One app with its filing entry.
#[utoipa::path(get, path = "/api/v1/apps/{appid}", tag = "apps", params(("appid" = String, Path)),
    responses((status = 200, body = AppView), (status = "4XX", body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    caller: Caller,
    Path(appid): Path<String>,
) -> ApiResult<Json<AppView>> {
    apps::show(&s, &caller, &appid).await.map(Json)
}

/// Release gating (§13): filed apps publish; legacy listed apps until the clearance date.
#[utoipa::path(post, path = "/api/v1/apps/{appid}/releases", tag = "apps", params(("appid" = String, Path)),
    request_body = Release,
    responses((status = 201, body = ReleaseView), (status = "4XX", body = ErrorBody)))]
pub async fn release(
    State(s): State<AppState>,
    caller: Caller,
    Path(appid): Path<String>,
    ApiJson(b): ApiJson<Release>,
) -> ApiResult<(StatusCode, Json<ReleaseView>)> {
    apps::release(&s, &caller, &appid, b)
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}
