//! Sealing what an earlier version wrote in clear: run when the store opens, in
//! batches of one transaction each, so an interrupted run goes on where it stopped.
//! Several processes may run it at once: each update applies only while its value is
//! still in clear. Once everything is sealed a setting says so, and later opens skip it.
//!
//! May import: `codec`, `keys`, and [`SqlStore`] from `mod.rs`.

use super::codec::{arguments, json, Val};
use super::keys::{
    self, blind_mobile, blind_subject, blind_subject_opt, principal_mobiles, Keyring,
};
use super::SqlStore;
use crate::vault::{Vault, SYSTEM_KEY};
use crate::StoreResult;
use beian_domain::document::Document;
use beian_domain::filing::Filing;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::borrow::Cow;

/// Rows per transaction.
const BATCH: i64 = 500;
/// The setting that records a database with nothing left in clear.
const DONE: &str = "sealed_v1";

/// Seals every value still in clear; returns how many rows changed.
pub(crate) async fn seal_all(
    s: &SqlStore,
    now_ms: i64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> StoreResult<u64> {
    let done: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE name = $1")
        .bind(DONE)
        .fetch_optional(s.pool())
        .await?;
    if done.is_some() {
        return Ok(0);
    }
    let extra = [person_names(&s.vault), owner_names()];
    let tables: Vec<&Table> = TABLES.iter().chain(&extra).collect();
    let mut found = 0;
    for table in &tables {
        found += in_clear(s, table).await?;
    }
    let mut total = 0;
    for table in &tables {
        loop {
            let n = seal_batch(s, table, now_ms).await?;
            total += n;
            progress(total, found.max(total));
            if n == 0 {
                break;
            }
        }
    }
    if total > 0 && !s.postgres() {
        // What was in clear stays in the file's free pages and in the WAL until both are
        // rewritten: VACUUM rewrites the file, the checkpoint empties the WAL.
        sqlx::query("VACUUM").execute(s.pool()).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(s.pool())
            .await?;
    }
    if total > 0 {
        tracing::info!(
            rows = total,
            "sealed personal data written before encryption"
        );
    }
    sqlx::query(
        "INSERT INTO settings (name, value) VALUES ($1, '1') ON CONFLICT (name) DO NOTHING",
    )
    .bind(DONE)
    .execute(s.pool())
    .await?;
    Ok(total)
}

/// A table with values in clear: which rows, and how each is sealed.
struct Table {
    /// Selects up to `$1` rows still in clear, with a `k` column naming the data key.
    select: Cow<'static, str>,
    seal: Sealer,
    /// Whether foreign keys are checked at commit (a referenced key changes).
    deferred: bool,
}

/// The statements that seal one row.
type Sealer = fn(&Vault, &Keyring, &AnyRow) -> StoreResult<Vec<Statement>>;
type Statement = (&'static str, Vec<Val>);

const TABLES: [Table; 10] = [
    Table {
        // An erased order's state is kept redacted, in clear: its key is gone.
        select: Cow::Borrowed("SELECT id, id AS k, state FROM filings WHERE state NOT LIKE 'e1:%' \
                 AND id NOT IN (SELECT id FROM data_keys WHERE destroyed_at IS NOT NULL) \
                 ORDER BY id LIMIT $1"),
        seal: seal_filing,
        deferred: false,
    },
    Table {
        select: Cow::Borrowed("SELECT id, '~system' AS k, subject_key, open_subject_key FROM filings \
                 WHERE subject_key <> '' AND subject_key NOT LIKE 'b1:%' ORDER BY id LIMIT $1"),
        seal: blind_filing_subject,
        deferred: false,
    },
    Table {
        select: Cow::Borrowed("SELECT subject_key, '~system' AS k FROM subject_records \
                 WHERE subject_key NOT LIKE 'b1:%' ORDER BY subject_key LIMIT $1"),
        seal: blind_subject_records,
        deferred: true,
    },
    Table {
        select: Cow::Borrowed("SELECT filing_id AS k, seq, body FROM filing_events WHERE body NOT LIKE 'e1:%' \
                 ORDER BY filing_id, seq LIMIT $1"),
        seal: seal_event,
        deferred: false,
    },
    Table {
        select: Cow::Borrowed("SELECT appid, 'r:' || appid AS k, document FROM service_records \
                 WHERE document NOT LIKE 'e1:%' ORDER BY appid LIMIT $1"),
        seal: seal_record,
        deferred: false,
    },
    Table {
        select:
            Cow::Borrowed("SELECT id, filing_id AS k, identity_number, name FROM face_tasks \
                 WHERE identity_number NOT LIKE 'e1:%' OR name NOT LIKE 'e1:%' ORDER BY id LIMIT $1"),
        seal: seal_face,
        deferred: false,
    },
    Table {
        select:
            Cow::Borrowed("SELECT id, COALESCE(filing_id, '~system') AS k, mobile, body, params FROM sms_outbox \
                 WHERE mobile NOT LIKE 'e1:%' ORDER BY id LIMIT $1"),
        seal: seal_sms,
        deferred: false,
    },
    Table {
        select:
            Cow::Borrowed("SELECT mobile, filing_id, '~system' AS k FROM sms_lookup WHERE mobile NOT LIKE 'b1:%' \
                 ORDER BY filing_id LIMIT $1"),
        seal: blind_lookup,
        deferred: false,
    },
    Table {
        select: Cow::Borrowed("SELECT mobile, day, sent, '~system' AS k FROM sms_daily_counts \
                 WHERE mobile NOT LIKE 'b1:%' ORDER BY day LIMIT $1"),
        seal: blind_count,
        deferred: false,
    },
    Table {
        select: Cow::Borrowed("SELECT user_id, key, body, '~system' AS k FROM idempotency \
                 WHERE body IS NOT NULL AND body NOT LIKE 'e1:%' ORDER BY user_id, key LIMIT $1"),
        seal: seal_idempotency,
        deferred: false,
    },
];

/// Subject records of persons whose name is in clear: masked, and sealed beside.
fn person_names(v: &Vault) -> Table {
    let natures: Vec<String> = v.person_natures().iter().map(i64::to_string).collect();
    // No nature is a person's: a statement that finds nothing.
    let natures = if natures.is_empty() {
        "NULL".to_string()
    } else {
        natures.join(", ")
    };
    Table {
        select: Cow::Owned(format!(
            "SELECT subject_key, subject_name, nature, 'n:' || subject_key AS k FROM subject_records \
             WHERE sealed_name IS NULL AND nature IN ({natures}) ORDER BY subject_key LIMIT $1"
        )),
        seal: seal_person_name,
        deferred: false,
    }
}

/// Apps whose owner's name is in clear.
fn owner_names() -> Table {
    Table {
        select: Cow::Borrowed(
            "SELECT appid, owner_name, '~system' AS k FROM apps \
             WHERE owner_name IS NOT NULL AND owner_name NOT LIKE 'e1:%' ORDER BY appid LIMIT $1",
        ),
        seal: seal_owner_name,
        deferred: false,
    }
}

fn seal_person_name(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let name: String = r.try_get("subject_name")?;
    let k: String = r.try_get("k")?;
    let (shown, sealed) = keys::subject_name(v, ring, &k, r.try_get("nature")?, &name);
    Ok(vec![(
        "UPDATE subject_records SET subject_name = $1, sealed_name = $2 WHERE subject_key = $3",
        vec![
            Val::S(shown),
            Val::OS(sealed),
            Val::S(r.try_get("subject_key")?),
        ],
    )])
}

fn seal_owner_name(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let name: String = r.try_get("owner_name")?;
    Ok(vec![(
        "UPDATE apps SET owner_name = $1 WHERE appid = $2",
        vec![
            Val::S(seal_text(v, ring, r, "owner_name", &name)?),
            Val::S(r.try_get("appid")?),
        ],
    )])
}

/// How many rows of `t` are in clear now.
async fn in_clear(s: &SqlStore, t: &Table) -> StoreResult<u64> {
    let sql = format!("SELECT COUNT(*) FROM ({}) AS t", t.select);
    let (n,): (i64,) = sqlx::query_as(&sql)
        .bind(i64::MAX)
        .fetch_one(s.pool())
        .await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Seals one batch of `t` in one transaction; returns the rows it found.
async fn seal_batch(s: &SqlStore, t: &Table, now_ms: i64) -> StoreResult<u64> {
    let mut tx = s.pool().begin().await?;
    if t.deferred {
        let defer = if s.postgres() {
            "SET CONSTRAINTS ALL DEFERRED"
        } else {
            "PRAGMA defer_foreign_keys = ON"
        };
        sqlx::query(defer).execute(&mut *tx).await?;
    }
    let rows = sqlx::query(&t.select)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String, _>("k"))
        .collect::<Result<_, _>>()?;
    let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    ids.push(SYSTEM_KEY);
    ids.sort_unstable();
    ids.dedup();
    let ring = keys::ensure(&mut tx, &s.vault, &ids, now_ms).await?;
    for r in &rows {
        for (sql, vals) in (t.seal)(&s.vault, &ring, r)? {
            exec(&mut tx, sql, vals).await?;
        }
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

async fn exec(tx: &mut AnyConnection, sql: &str, vals: Vec<Val>) -> StoreResult<()> {
    sqlx::query_with(sql, arguments(vals))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// `value` sealed for `column` with the row's key (`k`); a sealed one is kept.
fn seal_text(
    v: &Vault,
    ring: &Keyring,
    r: &AnyRow,
    column: &str,
    value: &str,
) -> StoreResult<String> {
    if value.starts_with("e1:") {
        return Ok(value.to_string());
    }
    let k: String = r.try_get("k")?;
    Ok(keys::seal(v, ring, &k, column, value))
}

fn opt_text(r: &AnyRow, column: &str) -> StoreResult<Option<String>> {
    Ok(r.try_get::<Option<String>, _>(column)?)
}

/// `sql` ($1 the sealed value, $2 and $3 the principals' mobile indexes, $4 the row)
/// for a JSON column holding document `d`.
fn with_mobiles(
    v: &Vault,
    sql: &'static str,
    sealed: String,
    d: Option<&Document>,
    row: String,
) -> Vec<Statement> {
    let (sp, mp) = principal_mobiles(v, d);
    vec![(
        sql,
        vec![Val::S(sealed), Val::OS(sp), Val::OS(mp), Val::S(row)],
    )]
}

fn seal_filing(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let state: String = r.try_get("state")?;
    let f: Filing = json(&state)?;
    Ok(with_mobiles(
        v,
        "UPDATE filings SET state = $1, sp_mobile = $2, mp_mobile = $3 WHERE id = $4 \
         AND state NOT LIKE 'e1:%'",
        seal_text(v, ring, r, "state", &state)?,
        f.document.as_ref(),
        r.try_get("id")?,
    ))
}

fn blind_filing_subject(v: &Vault, _: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let blind = |c: &str| -> StoreResult<Option<String>> {
        Ok(blind_subject_opt(v, opt_text(r, c)?.as_deref()))
    };
    Ok(vec![(
        "UPDATE filings SET subject_key = $1, open_subject_key = $2 WHERE id = $3",
        vec![
            Val::OS(blind("subject_key")?),
            Val::OS(blind("open_subject_key")?),
            Val::S(r.try_get("id")?),
        ],
    )])
}

/// A subject record and its service records under the subject's blind index (the
/// record first: the public names' trigger reads it when a service record changes).
fn blind_subject_records(v: &Vault, _: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let key: String = r.try_get("subject_key")?;
    let blind = blind_subject(v, &key);
    Ok(vec![
        (
            "UPDATE subject_records SET subject_key = $1 WHERE subject_key = $2",
            vec![Val::S(blind.clone()), Val::S(key.clone())],
        ),
        (
            "UPDATE service_records SET subject_key = $1 WHERE subject_key = $2",
            vec![Val::S(blind), Val::S(key)],
        ),
    ])
}

fn seal_event(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let body: String = r.try_get("body")?;
    Ok(vec![(
        "UPDATE filing_events SET body = $1 WHERE filing_id = $2 AND seq = $3 AND body NOT LIKE 'e1:%'",
        vec![
            Val::S(seal_text(v, ring, r, "event", &body)?),
            Val::S(r.try_get("k")?),
            Val::I(r.try_get("seq")?),
        ],
    )])
}

fn seal_record(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let document: String = r.try_get("document")?;
    let d: Document = json(&document)?;
    Ok(with_mobiles(
        v,
        "UPDATE service_records SET document = $1, sp_mobile = $2, mp_mobile = $3 WHERE appid = $4 \
         AND document NOT LIKE 'e1:%'",
        seal_text(v, ring, r, "document", &document)?,
        Some(&d),
        r.try_get("appid")?,
    ))
}

fn seal_face(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let seal = |c: &str| -> StoreResult<Option<String>> {
        opt_text(r, c)?
            .map(|x| seal_text(v, ring, r, "face", &x))
            .transpose()
    };
    Ok(vec![(
        "UPDATE face_tasks SET identity_number = $1, name = $2 WHERE id = $3",
        vec![
            Val::OS(seal("identity_number")?),
            Val::OS(seal("name")?),
            Val::S(r.try_get("id")?),
        ],
    )])
}

fn seal_sms(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let mobile: String = r.try_get("mobile")?;
    let params = opt_text(r, "params")?
        .map(|p| seal_text(v, ring, r, "sms", &p))
        .transpose()?;
    Ok(vec![(
        "UPDATE sms_outbox SET mobile = $1, body = $2, params = $3, mobile_index = $4 WHERE id = $5 \
         AND mobile NOT LIKE 'e1:%'",
        vec![
            Val::S(seal_text(v, ring, r, "sms", &mobile)?),
            Val::S(seal_text(v, ring, r, "sms", &r.try_get::<String, _>("body")?)?),
            Val::OS(params),
            Val::S(blind_mobile(v, &mobile)),
            Val::I(r.try_get("id")?),
        ],
    )])
}

fn blind_lookup(v: &Vault, _: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let mobile: String = r.try_get("mobile")?;
    Ok(vec![(
        "UPDATE sms_lookup SET mobile = $1 WHERE mobile = $2 AND filing_id = $3",
        vec![
            Val::S(blind_mobile(v, &mobile)),
            Val::S(mobile),
            Val::S(r.try_get("filing_id")?),
        ],
    )])
}

fn blind_count(v: &Vault, _: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let mobile: String = r.try_get("mobile")?;
    // Two spellings of one mobile add up under its one index; the row in clear goes.
    let day: String = r.try_get("day")?;
    Ok(vec![
        (
            "INSERT INTO sms_daily_counts (mobile, day, sent) VALUES ($1, $2, $3) \
             ON CONFLICT (mobile, day) DO UPDATE SET sent = sms_daily_counts.sent + excluded.sent",
            vec![
                Val::S(blind_mobile(v, &mobile)),
                Val::S(day.clone()),
                Val::I(r.try_get("sent")?),
            ],
        ),
        (
            "DELETE FROM sms_daily_counts WHERE mobile = $1 AND day = $2",
            vec![Val::S(mobile), Val::S(day)],
        ),
    ])
}

fn seal_idempotency(v: &Vault, ring: &Keyring, r: &AnyRow) -> StoreResult<Vec<Statement>> {
    let body: String = r.try_get("body")?;
    Ok(vec![(
        "UPDATE idempotency SET body = $1 WHERE user_id = $2 AND key = $3",
        vec![
            Val::S(seal_text(v, ring, r, "idempotency", &body)?),
            Val::S(r.try_get("user_id")?),
            Val::S(r.try_get("key")?),
        ],
    )])
}
