//! Accounts: creating one, with its checks. The API, the admin page, the CLI, the first
//! start and the demo all create accounts through here.

use super::state::AppState;
use crate::http::auth::{self, Role};
use crate::http::error::{ApiError, ApiResult};
use beian_domain::numbers::province_abbr;
use beian_store::UserRow;
use serde::Deserialize;

/// `POST /api/v1/users` body.
#[derive(Deserialize)]
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
