//! Sessions and users.

use crate::app::accounts::{self, add_user, NewUser};
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role, UserView};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::ratelimit::ClientIp;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// `POST /api/v1/sessions` body.
#[derive(Deserialize)]
pub struct SignIn {
    username: String,
    password: String,
}

/// Signs in and returns a bearer token.
pub async fn sign_in(
    State(s): State<AppState>,
    ClientIp(from): ClientIp,
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let signed = accounts::sign_in(&s, &body.username, body.password, from).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": signed.token, "user": UserView::from(&signed.user)})),
    ))
}

/// `GET /api/v1/admin/login-locks`: usernames locked after wrong passwords.
pub async fn login_locks(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    let items: Vec<Value> = s
        .login_guard
        .locks()
        .into_iter()
        .map(|l| {
            let until: chrono::DateTime<chrono::Utc> = l.locked_until.into();
            json!({
                "username": l.username,
                "locks": l.locks,
                "locked_until": until.with_timezone(&beian_domain::calendar::china_offset()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `DELETE /api/v1/admin/login-locks/{username}`: an admin lifts a lock.
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
pub async fn sign_out(State(s): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    s.store.revoke_session(&caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current user.
pub async fn me(caller: Caller) -> Json<UserView> {
    Json(UserView::from(&caller.user))
}

/// Admin creates an account.
pub async fn create_user(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.require(&[Role::Admin])?;
    let row = add_user(&s, body).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&row))))
}

/// Admin lists accounts.
pub async fn list_users(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    caller.require(&[Role::Admin])?;
    let users = s.store.list_users().await?;
    Ok(Json(
        json!({"items": users.iter().map(UserView::from).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}
