//! The tamper-evident history's reads and the daily anchors (`beian_domain::audit`).
//!
//! May import: `codec`, `keys`, `filings` (the projection), and [`SqlStore`] from `mod.rs`.

use super::codec::{ms, time};
use super::filings::filing;
use super::keys::{fetch_on, open};
use super::SqlStore;
use crate::{Anchor, AuditChain, StoreResult};
use beian_domain::audit::StoredLink;
use beian_domain::filing::Time;

pub(crate) async fn audit_ids(s: &SqlStore, since: Option<Time>) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> =
        match since {
            Some(t) => sqlx::query_as(
                "SELECT DISTINCT filing_id FROM filing_events WHERE at >= $1 ORDER BY filing_id",
            )
            .bind(ms(t))
            .fetch_all(&s.reader)
            .await?,
            None => {
                sqlx::query_as("SELECT id FROM filings ORDER BY id")
                    .fetch_all(&s.reader)
                    .await?
            }
        };
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub(crate) async fn audit_chain(s: &SqlStore, filing_id: &str) -> StoreResult<Option<AuditChain>> {
    let Some(f) = filing(s, filing_id).await? else {
        return Ok(None);
    };
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, body, hash FROM filing_events WHERE filing_id = $1 ORDER BY seq",
    )
    .bind(filing_id)
    .fetch_all(&s.reader)
    .await?;
    let ring = fetch_on(&s.reader, &s.vault, &[filing_id]).await?;
    let (erased,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM data_keys WHERE id = $1 AND destroyed_at IS NOT NULL")
            .bind(filing_id)
            .fetch_one(&s.reader)
            .await?;
    Ok(Some(AuditChain {
        erased: erased > 0,
        events: rows
            .into_iter()
            .map(|(seq, body, hash)| {
                // A body that does not open (altered ciphertext) is checked as stored:
                // its link then breaks, and verification names it.
                let body = open(&ring, "event", body.clone()).unwrap_or(body);
                StoredLink { seq, body, hash }
            })
            .collect(),
        head: f.chain_head,
        version: f.version,
    }))
}

pub(crate) async fn heads_between(
    s: &SqlStore,
    from: Time,
    to: Time,
) -> StoreResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT e.filing_id, e.hash FROM filing_events e JOIN ( \
           SELECT filing_id, MAX(seq) AS seq FROM filing_events \
           WHERE at >= $1 AND at < $2 AND hash IS NOT NULL GROUP BY filing_id \
         ) m ON m.filing_id = e.filing_id AND m.seq = e.seq ORDER BY e.filing_id",
    )
    .bind(ms(from))
    .bind(ms(to))
    .fetch_all(&s.reader)
    .await?)
}

pub(crate) async fn save_anchor(s: &SqlStore, a: &Anchor) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO audit_anchors (day, hash, previous, orders, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO NOTHING",
    )
    .bind(&a.day)
    .bind(&a.hash)
    .bind(&a.previous)
    .bind(a.orders)
    .bind(ms(a.created_at))
    .execute(s.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn anchors(s: &SqlStore, limit: Option<i64>) -> StoreResult<Vec<Anchor>> {
    let rows: Vec<(String, String, String, i64, i64)> = match limit {
        Some(n) => {
            sqlx::query_as(
                "SELECT day, hash, previous, orders, created_at FROM audit_anchors \
                 ORDER BY day DESC LIMIT $1",
            )
            .bind(n)
            .fetch_all(&s.reader)
            .await?
        }
        None => sqlx::query_as(
            "SELECT day, hash, previous, orders, created_at FROM audit_anchors ORDER BY day DESC",
        )
        .fetch_all(&s.reader)
        .await?,
    };
    let mut out: Vec<Anchor> = rows
        .into_iter()
        .map(|(day, hash, previous, orders, at)| Anchor {
            day,
            hash,
            previous,
            orders,
            created_at: time(at),
        })
        .collect();
    out.reverse();
    Ok(out)
}

/// The master key this database is written with: recorded by the first start.
pub(crate) async fn claim_key_id(s: &SqlStore, key_id: &str) -> StoreResult<String> {
    s.exec(
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('master_key_id', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(key_id),
    )
    .await?;
    let (value,): (String,) =
        sqlx::query_as("SELECT value FROM settings WHERE name = 'master_key_id'")
            .fetch_one(s.pool())
            .await?;
    Ok(value)
}
