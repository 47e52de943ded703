//! Uploads and face verification tasks.
//!
//! May import: `codec`, `keys`, and [`SqlStore`] from `mod.rs`.

use super::codec::{self, failed_checks, json, ms, Binder, FACE_COLS};
use super::keys::{self, opener, ring_for};
use super::SqlStore;
use crate::vault::Vault;
use crate::{FaceTaskRow, MediaInfo, MediaRow, StoreError, StoreResult, Time};
use sqlx::{AnyConnection, Row};

pub(crate) async fn insert_media(s: &SqlStore, m: &MediaRow) -> StoreResult<()> {
    insert_media_on(&mut *s.pool().acquire().await?, m, None).await
}

pub(crate) async fn media(s: &SqlStore, id: &str) -> StoreResult<Option<MediaRow>> {
    s.read_one(
        "SELECT id, owner_id, purpose, content_type, size, sha256, width, height, checks, created_at FROM media WHERE id = $1",
        id,
        codec::media,
    )
    .await
}

pub(crate) async fn insert_face_task(s: &SqlStore, t: &FaceTaskRow) -> StoreResult<()> {
    insert_face_task_on(&mut *s.pool().acquire().await?, &s.vault, t).await
}

pub(crate) async fn face_task(s: &SqlStore, id: &str) -> StoreResult<Option<FaceTaskRow>> {
    let sql = format!("SELECT {FACE_COLS} FROM face_tasks WHERE id = $1");
    let rows = sqlx::query(&sql).bind(id).fetch_all(&s.reader).await?;
    let ring = ring_for(&s.reader, &s.vault, &rows, &["identity_number", "name"]).await?;
    rows.first()
        .map(|r| codec::face(r, &opener(&ring)))
        .transpose()
}

pub(crate) async fn update_face_task(s: &SqlStore, t: &FaceTaskRow) -> StoreResult<()> {
    let mut conn = s.pool().acquire().await?;
    let (number, name) = sealed_identity(&mut conn, &s.vault, t).await?;
    sqlx::query(
        "UPDATE face_tasks SET status = $1, identity_type = $2, identity_number = $3, name = $4, photo = $5 WHERE id = $6",
    )
    .bind(&t.status)
    .bind(t.identity_type)
    .bind(number)
    .bind(name)
    .bind(t.photo.clone())
    .bind(&t.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The identity a face task checked (certificate number, name), sealed with its order's key.
async fn sealed_identity(
    conn: &mut AnyConnection,
    v: &Vault,
    t: &FaceTaskRow,
) -> StoreResult<(Option<String>, Option<String>)> {
    let id = t.filing_id.as_str();
    let ring = keys::ensure(conn, v, &[id], ms(t.created_at)).await?;
    let seal = |x: &Option<String>| x.as_ref().map(|x| keys::seal(v, &ring, id, "face", x));
    Ok((seal(&t.identity_number), seal(&t.name)))
}

pub(crate) async fn media_info(s: &SqlStore, ids: &[String]) -> StoreResult<Vec<MediaInfo>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut b = Binder::default();
    let sql = format!(
        "SELECT id, owner_id, content_type, certificate_type, checks, reading FROM media WHERE id IN ({}) ORDER BY id",
        b.list(ids)
    );
    let rows = sqlx::query_with(&sql, b.into_args())
        .fetch_all(&s.reader)
        .await?;
    let ring = ring_for(&s.reader, &s.vault, &rows, &["reading"]).await?;
    let open = opener(&ring);
    rows.iter()
        .map(|r| {
            let checks: serde_json::Value = json(&r.try_get::<String, _>("checks")?)?;
            let reading: Option<String> = r
                .try_get::<Option<String>, _>("reading")?
                .filter(|v| v != super::retention::ERASED_READING);
            Ok(MediaInfo {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                content_type: r.try_get("content_type")?,
                certificate_type: r.try_get("certificate_type")?,
                failed_checks: failed_checks(&checks),
                reading: reading
                    .map(|v| open("reading", v).and_then(|j| json(&j)))
                    .transpose()?,
            })
        })
        .collect()
}

/// Sealed with the system key: an upload belongs to no order until a document names it.
pub(crate) async fn set_media_reading(
    s: &SqlStore,
    id: &str,
    reading: &beian_domain::ocr::Reading,
) -> StoreResult<()> {
    let plain = serde_json::to_string(reading).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sealed = s.seal_system("reading", &plain).await?;
    s.exec(
        sqlx::query("UPDATE media SET reading = $1 WHERE id = $2")
            .bind(sealed)
            .bind(id),
    )
    .await
}

pub(crate) async fn media_readings(
    s: &SqlStore,
    ids: &[String],
) -> StoreResult<Vec<(String, beian_domain::ocr::Reading)>> {
    Ok(media_info(s, ids)
        .await?
        .into_iter()
        .filter_map(|m| m.reading.map(|r| (m.id, r)))
        .collect())
}

pub(crate) async fn media_unread(
    s: &SqlStore,
    purposes: &[&str],
    since: Time,
    limit: i64,
) -> StoreResult<Vec<(MediaRow, Option<i64>)>> {
    if purposes.is_empty() {
        return Ok(vec![]);
    }
    let mut b = Binder::default();
    let purposes: Vec<String> = purposes.iter().map(|p| p.to_string()).collect();
    let list = b.list(&purposes);
    let (at, n) = (b.int(ms(since)), b.int(limit));
    let sql = format!(
        "SELECT id, owner_id, purpose, content_type, size, sha256, width, height, checks, created_at, certificate_type \
         FROM media WHERE reading IS NULL AND purpose IN ({list}) AND created_at >= {at} ORDER BY created_at LIMIT {n}"
    );
    let rows = sqlx::query_with(&sql, b.into_args())
        .fetch_all(&s.reader)
        .await?;
    rows.iter()
        .map(|r| Ok((codec::media(r)?, r.try_get("certificate_type")?)))
        .collect()
}

pub(crate) async fn set_media_certificate_type(
    s: &SqlStore,
    id: &str,
    certificate_type: i64,
) -> StoreResult<()> {
    s.exec(
        sqlx::query("UPDATE media SET certificate_type = $1 WHERE id = $2")
            .bind(certificate_type)
            .bind(id),
    )
    .await
}

/// The upload row, as both `insert_media` and the seeding batches write it.
pub(crate) async fn insert_media_on(
    conn: &mut AnyConnection,
    m: &MediaRow,
    certificate_type: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO media (id, owner_id, purpose, content_type, size, sha256, width, height, checks, created_at, \
         certificate_type) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&m.id)
    .bind(&m.owner_id)
    .bind(&m.purpose)
    .bind(&m.content_type)
    .bind(m.size)
    .bind(&m.sha256)
    .bind(m.width)
    .bind(m.height)
    .bind(m.checks.to_string())
    .bind(ms(m.created_at))
    .bind(certificate_type)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The face task row, as both `insert_face_task` and the seeding batches write it.
pub(crate) async fn insert_face_task_on(
    conn: &mut AnyConnection,
    v: &Vault,
    t: &FaceTaskRow,
) -> StoreResult<()> {
    let (number, name) = sealed_identity(&mut *conn, v, t).await?;
    sqlx::query(&format!(
        "INSERT INTO face_tasks ({FACE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&t.id)
    .bind(&t.filing_id)
    .bind(&t.owner_id)
    .bind(&t.status)
    .bind(ms(t.created_at))
    .bind(t.identity_type)
    .bind(number)
    .bind(name)
    .bind(t.photo.clone())
    .bind(t.consumed_by.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
