//! A small embedded migrator: one folder of ordered SQL files per backend.
//!
//! sqlx's `migrate!` would pull its proc-macro crate (and a second build of
//! the SQLite C library) into every build; this is all we need of it.

use sqlx::AnyPool;

/// (version, name, sql) of each SQLite migration.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "notifications",
        include_str!("../migrations/sqlite/0002_notifications.sql"),
    ),
    (
        3,
        "validation",
        include_str!("../migrations/sqlite/0003_validation.sql"),
    ),
    (
        4,
        "performance",
        include_str!("../migrations/sqlite/0004_performance.sql"),
    ),
];
/// (version, name, sql) of each PostgreSQL migration.
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "notifications",
        include_str!("../migrations/postgres/0002_notifications.sql"),
    ),
    (
        3,
        "validation",
        include_str!("../migrations/postgres/0003_validation.sql"),
    ),
    (
        4,
        "performance",
        include_str!("../migrations/postgres/0004_performance.sql"),
    ),
];

/// Applies every migration not yet recorded, all in one transaction.
pub async fn run(pool: &AnyPool, postgres: bool, now_ms: i64) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    if postgres {
        // Several processes may start at once: one migrates, the others wait.
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(7212001)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS beian_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let list = if postgres { POSTGRES } else { SQLITE };
    for (version, name, sql) in list {
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM beian_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO beian_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(*version)
            .bind(*name)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        tracing::info!(version, name, "migration applied");
    }
    tx.commit().await
}
