//! The daily deadline sweep: its candidates, its once-a-day run with the warnings,
//! clearances, notices and webhooks it decides, and what it recorded.
//!
//! May import: `codec`, `outbox` (notices), `writer` (webhook fan-out), and
//! [`SqlStore`] from `mod.rs`.

use super::codec::{ms, time};
use super::outbox::write_notices;
use super::writer::fan_out;
use super::SqlStore;
use crate::{ClearanceRow, StoreResult, SweepBuild, SweepWrite};
use beian_domain::calendar::china_offset;
use beian_domain::deadline::SweepApp;
use beian_domain::filing::Time;
use beian_domain::gating::RecordState;
use sqlx::{AnyConnection, Row};

pub(crate) async fn sweep_candidates(s: &SqlStore) -> StoreResult<Vec<SweepApp>> {
    let mut conn = s.pool().acquire().await?;
    sweep_apps(&mut conn).await
}

pub(crate) async fn run_daily_sweep(
    s: &SqlStore,
    job: &str,
    day: &str,
    now: Time,
    build: SweepBuild,
) -> StoreResult<Option<SweepWrite>> {
    // The (job, day) key makes the run once per day across processes: a
    // concurrent run waits on it and then finds it taken.
    let claim = sqlx::query(
        "INSERT INTO job_runs (job, day, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(job)
    .bind(day)
    .bind(ms(now));
    let Some(mut tx) = s.begin_claimed(claim).await? else {
        return Ok(None);
    };
    let apps = sweep_apps(&mut tx).await?;
    let w = build(apps);
    for warning in &w.plan.warnings {
        sqlx::query(
            "INSERT INTO deadline_warnings (appid, threshold, day, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&warning.appid)
        .bind(i64::from(warning.threshold))
        .bind(day)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
    }
    for c in &w.plan.clearances {
        sqlx::query(
            "INSERT INTO app_clearances (appid, action, day, cleared_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&c.appid)
        .bind(&w.action)
        .bind(day)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
    }
    write_notices(&mut tx, &s.vault, &w.notices, now).await?;
    fan_out(&mut tx, &w.webhooks, now).await?;
    sqlx::query("UPDATE job_runs SET summary = $1 WHERE job = $2 AND day = $3")
        .bind(format!(
            "{} warnings, {} clearances",
            w.plan.warnings.len(),
            w.plan.clearances.len()
        ))
        .bind(job)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(w))
}

pub(crate) async fn job_ran(s: &SqlStore, job: &str, day: &str) -> StoreResult<bool> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT day FROM job_runs WHERE job = $1 AND day = $2")
            .bind(job)
            .bind(day)
            .fetch_optional(&s.reader)
            .await?;
    Ok(row.is_some())
}

pub(crate) async fn app_clearance(s: &SqlStore, appid: &str) -> StoreResult<Option<ClearanceRow>> {
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT appid, action, day, cleared_at FROM app_clearances WHERE appid = $1",
    )
    .bind(appid)
    .fetch_optional(&s.reader)
    .await?;
    Ok(row.map(|(appid, action, day, at)| ClearanceRow {
        appid,
        action,
        day,
        cleared_at: time(at),
    }))
}

pub(crate) async fn deadline_warnings(s: &SqlStore, appid: &str) -> StoreResult<Vec<u32>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT threshold FROM deadline_warnings WHERE appid = $1 ORDER BY threshold DESC",
    )
    .bind(appid)
    .fetch_all(&s.reader)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t,)| u32::try_from(t).ok())
        .collect())
}

/// The listed apps without a service record: the only ones the sweep's plan acts on
/// (a filed or cancelled app is past gating), so the filed apps, nearly all of them at
/// scale, are not loaded into memory once a day.
async fn sweep_apps(conn: &mut AnyConnection) -> StoreResult<Vec<SweepApp>> {
    use futures_util::TryStreamExt;
    let warned: Vec<(String, i64)> =
        sqlx::query_as("SELECT appid, threshold FROM deadline_warnings ORDER BY appid")
            .fetch_all(&mut *conn)
            .await?;
    let mut warned_by_app: std::collections::HashMap<String, Vec<u32>> = Default::default();
    for (appid, t) in warned {
        if let Ok(t) = u32::try_from(t) {
            warned_by_app.entry(appid).or_default().push(t);
        }
    }
    // Streamed: only the SweepApps are held, not every row's buffers at once.
    let mut rows = sqlx::query(
        "SELECT a.appid, a.name, a.owner_id, a.listed, a.registered_at, s.status AS record_status, \
         c.appid AS cleared_appid FROM apps a LEFT JOIN service_records s ON s.appid = a.appid \
         LEFT JOIN app_clearances c ON c.appid = a.appid WHERE a.listed = 1 AND s.appid IS NULL \
         ORDER BY a.appid",
    )
    .fetch(&mut *conn);
    let mut out = vec![];
    while let Some(r) = rows.try_next().await? {
        let appid: String = r.try_get("appid")?;
        let record = match r.try_get::<Option<String>, _>("record_status")?.as_deref() {
            Some("active") => RecordState::Active,
            Some(_) => RecordState::Cancelled,
            None => RecordState::None,
        };
        out.push(SweepApp {
            warned: warned_by_app.remove(&appid).unwrap_or_default(),
            name: r.try_get("name")?,
            owner_id: r.try_get("owner_id")?,
            listed: r.try_get::<i64, _>("listed")? != 0,
            registered_on: time(r.try_get("registered_at")?)
                .with_timezone(&china_offset())
                .date_naive(),
            record,
            cleared: r.try_get::<Option<String>, _>("cleared_appid")?.is_some(),
            appid,
        });
    }
    Ok(out)
}
