//! `timers`: the time until every expired SMS round fired, exactly once.

use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::driver::{rss_kib, write_line};
use crate::server::{count_of, free_addr, pool, spawn_beian};
use crate::{BoxError, ServerArgs};

pub(crate) async fn timers(
    s: &ServerArgs,
    processes: usize,
    expect: i64,
    label: &str,
    out: Option<PathBuf>,
) -> Result<(), BoxError> {
    let db = pool(&s.db, 2).await?;
    let count = |sql: &'static str| count_of(&db, sql);
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
