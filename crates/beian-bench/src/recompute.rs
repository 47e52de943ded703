//! `recompute`: the time until a loaded notice's due dates were all counted again.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::driver::{rss_kib, write_line};
use crate::server::{count_of, free_addr, pool, spawn_beian, wait_ready};
use crate::{BoxError, ServerArgs};

/// What a recompute run loads, and where.
pub(crate) struct RecomputeRun {
    pub(crate) processes: usize,
    pub(crate) expect: i64,
    pub(crate) clock_start: String,
    pub(crate) year: i32,
    pub(crate) text: String,
    pub(crate) timeout: Duration,
    pub(crate) pg_set: Vec<String>,
}

/// A counter of a process's `/metrics` (0 when absent or unreachable).
pub(crate) async fn metric(client: &reqwest::Client, base: &str, series: &str) -> i64 {
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

pub(crate) async fn recompute(
    s: &ServerArgs,
    run: &RecomputeRun,
    label: &str,
    out: Option<PathBuf>,
) -> Result<(), BoxError> {
    let db = pool(&s.db, 2).await?;
    let count = |sql: &'static str| count_of(&db, sql);
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
