//! The public query over filed services (api.md "Public query") and this process's
//! cache of its answers.
//!
//! May import: `codec`.

use super::codec::{at, from_row};
use crate::{PublicItem, StoreResult};
use beian_domain::numbers;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};

/// How long a public query result may be served from the cache (the environment
/// variable `BEIAN_PUBLIC_CACHE_MS` overrides it; 0 turns the cache off).
pub const PUBLIC_CACHE_TTL_MS: u64 = 1_000;
/// Entries kept at most; the cache is emptied when full.
const PUBLIC_CACHE_ENTRIES: usize = 10_000;
/// Connections of the public query's pool on PostgreSQL.
const PG_SEARCH_CONNECTIONS: u32 = 4;

/// The public query: its pool and its cache.
pub(crate) struct PublicSearch {
    /// On PostgreSQL its own few connections, on which every prepared statement keeps
    /// one generic plan: left to choose, PostgreSQL plans the name search afresh on
    /// every call (its generic estimate looks costly, so the custom plan always wins),
    /// and planning takes several times as long as running the plan. On SQLite the
    /// store's reader pool.
    pool: AnyPool,
    postgres: bool,
    cache: PublicCache,
}

impl PublicSearch {
    /// The public query on its own pool of `url` (PostgreSQL) or on `reader` (SQLite).
    pub(crate) async fn connect(
        url: &str,
        postgres: bool,
        reader: &AnyPool,
    ) -> StoreResult<PublicSearch> {
        let pool = if postgres {
            AnyPoolOptions::new()
                .max_connections(PG_SEARCH_CONNECTIONS)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("SET plan_cache_mode = force_generic_plan")
                            .await?;
                        // The generic plan guesses thousands of matches for a name, which
                        // at a million records makes it start parallel workers for every
                        // search, and their start-up costs far more than reading the
                        // handful of rows a public query returns: no workers.
                        conn.execute("SET max_parallel_workers_per_gather = 0")
                            .await?;
                        // Nor a sequential scan: a public query reads a handful of rows
                        // by its indexes. Where the records' rows are narrow (their
                        // documents sealed, hence stored apart), the generic plan would
                        // hash-join a scan of every record instead: ten times slower.
                        conn.execute("SET enable_seqscan = off").await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?
        } else {
            reader.clone()
        };
        Ok(PublicSearch {
            pool,
            postgres,
            cache: PublicCache::from_env(),
        })
    }

    /// Called after a transaction that may have changed records committed: answers
    /// cached before it are not served again.
    pub(crate) fn records_changed(&self) {
        self.cache.bump();
    }

    /// The public query, from the cache while its answer is fresh.
    pub(crate) async fn query(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>> {
        let q = q.trim();
        let key = (q.to_string(), limit);
        // The generation is read before the query: a record written meanwhile bumps it,
        // and this result is then never served.
        let generation = self.cache.generation();
        if let Some(hit) = self.cache.get(&key, generation) {
            return Ok(hit);
        }
        let items = self.uncached(q, limit).await?;
        self.cache.put(key, generation, items.clone());
        Ok(items)
    }

    /// The public query without the cache: a filing number by the number indexes; a
    /// name of three characters or more by the trigram indexes (FTS5 `trigram` on
    /// SQLite, pg_trgm GIN on PostgreSQL), as a substring of the mini program name or
    /// the subject name; a shorter name as a prefix of either (no trigram to look up).
    async fn uncached(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>> {
        const COLS: &str = "s.mini_program_name, sr.subject_name, sr.nature, s.subject_number, \
                            s.service_number, s.filed_at";
        const ORDER: &str = "ORDER BY s.filed_at DESC, s.service_number LIMIT $2";
        let chars = q.chars().count();
        let (sql, arg) = if let Ok(n) = numbers::FilingNumber::parse(q) {
            (
                format!(
                    "SELECT {COLS} FROM service_records s JOIN subject_records sr ON sr.subject_key = s.subject_key \
                     WHERE s.status = 'active' AND (s.service_number = $1 OR s.subject_number = $1) {ORDER}"
                ),
                n.to_string(),
            )
        } else if chars >= 3 && !self.postgres {
            // A phrase of trigrams: the characters in this order, within one column.
            (
                format!(
                    "SELECT {COLS} FROM public_names n JOIN service_records s ON s.rowid = n.rowid \
                     JOIN subject_records sr ON sr.subject_key = s.subject_key \
                     WHERE public_names MATCH $1 AND s.status = 'active' {ORDER}"
                ),
                format!("\"{}\"", q.replace('"', "\"\"")),
            )
        } else if chars >= 3 {
            // Two halves, each served by its trigram index; ILIKE (ASCII case folded, as FTS5
            // does) rechecks the hits.
            (
                format!(
                    "SELECT {COLS} FROM service_records s JOIN subject_records sr ON sr.subject_key = s.subject_key \
                     WHERE s.status = 'active' AND s.appid IN ( \
                     SELECT appid FROM service_records WHERE mini_program_name ILIKE $1 ESCAPE '\\' \
                     UNION SELECT x.appid FROM subject_records r JOIN service_records x ON x.subject_key = r.subject_key \
                     WHERE r.subject_name ILIKE $1 ESCAPE '\\') {ORDER}"
                ),
                format!(
                    "%{}%",
                    q.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                ),
            )
        } else {
            // No trigram in one or two characters: the names that start with them, by a
            // range over the name indexes (code point order).
            let c = if self.postgres { " COLLATE \"C\"" } else { "" };
            (
                format!(
                    "SELECT {COLS} FROM service_records s JOIN subject_records sr ON sr.subject_key = s.subject_key \
                     WHERE s.status = 'active' AND s.appid IN ( \
                     SELECT appid FROM service_records WHERE mini_program_name{c} >= $1{c} AND mini_program_name{c} < $3{c} \
                     UNION SELECT x.appid FROM subject_records r JOIN service_records x ON x.subject_key = r.subject_key \
                     WHERE r.subject_name{c} >= $1{c} AND r.subject_name{c} < $3{c}) {ORDER}"
                ),
                q.to_string(),
            )
        };
        let mut query = sqlx::query(&sql).bind(arg).bind(limit);
        if chars < 3 && numbers::FilingNumber::parse(q).is_err() {
            query = query.bind(format!("{q}\u{10FFFF}"));
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(from_row!(r => PublicItem {
                    mini_program_name, subject_name, subject_nature: r.try_get("nature")?,
                    subject_number, service_number, filed_at: at(r, "filed_at")?,
                }))
            })
            .collect()
    }
}

/// Public query results of this process, for at most [`PUBLIC_CACHE_TTL_MS`] and only
/// while no record was written through this store since (the generation). Another
/// process's writes (PostgreSQL) show after the TTL at the latest.
#[derive(Default)]
struct PublicCache {
    generation: std::sync::atomic::AtomicU64,
    entries: std::sync::Mutex<PublicEntries>,
    /// [`PUBLIC_CACHE_TTL_MS`] unless `BEIAN_PUBLIC_CACHE_MS` says otherwise (0: off).
    ttl_ms: u64,
}

type PublicKey = (String, i64);
type PublicEntries =
    std::collections::HashMap<PublicKey, (u64, std::time::Instant, Vec<PublicItem>)>;

impl PublicCache {
    fn from_env() -> PublicCache {
        PublicCache {
            ttl_ms: std::env::var("BEIAN_PUBLIC_CACHE_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(PUBLIC_CACHE_TTL_MS),
            ..PublicCache::default()
        }
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Called after a transaction that may have changed records committed.
    fn bump(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    fn get(&self, key: &PublicKey, generation: u64) -> Option<Vec<PublicItem>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (g, at, items) = entries.get(key)?;
        (*g == generation && at.elapsed().as_millis() < u128::from(self.ttl_ms))
            .then(|| items.clone())
    }

    fn put(&self, key: PublicKey, generation: u64, items: Vec<PublicItem>) {
        if self.ttl_ms == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= PUBLIC_CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (generation, std::time::Instant::now(), items));
    }
}
