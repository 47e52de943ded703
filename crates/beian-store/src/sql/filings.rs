//! Orders: their projection rows and event logs, lists, commits, timers, and the
//! order reads of a submission's validation.
//!
//! May import: `codec`, `list`, `effects`, `writer`, and [`SqlStore`] from `mod.rs`.

use super::codec::{self, json, lock_clause, map_err, ms, skip_locked, to_json, Binder};
use super::effects::allocate;
use super::keys::{self, blind_subject_opt, principal_mobiles, seal};
use super::list::list_query;
use super::SqlStore;
use crate::vault::Vault;
use crate::{
    Commit, FilingHead, FilingQuery, NumberRequest, NumberedCommit, OpenOrder, StoreError,
    StoreResult,
};
use beian_domain::dashboard::History;
use beian_domain::filing::{Event, Filing, Kind, Status, Time, TimerKind};
use sqlx::{AnyConnection, Row};

pub(crate) async fn live_filing_of_app(s: &SqlStore, appid: &str) -> StoreResult<Option<Filing>> {
    filing_where(s, "live_appid", appid).await
}

pub(crate) async fn create_filing(s: &SqlStore, f: &Filing, created: &Event) -> StoreResult<()> {
    let mut tx = s.writer.begin().await?;
    insert_filing(&mut tx, &s.vault, f, created).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn filing(s: &SqlStore, id: &str) -> StoreResult<Option<Filing>> {
    filing_where(s, "id", id).await
}

/// The order whose `column` is `value`.
async fn filing_where(s: &SqlStore, column: &str, value: &str) -> StoreResult<Option<Filing>> {
    let sql = format!("SELECT state FROM filings WHERE {column} = $1");
    let row: Option<(String,)> = sqlx::query_as(&sql)
        .bind(value)
        .fetch_optional(&s.reader)
        .await?;
    match row {
        Some((state,)) => Ok(s.open_states(vec![state]).await?.pop()),
        None => Ok(None),
    }
}

pub(crate) async fn list_filings(s: &SqlStore, q: &FilingQuery) -> StoreResult<Vec<Filing>> {
    let (sql, args) = list_query("state", q);
    let rows = sqlx::query_with(&sql, args).fetch_all(&s.reader).await?;
    let states = rows
        .iter()
        .map(|r| r.try_get::<String, _>("state"))
        .collect::<Result<Vec<_>, _>>()?;
    s.open_states(states).await
}

pub(crate) async fn list_filing_heads(
    s: &SqlStore,
    q: &FilingQuery,
) -> StoreResult<Vec<FilingHead>> {
    let (sql, args) = list_query("id, version, status, due_at", q);
    let rows = sqlx::query_with(&sql, args).fetch_all(&s.reader).await?;
    rows.iter().map(codec::filing_head).collect()
}

pub(crate) async fn events(s: &SqlStore, filing_id: &str) -> StoreResult<Vec<Event>> {
    let sql = "SELECT body FROM filing_events WHERE filing_id = $1 ORDER BY seq";
    let bodies = s.read_texts(sql, filing_id).await?;
    // An erased order's events can no longer be read.
    let bodies = keys::open_kept(&s.reader, &s.vault, "event", bodies).await?;
    bodies.iter().flatten().map(|b| json(b)).collect()
}

pub(crate) async fn filings_by_ids(s: &SqlStore, ids: &[String]) -> StoreResult<Vec<Filing>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(s.writer.row_params()) {
        let mut b = Binder::default();
        let sql = format!("SELECT state FROM filings WHERE id IN ({})", b.list(chunk));
        let mut states = vec![];
        for r in sqlx::query_with(&sql, b.into_args())
            .fetch_all(&s.reader)
            .await?
        {
            states.push(r.try_get::<String, _>("state")?);
        }
        out.extend(s.open_states(states).await?);
    }
    Ok(out)
}

pub(crate) async fn commit_batch(
    s: &SqlStore,
    commits: Vec<Commit>,
) -> StoreResult<Vec<StoreResult<()>>> {
    let commits: Vec<&Commit> = commits.iter().collect();
    s.writer.commit_batch(&commits).await
}

pub(crate) async fn commit_with_numbers(
    s: &SqlStore,
    req: NumberRequest,
    build: NumberedCommit,
) -> StoreResult<Commit> {
    let mut tx = s.writer.begin().await?;
    // Lock the order first so a concurrent decision waits instead of
    // consuming a number it would then give back.
    let sql = format!(
        "SELECT version FROM filings WHERE id = $1{}",
        lock_clause(s.postgres())
    );
    sqlx::query(&sql)
        .bind(&req.filing_id)
        .fetch_optional(&mut *tx)
        .await?;
    let numbers = allocate(&mut tx, &s.vault, &req).await?;
    let commit = build(numbers)?;
    s.writer.write_commits(&mut tx, &[&commit], false).await?;
    tx.commit().await?;
    s.writer.records_changed();
    Ok(commit)
}

pub(crate) async fn filings_awaiting_sms(s: &SqlStore, mobile: &str) -> StoreResult<Vec<String>> {
    let sql = "SELECT filing_id FROM sms_lookup WHERE mobile = $1 ORDER BY filing_id";
    s.read_texts(sql, &keys::blind_mobile(&s.vault, mobile))
        .await
}

pub(crate) async fn claim_due_timers(
    s: &SqlStore,
    now: Time,
    lease_ms: i64,
    limit: i64,
) -> StoreResult<Vec<(String, TimerKind)>> {
    let skip = skip_locked(s.postgres());
    let sql = format!(
        "UPDATE timers SET lease_until = $1 WHERE (filing_id, kind) IN (SELECT filing_id, kind FROM timers \
         WHERE due_at <= $2 AND lease_until <= $2 ORDER BY due_at LIMIT $3{skip}) RETURNING filing_id, kind"
    );
    let rows: Vec<(String, String)> = sqlx::query_as(&sql)
        .bind(ms(now) + lease_ms)
        .bind(ms(now))
        .bind(limit)
        .fetch_all(s.pool())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, k)| TimerKind::parse(&k).map(|k| (id, k)))
        .collect())
}

pub(crate) async fn open_orders_of_subject(
    s: &SqlStore,
    subject_key: &str,
    except: &str,
) -> StoreResult<Vec<OpenOrder>> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, appid, kind, province FROM filings WHERE open_subject_key = $1 AND id <> $2 ORDER BY id",
    )
    .bind(subject_key)
    .bind(except)
    .fetch_all(&s.reader)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, appid, kind, province)| OpenOrder {
            id,
            appid,
            kind,
            province,
        })
        .collect())
}

pub(crate) async fn submissions_since(s: &SqlStore, appid: &str, since: Time) -> StoreResult<u32> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM filing_events e JOIN filings f ON f.id = e.filing_id \
         WHERE f.appid = $1 AND e.name IN ('submitted', 'sms_restarted') AND e.at >= $2",
    )
    .bind(appid)
    .bind(ms(since))
    .fetch_one(&s.reader)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) async fn histories(s: &SqlStore) -> StoreResult<Vec<History>> {
    let filings: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT id, kind, province, status FROM filings ORDER BY id")
            .fetch_all(&s.reader)
            .await?;
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT filing_id, body FROM filing_events ORDER BY filing_id, seq")
            .fetch_all(&s.reader)
            .await?;
    let (ids, bodies): (Vec<String>, Vec<String>) = events.into_iter().unzip();
    let bodies = keys::open_kept(&s.reader, &s.vault, "event", bodies).await?;
    let mut by_filing: std::collections::BTreeMap<String, Vec<Event>> = Default::default();
    for (id, body) in ids.into_iter().zip(&bodies) {
        // An erased order keeps no readable events: its figures go with them.
        if let Some(body) = body {
            by_filing.entry(id).or_default().push(json(body)?);
        }
    }
    filings
        .into_iter()
        .map(|(id, kind, province, status)| {
            Ok(History {
                events: by_filing.remove(&id).unwrap_or_default(),
                kind: Kind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
                status: Status::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                filing_id: id,
                province,
            })
        })
        .collect()
}

/// The projection row and first event of a new order, with the order's data key.
pub(crate) async fn insert_filing(
    tx: &mut AnyConnection,
    v: &Vault,
    f: &Filing,
    created: &Event,
) -> StoreResult<()> {
    let ring = keys::ensure(&mut *tx, v, &[f.id.as_str()], ms(f.created_at)).await?;
    let (sp, mp) = principal_mobiles(v, f.document.as_ref());
    sqlx::query(
            "INSERT INTO filings (id, appid, owner_id, kind, status, version, province, subject_key, live_appid, \
             created_at, updated_at, state, sp_mobile, mp_mobile) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&f.id)
        .bind(&f.appid)
        .bind(&f.owner_id)
        .bind(f.kind.as_str())
        .bind(f.status.as_str())
        .bind(f.version)
        .bind(f.province.clone())
        .bind(blind_subject_opt(v, f.subject_key.as_deref()))
        .bind(&f.appid)
        .bind(ms(f.created_at))
        .bind(ms(f.created_at))
        .bind(seal(v, &ring, &f.id, "state", &to_json(f)))
        .bind(sp)
        .bind(mp)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let hash = (!f.chain_head.is_empty()).then_some(f.chain_head.as_str());
    let body = seal(v, &ring, &f.id, "event", &to_json(created));
    sqlx::query("INSERT INTO filing_events (filing_id, seq, at, name, actor, body, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&f.id)
        .bind(1_i64)
        .bind(ms(created.at))
        .bind(created.change.name())
        .bind(created.actor.role())
        .bind(body)
        .bind(hash)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(())
}
