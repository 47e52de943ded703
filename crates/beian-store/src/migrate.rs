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
    (
        5,
        "search",
        include_str!("../migrations/sqlite/0005_search.sql"),
    ),
    (
        6,
        "calendar",
        include_str!("../migrations/sqlite/0006_calendar.sql"),
    ),
    (
        7,
        "session_expiry",
        include_str!("../migrations/sqlite/0007_session_expiry.sql"),
    ),
    (
        8,
        "access_log",
        include_str!("../migrations/sqlite/0008_access_log.sql"),
    ),
    (
        9,
        "event_chain",
        include_str!("../migrations/sqlite/0009_event_chain.sql"),
    ),
    (
        10,
        "vault",
        include_str!("../migrations/sqlite/0010_vault.sql"),
    ),
    (
        11,
        "retention",
        include_str!("../migrations/sqlite/0011_retention.sql"),
    ),
    (
        12,
        "person_names",
        include_str!("../migrations/sqlite/0012_person_names.sql"),
    ),
    (
        13,
        "media_reading",
        include_str!("../migrations/sqlite/0013_media_reading.sql"),
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
    (
        5,
        "search",
        include_str!("../migrations/postgres/0005_search.sql"),
    ),
    (
        6,
        "search_fastupdate",
        include_str!("../migrations/postgres/0006_search_fastupdate.sql"),
    ),
    (
        7,
        "calendar",
        include_str!("../migrations/postgres/0007_calendar.sql"),
    ),
    (
        8,
        "session_expiry",
        include_str!("../migrations/postgres/0008_session_expiry.sql"),
    ),
    (
        9,
        "access_log",
        include_str!("../migrations/postgres/0009_access_log.sql"),
    ),
    (
        10,
        "event_chain",
        include_str!("../migrations/postgres/0010_event_chain.sql"),
    ),
    (
        11,
        "vault",
        include_str!("../migrations/postgres/0011_vault.sql"),
    ),
    (
        12,
        "retention",
        include_str!("../migrations/postgres/0012_retention.sql"),
    ),
    (
        13,
        "person_names",
        include_str!("../migrations/postgres/0013_person_names.sql"),
    ),
    (
        14,
        "media_reading",
        include_str!("../migrations/postgres/0014_media_reading.sql"),
    ),
];

/// The statements of a migration file. Up to version 4 they are split on every `;`;
/// from version 5 on, on a `;` ending a line, outside `--` comments and outside a
/// trigger body (`... BEGIN` up to a line `END;`), so triggers can be written.
fn statements(version: i64, sql: &str) -> Vec<String> {
    if version < 5 {
        return sql
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    let mut out = vec![];
    let mut current = String::new();
    let mut in_body = false;
    for line in sql.lines() {
        let code = line.trim();
        if code.is_empty() || code.starts_with("--") {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if in_body {
            if code.eq_ignore_ascii_case("END;") {
                in_body = false;
            } else {
                continue;
            }
        } else if code.to_ascii_uppercase().ends_with(" BEGIN") {
            in_body = true;
            continue;
        }
        if code.ends_with(';') {
            let statement = current.trim().trim_end_matches(';').trim().to_string();
            if !statement.is_empty() {
                out.push(statement);
            }
            current.clear();
        }
    }
    let rest = current.trim().trim_end_matches(';').trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

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
        for statement in statements(*version, sql) {
            sqlx::query(&statement).execute(&mut *tx).await?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn trigger_bodies_stay_whole() {
        let sql = "-- c\nCREATE TABLE a (x INT);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n  DELETE FROM c;\nEND;\n\nCREATE INDEX i ON a(x)\n";
        let s = super::statements(5, sql);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[1].contains("DELETE FROM c;") && s[1].ends_with("END"));
        assert_eq!(s[2], "CREATE INDEX i ON a(x)");
    }
}
