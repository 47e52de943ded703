//! Accounts, sessions and idempotency keys.
//!
//! May import: `codec`, and [`SqlStore`] from `mod.rs`.

use super::codec::{self, map_err, ms, qualified, USER_COLS};
use super::SqlStore;
use crate::{AccessEntry, IdempotencyState, SessionLimits, StoreResult, UserRow};
use beian_domain::filing::Time;
use sqlx::{AnyConnection, Row};

pub(crate) async fn insert_user(s: &SqlStore, u: &UserRow) -> StoreResult<()> {
    insert_user_on(&mut *s.pool().acquire().await?, u).await
}

pub(crate) async fn user_by_username(s: &SqlStore, username: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
    s.read_one(&sql, username, codec::user).await
}

pub(crate) async fn user_by_id(s: &SqlStore, id: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
    s.read_one(&sql, id, codec::user).await
}

pub(crate) async fn list_users(s: &SqlStore) -> StoreResult<Vec<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
    sqlx::query(&sql)
        .fetch_all(&s.reader)
        .await?
        .iter()
        .map(codec::user)
        .collect()
}

pub(crate) async fn insert_session(
    s: &SqlStore,
    token_hash: &str,
    user_id: &str,
    at: Time,
) -> StoreResult<()> {
    s.exec(
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(ms(at)),
    )
    .await
}

pub(crate) async fn session_user(
    s: &SqlStore,
    token_hash: &str,
    now: Time,
    limits: SessionLimits,
) -> StoreResult<Option<UserRow>> {
    let sql = format!(
        "SELECT {}, s.created_at AS session_created, s.last_seen_at AS session_seen \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.revoked = 0",
        qualified("u", USER_COLS)
    );
    let Some(row) = sqlx::query(&sql)
        .bind(token_hash)
        .fetch_optional(&s.reader)
        .await?
    else {
        return Ok(None);
    };
    let created: i64 = row.try_get("session_created")?;
    // A row written without `last_seen_at` (it defaults to 0) was last seen at sign-in.
    let seen = created.max(row.try_get("session_seen")?);
    let now_ms = ms(now);
    if now_ms - created >= limits.absolute_ms || now_ms - seen >= limits.idle_ms {
        return Ok(None);
    }
    // Written at most once per `touch_ms`, so a busy session is not a write per request.
    if now_ms - seen >= limits.touch_ms() {
        s.exec(
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now_ms)
                .bind(token_hash),
        )
        .await?;
    }
    codec::user(&row).map(Some)
}

/// Deletes sessions revoked or ended before `now`, and idempotency keys older than
/// `keys_before`; returns how many rows went.
pub(crate) async fn purge_sessions(
    s: &SqlStore,
    now: Time,
    limits: SessionLimits,
    keys_before: Time,
) -> StoreResult<u64> {
    let now_ms = ms(now);
    let sessions = sqlx::query(
        "DELETE FROM sessions WHERE revoked = 1 OR (last_seen_at <= $1 AND created_at <= $1) OR created_at <= $2",
    )
    .bind(now_ms - limits.idle_ms)
    .bind(now_ms - limits.absolute_ms)
    .execute(s.pool())
    .await?
    .rows_affected();
    let keys = sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
        .bind(ms(keys_before))
        .execute(s.pool())
        .await?
        .rows_affected();
    Ok(sessions + keys)
}

/// Ends every session of a user (a changed password, a locked account).
pub(crate) async fn revoke_sessions_of(s: &SqlStore, user_id: &str) -> StoreResult<()> {
    s.exec(sqlx::query("UPDATE sessions SET revoked = 1 WHERE user_id = $1").bind(user_id))
        .await
}

pub(crate) async fn revoke_session(s: &SqlStore, token_hash: &str) -> StoreResult<()> {
    s.exec(sqlx::query("UPDATE sessions SET revoked = 1 WHERE token_hash = $1").bind(token_hash))
        .await
}

pub(crate) async fn idempotency_begin(
    s: &SqlStore,
    user_id: &str,
    key: &str,
    at: Time,
) -> StoreResult<IdempotencyState> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency (user_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(ms(at))
    .execute(s.pool())
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(IdempotencyState::Started);
    }
    let row: Option<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT status, body FROM idempotency WHERE user_id = $1 AND key = $2")
            .bind(user_id)
            .bind(key)
            .fetch_optional(s.pool())
            .await?;
    Ok(match row {
        Some((Some(status), Some(body))) => IdempotencyState::Done {
            status: status as u16,
            body: s.open_system("idempotency", body).await?,
        },
        _ => IdempotencyState::InProgress,
    })
}

pub(crate) async fn idempotency_finish(
    s: &SqlStore,
    user_id: &str,
    key: &str,
    status: u16,
    body: &str,
) -> StoreResult<()> {
    s.exec(
        sqlx::query(
            "UPDATE idempotency SET status = $1, body = $2 WHERE user_id = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(s.seal_system("idempotency", body).await?)
        .bind(user_id)
        .bind(key),
    )
    .await
}

pub(crate) async fn idempotency_abort(s: &SqlStore, user_id: &str, key: &str) -> StoreResult<()> {
    s.exec(
        sqlx::query("DELETE FROM idempotency WHERE user_id = $1 AND key = $2 AND status IS NULL")
            .bind(user_id)
            .bind(key),
    )
    .await
}

/// The account row, as both `insert_user` and the seeding batches write it.
pub(crate) async fn insert_user_on(conn: &mut AnyConnection, u: &UserRow) -> StoreResult<()> {
    sqlx::query("INSERT INTO users (id, username, password_hash, role, province, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(&u.role)
        .bind(u.province.clone())
        .bind(ms(u.created_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn record_access(s: &SqlStore, e: &AccessEntry) -> StoreResult<()> {
    s.exec(
        sqlx::query(
            "INSERT INTO filing_access (filing_id, at, user_id, role, what) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&e.filing_id)
        .bind(ms(e.at))
        .bind(&e.user_id)
        .bind(&e.role)
        .bind(&e.what),
    )
    .await
}

pub(crate) async fn access_log(s: &SqlStore, filing_id: &str) -> StoreResult<Vec<AccessEntry>> {
    let rows = sqlx::query(
        "SELECT filing_id, at, user_id, role, what FROM filing_access WHERE filing_id = $1 ORDER BY id",
    )
    .bind(filing_id)
    .fetch_all(&s.reader)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AccessEntry {
                filing_id: r.try_get("filing_id")?,
                at: codec::at(r, "at")?,
                user_id: r.try_get("user_id")?,
                role: r.try_get("role")?,
                what: r.try_get("what")?,
            })
        })
        .collect()
}
