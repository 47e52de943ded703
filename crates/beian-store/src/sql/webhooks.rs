//! Webhook subscriptions, their deliveries and the delivery log.
//!
//! May import: `codec`, and [`SqlStore`] from `mod.rs`.

use super::codec::{self, ms, qualified, DELIVERY_COLS, WEBHOOK_COLS};
use super::SqlStore;
use crate::{AttemptRow, DeliveryJob, DeliveryRow, StoreResult, WebhookAttempt, WebhookRow};
use beian_domain::filing::Time;
use sqlx::Row;

pub(crate) async fn insert_webhook(s: &SqlStore, w: &WebhookRow) -> StoreResult<()> {
    let mut tx = s.writer.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_subscriptions (id, url, secret, description, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&w.id)
    .bind(&w.url)
    .bind(&w.secret)
    .bind(w.description.clone())
    .bind(&w.created_by)
    .bind(ms(w.created_at))
    .execute(&mut *tx)
    .await?;
    for e in &w.events {
        sqlx::query(
            "INSERT INTO webhook_subscription_events (subscription_id, event_type) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&w.id)
        .bind(e)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn webhooks(s: &SqlStore) -> StoreResult<Vec<WebhookRow>> {
    let sql = format!(
        "SELECT {WEBHOOK_COLS} FROM webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id"
    );
    let rows = sqlx::query(&sql).fetch_all(&s.reader).await?;
    let mut out = vec![];
    for r in &rows {
        out.push(with_events(s, codec::webhook(r)?).await?);
    }
    Ok(out)
}

pub(crate) async fn webhook(s: &SqlStore, id: &str) -> StoreResult<Option<WebhookRow>> {
    let sql = format!("SELECT {WEBHOOK_COLS} FROM webhook_subscriptions WHERE id = $1");
    match s.read_one(&sql, id, codec::webhook).await? {
        Some(w) => Ok(Some(with_events(s, w).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn delete_webhook(s: &SqlStore, id: &str, at: Time) -> StoreResult<bool> {
    let delete = sqlx::query(
        "UPDATE webhook_subscriptions SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(ms(at))
    .bind(id);
    let Some(mut tx) = s.begin_claimed(delete).await? else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'cancelled' WHERE subscription_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(crate) async fn webhook_claim_due(
    s: &SqlStore,
    now: Time,
    lease_ms: i64,
    limit: i64,
) -> StoreResult<Vec<DeliveryJob>> {
    let outbox = ("webhook_deliveries", "next_attempt_at, id", "id");
    let rows = s.lease_due(outbox, now, lease_ms, limit).await?;
    let mut ids = rows
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort_unstable();
    let cols = qualified("d", DELIVERY_COLS);
    let sql = format!(
        "SELECT {cols}, s.url, s.secret FROM webhook_deliveries d \
         JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1"
    );
    let mut out = vec![];
    for id in ids {
        if let Some(r) = sqlx::query(&sql).bind(id).fetch_optional(s.pool()).await? {
            out.push(DeliveryJob {
                delivery: codec::delivery(&r)?,
                url: r.try_get("url")?,
                secret: r.try_get("secret")?,
            });
        }
    }
    Ok(out)
}

pub(crate) async fn webhook_record_attempt(s: &SqlStore, a: &WebhookAttempt) -> StoreResult<()> {
    let (status, delivered_at, next, failed) = match (a.delivered, a.next_attempt_at) {
        (true, _) => ("delivered", Some(ms(a.at)), ms(a.at), 0i64),
        (false, Some(n)) => ("pending", None, ms(n), 1),
        (false, None) => ("failed", None, ms(a.at), 1),
    };
    let mut tx = s.writer.begin().await?;
    let attempt: Option<(i64,)> = sqlx::query_as(
        "UPDATE webhook_deliveries SET status = $1, delivered_at = $2, next_attempt_at = $3, \
         attempts = attempts + 1, retry_count = retry_count + $4, last_status_code = $5, last_error = $6, \
         lease_until = 0 WHERE id = $7 AND lease_until = $8 AND status = 'pending' RETURNING attempts",
    )
    .bind(status)
    .bind(delivered_at)
    .bind(next)
    .bind(failed)
    .bind(a.status_code)
    .bind(a.error.clone())
    .bind(a.delivery_id)
    .bind(a.lease_until)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((attempt,)) = attempt else {
        // The lease was lost (expired and claimed again), or the
        // subscription was deleted meanwhile: this result is not recorded.
        tx.rollback().await?;
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(a.delivery_id)
    .bind(attempt)
    .bind(ms(a.at))
    .bind(a.status_code)
    .bind(a.error.clone())
    .bind(a.duration_ms)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn webhook_deliveries(
    s: &SqlStore,
    subscription_id: &str,
    before: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    let sql = format!(
        "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE subscription_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3"
    );
    s.page(&sql, subscription_id, before, limit, codec::delivery)
        .await
}

pub(crate) async fn webhook_attempts(
    s: &SqlStore,
    delivery_ids: &[i64],
) -> StoreResult<Vec<AttemptRow>> {
    let (Some(lo), Some(hi)) = (delivery_ids.iter().min(), delivery_ids.iter().max()) else {
        return Ok(vec![]);
    };
    let rows = sqlx::query(
        "SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM webhook_attempts \
         WHERE delivery_id >= $1 AND delivery_id <= $2 ORDER BY delivery_id, attempt",
    )
    .bind(*lo)
    .bind(*hi)
    .fetch_all(&s.reader)
    .await?;
    let mut out = vec![];
    for r in &rows {
        let a = codec::attempt(r)?;
        if delivery_ids.contains(&a.delivery_id) {
            out.push(a);
        }
    }
    Ok(out)
}

pub(crate) async fn webhook_delivery(s: &SqlStore, id: i64) -> StoreResult<Option<DeliveryRow>> {
    let sql = format!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&s.reader).await?;
    row.as_ref().map(codec::delivery).transpose()
}

pub(crate) async fn webhook_replay(
    s: &SqlStore,
    id: i64,
    now: Time,
) -> StoreResult<Option<DeliveryRow>> {
    // Not while an attempt is in flight, and never for a deleted subscription.
    let updated = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', retry_count = 0, next_attempt_at = $1 \
         WHERE id = $2 AND status <> 'cancelled' AND lease_until <= $1",
    )
    .bind(ms(now))
    .bind(id)
    .execute(s.pool())
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(None);
    }
    webhook_delivery(s, id).await
}

/// A subscription with the event types it asked for.
async fn with_events(s: &SqlStore, mut w: WebhookRow) -> StoreResult<WebhookRow> {
    w.events = s
        .read_texts(
            "SELECT event_type FROM webhook_subscription_events WHERE subscription_id = $1 ORDER BY event_type",
            &w.id,
        )
        .await?;
    Ok(w)
}
