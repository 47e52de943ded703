//! The floor server: what axum and the database cost with no application logic.

use axum::routing::{get, post};
use sqlx::AnyPool;

use crate::server::pool;
use crate::BoxError;

/// The floor: what axum and the database cost with no application logic.
pub(crate) async fn floor(addr: &str, db: &str) -> Result<(), BoxError> {
    // The same pool shape as the server: one SQLite connection, 16 on PostgreSQL.
    let pool = pool(db, 16).await?;
    let id = if db.starts_with("postgres") {
        "BIGSERIAL PRIMARY KEY"
    } else {
        "INTEGER PRIMARY KEY AUTOINCREMENT"
    };
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS bench_floor (id {id}, body TEXT NOT NULL, created_at BIGINT NOT NULL)"
    ))
    .execute(&pool)
    .await?;
    let app = axum::Router::new()
        .route("/static", get(|| async { "{\"ok\":true}" }))
        .route(
            "/insert",
            post(
                |axum::extract::State(pool): axum::extract::State<AnyPool>, body: String| async move {
                    let r = sqlx::query("INSERT INTO bench_floor (body, created_at) VALUES ($1, $2)")
                        .bind(body)
                        .bind(chrono::Utc::now().timestamp_millis())
                        .execute(&pool)
                        .await;
                    match r {
                        Ok(_) => (axum::http::StatusCode::CREATED, "{}"),
                        Err(_) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "{}"),
                    }
                },
            ),
        )
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
