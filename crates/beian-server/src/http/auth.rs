//! Accounts, roles and bearer tokens (argon2id passwords; tokens stored hashed).

use crate::http::error::{ApiError, ApiResult};
use crate::http::HttpState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use beian_domain::filing::Actor;
use beian_store::UserRow;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The four roles of api.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Applicant,
    PlatformReviewer,
    AuthorityReviewer,
    Admin,
}

impl Role {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "applicant" => Some(Role::Applicant),
            "platform_reviewer" => Some(Role::PlatformReviewer),
            "authority_reviewer" => Some(Role::AuthorityReviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRow,
    pub role: Role,
    pub token_hash: String,
}

pub use crate::views::accounts::UserView;

impl Caller {
    /// The actor recorded in events.
    pub fn actor(&self) -> Actor {
        let id = self.user.id.clone();
        match self.role {
            Role::Applicant => Actor::Applicant(id),
            Role::PlatformReviewer => Actor::PlatformReviewer(id),
            Role::AuthorityReviewer => Actor::AuthorityReviewer(id),
            Role::Admin => Actor::Admin(id),
        }
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> ApiResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// Hex SHA-256 of a token: only the hash is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random token (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A fresh random id with a time prefix, so ids sort by creation.
pub fn new_id(now_ms: i64) -> String {
    let mut bytes = [0u8; 6];
    OsRng.fill_bytes(&mut bytes);
    format!("{:012x}{}", now_ms.max(0), hex::encode(bytes))
}

fn argon(memory_kib: u32) -> Argon2<'static> {
    let params = Params::new(memory_kib.max(8), 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id (PHC string).
pub fn hash_password(password: &str, memory_kib: u32) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon(memory_kib)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against its stored hash; the parameters come from the hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// At most one argon2 computation per core at a time. Each takes ~19 MiB and a
/// core for tens of milliseconds, so a burst of bogus logins waits here instead
/// of costing gigabytes of memory and starving every other request.
fn hashing() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// Hashes on the blocking pool, under the hashing semaphore: argon2 is deliberately slow.
pub async fn hash_password_async(password: String, memory_kib: u32) -> Result<String, ApiError> {
    let _permit = hashing().acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || hash_password(&password, memory_kib))
        .await
        .map_err(ApiError::internal)?
}

/// Verifies on the blocking pool, under the hashing semaphore.
pub async fn verify_password_async(hash: String, password: String) -> bool {
    let Ok(_permit) = hashing().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

/// The user of a live session. Sessions run on the wall clock, not the review clock: a
/// demo or test that moves the review clock a day ahead does not sign everyone out.
pub async fn session_user(s: &impl HttpState, token_hash: &str) -> ApiResult<Option<UserRow>> {
    Ok(s.store()
        .session_user(token_hash, chrono::Utc::now(), s.session_limits())
        .await?)
}

/// A hash of the right cost for an unknown user, so that "no such user" takes as
/// long as "wrong password" and the answer time tells nothing.
pub fn dummy_hash(memory_kib: u32) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_password("beian-dummy-password", memory_kib).unwrap_or_default())
        .clone()
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl<S: HttpState> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Caller, ApiError> {
        resolve_caller(state, parts)
            .await?
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// The signed-in caller of a request from its bearer token, `None` without a live
/// session. The idempotency layer resolves it before the handler; the handler's
/// [`Caller`] then takes it from the request instead of asking the store again.
pub async fn resolve_caller(state: &impl HttpState, parts: &Parts) -> ApiResult<Option<Caller>> {
    if let Some(known) = parts.extensions.get::<Caller>() {
        return Ok(Some(known.clone()));
    }
    let Some(token) = bearer(parts) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let Some(user) = session_user(state, &hash).await? else {
        return Ok(None);
    };
    let role =
        Role::parse(&user.role).ok_or_else(|| ApiError::internal("unknown role in database"))?;
    Ok(Some(Caller {
        user,
        role,
        token_hash: hash,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let h = hash_password("s3cret-pass", 64).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "s3cret-pass"));
        assert!(!verify_password(&h, "wrong"));
        assert!(!verify_password("not a hash", "s3cret-pass"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
