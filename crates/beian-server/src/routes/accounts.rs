//! Sessions and users.

use crate::app::accounts::{add_user, NewUser};
use crate::app::state::AppState;
use crate::http::auth::{self, Caller, Role, UserView};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use axum::extract::State;
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
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let bad = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "BAD_CREDENTIALS",
            "用户名或密码错误",
        )
        .suggest("请检查后重试")
    };
    let user = s.store.user_by_username(body.username.trim()).await?;
    let Some(user) = user else {
        // Spend the same time as a real check so usernames cannot be probed.
        auth::verify_password_async(dummy_hash(s.argon2_memory_kib), body.password).await;
        return Err(bad());
    };
    if !auth::verify_password_async(user.password_hash.clone(), body.password).await {
        return Err(bad());
    }
    let token = auth::new_token();
    s.store
        .insert_session(&auth::token_hash(&token), &user.id, s.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "user": UserView::from(&user)})),
    ))
}

/// A real hash of a random password, so an unknown user costs one verification too.
fn dummy_hash(memory_kib: u32) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| auth::hash_password(&auth::new_token(), memory_kib).unwrap_or_default())
        .clone()
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
