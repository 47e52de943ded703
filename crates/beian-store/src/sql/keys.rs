//! Data keys in the database (`data_keys`): read and unwrapped once per process, created
//! in the transaction of the first row they seal, and the sealing and opening of column
//! values with them (see [`crate::vault`]).
//!
//! May import: `codec`, and the vault.

use super::codec::Binder;
use crate::vault::{self, Vault, VaultError};
use crate::StoreResult;
use aes_gcm::Aes256Gcm;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;
use std::sync::Arc;

/// Unwrapped data keys by id.
pub(crate) type Keyring = HashMap<String, Arc<Aes256Gcm>>;

/// Key ids per statement.
const CHUNK: usize = 500;

/// The data keys of `ids` in the cache; the ids not there.
fn cached<'a>(vault: &Vault, ids: &[&'a str]) -> (Keyring, Vec<&'a str>) {
    let mut ring = Keyring::new();
    let mut missing = vec![];
    for id in ids {
        match vault.cached(id) {
            Some(k) => {
                ring.insert(id.to_string(), k);
            }
            None => missing.push(*id),
        }
    }
    missing.sort_unstable();
    missing.dedup();
    (ring, missing)
}

/// Reads and unwraps the keys of `missing` into `ring` (destroyed ones stay absent).
async fn load(
    conn: &mut AnyConnection,
    vault: &Vault,
    missing: &[&str],
    ring: &mut Keyring,
) -> StoreResult<()> {
    for chunk in missing.chunks(CHUNK) {
        let mut b = Binder::default();
        let sql = format!(
            "SELECT id, master_id, wrapped FROM data_keys WHERE id IN ({}) AND destroyed_at IS NULL",
            b.list(chunk)
        );
        for r in sqlx::query_with(&sql, b.into_args())
            .fetch_all(&mut *conn)
            .await?
        {
            let id: String = r.try_get("id")?;
            let master: String = r.try_get("master_id")?;
            let wrapped: String = r.try_get("wrapped")?;
            let key = vault.unwrap_key(&id, &master, &wrapped)?;
            ring.insert(id, key);
        }
    }
    Ok(())
}

/// The data keys of `ids` that exist, from the cache or `conn`.
pub(crate) async fn fetch(
    conn: &mut AnyConnection,
    vault: &Vault,
    ids: &[&str],
) -> StoreResult<Keyring> {
    let (mut ring, missing) = cached(vault, ids);
    if !missing.is_empty() {
        load(conn, vault, &missing, &mut ring).await?;
    }
    Ok(ring)
}

/// [`fetch`] on a pool: a connection is taken only when a key is not cached.
pub(crate) async fn fetch_on(pool: &AnyPool, vault: &Vault, ids: &[&str]) -> StoreResult<Keyring> {
    let (mut ring, missing) = cached(vault, ids);
    if !missing.is_empty() {
        let mut conn = pool.acquire().await?;
        load(&mut conn, vault, &missing, &mut ring).await?;
    }
    Ok(ring)
}

/// The data keys of `ids`, creating those that do not exist yet, in `tx`.
pub(crate) async fn ensure(
    tx: &mut AnyConnection,
    vault: &Vault,
    ids: &[&str],
    now_ms: i64,
) -> StoreResult<Keyring> {
    let mut ring = fetch(&mut *tx, vault, ids).await?;
    let mut created = false;
    for id in ids {
        if ring.contains_key(*id) {
            continue;
        }
        let (_, wrapped) = vault.new_data_key(id);
        // Another process may create the same key meanwhile: its key wins, read below.
        sqlx::query(
            "INSERT INTO data_keys (id, master_id, wrapped, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(*id)
        .bind(vault.master_id())
        .bind(wrapped)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        created = true;
    }
    if created {
        let missing: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !ring.contains_key(*id))
            .collect();
        ring.extend(fetch(&mut *tx, vault, &missing).await?);
        if let Some(id) = missing.iter().find(|id| !ring.contains_key(**id)) {
            // A destroyed key is never made again: its rows stay unreadable.
            return Err(VaultError::NoKey(id.to_string()).into());
        }
    }
    Ok(ring)
}

/// `plain` sealed for `column` with the key `key_id` of `ring`.
pub(crate) fn seal(
    vault: &Vault,
    ring: &Keyring,
    key_id: &str,
    column: &str,
    plain: &str,
) -> String {
    match ring.get(key_id) {
        Some(key) => vault.seal(key_id, key, column, plain),
        // The writers ask `ensure` for every key they use first.
        None => unreachable!("data key {key_id} was not ensured before sealing"),
    }
}

/// The key ids that `stored` values were sealed with.
pub(crate) fn ids_of<'a>(stored: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    stored
        .into_iter()
        .filter_map(|s| vault::sealed_with(s))
        .collect()
}

/// Opens a stored value of `column` with `ring`; a value in clear (written before
/// encryption) is returned as it is.
pub(crate) fn open(ring: &Keyring, column: &str, stored: String) -> StoreResult<String> {
    match vault::sealed_with(&stored) {
        None => Ok(stored),
        Some(id) => {
            let key = ring
                .get(id)
                .ok_or_else(|| VaultError::NoKey(id.to_string()))?;
            Ok(vault::open(key, column, &stored)?)
        }
    }
}

/// Opens stored values of `column` whose key exists, leaving out those whose key was
/// destroyed (an erased order's events, `sql::retention`); other failures are errors.
pub(crate) async fn open_kept(
    pool: &AnyPool,
    vault: &Vault,
    column: &str,
    stored: Vec<String>,
) -> StoreResult<Vec<Option<String>>> {
    let ring = fetch_on(pool, vault, &ids_of(&stored)).await?;
    stored
        .into_iter()
        .map(|s| match vault::sealed_with(&s) {
            Some(id) if !ring.contains_key(id) => Ok(None),
            _ => open(&ring, column, s).map(Some),
        })
        .collect()
}

/// Opens stored values of `column`, reading their keys from `pool` once for the lot.
pub(crate) async fn open_all(
    pool: &AnyPool,
    vault: &Vault,
    column: &str,
    stored: Vec<String>,
) -> StoreResult<Vec<String>> {
    let ring = fetch_on(pool, vault, &ids_of(&stored)).await?;
    stored.into_iter().map(|s| open(&ring, column, s)).collect()
}

/// The normal form of a mobile for blind indexes: the domain's (`ids::Mobile`, which the
/// validation compares too); a draft's mobile that does not parse, without spaces and
/// hyphens, its last 11 characters, as the look-ups always treated it.
pub(crate) fn normal_mobile(m: &str) -> String {
    if let Ok(mobile) = beian_domain::ids::Mobile::parse(m, true) {
        return mobile.as_str().to_string();
    }
    let digits: String = m.chars().filter(|c| *c != ' ' && *c != '-').collect();
    let n = digits.chars().count();
    digits.chars().skip(n.saturating_sub(11)).collect()
}

/// The blind index of a mobile.
pub(crate) fn blind_mobile(vault: &Vault, m: &str) -> String {
    vault.blind("mobile", &normal_mobile(m))
}

/// The blind index of an optional mobile (`None` stays `None`, an empty one too).
pub(crate) fn blind_mobile_opt(vault: &Vault, m: Option<&str>) -> Option<String> {
    m.map(normal_mobile)
        .filter(|m| !m.is_empty())
        .map(|m| vault.blind("mobile", &m))
}

/// Makes sure the system and index keys exist, and hands the index key to `vault`.
pub(crate) async fn open_vault(pool: &AnyPool, vault: &Vault, now_ms: i64) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    ensure(
        &mut tx,
        vault,
        &[vault::SYSTEM_KEY, vault::INDEX_KEY],
        now_ms,
    )
    .await?;
    tx.commit().await?;
    let (master, wrapped): (String, String) =
        sqlx::query_as("SELECT master_id, wrapped FROM data_keys WHERE id = $1")
            .bind(vault::INDEX_KEY)
            .fetch_one(pool)
            .await?;
    vault.set_index_key(vault.unwrap_raw(vault::INDEX_KEY, &master, &wrapped)?);
    Ok(())
}

/// The blind index of a subject key ("type:number": for an individual, an ID card's
/// number), under which the subject's records and open orders are stored. One already
/// blinded, or an empty one, stays as it is.
pub(crate) fn blind_subject(v: &Vault, key: &str) -> String {
    if key.is_empty() || key.starts_with("b1:") {
        key.to_string()
    } else {
        v.blind("subject", key)
    }
}

/// [`blind_subject`] of an optional key.
pub(crate) fn blind_subject_opt(v: &Vault, key: Option<&str>) -> Option<String> {
    key.map(|k| blind_subject(v, k))
}

/// A subject's name as its record keeps it: (the name the public sees, the full name
/// sealed). A person's name is masked, and sealed with key `key_id` of `ring`; an
/// organisation's stays as it is.
pub(crate) fn subject_name(
    v: &Vault,
    ring: &Keyring,
    key_id: &str,
    nature: Option<i64>,
    name: &str,
) -> (String, Option<String>) {
    if v.is_person(nature) {
        let sealed = seal(v, ring, key_id, "subject_name", name);
        (beian_domain::text::mask_person_name(name), Some(sealed))
    } else {
        (name.to_string(), None)
    }
}

/// The blind indexes of a document's two principal mobiles.
pub(crate) fn principal_mobiles(
    v: &Vault,
    d: Option<&beian_domain::document::Document>,
) -> (Option<String>, Option<String>) {
    let Some(d) = d else {
        return (None, None);
    };
    (
        blind_mobile_opt(v, d.subject_principal.mobile.as_deref()),
        blind_mobile_opt(v, d.mini_program_principal.person.mobile.as_deref()),
    )
}

/// The keys that the sealed `columns` of `rows` name, read once for the lot.
pub(crate) async fn ring_for(
    pool: &AnyPool,
    vault: &Vault,
    rows: &[AnyRow],
    columns: &[&str],
) -> StoreResult<Keyring> {
    let mut stored = vec![];
    for r in rows {
        for c in columns {
            stored.extend(r.try_get::<Option<String>, _>(*c)?);
        }
    }
    fetch_on(pool, vault, &ids_of(&stored)).await
}

/// Opens the sealed values of a row's columns with `ring` (for the row mappers of
/// `codec`, which know no keys): `(column purpose, stored) → plain`.
pub(crate) fn opener(ring: &Keyring) -> impl Fn(&str, String) -> StoreResult<String> + '_ {
    move |column, stored| open(ring, column, stored)
}

/// A secret kept as a wrapped data key: the one stored under `id`, or `initial` stored
/// now. Keys derived from the master key once (the SMS codes' key, the uploads' keys)
/// are kept this way, so they outlive a rotation of the master key.
pub(crate) async fn secret(
    pool: &AnyPool,
    vault: &Vault,
    id: &str,
    initial: &[u8],
    now_ms: i64,
) -> StoreResult<Vec<u8>> {
    sqlx::query(
        "INSERT INTO data_keys (id, master_id, wrapped, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(vault.master_id())
    .bind(vault.wrap(id, initial))
    .bind(now_ms)
    .execute(pool)
    .await?;
    let (master, wrapped): (String, String) =
        sqlx::query_as("SELECT master_id, wrapped FROM data_keys WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
    Ok(vault.unwrap_raw(id, &master, &wrapped)?)
}

/// How many data keys are not wrapped by the current master key yet.
pub(crate) async fn to_rotate(pool: &AnyPool, vault: &Vault) -> StoreResult<u64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM data_keys WHERE master_id <> $1 AND destroyed_at IS NULL",
    )
    .bind(vault.master_id())
    .fetch_one(pool)
    .await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Wraps up to `limit` data keys again under the current master key, in one
/// transaction; returns how many. A key another process re-wrapped meanwhile is left.
pub(crate) async fn rotate_batch(pool: &AnyPool, vault: &Vault, limit: i64) -> StoreResult<u64> {
    let mut tx = pool.begin().await?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, master_id, wrapped FROM data_keys WHERE master_id <> $1 AND destroyed_at IS NULL \
         ORDER BY id LIMIT $2",
    )
    .bind(vault.master_id())
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    for (id, master, wrapped) in &rows {
        let raw = vault.unwrap_raw(id, master, wrapped)?;
        sqlx::query(
            "UPDATE data_keys SET master_id = $1, wrapped = $2 WHERE id = $3 AND master_id = $4",
        )
        .bind(vault.master_id())
        .bind(vault.wrap(id, &raw))
        .bind(id)
        .bind(master)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}
