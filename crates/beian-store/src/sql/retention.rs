//! Erasure after the retention period (`beian_domain::retention`): an order's data key
//! destroyed with its state redacted in one transaction, and uploads marked erased once
//! their objects are deleted. Each step applies once, whichever process gets there.
//!
//! May import: `codec`, `keys`, and [`SqlStore`] from `mod.rs`.

use super::codec::{ms, time, to_json, Binder};
use super::SqlStore;
use crate::{RetentionRow, StoreResult};
use beian_domain::filing::{Filing, Time};
use sqlx::Row;

pub(crate) async fn candidates(s: &SqlStore, ended_before: Time) -> StoreResult<Vec<RetentionRow>> {
    let rows = sqlx::query(
        "SELECT f.id, f.kind, f.status, f.updated_at, \
         (SELECT COUNT(*) FROM data_keys k WHERE k.id = f.id AND k.destroyed_at IS NOT NULL) AS erased \
         FROM filings f WHERE f.updated_at < $1 ORDER BY f.id",
    )
    .bind(ms(ended_before))
    .fetch_all(&s.reader)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(RetentionRow {
            filing_id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            status: r.try_get("status")?,
            ended_at: time(r.try_get("updated_at")?),
            erased: r.try_get::<i64, _>("erased")? > 0,
            photos: vec![],
        });
    }
    // Each order's place in `out`, to attach its photos without a search per photo.
    let at: std::collections::HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, r)| (r.filing_id.clone(), i))
        .collect();
    let ids: Vec<String> = out.iter().map(|r| r.filing_id.clone()).collect();
    for chunk in ids.chunks(500) {
        let mut b = Binder::default();
        let sql = format!(
            "SELECT t.filing_id, t.photo FROM face_tasks t JOIN media m ON m.id = t.photo \
             WHERE t.filing_id IN ({}) AND m.erased_at IS NULL ORDER BY t.filing_id, t.photo",
            b.list(chunk)
        );
        for r in sqlx::query_with(&sql, b.into_args())
            .fetch_all(&s.reader)
            .await?
        {
            let (id, photo): (String, String) = (r.try_get("filing_id")?, r.try_get("photo")?);
            if let Some(&i) = at.get(&id) {
                out[i].photos.push(photo);
            }
        }
    }
    Ok(out)
}

pub(crate) async fn erase_order(s: &SqlStore, redacted: &Filing, now: Time) -> StoreResult<bool> {
    let id = redacted.id.as_str();
    // The key first: whoever destroys it does the rest, once.
    let destroy = sqlx::query(
        "UPDATE data_keys SET wrapped = '', destroyed_at = $1 WHERE id = $2 AND destroyed_at IS NULL",
    )
    .bind(ms(now))
    .bind(id);
    let Some(mut tx) = s.begin_claimed(destroy).await? else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE filings SET state = $1, sp_mobile = NULL, mp_mobile = NULL, subject_key = NULL \
         WHERE id = $2",
    )
    .bind(to_json(redacted))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM sms_lookup WHERE filing_id = $1",
        "DELETE FROM sms_outbox WHERE filing_id = $1",
        "UPDATE face_tasks SET identity_number = NULL, name = NULL WHERE filing_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    s.vault.forget(id);
    Ok(true)
}

pub(crate) async fn media_shared(s: &SqlStore, media_id: &str) -> StoreResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM media o JOIN media m ON m.sha256 = o.sha256 \
         WHERE o.id = $1 AND m.id <> o.id AND m.erased_at IS NULL",
    )
    .bind(media_id)
    .fetch_one(&s.reader)
    .await?;
    Ok(n > 0)
}

pub(crate) async fn mark_media_erased(
    s: &SqlStore,
    media_id: &str,
    now: Time,
) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE media SET erased_at = $1 WHERE id = $2 AND erased_at IS NULL")
        .bind(ms(now))
        .bind(media_id)
        .execute(s.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A reading's value once erased: not NULL, which would mean "not read yet" and have it
/// read again.
pub(crate) const ERASED_READING: &str = "erased";

pub(crate) async fn erase_readings(s: &SqlStore, uploaded_before: Time) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE media SET reading = $1 WHERE reading IS NOT NULL AND reading <> $1 AND created_at < $2",
    )
    .bind(ERASED_READING)
    .bind(ms(uploaded_before))
    .execute(s.pool())
    .await?;
    Ok(done.rows_affected())
}
