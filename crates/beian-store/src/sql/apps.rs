//! The host's mini programs and their filed records: service and subject records,
//! a subject's quota, and the subject reads of a submission's validation.
//!
//! May import: `codec`, `facts` (where principal mobiles live), and [`SqlStore`] from
//! `mod.rs`.

use super::codec::{self, map_err, ms, to_json, Binder, APP_COLS};
use super::facts::{blinded, MOBILE_SOURCES};
use super::keys::{self, opener, ring_for};
use super::SqlStore;
use crate::vault::{Vault, SYSTEM_KEY};
use crate::{AppRow, ServiceRecord, StoreError, StoreResult, SubjectRecord};
use sqlx::{AnyConnection, Row};

pub(crate) async fn insert_app(s: &SqlStore, a: &AppRow) -> StoreResult<()> {
    insert_app_on(&mut *s.pool().acquire().await?, &s.vault, a).await
}

pub(crate) async fn app(s: &SqlStore, appid: &str) -> StoreResult<Option<AppRow>> {
    let sql = format!("SELECT {APP_COLS} FROM apps WHERE appid = $1");
    let rows = sqlx::query(&sql).bind(appid).fetch_all(&s.reader).await?;
    Ok(app_rows(s, &rows).await?.pop())
}

/// App rows read, the owner's name (which may be a person's) opened.
async fn app_rows(s: &SqlStore, rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<AppRow>> {
    let ring = ring_for(&s.reader, &s.vault, rows, &["owner_name"]).await?;
    rows.iter().map(|r| codec::app(r, &opener(&ring))).collect()
}

pub(crate) async fn list_apps(s: &SqlStore, owner: Option<&str>) -> StoreResult<Vec<AppRow>> {
    let rows = match owner {
        Some(o) => {
            let sql = format!("SELECT {APP_COLS} FROM apps WHERE owner_id = $1 ORDER BY appid");
            sqlx::query(&sql).bind(o).fetch_all(&s.reader).await?
        }
        None => {
            let sql = format!("SELECT {APP_COLS} FROM apps ORDER BY appid");
            sqlx::query(&sql).fetch_all(&s.reader).await?
        }
    };
    app_rows(s, &rows).await
}

pub(crate) async fn service_record(
    s: &SqlStore,
    appid: &str,
) -> StoreResult<Option<ServiceRecord>> {
    let rows = sqlx::query(
        "SELECT appid, subject_key, subject_number, service_number, mini_program_name, status, filed_at, document \
         FROM service_records WHERE appid = $1",
    )
    .bind(appid)
    .fetch_all(&s.reader)
    .await?;
    let ring = ring_for(&s.reader, &s.vault, &rows, &["document"]).await?;
    rows.first()
        .map(|r| codec::service_record(r, &opener(&ring)))
        .transpose()
}

pub(crate) async fn subject_record(
    s: &SqlStore,
    subject_key: &str,
) -> StoreResult<Option<SubjectRecord>> {
    let rows = sqlx::query(
        "SELECT subject_key, province, subject_number, subject_name, sealed_name, next_service_index, \
         status FROM subject_records WHERE subject_key = $1",
    )
    .bind(subject_key)
    .fetch_all(&s.reader)
    .await?;
    let ring = ring_for(&s.reader, &s.vault, &rows, &["sealed_name"]).await?;
    rows.first()
        .map(|r| codec::subject_record(r, &opener(&ring)))
        .transpose()
}

pub(crate) async fn quota_used(s: &SqlStore, subject_key: &str, except: &str) -> StoreResult<u32> {
    // One statement (one round trip) for both counts.
    let (used,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM service_records WHERE subject_key = $1 AND status = 'active') \
         + (SELECT COUNT(*) FROM filings WHERE open_subject_key = $1 AND kind = 'new' AND id <> $2)",
    )
    .bind(subject_key)
    .bind(except)
    .fetch_one(&s.reader)
    .await?;
    Ok(used as u32)
}

pub(crate) async fn active_service_names(
    s: &SqlStore,
    subject_key: &str,
    except_appid: &str,
) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT mini_program_name FROM service_records WHERE subject_key = $1 AND status = 'active' \
         AND appid <> $2 ORDER BY appid",
    )
    .bind(subject_key)
    .bind(except_appid)
    .fetch_all(&s.reader)
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

pub(crate) async fn mobiles_of_other_subjects(
    s: &SqlStore,
    mobiles: &[String],
    subject_key: &str,
) -> StoreResult<Vec<String>> {
    if mobiles.is_empty() {
        return Ok(vec![]);
    }
    let (blinds, back) = blinded(&s.vault, mobiles);
    let mut b = Binder::default();
    let k = b.text(subject_key);
    let list = b.list(&blinds);
    let sql = MOBILE_SOURCES
        .iter()
        .map(|(table, key, m, live)| {
            format!(
                "SELECT {m} AS m FROM {table} WHERE {live} AND {key} <> {k} AND {m} IN ({list})"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ");
    let rows = sqlx::query_with(&sql, b.into_args())
        .fetch_all(&s.reader)
        .await?;
    let mut found: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String, _>("m"))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter_map(|m| back.get(&m).cloned())
        .collect();
    found.sort();
    found.dedup();
    Ok(found)
}

/// The app row, as both `insert_app` and the seeding batches write it.
pub(crate) async fn insert_app_on(
    conn: &mut AnyConnection,
    v: &Vault,
    a: &AppRow,
) -> StoreResult<()> {
    // The name the app is registered for may be a person's: sealed with the system key.
    let ring = keys::ensure(&mut *conn, v, &[SYSTEM_KEY], ms(a.created_at)).await?;
    let owner = a
        .owner_name
        .as_ref()
        .map(|n| keys::seal(v, &ring, SYSTEM_KEY, "owner_name", n));
    sqlx::query(
        "INSERT INTO apps (appid, name, owner_id, listed, owner_name, registered_at, preconditions, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.appid)
    .bind(&a.name)
    .bind(&a.owner_id)
    .bind(i64::from(a.listed))
    .bind(owner)
    .bind(ms(a.registered_at))
    .bind(to_json(&a.preconditions))
    .bind(ms(a.created_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| match map_err(e) {
        StoreError::Db(sqlx::Error::Database(db)) if db.is_unique_violation() => StoreError::AppidTaken,
        other => other,
    })?;
    Ok(())
}
