//! Fresh databases for the store tests: a new SQLite file, or a new database on the
//! PostgreSQL server of `BEIAN_TEST_PG_URL` (scripts/test.sh provides one and drops the
//! `beian_(test|store|scale)_*` databases of earlier runs).

use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The URL of a new SQLite file under the temp directory.
pub fn sqlite_url(prefix: &str) -> String {
    let dir = std::env::temp_dir().join(unique(prefix));
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}?mode=rwc", dir.join("t.db").display())
}

/// The URL of a new, empty PostgreSQL database named `<prefix>_<pid>_<n>`.
pub async fn postgres_url(prefix: &str) -> String {
    let admin = std::env::var("BEIAN_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = unique(prefix);
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is required (scripts/test.sh starts one)");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}
