//! The closed-loop client: requests, their sources, the statistics of a run.

use serde_json::Value;
use sqlx::{AnyPool, Row};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::BoxError;

/// One request of a scenario.
#[derive(Clone)]
pub(crate) struct Req {
    pub(crate) post: bool,
    pub(crate) path: String,
    pub(crate) token: Option<String>,
    pub(crate) body: Option<Value>,
    /// The body as text (the floor insert).
    pub(crate) raw: Option<String>,
}

impl Req {
    pub(crate) fn get(path: String, token: Option<&str>) -> Req {
        Req {
            post: false,
            path,
            token: token.map(String::from),
            body: None,
            raw: None,
        }
    }
    pub(crate) fn post(path: String, token: Option<&str>, body: Value) -> Req {
        Req {
            post: true,
            path,
            token: token.map(String::from),
            body: Some(body),
            raw: None,
        }
    }
}

/// Where a scenario's requests come from.
pub(crate) enum Source {
    /// Read scenarios: round robin over a fixed list.
    Cycle(Vec<Req>, AtomicUsize),
    /// Write scenarios: each target once; the scenario ends when none is left.
    Queue(Mutex<VecDeque<Req>>),
}

impl Source {
    pub(crate) fn next(&self) -> Option<Req> {
        match self {
            Source::Cycle(v, i) => {
                if v.is_empty() {
                    return None;
                }
                Some(v[i.fetch_add(1, Ordering::Relaxed) % v.len()].clone())
            }
            Source::Queue(q) => q.lock().ok()?.pop_front(),
        }
    }
}

/// The outcome of one scenario.
pub(crate) struct Stats {
    pub(crate) ok: usize,
    pub(crate) failed: usize,
    pub(crate) secs: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) first_error: Option<String>,
}

impl Stats {
    pub(crate) fn rps(&self) -> f64 {
        self.ok as f64 / self.secs.max(1e-9)
    }
}

pub(crate) async fn drive(
    client: &reqwest::Client,
    base: &str,
    source: Source,
    concurrency: usize,
    duration: Duration,
) -> Stats {
    let source = Arc::new(source);
    let start = Instant::now();
    let mut tasks = vec![];
    for _ in 0..concurrency {
        let (client, base, source) = (client.clone(), base.to_string(), source.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            let mut failed = 0;
            let mut first_error = None;
            while start.elapsed() < duration {
                let Some(r) = source.next() else { break };
                let url = format!("{base}{}", r.path);
                let mut b = if r.post {
                    client.post(&url)
                } else {
                    client.get(&url)
                };
                if let Some(t) = &r.token {
                    b = b.bearer_auth(t);
                }
                if let Some(body) = &r.body {
                    b = b.json(body);
                }
                if let Some(raw) = &r.raw {
                    b = b.body(raw.clone());
                }
                let t0 = Instant::now();
                let res = b.send().await;
                let ok = match res {
                    Ok(resp) => {
                        let status = resp.status();
                        let text = resp.bytes().await.map(|b| b.len()).unwrap_or(0);
                        if status.is_success() {
                            true
                        } else {
                            if first_error.is_none() {
                                first_error = Some(format!("{} {} ({text} bytes)", status, r.path));
                            }
                            false
                        }
                    }
                    Err(e) => {
                        if first_error.is_none() {
                            first_error = Some(e.to_string());
                        }
                        false
                    }
                };
                if ok {
                    lat.push(t0.elapsed().as_micros() as u32);
                } else {
                    failed += 1;
                }
            }
            (lat, failed, first_error)
        }));
    }
    let mut all = vec![];
    let mut failed = 0;
    let mut first_error = None;
    for t in tasks {
        if let Ok((lat, f, e)) = t.await {
            all.extend(lat);
            failed += f;
            first_error = first_error.or(e);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        if all.is_empty() {
            0.0
        } else {
            all[((all.len() - 1) as f64 * p) as usize] as f64 / 1000.0
        }
    };
    Stats {
        ok: all.len(),
        failed,
        secs,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        first_error,
    }
}

/// Signs a seeded account in by writing its session row (argon2 sign-ins of
/// thousands of applicants would dominate the setup).
pub(crate) async fn session(db: &AnyPool, user_id: &str, n: usize) -> Result<String, BoxError> {
    let token = format!(
        "bench-{user_id}-{n}-{}",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    );
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, revoked) VALUES ($1, $2, $3, $3, 0)",
    )
    .bind(beian_server::auth::token_hash(&token))
    .bind(user_id)
    .bind(chrono::Utc::now().timestamp_millis())
    .execute(db)
    .await?;
    Ok(token)
}

pub(crate) fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub(crate) fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) async fn strings(db: &AnyPool, sql: &str) -> Result<Vec<Vec<String>>, BoxError> {
    let rows = sqlx::query(sql).fetch_all(db).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<String, _>(i)
                        .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect())
}

pub(crate) fn write_line(out: &Option<PathBuf>, v: &Value) -> Result<(), BoxError> {
    if let Some(p) = out {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)?;
        writeln!(f, "{v}")?;
    }
    Ok(())
}
