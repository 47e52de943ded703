//! Notices: the inbox, the SMS outbox and its dispatch (claims, attempts, the daily
//! limit), and the reminders of SMS rounds.
//!
//! May import: `codec`, `writer` (the SMS of a notice), and [`SqlStore`] from `mod.rs`.

use super::codec::{self, arguments, ms, INBOX_COLS, SMS_COLS};
use super::keys::{self, blind_mobile, opener, ring_for};
use super::writer::{notice_sms, sms_row, SmsOf};
use super::SqlStore;
use crate::vault::{Vault, SYSTEM_KEY};
use crate::{InboxRow, SmsAttempt, SmsRow, StoreResult};
use beian_domain::filing::{Filing, Time};
use beian_domain::notify::{Channel, Notice};
use sqlx::AnyConnection;

pub(crate) async fn outbox_list(
    s: &SqlStore,
    mobile: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<SmsRow>> {
    let cols = format!("SELECT {SMS_COLS} FROM sms_outbox");
    let rows = match mobile {
        Some(m) => {
            sqlx::query(&format!(
                "{cols} WHERE mobile_index = $1 ORDER BY id DESC LIMIT $2"
            ))
            .bind(blind_mobile(&s.vault, m))
            .bind(limit)
            .fetch_all(&s.reader)
            .await?
        }
        None => {
            sqlx::query(&format!("{cols} ORDER BY id DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(&s.reader)
                .await?
        }
    };
    sms_rows(s, &rows).await
}

/// Outbox rows read, their sealed columns opened.
async fn sms_rows(s: &SqlStore, rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<SmsRow>> {
    let ring = ring_for(&s.reader, &s.vault, rows, &["mobile"]).await?;
    rows.iter().map(|r| codec::sms(r, &opener(&ring))).collect()
}

pub(crate) async fn insert_notices(s: &SqlStore, notices: &[Notice], now: Time) -> StoreResult<()> {
    let mut tx = s.writer.begin().await?;
    write_notices(&mut tx, &s.vault, notices, now).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn inbox(
    s: &SqlStore,
    user_id: &str,
    before: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<InboxRow>> {
    let sql = format!(
        "SELECT {INBOX_COLS} FROM inbox_messages WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    );
    s.page(&sql, user_id, before, limit, codec::inbox).await
}

pub(crate) async fn inbox_unread(s: &SqlStore, user_id: &str) -> StoreResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM inbox_messages WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&s.reader)
    .await?;
    Ok(n)
}

pub(crate) async fn inbox_mark_read(
    s: &SqlStore,
    user_id: &str,
    id: i64,
    at: Time,
) -> StoreResult<Option<InboxRow>> {
    s.exec(
        sqlx::query(
            "UPDATE inbox_messages SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        )
        .bind(ms(at))
        .bind(id)
        .bind(user_id),
    )
    .await?;
    let sql = format!("SELECT {INBOX_COLS} FROM inbox_messages WHERE id = $1 AND user_id = $2");
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(s.pool())
        .await?;
    row.as_ref().map(codec::inbox).transpose()
}

pub(crate) async fn sms_claim_due(
    s: &SqlStore,
    now: Time,
    lease_ms: i64,
    limit: i64,
) -> StoreResult<Vec<SmsRow>> {
    let outbox = ("sms_outbox", "id", SMS_COLS);
    let rows = s.lease_due(outbox, now, lease_ms, limit).await?;
    let mut out = sms_rows(s, &rows).await?;
    out.sort_by_key(|r| r.id);
    Ok(out)
}

pub(crate) async fn sms_record_attempt(s: &SqlStore, a: &SmsAttempt) -> StoreResult<()> {
    let (status, sent_at, next) = match (a.sent, a.next_attempt_at) {
        (true, _) => ("sent", Some(ms(a.at)), ms(a.at)),
        (false, Some(n)) => ("pending", None, ms(n)),
        (false, None) => ("failed", None, ms(a.at)),
    };
    // A settled message keeps no provider params: they may hold the code.
    let params = if status == "pending" {
        "params"
    } else {
        "NULL"
    };
    let sql = format!(
        "UPDATE sms_outbox SET status = $1, sent_at = $2, attempts = attempts + 1, last_error = $3, \
         next_attempt_at = $4, lease_until = 0, params = {params} WHERE id = $5 AND lease_until = $6"
    );
    s.exec(
        sqlx::query(&sql)
            .bind(status)
            .bind(sent_at)
            .bind(a.error.clone())
            .bind(next)
            .bind(a.id)
            .bind(a.lease_until),
    )
    .await
}

pub(crate) async fn sms_count_daily(
    s: &SqlStore,
    mobile: &str,
    day: &str,
    limit: u32,
) -> StoreResult<bool> {
    if limit == 0 {
        return Ok(true);
    }
    let counted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO sms_daily_counts (mobile, day, sent) VALUES ($1, $2, 1) ON CONFLICT (mobile, day) \
         DO UPDATE SET sent = sms_daily_counts.sent + 1 WHERE sms_daily_counts.sent < $3 RETURNING sent",
    )
    .bind(blind_mobile(&s.vault, mobile))
    .bind(day)
    .bind(i64::from(limit))
    .fetch_optional(s.pool())
    .await?;
    Ok(counted.is_some())
}

pub(crate) async fn sms_reminders_due(
    s: &SqlStore,
    now: Time,
    ahead_ms: i64,
    limit: i64,
) -> StoreResult<Vec<Filing>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT f.state FROM filings f WHERE f.status = 'sms_verification' AND f.due_at IS NOT NULL \
         AND f.due_at <= $1 AND f.due_at > $2 AND NOT EXISTS (SELECT 1 FROM sms_reminders r \
         WHERE r.filing_id = f.id AND r.deadline = f.due_at) ORDER BY f.due_at, f.id LIMIT $3",
    )
    .bind(ms(now) + ahead_ms)
    .bind(ms(now))
    .bind(limit)
    .fetch_all(s.pool())
    .await?;
    s.open_states(rows.into_iter().map(|(s,)| s).collect())
        .await
}

pub(crate) async fn record_sms_reminder(
    s: &SqlStore,
    filing_id: &str,
    deadline: Time,
    notices: &[Notice],
    now: Time,
) -> StoreResult<bool> {
    let claim = sqlx::query(
        "INSERT INTO sms_reminders (filing_id, deadline, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(filing_id)
    .bind(ms(deadline))
    .bind(ms(now));
    let Some(mut tx) = s.begin_claimed(claim).await? else {
        return Ok(false);
    };
    write_notices(&mut tx, &s.vault, notices, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// One SMS into the outbox (the columns of `writer::sms_row`), sealed.
async fn insert_sms(tx: &mut AnyConnection, v: &Vault, sms: SmsOf<'_>) -> StoreResult<()> {
    let key = sms.0.unwrap_or(SYSTEM_KEY);
    let ring = keys::ensure(&mut *tx, v, &[key], ms(sms.3)).await?;
    sqlx::query_with(
        "INSERT INTO sms_outbox (filing_id, mobile, body, created_at, kind, template, params, status, attempts, \
         next_attempt_at, lease_until, mobile_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        arguments(sms_row(v, &ring, sms)),
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records notices: inbox messages, and template SMS in the outbox.
pub(crate) async fn write_notices(
    tx: &mut AnyConnection,
    v: &Vault,
    notices: &[Notice],
    now: Time,
) -> StoreResult<()> {
    for n in notices {
        match n.channel {
            Channel::Inbox => {
                sqlx::query(
                    "INSERT INTO inbox_messages (user_id, template, title, body, filing_id, appid, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&n.to)
                .bind(&n.template)
                .bind(&n.title)
                .bind(&n.body)
                .bind(n.filing_id.clone())
                .bind(n.appid.clone())
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
            }
            Channel::Sms => {
                let sms = notice_sms(n);
                insert_sms(&mut *tx, v, (n.filing_id.as_deref(), "notice", &sms, now)).await?;
            }
        }
    }
    Ok(())
}
