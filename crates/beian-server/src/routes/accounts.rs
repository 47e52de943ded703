//! Sessions and users.

use crate::app::accounts::{self, add_user, NewUser};
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::ratelimit::ClientIp;
use crate::views::accounts::{LoginLockView, SessionView, UserView};
use crate::views::{ErrorBody, Items, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/sessions` body.
#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    username: String,
    password: String,
}

/// Signs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", request_body = SignIn, security(()),
    responses((status = 201, body = SessionView), (status = "4XX", body = ErrorBody)))]
pub async fn sign_in(
    State(s): State<AppState>,
    ClientIp(from): ClientIp,
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    let signed = accounts::sign_in(&s, &body.username, body.password, from).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            token: signed.token,
            user: UserView::from(&signed.user),
        }),
    ))
}

/// Usernames locked after wrong passwords.
#[utoipa::path(get, path = "/api/v1/admin/login-locks", tag = "accounts",
    responses((status = 200, body = Items<LoginLockView>), (status = "4XX", body = ErrorBody)))]
pub async fn login_locks(
    State(s): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Items<LoginLockView>>> {
    caller.require(&[Role::Admin])?;
    let items = s
        .login_guard
        .locks()
        .into_iter()
        .map(|l| {
            let until: chrono::DateTime<chrono::Utc> = l.locked_until.into();
            LoginLockView {
                username: l.username,
                locks: l.locks,
                locked_until: until
                    .with_timezone(&beian_domain::calendar::china_offset())
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            }
        })
        .collect();
    Ok(Json(Items { items }))
}

/// An admin lifts a lock.
#[utoipa::path(delete, path = "/api/v1/admin/login-locks/{username}", tag = "accounts",
    params(("username" = String, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn lift_login_lock(
    State(s): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&[Role::Admin])?;
    if !s.login_guard.lift(&username) {
        return Err(ApiError::not_found());
    }
    tracing::info!(admin = caller.user.username, username, "login lock lifted");
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the current token.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts",
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn sign_out(State(s): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    s.store.revoke_session(&caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = UserView), (status = "4XX", body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<UserView> {
    Json(UserView::from(&caller.user))
}

/// An admin creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = UserView), (status = "4XX", body = ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.require(&[Role::Admin])?;
    let row = add_user(&s, body).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&row))))
}

/// An admin lists accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, body = Page<UserView>), (status = "4XX", body = ErrorBody)))]
pub async fn list_users(
    State(s): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Page<UserView>>> {
    caller.require(&[Role::Admin])?;
    let users = s.store.list_users().await?;
    Ok(Json(Page::all(users.iter().map(UserView::from).collect())))
}
