//! `load`: each scenario against `beian serve`, as ratios to the floor of the same run.

use serde_json::json;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;
use std::time::Duration;

use crate::driver::{drive, encode, rss_kib, session, strings, write_line, Req, Source, Stats};
use crate::server::{free_addr, pool, spawn_beian, wait_ready, Proc};
use crate::{BoxError, ServerArgs};

pub(crate) async fn load(
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
    // Orders waiting for their SMS, with their recipients: the states are sealed, so
    // they are read through the store with the data directory's master key.
    let sms_ids: Vec<String> = strings(
        &db,
        "SELECT id FROM filings WHERE status = 'sms_verification' AND kind = 'new' ORDER BY id LIMIT 20000",
    )
    .await?
    .into_iter()
    .map(|r| r[0].clone())
    .collect();
    let sms = {
        use beian_store::prelude::*;
        let mut config = beian_server::config::Config::new(s.data_dir.clone());
        config.db = Some(s.db.clone());
        // The master key the seeder and the server were given (BEIAN_MASTER_KEY…).
        config.security =
            beian_server::config::SecurityConfig::from_env(|k| std::env::var(k).ok())?;
        let store = beian_server::startup::open_store(&config).await?;
        store.filings_by_ids(&sms_ids).await?
    };
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
        .filter_map(|f| {
            let r = f.sms.as_ref()?.recipients.first()?;
            Some(Req::post(
                "/api/v1/miit/sms-verify".into(),
                None,
                json!({"mobile": r.mobile, "certificate_last6": r.last6, "code": "246810"}),
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
    let scenarios = [
        ("public_by_number", "floor_static", cycle(by_number)),
        ("public_by_name", "floor_static", cycle(by_name)),
        ("review_queue", "floor_static", cycle(review)),
        ("filing_detail", "floor_static", cycle(detail)),
        ("submit", "floor_insert", Source::Queue(Mutex::new(submits))),
        (
            "platform_decision",
            "floor_insert",
            Source::Queue(Mutex::new(decisions)),
        ),
        (
            "sms_verify",
            "floor_insert",
            Source::Queue(Mutex::new(verifies)),
        ),
    ];
    for (name, floor, source) in scenarios {
        if wanted(name) {
            let st = drive(&client, &base, source, concurrency, duration).await;
            run(name, floor, st);
        }
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
