//! Starting and stopping the processes a benchmark measures, and its database pool.

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{BoxError, ServerArgs};

/// The one number `sql` selects (a `COUNT(*)`).
pub(crate) async fn count_of(db: &AnyPool, sql: &str) -> Result<i64, BoxError> {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db).await?;
    Ok(n)
}

pub(crate) async fn pool(db: &str, max: u32) -> Result<AnyPool, BoxError> {
    sqlx::any::install_default_drivers();
    let pg = db.starts_with("postgres");
    let p = AnyPoolOptions::new()
        .max_connections(if pg { max } else { 1 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if !pg {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA synchronous = FULL",
                    ] {
                        sqlx::Executor::execute(&mut *conn, pragma).await?;
                    }
                }
                Ok(())
            })
        })
        .connect(db)
        .await?;
    Ok(p)
}

/// A free port on 127.0.0.1.
pub(crate) fn free_addr() -> Result<String, BoxError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.to_string())
}

/// A child process killed when dropped.
pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn spawn_beian(
    s: &ServerArgs,
    addr: &str,
    worker_ms: u64,
    log: &str,
    extra: &[&str],
) -> Result<Proc, BoxError> {
    std::fs::create_dir_all(&s.data_dir)?;
    let log = std::fs::File::create(s.data_dir.join(log))?;
    let child = Command::new(&s.beian)
        .args(["serve", "--addr", addr, "--db", &s.db])
        .arg("--data-dir")
        .arg(&s.data_dir)
        .args(["--public-rate-per-minute", "1000000000"])
        .args(["--worker-interval-ms", &worker_ms.to_string()])
        .args(extra)
        .env("BEIAN_ADMIN_PASSWORD", "bench-admin-password")
        .env("BEIAN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?;
    Ok(Proc(child))
}

pub(crate) async fn wait_ready(client: &reqwest::Client, url: &str) -> Result<(), BoxError> {
    for _ in 0..600 {
        if let Ok(r) = client.get(url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{url} did not answer").into())
}
