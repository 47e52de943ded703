//! `beian-bench`: the load and timer benchmarks of BENCHMARKS.md.
//!
//! `load` starts `beian serve` and a floor server (`floor`: a static route and
//! a single-row insert of the same payload, on the same kind of database) on
//! 127.0.0.1, then drives each scenario with a closed-loop client and reports
//! throughput, p50/p99 and the ratio to the floor measured in the same run.
//! `timers` starts one or more `beian serve` processes over a database seeded
//! with expired SMS rounds and measures the time until every expiry fired, and
//! that each fired exactly once (from the event log).
//! `recompute` starts them over a database seeded with provisional due dates
//! (`beian seed --profile provisional`), loads the year's holiday notice through
//! the first one and measures the time until every due date was counted again,
//! and that each order was recomputed exactly once.

use axum::routing::{get, post};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The floor server: GET /static and POST /insert.
    Floor {
        #[arg(long)]
        addr: String,
        #[arg(long)]
        db: String,
    },
    /// Throughput and latency of each scenario against a seeded database.
    Load {
        #[command(flatten)]
        server: ServerArgs,
        /// Seconds per scenario.
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// Requests in flight.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// A label for the table (e.g. sqlite-10k).
        #[arg(long)]
        label: String,
        /// Appends one JSON line per scenario here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only these scenarios (comma-separated names); the floors always run.
        #[arg(long)]
        only: Option<String>,
    },
    /// Time to drain the due SMS deadlines with N processes.
    Timers {
        #[command(flatten)]
        server: ServerArgs,
        #[arg(long, default_value_t = 1)]
        processes: usize,
        /// How many expiries are due.
        #[arg(long)]
        expect: i64,
        #[arg(long)]
        label: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Time from loading a holiday notice until every provisional due date it settles
    /// was recomputed, with N processes.
    Recompute {
        #[command(flatten)]
        server: ServerArgs,
        #[arg(long, default_value_t = 1)]
        processes: usize,
        /// How many orders have a provisional due date (the seeded orders).
        #[arg(long)]
        expect: i64,
        /// The manual clock every process starts at (RFC 3339).
        #[arg(long, default_value = "2026-12-10T12:00:00+08:00")]
        clock_start: String,
        /// The year of the notice.
        #[arg(long, default_value_t = 2027)]
        year: i32,
        /// The notice as published (text file); by default the 2027 sample of the test
        /// suite with New Year's make-up day, which moves January due dates.
        #[arg(long)]
        notice: Option<PathBuf>,
        /// Gives up after this many seconds from the notice.
        #[arg(long, default_value_t = 600)]
        timeout_secs: u64,
        /// Diagnostic, PostgreSQL: a planner setting for the run's database
        /// (`ALTER DATABASE … SET`), before the processes start, e.g. `enable_nestloop=off`.
        /// Repeatable.
        #[arg(long)]
        pg_set: Vec<String>,
        #[arg(long)]
        label: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Clone)]
struct ServerArgs {
    /// The beian binary.
    #[arg(long)]
    beian: PathBuf,
    /// The seeded database (sqlite://…?mode=rwc or postgres://…).
    #[arg(long)]
    db: String,
    /// Data directory for the server (and the SQLite floor database).
    #[arg(long)]
    data_dir: PathBuf,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    match Cli::parse().cmd {
        Cmd::Floor { addr, db } => floor(&addr, &db).await,
        Cmd::Load {
            server,
            duration,
            concurrency,
            label,
            out,
            only,
        } => load(&server, duration, concurrency, &label, out, only).await,
        Cmd::Timers {
            server,
            processes,
            expect,
            label,
            out,
        } => timers(&server, processes, expect, &label, out).await,
        Cmd::Recompute {
            server,
            processes,
            expect,
            clock_start,
            year,
            notice,
            timeout_secs,
            pg_set,
            label,
            out,
        } => {
            let text = match notice {
                Some(path) => std::fs::read_to_string(path)?,
                None => beian_domain::notice::samples::notice_2027_moving_january(),
            };
            let run = RecomputeRun {
                processes,
                expect,
                clock_start,
                year,
                text,
                timeout: Duration::from_secs(timeout_secs),
                pg_set,
            };
            recompute(&server, &run, &label, out).await
        }
    }
}

async fn pool(db: &str, max: u32) -> Result<AnyPool, BoxError> {
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

/// The floor: what axum and the database cost with no application logic.
async fn floor(addr: &str, db: &str) -> Result<(), BoxError> {
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

/// A free port on 127.0.0.1.
fn free_addr() -> Result<String, BoxError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.to_string())
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_beian(
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
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?;
    Ok(Proc(child))
}

async fn wait_ready(client: &reqwest::Client, url: &str) -> Result<(), BoxError> {
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

/// One request of a scenario.
#[derive(Clone)]
struct Req {
    post: bool,
    path: String,
    token: Option<String>,
    body: Option<Value>,
    /// The body as text (the floor insert).
    raw: Option<String>,
}

impl Req {
    fn get(path: String, token: Option<&str>) -> Req {
        Req {
            post: false,
            path,
            token: token.map(String::from),
            body: None,
            raw: None,
        }
    }
    fn post(path: String, token: Option<&str>, body: Value) -> Req {
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
enum Source {
    /// Read scenarios: round robin over a fixed list.
    Cycle(Vec<Req>, AtomicUsize),
    /// Write scenarios: each target once; the scenario ends when none is left.
    Queue(Mutex<VecDeque<Req>>),
}

impl Source {
    fn next(&self) -> Option<Req> {
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
struct Stats {
    ok: usize,
    failed: usize,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
    first_error: Option<String>,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.ok as f64 / self.secs.max(1e-9)
    }
}

async fn drive(
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
async fn session(db: &AnyPool, user_id: &str, n: usize) -> Result<String, BoxError> {
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

fn rss_kib(pid: u32) -> (u64, u64) {
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

fn encode(s: &str) -> String {
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

async fn strings(db: &AnyPool, sql: &str) -> Result<Vec<Vec<String>>, BoxError> {
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

fn write_line(out: &Option<PathBuf>, v: &Value) -> Result<(), BoxError> {
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

async fn load(
    s: &ServerArgs,
    duration: f64,
    concurrency: usize,
    label: &str,
    out: Option<PathBuf>,
    only: Option<String>,
) -> Result<(), BoxError> {
    let duration = Duration::from_secs_f64(duration);
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|x| x.trim() == name))
    };
    let db = pool(&s.db, 4).await?;
    let (addr, floor_addr) = (free_addr()?, free_addr()?);
    let server = spawn_beian(s, &addr, 1000, "bench-server.log", &[])?;
    let floor_db = if s.db.starts_with("postgres") {
        s.db.clone()
    } else {
        format!(
            "sqlite://{}?mode=rwc",
            s.data_dir.join("floor.db").display()
        )
    };
    let _floor = Proc(
        Command::new(std::env::current_exe()?)
            .args(["floor", "--addr", &floor_addr, "--db", &floor_db])
            .stdout(Stdio::null())
            .spawn()?,
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency * 2)
        .build()?;
    let base = format!("http://{addr}");
    let floor_base = format!("http://{floor_addr}");
    wait_ready(&client, &format!("{base}/readyz")).await?;
    wait_ready(&client, &format!("{floor_base}/static")).await?;

    // Targets, read from the seeded database before any load. Write scenarios take
    // at most 20 000 targets each (more than 10 s use at these rates), so preparing
    // them (a session per owner) does not grow with the database.
    let reviewer = session(&db, "seed-reviewer", 0).await?;
    let filed = strings(
        &db,
        "SELECT s.service_number, s.mini_program_name, sr.subject_name FROM service_records s \
         JOIN subject_records sr ON sr.subject_key = s.subject_key WHERE s.status = 'active' \
         ORDER BY s.service_number LIMIT 2000",
    )
    .await?;
    let ids = strings(
        &db,
        "SELECT id FROM filings ORDER BY updated_at DESC LIMIT 2000",
    )
    .await?;
    let drafts = strings(
        &db,
        "SELECT id, owner_id FROM filings WHERE status = 'draft' AND kind = 'new' ORDER BY id LIMIT 20000",
    )
    .await?;
    let queue = strings(
        &db,
        "SELECT id, version FROM filings WHERE status = 'platform_review' ORDER BY id LIMIT 20000",
    )
    .await?;
    let sms = strings(
        &db,
        "SELECT state FROM filings WHERE status = 'sms_verification' AND kind = 'new' ORDER BY id LIMIT 20000",
    )
    .await?;
    let mut owner_tokens = std::collections::HashMap::new();
    let mut submits = VecDeque::new();
    for (n, d) in drafts.iter().enumerate() {
        let token = match owner_tokens.get(&d[1]) {
            Some(t) => t,
            None => {
                let t = session(&db, &d[1], n).await?;
                owner_tokens.entry(d[1].clone()).or_insert(t)
            }
        };
        submits.push_back(Req::post(
            format!("/api/v1/filings/{}/submit", d[0]),
            Some(token),
            json!({}),
        ));
    }
    let decisions: VecDeque<Req> = queue
        .iter()
        .map(|q| {
            Req::post(
                format!("/api/v1/filings/{}/platform-decision", q[0]),
                Some(&reviewer),
                json!({"decision": "approve", "reasons": [], "expected_version": q[1].parse::<i64>().unwrap_or(0)}),
            )
        })
        .collect();
    let verifies: VecDeque<Req> = sms
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r[0]).ok())
        .filter_map(|st| {
            let r = st["sms"]["recipients"].get(0)?.clone();
            Some(Req::post(
                "/api/v1/miit/sms-verify".into(),
                None,
                json!({"mobile": r["mobile"], "certificate_last6": r["last6"], "code": "246810"}),
            ))
        })
        .collect();
    // The floor insert carries what a submission's projection row carries.
    let payload = strings(
        &db,
        "SELECT state FROM filings WHERE status = 'draft' LIMIT 1",
    )
    .await?
    .first()
    .map(|r| r[0].clone())
    .unwrap_or_else(|| "{}".into());

    let mut results = vec![];
    let mut run = |name: &'static str, floor: &'static str, st: Stats| {
        println!(
            "{label:>14} {name:<18} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ok {:>6}  failed {:>4}{}",
            st.rps(),
            st.p50_ms,
            st.p99_ms,
            st.ok,
            st.failed,
            st.first_error.as_deref().map(|e| format!("  first error: {e}")).unwrap_or_default()
        );
        results.push((name, floor, st));
    };
    let cycle = |v: Vec<Req>| Source::Cycle(v, AtomicUsize::new(0));
    let st = drive(
        &client,
        &floor_base,
        cycle(vec![Req::get("/static".into(), None)]),
        concurrency,
        duration,
    )
    .await;
    run("floor_static", "", st);
    let mut insert = Req::get("/insert".into(), None);
    insert.post = true;
    insert.raw = Some(payload);
    let st = drive(
        &client,
        &floor_base,
        cycle(vec![insert]),
        concurrency,
        duration,
    )
    .await;
    run("floor_insert", "", st);

    let by_number: Vec<Req> = filed
        .iter()
        .map(|r| Req::get(format!("/api/v1/public/filings?q={}", encode(&r[0])), None))
        .collect();
    let by_name: Vec<Req> = filed
        .iter()
        .map(|r| Req::get(format!("/api/v1/public/filings?q={}", encode(&r[1])), None))
        .collect();
    let detail: Vec<Req> = ids
        .iter()
        .map(|r| Req::get(format!("/api/v1/filings/{}", r[0]), Some(&reviewer)))
        .collect();
    let review = vec![Req::get(
        "/api/v1/filings?status=platform_review&province=44&sort=due&limit=50".into(),
        Some(&reviewer),
    )];
    if wanted("public_by_number") {
        let st = drive(&client, &base, cycle(by_number), concurrency, duration).await;
        run("public_by_number", "floor_static", st);
    }
    if wanted("public_by_name") {
        let st = drive(&client, &base, cycle(by_name), concurrency, duration).await;
        run("public_by_name", "floor_static", st);
    }
    if wanted("review_queue") {
        let st = drive(&client, &base, cycle(review), concurrency, duration).await;
        run("review_queue", "floor_static", st);
    }
    if wanted("filing_detail") {
        let st = drive(&client, &base, cycle(detail), concurrency, duration).await;
        run("filing_detail", "floor_static", st);
    }
    if wanted("submit") {
        let st = drive(
            &client,
            &base,
            Source::Queue(Mutex::new(submits)),
            concurrency,
            duration,
        )
        .await;
        run("submit", "floor_insert", st);
    }
    if wanted("platform_decision") {
        let st = drive(
            &client,
            &base,
            Source::Queue(Mutex::new(decisions)),
            concurrency,
            duration,
        )
        .await;
        run("platform_decision", "floor_insert", st);
    }
    if wanted("sms_verify") {
        let st = drive(
            &client,
            &base,
            Source::Queue(Mutex::new(verifies)),
            concurrency,
            duration,
        )
        .await;
        run("sms_verify", "floor_insert", st);
    }

    let (rss, hwm) = rss_kib(server.0.id());
    println!(
        "{label:>14} server RSS {} MiB, peak {} MiB",
        rss / 1024,
        hwm / 1024
    );
    let mut broken = vec![];
    for (name, floor, st) in &results {
        let base_rps = results
            .iter()
            .find(|(n, _, _)| n == floor)
            .map(|(_, _, f)| f.rps());
        let ratio = base_rps.map(|b| st.rps() / b.max(1e-9));
        if st.ok == 0 {
            broken.push(*name);
        }
        write_line(
            &out,
            &json!({"label": label, "scenario": name, "rps": st.rps(), "p50_ms": st.p50_ms,
                    "p99_ms": st.p99_ms, "ok": st.ok, "failed": st.failed, "secs": st.secs,
                    "floor": floor, "ratio": ratio, "first_error": st.first_error,
                    "concurrency": concurrency, "rss_kib": rss, "peak_rss_kib": hwm}),
        )?;
    }
    if !broken.is_empty() {
        return Err(format!("no successful request in: {}", broken.join(", ")).into());
    }
    Ok(())
}

async fn timers(
    s: &ServerArgs,
    processes: usize,
    expect: i64,
    label: &str,
    out: Option<PathBuf>,
) -> Result<(), BoxError> {
    let db = pool(&s.db, 2).await?;
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db).await?;
            Ok::<i64, BoxError>(n)
        }
    };
    let due_before = count("SELECT COUNT(*) FROM timers WHERE kind LIKE 'sms_deadline:%'").await?;
    let start = Instant::now();
    let mut procs = vec![];
    for i in 0..processes {
        let addr = free_addr()?;
        procs.push(spawn_beian(
            s,
            &addr,
            200,
            &format!("bench-timers-{i}.log"),
            &[],
        )?);
    }
    let mut peak = 0;
    // Polls the (small) timers table: a deadline's row goes in the commit that fires
    // it. Counting the event log instead would scan it ten times a second on the same
    // two cores. The events are counted once at the end.
    while start.elapsed() < Duration::from_secs(600) {
        let left = count("SELECT COUNT(*) FROM timers WHERE kind LIKE 'sms_deadline:%'").await?;
        for p in &procs {
            peak = peak.max(rss_kib(p.0.id()).1);
        }
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    drop(procs);
    let fired = count("SELECT COUNT(*) FROM filing_events WHERE name = 'returned'").await?;
    let twice = count(
        "SELECT COUNT(*) FROM (SELECT filing_id FROM filing_events WHERE name = 'returned' \
         GROUP BY filing_id HAVING COUNT(*) > 1) x",
    )
    .await?;
    let left = count("SELECT COUNT(*) FROM timers WHERE kind LIKE 'sms_deadline:%'").await?;
    println!(
        "{label}: {processes} process(es) drained {fired}/{expect} expiries (timers before {due_before}, left {left}) \
         in {secs:.1} s (includes start-up), fired twice: {twice}, peak RSS {} MiB",
        peak / 1024
    );
    write_line(
        &out,
        &json!({"label": label, "scenario": "timers", "processes": processes, "expect": expect,
                "fired": fired, "twice": twice, "left": left, "secs": secs, "peak_rss_kib": peak}),
    )?;
    if fired != expect || twice != 0 {
        return Err(format!(
            "expected {expect} expiries fired once each, got {fired} ({twice} twice)"
        )
        .into());
    }
    Ok(())
}

/// What a recompute run loads, and where.
struct RecomputeRun {
    processes: usize,
    expect: i64,
    clock_start: String,
    year: i32,
    text: String,
    timeout: Duration,
    pg_set: Vec<String>,
}

/// A counter of a process's `/metrics` (0 when absent or unreachable).
async fn metric(client: &reqwest::Client, base: &str, series: &str) -> i64 {
    let Ok(r) = client.get(format!("{base}/metrics")).send().await else {
        return 0;
    };
    let text = r.text().await.unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(series))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as i64)
        .unwrap_or(0)
}

async fn recompute(
    s: &ServerArgs,
    run: &RecomputeRun,
    label: &str,
    out: Option<PathBuf>,
) -> Result<(), BoxError> {
    let db = pool(&s.db, 2).await?;
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db).await?;
            Ok::<i64, BoxError>(n)
        }
    };
    // Polled: the timers table (a recompute's timer row goes in the commit that fires it),
    // as `timers` polls it, and whether any due date is still provisional (the first
    // entry of the partial index). Counted before and after.
    const PROVISIONAL: &str = "SELECT COUNT(*) FROM filings WHERE due_provisional = 1";
    const ANY_PROVISIONAL: &str =
        "SELECT COUNT(*) FROM (SELECT 1 FROM filings WHERE due_provisional = 1 LIMIT 1) x";
    const TIMERS: &str = "SELECT COUNT(*) FROM timers WHERE kind = 'recompute_due'";
    let provisional_before = count(PROVISIONAL).await?;
    if !run.pg_set.is_empty() {
        if !s.db.starts_with("postgres") {
            return Err("--pg-set is for PostgreSQL".into());
        }
        let (name,): (String,) = sqlx::query_as("SELECT current_database()::text")
            .fetch_one(&db)
            .await?;
        for setting in &run.pg_set {
            let (key, value) = setting
                .split_once('=')
                .filter(|(k, _)| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .ok_or_else(|| format!("--pg-set wants NAME=VALUE: {setting}"))?;
            let value = value.replace('\'', "''");
            sqlx::query(&format!("ALTER DATABASE \"{name}\" SET {key} = '{value}'"))
                .execute(&db)
                .await?;
        }
    }
    let started = Instant::now();
    let mut procs = vec![];
    let mut bases = vec![];
    for i in 0..run.processes {
        let addr = free_addr()?;
        let extra = ["--clock-start", run.clock_start.as_str()];
        let log = format!("bench-recompute-{i}.log");
        procs.push(spawn_beian(s, &addr, 200, &log, &extra)?);
        bases.push(format!("http://{addr}"));
    }
    let client = reqwest::Client::new();
    for base in &bases {
        wait_ready(&client, &format!("{base}/readyz")).await?;
    }
    let startup_secs = started.elapsed().as_secs_f64();
    // `beian serve` created the admin from BEIAN_ADMIN_PASSWORD (spawn_beian).
    let signed: Value = client
        .post(format!("{}/api/v1/sessions", bases[0]))
        .json(&json!({"username": "admin", "password": "bench-admin-password"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = signed["token"].as_str().ok_or("sign-in gave no token")?;

    let start = Instant::now();
    let answer = client
        .post(format!(
            "{}/api/v1/admin/calendar/{}/notice",
            bases[0], run.year
        ))
        .bearer_auth(token)
        .json(&json!({"text": run.text}))
        .send()
        .await?;
    let status = answer.status();
    let answer: Value = answer.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("loading the notice: {status} {answer}").into());
    }
    let post_secs = start.elapsed().as_secs_f64();
    let scheduled = answer["loaded"]["scheduled"].as_i64().unwrap_or(-1);
    let in_request = answer["loaded"]["recomputed"].as_i64().unwrap_or(-1);
    // Done when no due date is provisional any more (every order recomputed) and no
    // recompute timer is left. The timer count is polled every 100 ms as in `timers`;
    // whether a due date is provisional when the timer count stands still, and every
    // second. A timer left once every order was recomputed is an orphan: claimed, refused
    // as stale and kept, under a lease that never ends on the stopped manual clock, so
    // nothing changes any more and the run ends 5 s after the last change. Without either,
    // the run ends at the timeout (`stalled`).
    let mut peak = 0;
    let (mut recomputed_at, mut drained_at) = (None, None);
    let (mut last, mut last_change) = (i64::MAX, Instant::now());
    let mut polls = 0u64;
    let mut stalled = true;
    while start.elapsed() < run.timeout {
        let left = count(TIMERS).await?;
        for p in &procs {
            peak = peak.max(rss_kib(p.0.id()).1);
        }
        if recomputed_at.is_none()
            && (left == last || left == 0 || polls.is_multiple_of(10))
            && count(ANY_PROVISIONAL).await? == 0
        {
            recomputed_at = Some(start.elapsed().as_secs_f64());
        }
        if recomputed_at.is_some() && left == 0 {
            drained_at = recomputed_at.map(|r| r.max(start.elapsed().as_secs_f64()));
            stalled = false;
            break;
        }
        if left != last {
            (last, last_change) = (left, Instant::now());
        } else if recomputed_at.is_some() && last_change.elapsed() > Duration::from_secs(5) {
            stalled = false;
            break;
        }
        polls += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The figure: from the notice until every order was recomputed.
    let secs = recomputed_at.unwrap_or_else(|| start.elapsed().as_secs_f64());
    let mut per_process = vec![];
    for base in &bases {
        let series = "beian_timers_fired_total{kind=\"recompute_due\"}";
        per_process.push(metric(&client, base, series).await);
    }
    drop(procs);
    let recomputed =
        count("SELECT COUNT(*) FROM filing_events WHERE name = 'due_recomputed'").await?;
    let twice = count(
        "SELECT COUNT(*) FROM (SELECT filing_id FROM filing_events WHERE name = 'due_recomputed' \
         GROUP BY filing_id HAVING COUNT(*) > 1) x",
    )
    .await?;
    let left = count(TIMERS).await?;
    let leased =
        count("SELECT COUNT(*) FROM timers WHERE kind = 'recompute_due' AND lease_until > 0")
            .await?;
    let provisional_after = count(PROVISIONAL).await?;
    println!(
        "{label}: {} process(es) recomputed {recomputed}/{} due dates in {secs:.1} s from the notice \
         (its request {post_secs:.2} s, {in_request} recomputed in it; start-up {startup_secs:.1} s \
         before), recomputed twice: {twice}; provisional before {provisional_before}, after \
         {provisional_after}; timers scheduled {scheduled}, left {left} ({leased} leased); \
         per process {per_process:?}; peak RSS {} MiB{}",
        run.processes,
        run.expect,
        peak / 1024,
        if stalled { "; STALLED" } else { "" }
    );
    if left > 0 && provisional_after == 0 {
        println!(
            "{label}: WARNING: {left} recompute_due timer(s) left for orders already recomputed \
             (orphans: stale, never deleted)"
        );
    }
    write_line(
        &out,
        &json!({"label": label, "scenario": "recompute", "processes": run.processes,
                "expect": run.expect, "provisional_before": provisional_before,
                "scheduled": scheduled, "in_request": in_request, "recomputed": recomputed,
                "twice": twice, "timers_left": left, "leased": leased,
                "provisional_after": provisional_after, "per_process": per_process,
                "secs": secs, "drain_secs": drained_at, "post_secs": post_secs,
                "startup_secs": startup_secs, "stalled": stalled, "peak_rss_kib": peak,
                "pg_set": run.pg_set}),
    )?;
    if provisional_before != run.expect
        || recomputed != run.expect
        || twice != 0
        || provisional_after != 0
    {
        return Err(format!(
            "expected {} provisional due dates recomputed once each: {provisional_before} before, \
             {recomputed} recomputed ({twice} twice), {provisional_after} still provisional",
            run.expect
        )
        .into());
    }
    Ok(())
}
