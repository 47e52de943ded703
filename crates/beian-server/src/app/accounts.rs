//! Accounts: creating one, with its checks. The API, the admin page, the CLI, the first
//! start and the demo all create accounts through here.

use super::state::AppState;
use crate::http::auth::{self, Role};
use crate::http::error::{ApiError, ApiResult};
use crate::views::accounts::LoginLockView;
use axum::http::StatusCode;
use beian_domain::numbers::province_abbr;
use beian_store::UserRow;
use chrono::Utc;
use serde::Deserialize;
use std::net::IpAddr;

/// `POST /api/v1/users` body.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: String,
    pub province: Option<String>,
}

/// Checks and creates an account; shared by the API, the CLI and the demo seed.
pub async fn add_user(s: &AppState, u: NewUser) -> ApiResult<UserRow> {
    let username = u.username.trim().to_string();
    if username.is_empty() || username.chars().count() > 64 {
        return Err(ApiError::field(
            "username",
            "USERNAME_FORMAT",
            "用户名须为1至64个字符",
            "请填写用户名",
        ));
    }
    if u.password.chars().count() < 8 {
        return Err(ApiError::field(
            "password",
            "PASSWORD_TOO_SHORT",
            "密码至少8位",
            "请设置更长的密码",
        ));
    }
    let role = Role::parse(&u.role).ok_or_else(|| {
        ApiError::field(
            "role",
            "ROLE_INVALID",
            "角色无效",
            "可选 applicant、platform_reviewer、authority_reviewer、admin",
        )
    })?;
    let province = match (role, u.province.as_deref().map(str::trim)) {
        (Role::AuthorityReviewer, Some(p)) if province_abbr(p).is_some() => Some(p.to_string()),
        (Role::AuthorityReviewer, _) => {
            return Err(ApiError::field(
                "province",
                "PROVINCE_REQUIRED",
                "通管局审核员须绑定一个省份",
                "填写两位省份代码，如 \"44\"",
            ))
        }
        _ => None,
    };
    let now = s.now();
    let row = UserRow {
        id: auth::new_id(now.timestamp_millis()),
        username,
        password_hash: auth::hash_password_async(u.password, s.argon2_memory_kib).await?,
        role: u.role,
        province,
        created_at: now,
    };
    s.store.insert_user(&row).await?;
    Ok(row)
}

/// The usernames locked now after wrong passwords, for the admin: each with how many times
/// in a row it was locked and when the lock ends.
pub fn login_locks(s: &AppState) -> Vec<LoginLockView> {
    s.login_guard
        .locks()
        .into_iter()
        .map(|l| LoginLockView::new(l.username, l.locks, l.locked_until.into()))
        .collect()
}

/// Deletes ended sessions (on the wall clock, like their expiry) and idempotency
/// keys older than a day (on the server clock that stamped them). Each background
/// pass runs it: the tables stay as small as the live sessions and recent keys.
pub async fn purge_expired(s: &AppState) -> ApiResult<u64> {
    let keys_before = s.now() - chrono::Duration::days(1);
    Ok(s.store
        .purge_sessions(Utc::now(), s.security.session_limits(), keys_before)
        .await?)
}

/// A signed-in user and the session's bearer token (shown once).
pub struct SignedIn {
    pub token: String,
    pub user: UserRow,
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "BAD_CREDENTIALS",
        "用户名或密码错误",
    )
    .suggest("请检查后重试")
}

/// Checks a password and opens a session; the API and the login page both sign in here.
///
/// A username locked by the guard answers 429 before any hashing. An unknown user costs
/// a real verification against a dummy hash, so the answer time does not tell which
/// usernames exist; each failure counts for the username and the address.
pub async fn sign_in(
    s: &AppState,
    username: &str,
    password: String,
    from: IpAddr,
) -> ApiResult<SignedIn> {
    let username = username.trim();
    s.login_guard.admit(username, from)?;
    let user = s.store.user_by_username(username).await?;
    let hash = user.as_ref().map_or_else(
        || auth::dummy_hash(s.argon2_memory_kib),
        |u| u.password_hash.clone(),
    );
    let ok = auth::verify_password_async(hash, password).await;
    let Some(user) = user.filter(|_| ok) else {
        s.login_guard.failed(username, from);
        return Err(bad_credentials());
    };
    s.login_guard.succeeded(username);
    let token = auth::new_token();
    s.store
        .insert_session(&auth::token_hash(&token), &user.id, Utc::now())
        .await?;
    tracing::info!(user = user.username, role = user.role, "signed in");
    Ok(SignedIn { token, user })
}
