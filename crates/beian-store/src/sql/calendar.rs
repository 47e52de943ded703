//! Holiday notices loaded at run time (domain.md §11.5) and the scheduling of the due dates
//! they make count again (§11.4).
//!
//! May import: `codec`.

use super::codec::{ms, time};
use crate::{StoreResult, StoredNotice};
use beian_domain::filing::{Time, RECOMPUTE_DUE};
use sqlx::{AnyPool, Row};

/// Every stored notice, by year.
pub(crate) async fn notices(pool: &AnyPool) -> StoreResult<Vec<StoredNotice>> {
    let rows = sqlx::query(
        "SELECT year, data, notice_text, loaded_at, loaded_by FROM calendar_notices ORDER BY year",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredNotice {
                year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default(),
                data: r.try_get("data")?,
                notice_text: r.try_get("notice_text")?,
                loaded_at: time(r.try_get("loaded_at")?),
                loaded_by: r.try_get("loaded_by")?,
            })
        })
        .collect()
}

/// A number that changes whenever a notice is stored: processes poll it to reload.
pub(crate) async fn version(pool: &AnyPool) -> StoreResult<i64> {
    let (max, count): (Option<i64>, i64) =
        sqlx::query_as("SELECT MAX(loaded_at), COUNT(*) FROM calendar_notices")
            .fetch_one(pool)
            .await?;
    Ok(max.unwrap_or(0).wrapping_add(count))
}

/// Stores a year's notice; false when the year is stored already (nothing is written).
pub(crate) async fn save(pool: &AnyPool, n: &StoredNotice) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO calendar_notices (year, data, notice_text, loaded_at, loaded_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(n.year))
    .bind(&n.data)
    .bind(&n.notice_text)
    .bind(ms(n.loaded_at))
    .bind(&n.loaded_by)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives every open order whose due date is provisional and falls before `before` (the
/// start of the first year still projected) a recompute timer due now, unless it has one.
/// The timers are claimed and fired like every other (leases, one process each), and the
/// domain's decision is idempotent, so each order is counted again exactly once.
pub(crate) async fn schedule_recompute(
    pool: &AnyPool,
    postgres: bool,
    before: Time,
    now: Time,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "INSERT INTO timers (filing_id, kind, due_at, lease_until) \
         SELECT id, $1, $2, 0 FROM filings WHERE due_provisional = 1 AND due_at < $3 \
         ON CONFLICT (filing_id, kind) DO NOTHING",
    )
    .bind(RECOMPUTE_DUE)
    .bind(ms(now))
    .bind(ms(before))
    .execute(pool)
    .await?;
    let scheduled = done.rows_affected();
    // A notice can schedule 100 k timers at once. Until autovacuum next analyses the table,
    // PostgreSQL plans the claim as if the table were as small as before and the claims
    // crawl; the statistics are refreshed here instead (a sample, well under a second).
    if postgres && scheduled >= ANALYZE_AFTER {
        sqlx::query("ANALYZE timers").execute(pool).await?;
    }
    Ok(scheduled)
}

/// Deletes the recompute timers of `filing_ids` whose order's due date is settled.
pub(crate) async fn drop_settled(pool: &AnyPool, filing_ids: &[String]) -> StoreResult<u64> {
    let mut dropped = 0;
    for id in filing_ids {
        let done = sqlx::query(
            "DELETE FROM timers WHERE filing_id = $1 AND kind = $2 \
             AND EXISTS (SELECT 1 FROM filings WHERE id = $1 AND due_provisional = 0)",
        )
        .bind(id)
        .bind(RECOMPUTE_DUE)
        .execute(pool)
        .await?;
        dropped += done.rows_affected();
    }
    Ok(dropped)
}

/// Scheduled timers from which the table's statistics are refreshed at once.
const ANALYZE_AFTER: u64 = 1_000;

/// How many open orders have a provisional due date before `before`, and the first
/// `limit` of them by due date, their states as stored (the preview of a notice lists
/// what it would move).
pub(crate) async fn provisional(
    pool: &AnyPool,
    before: Time,
    limit: i64,
) -> StoreResult<(u64, Vec<String>)> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM filings WHERE due_provisional = 1 AND due_at < $1")
            .bind(ms(before))
            .fetch_one(pool)
            .await?;
    let rows = sqlx::query(
        "SELECT state FROM filings WHERE due_provisional = 1 AND due_at < $1 \
         ORDER BY due_at, id LIMIT $2",
    )
    .bind(ms(before))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(r.try_get::<String, _>("state")?);
    }
    Ok((u64::try_from(count).unwrap_or_default(), out))
}
