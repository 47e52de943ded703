//! Sessions and users.

use super::Call;
use crate::app::accounts::{self, add_user, NewUser};
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::ratelimit::ClientIp;
use crate::views::accounts::{LoginLockView, SessionView, UserView};
use crate::views::{Items, Page};
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
    responses((status = 201, body = SessionView)))]
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
    responses((status = 200, body = Items<LoginLockView>)))]
pub async fn login_locks(c: Call) -> ApiResult<Json<Items<LoginLockView>>> {
    c.caller.require(&[Role::Admin])?;
    let items = accounts::login_locks(&c.s);
    Ok(Json(Items { items }))
}

/// An admin lifts a lock.
#[utoipa::path(delete, path = "/api/v1/admin/login-locks/{username}", tag = "accounts",
    params(("username" = String, Path)),
    responses((status = 204)))]
pub async fn lift_login_lock(c: Call, Path(username): Path<String>) -> ApiResult<StatusCode> {
    c.caller.require(&[Role::Admin])?;
    if !c.s.login_guard.lift(&username) {
        return Err(ApiError::not_found());
    }
    tracing::info!(
        admin = c.caller.user.username,
        username,
        "login lock lifted"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the current token.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts",
    responses((status = 204)))]
pub async fn sign_out(c: Call) -> ApiResult<StatusCode> {
    c.s.store.revoke_session(&c.caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = UserView)))]
pub async fn me(caller: Caller) -> Json<UserView> {
    Json(UserView::from(&caller.user))
}

/// An admin creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = UserView)))]
pub async fn create_user(
    c: Call,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    c.caller.require(&[Role::Admin])?;
    let row = add_user(&c.s, body).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&row))))
}

/// An admin lists accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, body = Page<UserView>)))]
pub async fn list_users(c: Call) -> ApiResult<Json<Page<UserView>>> {
    c.caller.require(&[Role::Admin])?;
    let users = c.s.store.list_users().await?;
    Ok(Json(Page::all(users.iter().map(UserView::from).collect())))
}
