//! The SQL implementation of [`Store`] for SQLite and PostgreSQL.
//!
//! Both backends run through sqlx's `Any` driver with `$n` placeholders, which
//! both understand; the few dialect differences (row locks with `SKIP LOCKED`,
//! connection setup) are branches on `self.postgres`. Times are stored as
//! milliseconds since the epoch so both backends compare them the same way.

use async_trait::async_trait;
use beian_domain::calendar::china_offset;
use beian_domain::dashboard::History;
use beian_domain::deadline::SweepApp;
use beian_domain::document::Document;
use beian_domain::filing::{
    Event, Filing, IssuedNumbers, Kind, RecordEffect, Status, Time, TimerKind,
};
use beian_domain::gating::RecordState;
use beian_domain::notify::{Channel, Notice};
use beian_domain::numbers;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Arguments, Executor, Row, Transaction};

use crate::*;

/// SQLite or PostgreSQL storage.
#[derive(Clone)]
pub struct SqlStore {
    /// Transactions and writes. On SQLite its only connection is the one writer.
    pool: AnyPool,
    /// Single-statement reads. On SQLite, read-only connections beside the writer:
    /// WAL lets them read while the writer works, so a read no longer queues behind
    /// another request's transaction (issue 7). On PostgreSQL the same pool as `pool`.
    reader: AnyPool,
    /// The public query's reads. On PostgreSQL its own few connections, on which every
    /// prepared statement keeps one generic plan: left to choose, PostgreSQL planned
    /// the name search afresh on every call (its generic estimate looks costly, so the
    /// custom plan always wins), and the planning took six times as long as running
    /// the plan (0.33 ms against 0.05 ms at 100 k). On SQLite the reader pool.
    search: AnyPool,
    postgres: bool,
    public_cache: std::sync::Arc<PublicCache>,
    /// SQLite: commits waiting for the one writer (see [`SqlStore::commit`]).
    group: std::sync::Arc<GroupCommit>,
}

/// One commit waiting for its group, and where its outcome goes.
type Waiting = (Commit, tokio::sync::oneshot::Sender<StoreResult<()>>);

/// SQLite's group commit (issue 7): requests that commit while the writer is busy
/// wait here, and the next writer turn commits all of them in one transaction.
#[derive(Default)]
struct GroupCommit {
    waiting: std::sync::Mutex<Vec<Waiting>>,
    /// Held while a group is written: one writer turn at a time, in arrival order.
    turn: tokio::sync::Mutex<()>,
}

/// Commits in one group at most: a bound on the transaction a burst can build up.
const GROUP_MAX: usize = 64;

pub(crate) fn ms(t: Time) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> Time {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// Builds the error a violated constraint stands for.
type ConstraintError = fn() -> StoreError;

/// Maps constraint violations to the refusals they stand for.
fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let what = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            let table: [(&str, ConstraintError); 5] = [
                ("open_subject_key", || StoreError::SubjectBusy),
                ("live_appid", || StoreError::OrderExists),
                ("username", || StoreError::UsernameTaken),
                ("apps", || StoreError::AppidTaken),
                ("filing_events", || StoreError::VersionConflict),
            ];
            for (needle, err) in table {
                if what.contains(needle) {
                    return err();
                }
            }
        }
    }
    StoreError::Db(e)
}

/// `$1, $2, …` for an `IN (…)` list of `ids`, and the ids bound as text arguments.
fn in_list<S: AsRef<str>>(ids: &[S]) -> (String, AnyArguments<'static>) {
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut args = AnyArguments::default();
    for id in ids {
        let _ = args.add(id.as_ref().to_string());
    }
    (marks.join(", "), args)
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Where principal mobiles live: (table, subject key column, JSON column, path, live rows).
pub(crate) const MOBILE_SOURCES: [(&str, &str, &str, &[&str], &str); 4] = [
    (
        "service_records",
        "subject_key",
        "document",
        &["subject_principal", "mobile"],
        "status = 'active'",
    ),
    (
        "service_records",
        "subject_key",
        "document",
        &["mini_program_principal", "mobile"],
        "status = 'active'",
    ),
    (
        "filings",
        "open_subject_key",
        "state",
        &["document", "subject_principal", "mobile"],
        "open_subject_key IS NOT NULL",
    ),
    (
        "filings",
        "open_subject_key",
        "state",
        &["document", "mini_program_principal", "mobile"],
        "open_subject_key IS NOT NULL",
    ),
];

/// A mobile inside a JSON column, normalised. Documents keep mobiles as typed
/// ("+86 138-0013-8000"): drop spaces and hyphens and keep the last 11 characters, which
/// strips +86/0086/86. The same expressions back the 0003/0004 indexes, so the lookups
/// are indexed.
pub(crate) fn mobile_expr(postgres: bool, column: &str, path: &[&str]) -> String {
    if postgres {
        format!(
            "right(replace(replace(({column}::jsonb #>> '{{{}}}'), ' ', ''), '-', ''), 11)",
            path.join(",")
        )
    } else {
        format!(
            "substr(replace(replace(json_extract({column}, '$.{}'), ' ', ''), '-', ''), -11)",
            path.join(".")
        )
    }
}

/// Codes of the quality checks an upload failed (its `checks` column).
pub(crate) fn failed_checks(checks: &serde_json::Value) -> Vec<String> {
    checks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] == serde_json::json!(false))
        .filter_map(|c| c["code"].as_str().map(str::to_string))
        .collect()
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Our own types always serialise.
    serde_json::to_string(v).unwrap_or_default()
}

type Tx = Transaction<'static, Any>;

/// Read-only SQLite connections beside the writer (two cores here; more only queue).
const SQLITE_READERS: u32 = 4;

/// A pool on the SQLite file at `url`; `read_only` connections refuse writes
/// (`query_only`), so a write sent to the wrong pool fails loudly instead of racing
/// the writer.
async fn sqlite_pool(url: &str, connections: u32, read_only: bool) -> StoreResult<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let pragmas: &[&str] = if read_only {
                    &["PRAGMA busy_timeout = 5000", "PRAGMA query_only = ON"]
                } else {
                    &[
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA synchronous = FULL",
                    ]
                };
                for pragma in pragmas {
                    conn.execute(*pragma).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?)
}

impl SqlStore {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and migrates.
    pub async fn connect(url: &str, now: Time) -> StoreResult<SqlStore> {
        Self::connect_with(url, now, 16).await
    }

    /// Like [`SqlStore::connect`] with a PostgreSQL pool of `max_connections`
    /// (each server process holds at most that many; SQLite always uses one).
    pub async fn connect_with(url: &str, now: Time, max_connections: u32) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let pool = if postgres {
            AnyPoolOptions::new()
                .max_connections(max_connections.max(1))
                .connect(url)
                .await?
        } else {
            // One writer: SQLite has one, and a second connection upgrading a read
            // transaction would fail with SQLITE_BUSY instead of waiting.
            sqlite_pool(url, 1, false).await?
        };
        crate::migrate::run(&pool, postgres, ms(now)).await?;
        let reader = if postgres {
            pool.clone()
        } else {
            sqlite_pool(url, SQLITE_READERS, true).await?
        };
        let search = if postgres {
            AnyPoolOptions::new()
                .max_connections(PG_SEARCH_CONNECTIONS)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("SET plan_cache_mode = force_generic_plan")
                            .await?;
                        // The generic plan guesses thousands of matches for a name; at 1 M
                        // records that made it start parallel workers for every search
                        // (3-5 ms of start-up for 1-5 rows: 370 req/s). A public query
                        // reads a handful of rows: no workers.
                        conn.execute("SET max_parallel_workers_per_gather = 0")
                            .await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?
        } else {
            reader.clone()
        };
        Ok(SqlStore {
            pool,
            reader,
            search,
            postgres,
            public_cache: std::sync::Arc::new(PublicCache::from_env()),
            group: std::sync::Arc::default(),
        })
    }

    /// Which backend this is, for logs and readiness.
    pub fn backend(&self) -> &'static str {
        if self.postgres {
            "postgres"
        } else {
            "sqlite"
        }
    }

    async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin().await?)
    }

    fn lock_clause(&self) -> &'static str {
        if self.postgres {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    async fn apply_effect(
        &self,
        tx: &mut AnyConnection,
        effect: &RecordEffect,
        now: Time,
    ) -> StoreResult<()> {
        match effect {
            RecordEffect::ServiceFiled {
                appid,
                subject_key,
                province,
                numbers,
                document,
            } => {
                // The allocation step already bumped an active record; this
                // creates the record, or renews a cancelled one with its new number.
                sqlx::query(
                    "INSERT INTO subject_records (subject_key, province, subject_number, subject_name, nature, \
                     next_service_index, status, created_at) VALUES ($1, $2, $3, $4, $5, 2, 'active', $6) \
                     ON CONFLICT (subject_key) DO UPDATE SET subject_number = excluded.subject_number, \
                     subject_name = excluded.subject_name, province = excluded.province, \
                     next_service_index = 2, status = 'active' WHERE subject_records.status <> 'active'",
                )
                .bind(subject_key)
                .bind(province)
                .bind(&numbers.subject_number)
                .bind(document.subject.name.clone().unwrap_or_default())
                .bind(document.subject.nature.map(i64::from))
                .bind(ms(now))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                sqlx::query(
                    "INSERT INTO service_records (appid, subject_key, subject_number, service_number, mini_program_name, \
                     status, filed_at, document) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) \
                     ON CONFLICT (appid) DO UPDATE SET subject_key = excluded.subject_key, \
                     subject_number = excluded.subject_number, service_number = excluded.service_number, \
                     mini_program_name = excluded.mini_program_name, status = 'active', \
                     filed_at = excluded.filed_at, document = excluded.document",
                )
                .bind(appid)
                .bind(subject_key)
                .bind(&numbers.subject_number)
                .bind(&numbers.service_number)
                .bind(document.mini_program.name.clone().unwrap_or_default())
                .bind(ms(now))
                .bind(to_json(document))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
            RecordEffect::ServiceChanged { appid, document } => {
                let subject_key: Option<(String,)> =
                    sqlx::query_as("SELECT subject_key FROM service_records WHERE appid = $1")
                        .bind(appid)
                        .fetch_optional(&mut *tx)
                        .await?;
                sqlx::query("UPDATE service_records SET document = $1, mini_program_name = $2 WHERE appid = $3")
                    .bind(to_json(document))
                    .bind(document.mini_program.name.clone().unwrap_or_default())
                    .bind(appid)
                    .execute(&mut *tx)
                    .await?;
                if let Some((key,)) = subject_key {
                    sqlx::query(
                        "UPDATE subject_records SET subject_name = $1 WHERE subject_key = $2",
                    )
                    .bind(document.subject.name.clone().unwrap_or_default())
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            RecordEffect::SubjectCancelled { subject_key } => {
                cancel_subject(&mut *tx, subject_key).await?
            }
            RecordEffect::ServiceCancelled {
                appid,
                subject_key,
                access_only,
                cancel_empty_subject,
            } => {
                let status = if *access_only {
                    "access_cancelled"
                } else {
                    "cancelled"
                };
                sqlx::query("UPDATE service_records SET status = $1 WHERE appid = $2")
                    .bind(status)
                    .bind(appid)
                    .execute(&mut *tx)
                    .await?;
                let (left,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM service_records WHERE subject_key = $1 AND status = 'active'",
                )
                .bind(subject_key)
                .fetch_one(&mut *tx)
                .await?;
                if left == 0 && *cancel_empty_subject {
                    cancel_subject(&mut *tx, subject_key).await?;
                }
            }
        }
        Ok(())
    }

    /// The numbers of §5.2: reuse an active subject's number with its next
    /// service index, or take the next (province, year) sequence.
    async fn allocate(
        &self,
        tx: &mut AnyConnection,
        req: &NumberRequest,
    ) -> StoreResult<IssuedNumbers> {
        let existing: Option<(String, i64)> = sqlx::query_as(
            "UPDATE subject_records SET next_service_index = next_service_index + 1 \
             WHERE subject_key = $1 AND status = 'active' RETURNING subject_number, next_service_index - 1",
        )
        .bind(&req.subject_key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((subject_number, index)) = existing {
            let service_number = numbers::service_number(&subject_number, index as u32);
            return Ok(IssuedNumbers {
                subject_number,
                service_number,
            });
        }
        sqlx::query("INSERT INTO number_counters (province, year, last) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
            .bind(&req.province)
            .bind(i64::from(req.year))
            .execute(&mut *tx)
            .await?;
        let (seq,): (i64,) = sqlx::query_as(
            "UPDATE number_counters SET last = last + 1 WHERE province = $1 AND year = $2 RETURNING last",
        )
        .bind(&req.province)
        .bind(i64::from(req.year))
        .fetch_one(&mut *tx)
        .await?;
        let seq = u32::try_from(seq).map_err(|_| StoreError::SequenceExhausted)?;
        let subject_number = numbers::subject_number(&req.abbr, req.year, seq)
            .map_err(|_| StoreError::SequenceExhausted)?;
        let service_number = numbers::service_number(&subject_number, 1);
        Ok(IssuedNumbers {
            subject_number,
            service_number,
        })
    }
}

impl SqlStore {
    /// One commit in its own transaction.
    async fn commit_alone(&self, commit: &Commit) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        self.write_commits(&mut tx, &[commit], false).await?;
        tx.commit().await?;
        if !commit.effects.is_empty() {
            self.public_cache.bump();
        }
        Ok(())
    }

    /// [`Store::commit_batch`] of borrowed commits.
    async fn write_batch(&self, commits: &[&Commit]) -> StoreResult<Vec<StoreResult<()>>> {
        if commits.is_empty() {
            return Ok(vec![]);
        }
        let mut tx = self.begin().await?;
        // The current versions, locked in id order on PostgreSQL (concurrent batches
        // and requests wait instead of deadlocking); SQLite has one writer.
        let mut ids: Vec<&str> = commits.iter().map(|c| c.filing.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut current = std::collections::HashMap::new();
        for chunk in ids.chunks(self.row_params()) {
            let (list, args) = in_list(chunk);
            let sql = format!(
                "SELECT id, version FROM filings WHERE id IN ({list}) ORDER BY id{}",
                self.lock_clause()
            );
            for r in sqlx::query_with(&sql, args).fetch_all(&mut *tx).await? {
                current.insert(
                    r.try_get::<String, _>("id")?,
                    r.try_get::<i64, _>("version")?,
                );
            }
        }
        // A commit whose order moved on, or a second commit of an order in this
        // batch, is a conflict; the others are written.
        let mut out = Vec::with_capacity(commits.len());
        let mut writable = vec![];
        let mut taken = std::collections::HashSet::new();
        for &c in commits {
            let fresh = current.get(&c.filing.id) == Some(&c.expected_version);
            if fresh && taken.insert(c.filing.id.as_str()) {
                writable.push(c);
                out.push(Ok(()));
            } else {
                out.push(Err(StoreError::VersionConflict));
            }
        }
        self.write_commits(&mut tx, &writable, true).await?;
        tx.commit().await?;
        if writable.iter().any(|c| !c.effects.is_empty()) {
            self.public_cache.bump();
        }
        Ok(out)
    }

    /// Waits until `commit` was written by some writer turn, taking turns itself until
    /// then: each turn writes what is waiting, at most [`GROUP_MAX`] commits.
    async fn commit_grouped(&self, commit: Commit) -> StoreResult<()> {
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        self.group
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((commit, reply));
        loop {
            tokio::select! {
                biased;
                outcome = &mut answer => {
                    return outcome.unwrap_or_else(|_| {
                        Err(StoreError::Corrupt("a group commit ended without an answer".into()))
                    });
                }
                _turn = self.group.turn.lock() => {
                    let group: Vec<Waiting> = {
                        let mut waiting =
                            self.group.waiting.lock().unwrap_or_else(|e| e.into_inner());
                        let n = waiting.len().min(GROUP_MAX);
                        waiting.drain(..n).collect()
                    };
                    if !group.is_empty() {
                        self.commit_group(group).await;
                    }
                }
            }
        }
    }

    /// Writes a group of waiting commits (see [`Store::commit`]) and answers each.
    async fn commit_group(&self, group: Vec<Waiting>) {
        let (commits, replies): (Vec<Commit>, Vec<_>) = group.into_iter().unzip();
        if commits.len() > 1 {
            let refs: Vec<&Commit> = commits.iter().collect();
            if let Ok(results) = self.write_batch(&refs).await {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
                return;
            }
        }
        for (commit, reply) in commits.iter().zip(replies) {
            let _ = reply.send(self.commit_alone(commit).await);
        }
    }
}

impl SqlStore {
    /// The public query without the cache: a filing number by the number indexes; a
    /// name of three characters or more by the trigram indexes (FTS5 `trigram` on
    /// SQLite, pg_trgm GIN on PostgreSQL), as a substring of the mini program name or
    /// the subject name; a shorter name as a prefix of either (no trigram to look up).
    async fn public_search_uncached(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>> {
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
        let rows = query.fetch_all(&self.search).await?;
        rows.iter()
            .map(|r| {
                Ok(PublicItem {
                    mini_program_name: r.try_get("mini_program_name")?,
                    subject_name: r.try_get("subject_name")?,
                    subject_nature: r.try_get("nature")?,
                    subject_number: r.try_get("subject_number")?,
                    service_number: r.try_get("service_number")?,
                    filed_at: time(r.try_get("filed_at")?),
                })
            })
            .collect()
    }
}

/// Connections of the public query's pool on PostgreSQL (see `SqlStore::search`).
const PG_SEARCH_CONNECTIONS: u32 = 4;

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

/// How long a public query result may be served from the cache (the environment
/// variable `BEIAN_PUBLIC_CACHE_MS` overrides it; 0 turns the cache off).
pub const PUBLIC_CACHE_TTL_MS: u64 = 1_000;
/// Entries kept at most; the cache is emptied when full.
const PUBLIC_CACHE_ENTRIES: usize = 10_000;

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

/// The filing list's statement, selecting `columns`.
fn list_query(columns: &str, q: &FilingQuery) -> (String, AnyArguments<'static>) {
    let mut sql = format!("SELECT {columns} FROM filings WHERE 1 = 1");
    let mut args = AnyArguments::default();
    let mut n = 0;
    let mut add = |sql: &mut String, clause: &str, value: &str| {
        n += 1;
        sql.push_str(&clause.replace("$?", &format!("${n}")));
        let _ = args.add(value.to_string());
    };
    if let Some(o) = &q.owner {
        add(&mut sql, " AND owner_id = $?", o);
    }
    if let Some(p) = &q.authority_province {
        add(&mut sql, " AND province = $? AND reached_authority = 1", p);
    }
    for (col, v) in [
        ("status", &q.status),
        ("kind", &q.kind),
        ("province", &q.province),
        ("appid", &q.appid),
    ] {
        if let Some(v) = v {
            add(&mut sql, &format!(" AND {col} = $?"), v);
        }
    }
    let order = if q.sort_due {
        // The review queue: orders without a due date sort last.
        let due = format!("COALESCE(due_at, {})", i64::MAX);
        if let (Some(d), Some(c)) = (q.after_due, &q.after_id) {
            add(
                &mut sql,
                &format!(" AND ({due} > {d} OR ({due} = {d} AND id > $?))"),
                c,
            );
        }
        format!("{due}, id")
    } else {
        if let Some(c) = &q.after_id {
            add(&mut sql, " AND id > $?", c);
        }
        "id".to_string()
    };
    sql.push_str(&format!(
        " ORDER BY {order} LIMIT {}",
        q.limit.clamp(1, 501)
    ));
    (sql, args)
}

/// The projection row of a commit, with its optimistic version check.
async fn update_projection(tx: &mut AnyConnection, c: &Commit) -> StoreResult<()> {
    let (sql, vals) = projection_statement(c);
    let updated = sqlx::query_with(sql, arguments(vals))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// The projection `UPDATE` of a commit, guarded by its expected version.
fn projection_statement(c: &Commit) -> (&'static str, Vec<Val>) {
    let f = &c.filing;
    let open_key = f.is_open().then(|| f.subject_key.clone()).flatten();
    let live = (f.status == Status::Draft || f.is_open()).then(|| f.appid.clone());
    let reached = i64::from(
        f.timeline
            .iter()
            .any(|t| t.event == "authority_review_started"),
    );
    (
        "UPDATE filings SET status = $1, version = $2, province = $3, subject_key = $4, open_subject_key = $5, \
         live_appid = $6, reached_authority = $7, due_at = $8, updated_at = $9, state = $10, \
         due_provisional = $13 WHERE id = $11 AND version = $12",
        vec![
            Val::S(f.status.as_str().to_string()),
            Val::I(f.version),
            Val::OS(f.province.clone()),
            Val::OS(f.subject_key.clone()),
            Val::OS(open_key),
            Val::OS(live),
            Val::I(reached),
            Val::OI(f.due_at.map(ms)),
            Val::I(ms(c.now)),
            Val::S(to_json(f)),
            Val::S(f.id.clone()),
            Val::I(c.expected_version),
            Val::I(i64::from(f.due_provisional)),
        ],
    )
}

/// A value of a multi-row statement.
enum Val {
    S(String),
    OS(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// The arguments of one statement, in order.
fn arguments(vals: Vec<Val>) -> AnyArguments<'static> {
    let mut args = AnyArguments::default();
    for v in vals {
        v.add_to(&mut args);
    }
    args
}

impl Val {
    fn add_to(self, args: &mut AnyArguments<'static>) {
        let _ = match self {
            Val::S(x) => args.add(x),
            Val::OS(x) => args.add(x),
            Val::I(x) => args.add(x),
            Val::OI(x) => args.add(x),
        };
    }
}

/// The statements of one transaction's writes. On SQLite they are gathered and sent as
/// one query at [`Script::flush`], with bound parameters numbered across it: SQLite runs
/// every statement of a query string, so that is one trip through sqlx's worker thread
/// instead of one per statement. PostgreSQL's extended protocol takes one statement per
/// message: there each is sent as it comes.
struct Script {
    gather: bool,
    sql: String,
    args: AnyArguments<'static>,
    n: usize,
}

impl Script {
    fn new(gather: bool) -> Script {
        Script {
            gather,
            sql: String::new(),
            args: AnyArguments::default(),
            n: 0,
        }
    }

    /// Adds (or runs) `sql`, whose parameters are `$1…$k` in the order of `vals`.
    async fn push(&mut self, tx: &mut AnyConnection, sql: &str, vals: Vec<Val>) -> StoreResult<()> {
        if !self.gather {
            sqlx::query_with(sql, arguments(vals))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            return Ok(());
        }
        // SQLite numbers `$k` across the whole query: shift them past the parameters
        // already gathered.
        let offset = self.n;
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            self.sql.push(c);
            if c != '$' {
                continue;
            }
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            match digits.parse::<usize>() {
                Ok(k) => self.sql.push_str(&(k + offset).to_string()),
                Err(_) => self.sql.push_str(&digits),
            }
        }
        self.sql.push_str(";\n");
        self.n += vals.len();
        for v in vals {
            v.add_to(&mut self.args);
        }
        Ok(())
    }

    /// Sends what was gathered.
    async fn flush(&mut self, tx: &mut AnyConnection) -> StoreResult<()> {
        if self.sql.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.sql);
        let args = std::mem::take(&mut self.args);
        self.n = 0;
        sqlx::query_with(&sql, args)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

/// Parameters per statement at most (SQLite allows 32 766, PostgreSQL 65 535).
const MAX_PARAMS: usize = 30_000;
/// Parameters per multi-row statement on SQLite: binding looks each parameter's
/// name up in a list (`sqlite3_bind_parameter_name`), quadratic in the count, so
/// many short statements beat one long one there.
const SQLITE_ROW_PARAMS: usize = 240;

/// `INSERT INTO {into} VALUES (…), (…)` of `rows` (each `width` values, in order),
/// as few statements as the parameter limit allows; `suffix` ends each statement.
async fn insert_rows(
    script: &mut Script,
    tx: &mut AnyConnection,
    max_params: usize,
    into: &str,
    width: usize,
    rows: Vec<Vec<Val>>,
    suffix: &str,
) -> StoreResult<()> {
    let per = (max_params / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
        let mut sql = format!("INSERT INTO {into} VALUES ");
        let mut vals = Vec::with_capacity(chunk.len() * width);
        for (i, row) in chunk.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    sql.push_str(", ");
                }
                vals.push(v);
                sql.push_str(&format!("${}", vals.len()));
            }
            sql.push(')');
        }
        sql.push_str(suffix);
        script.push(&mut *tx, &sql, vals).await?;
    }
    Ok(())
}

/// `DELETE FROM {table} WHERE filing_id IN (…)` for `ids`.
async fn delete_of_filings(
    script: &mut Script,
    tx: &mut AnyConnection,
    max_params: usize,
    table: &str,
    ids: &[&str],
) -> StoreResult<()> {
    for chunk in ids.chunks(max_params) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "DELETE FROM {table} WHERE filing_id IN ({})",
            marks.join(", ")
        );
        let vals = chunk.iter().map(|id| Val::S(id.to_string())).collect();
        script.push(&mut *tx, &sql, vals).await?;
    }
    Ok(())
}

/// The outbox row of an SMS, as [`insert_sms`] writes it (11 values).
fn sms_row(filing_id: Option<&str>, kind: &str, sms: &OutboundSms, now: Time) -> Vec<Val> {
    vec![
        Val::OS(filing_id.map(str::to_string)),
        Val::S(sms.mobile.clone()),
        Val::S(sms.body.clone()),
        Val::I(ms(now)),
        Val::S(kind.to_string()),
        Val::S(sms.template.clone()),
        Val::S(to_json(&sms.params)),
        Val::S("pending".into()),
        Val::I(0),
        Val::I(ms(now)),
        Val::I(0),
    ]
}

impl SqlStore {
    /// Parameters per multi-row statement on this backend.
    fn row_params(&self) -> usize {
        if self.postgres {
            MAX_PARAMS
        } else {
            SQLITE_ROW_PARAMS
        }
    }

    /// Writes the commits of distinct orders whose versions were checked under lock,
    /// the same rows as [`SqlStore::write_commit`] of each, with one statement per
    /// table for the lot where rows allow it (events, timers, SMS lookup, inbox,
    /// outbox): a timer batch costs about one statement per order instead of ten.
    async fn write_commits(
        &self,
        tx: &mut AnyConnection,
        commits: &[&Commit],
        versions_checked: bool,
    ) -> StoreResult<()> {
        if commits.is_empty() {
            return Ok(());
        }
        let max = self.row_params();
        // On SQLite a commit's writes go as one script; a batch's projection updates
        // too when its versions were checked in this transaction (the one writer), so
        // they need no row count each. PostgreSQL gets each statement as it comes.
        // (Sending a single commit's writes to PostgreSQL as one simple query, values
        // as literals, was tried and measured no faster: 0.08-0.10 of the insert floor
        // either way.)
        let mut script = Script::new(!self.postgres);
        for c in commits {
            if versions_checked && script.gather {
                let (sql, vals) = projection_statement(c);
                script.push(&mut *tx, sql, vals).await?;
            } else {
                update_projection(&mut *tx, c).await?;
            }
        }
        let ids: Vec<&str> = commits.iter().map(|c| c.filing.id.as_str()).collect();
        let mut events = vec![];
        let mut timers = vec![];
        let mut lookups = vec![];
        let mut inbox = vec![];
        let mut outbox = vec![];
        for c in commits {
            let f = &c.filing;
            for (i, e) in c.events.iter().enumerate() {
                events.push(vec![
                    Val::S(f.id.clone()),
                    Val::I(c.expected_version + 1 + i as i64),
                    Val::I(ms(e.at)),
                    Val::S(e.change.name().to_string()),
                    Val::S(e.actor.role().to_string()),
                    Val::S(to_json(e)),
                ]);
            }
            for (kind, due) in f.timers() {
                timers.push(vec![
                    Val::S(f.id.clone()),
                    Val::S(kind.key()),
                    Val::I(ms(due)),
                    Val::I(0),
                ]);
            }
            if let (Status::SmsVerification, Some(round)) = (f.status, &f.sms) {
                let mut mobiles: Vec<&str> =
                    round.recipients.iter().map(|r| r.mobile.as_str()).collect();
                mobiles.sort_unstable();
                mobiles.dedup();
                for m in mobiles {
                    lookups.push(vec![Val::S(m.to_string()), Val::S(f.id.clone())]);
                }
            }
            // Per order as in write_commit: notices, then the code SMS.
            for n in &c.notices {
                match n.channel {
                    Channel::Inbox => inbox.push(vec![
                        Val::S(n.to.clone()),
                        Val::S(n.template.clone()),
                        Val::S(n.title.clone()),
                        Val::S(n.body.clone()),
                        Val::OS(n.filing_id.clone()),
                        Val::OS(n.appid.clone()),
                        Val::I(ms(c.now)),
                    ]),
                    Channel::Sms => {
                        let sms = OutboundSms {
                            mobile: n.to.clone(),
                            body: n.body.clone(),
                            template: n.template.clone(),
                            params: n.params.clone(),
                        };
                        outbox.push(sms_row(n.filing_id.as_deref(), "notice", &sms, c.now));
                    }
                }
            }
            for sms in &c.sms {
                outbox.push(sms_row(Some(&f.id), "code", sms, c.now));
            }
        }
        insert_rows(
            &mut script,
            tx,
            max,
            "filing_events (filing_id, seq, at, name, actor, body)",
            6,
            events,
            "",
        )
        .await?;
        delete_of_filings(&mut script, tx, max, "timers", &ids).await?;
        insert_rows(
            &mut script,
            tx,
            max,
            "timers (filing_id, kind, due_at, lease_until)",
            4,
            timers,
            "",
        )
        .await?;
        delete_of_filings(&mut script, tx, max, "sms_lookup", &ids).await?;
        insert_rows(
            &mut script,
            tx,
            max,
            "sms_lookup (mobile, filing_id)",
            2,
            lookups,
            "",
        )
        .await?;
        if commits.iter().any(|c| !c.effects.is_empty()) {
            // Record effects read as they write (number allocation): what came
            // before them is written first.
            script.flush(tx).await?;
            for c in commits {
                for effect in &c.effects {
                    self.apply_effect(&mut *tx, effect, c.now).await?;
                }
            }
        }
        insert_rows(
            &mut script,
            tx,
            max,
            "inbox_messages (user_id, template, title, body, filing_id, appid, created_at)",
            7,
            inbox,
            "",
        )
        .await?;
        insert_rows(
            &mut script,
            tx,
            max,
            "sms_outbox (filing_id, mobile, body, created_at, kind, template, params, status, attempts, \
             next_attempt_at, lease_until)",
            11,
            outbox,
            "",
        )
        .await?;
        let webhooks: Vec<&WebhookEvent> = commits.iter().flat_map(|c| &c.webhooks).collect();
        if !webhooks.is_empty() {
            // A batch's deliveries are written only if anyone subscribed (one look for
            // the lot); in a request's script the fan-out statement costs no trip and
            // inserts nothing without a subscription.
            let subscribed = (script.gather && commits.len() == 1) || {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM webhook_subscriptions WHERE deleted_at IS NULL",
                )
                .fetch_one(&mut *tx)
                .await?;
                n > 0
            };
            if subscribed {
                for c in commits {
                    for e in &c.webhooks {
                        let (sql, vals) = fan_out_statement(e, c.now);
                        script.push(&mut *tx, sql, vals).await?;
                    }
                }
            }
        }
        for c in commits {
            if let Some(task) = &c.bind_face_task {
                script
                    .push(
                        &mut *tx,
                        "UPDATE face_tasks SET consumed_by = $1 WHERE id = $2 AND consumed_by IS NULL",
                        vec![Val::S(c.filing.id.clone()), Val::S(task.clone())],
                    )
                    .await?;
            }
        }
        script.flush(tx).await
    }
}

/// The projection row and first event of a new order.
async fn insert_filing(tx: &mut AnyConnection, f: &Filing, created: &Event) -> StoreResult<()> {
    sqlx::query(
            "INSERT INTO filings (id, appid, owner_id, kind, status, version, province, subject_key, live_appid, \
             created_at, updated_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&f.id)
        .bind(&f.appid)
        .bind(&f.owner_id)
        .bind(f.kind.as_str())
        .bind(f.status.as_str())
        .bind(f.version)
        .bind(f.province.clone())
        .bind(f.subject_key.clone())
        .bind(&f.appid)
        .bind(ms(f.created_at))
        .bind(ms(f.created_at))
        .bind(to_json(f))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    insert_event(&mut *tx, &f.id, 1, created).await?;
    Ok(())
}

async fn insert_event(
    tx: &mut AnyConnection,
    filing_id: &str,
    seq: i64,
    e: &Event,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO filing_events (filing_id, seq, at, name, actor, body) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(filing_id)
        .bind(seq)
        .bind(ms(e.at))
        .bind(e.change.name())
        .bind(e.actor.role())
        .bind(to_json(e))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

// Row writers shared by the single-row trait methods and the seeding batches,
// so both write exactly the same columns.

async fn insert_user_on(conn: &mut AnyConnection, u: &UserRow) -> StoreResult<()> {
    sqlx::query("INSERT INTO users (id, username, password_hash, role, province, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(&u.role)
        .bind(u.province.clone())
        .bind(ms(u.created_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

async fn insert_app_on(conn: &mut AnyConnection, a: &AppRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO apps (appid, name, owner_id, listed, owner_name, registered_at, preconditions, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.appid)
    .bind(&a.name)
    .bind(&a.owner_id)
    .bind(i64::from(a.listed))
    .bind(a.owner_name.clone())
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

async fn insert_media_on(
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

async fn insert_face_task_on(conn: &mut AnyConnection, t: &FaceTaskRow) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO face_tasks ({FACE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&t.id)
    .bind(&t.filing_id)
    .bind(&t.owner_id)
    .bind(&t.status)
    .bind(ms(t.created_at))
    .bind(t.identity_type)
    .bind(t.identity_number.clone())
    .bind(t.name.clone())
    .bind(t.photo.clone())
    .bind(t.consumed_by.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn cancel_subject(tx: &mut AnyConnection, subject_key: &str) -> StoreResult<()> {
    sqlx::query("UPDATE subject_records SET status = 'cancelled' WHERE subject_key = $1")
        .bind(subject_key)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE service_records SET status = 'cancelled' WHERE subject_key = $1 AND status = 'active'")
        .bind(subject_key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

fn user(r: &AnyRow) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        province: r.try_get("province")?,
        created_at: time(r.try_get("created_at")?),
    })
}

fn app(r: &AnyRow) -> StoreResult<AppRow> {
    Ok(AppRow {
        appid: r.try_get("appid")?,
        name: r.try_get("name")?,
        owner_id: r.try_get("owner_id")?,
        listed: r.try_get::<i64, _>("listed")? != 0,
        owner_name: r.try_get("owner_name")?,
        registered_at: time(r.try_get("registered_at")?),
        preconditions: json(&r.try_get::<String, _>("preconditions")?)?,
        created_at: time(r.try_get("created_at")?),
    })
}

fn sms(r: &AnyRow) -> StoreResult<SmsRow> {
    Ok(SmsRow {
        id: r.try_get("id")?,
        filing_id: r.try_get("filing_id")?,
        mobile: r.try_get("mobile")?,
        body: r.try_get("body")?,
        created_at: time(r.try_get("created_at")?),
        sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(time),
        kind: r.try_get("kind")?,
        template: r.try_get("template")?,
        params: r
            .try_get::<Option<String>, _>("params")?
            .map(|p| json(&p))
            .transpose()?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        next_attempt_at: time(r.try_get("next_attempt_at")?),
        lease_until: r.try_get("lease_until")?,
    })
}

const SMS_COLS: &str =
    "id, filing_id, mobile, body, created_at, sent_at, kind, template, params, status, \
     attempts, last_error, next_attempt_at, lease_until";

fn face(r: &AnyRow) -> StoreResult<FaceTaskRow> {
    Ok(FaceTaskRow {
        id: r.try_get("id")?,
        filing_id: r.try_get("filing_id")?,
        owner_id: r.try_get("owner_id")?,
        status: r.try_get("status")?,
        created_at: time(r.try_get("created_at")?),
        identity_type: r.try_get("identity_type")?,
        identity_number: r.try_get("identity_number")?,
        name: r.try_get("name")?,
        photo: r.try_get("photo")?,
        consumed_by: r.try_get("consumed_by")?,
    })
}

const USER_COLS: &str = "id, username, password_hash, role, province, created_at";
const APP_COLS: &str =
    "appid, name, owner_id, listed, owner_name, registered_at, preconditions, created_at";
const FACE_COLS: &str =
    "id, filing_id, owner_id, status, created_at, identity_type, identity_number, name, photo, consumed_by";

#[async_trait]
impl Store for SqlStore {
    fn concurrent_writers(&self) -> bool {
        self.postgres
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_user(&self, u: &UserRow) -> StoreResult<()> {
        insert_user_on(&mut *self.pool.acquire().await?, u).await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        sqlx::query(&sql)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(user)
            .collect()
    }

    async fn insert_session(&self, token_hash: &str, user_id: &str, at: Time) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(ms(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!(
            "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.revoked = 0",
            USER_COLS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET revoked = 1 WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_app(&self, a: &AppRow) -> StoreResult<()> {
        insert_app_on(&mut *self.pool.acquire().await?, a).await
    }

    async fn app(&self, appid: &str) -> StoreResult<Option<AppRow>> {
        let sql = format!("SELECT {APP_COLS} FROM apps WHERE appid = $1");
        let row = sqlx::query(&sql)
            .bind(appid)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(app).transpose()
    }

    async fn list_apps(&self, owner: Option<&str>) -> StoreResult<Vec<AppRow>> {
        let rows = match owner {
            Some(o) => {
                let sql = format!("SELECT {APP_COLS} FROM apps WHERE owner_id = $1 ORDER BY appid");
                sqlx::query(&sql).bind(o).fetch_all(&self.reader).await?
            }
            None => {
                let sql = format!("SELECT {APP_COLS} FROM apps ORDER BY appid");
                sqlx::query(&sql).fetch_all(&self.reader).await?
            }
        };
        rows.iter().map(app).collect()
    }

    async fn service_record(&self, appid: &str) -> StoreResult<Option<ServiceRecord>> {
        let row = sqlx::query(
            "SELECT appid, subject_key, subject_number, service_number, mini_program_name, status, filed_at, document \
             FROM service_records WHERE appid = $1",
        )
        .bind(appid)
        .fetch_optional(&self.reader)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(ServiceRecord {
            appid: r.try_get("appid")?,
            subject_key: r.try_get("subject_key")?,
            subject_number: r.try_get("subject_number")?,
            service_number: r.try_get("service_number")?,
            mini_program_name: r.try_get("mini_program_name")?,
            status: r.try_get("status")?,
            filed_at: time(r.try_get("filed_at")?),
            document: json::<Document>(&r.try_get::<String, _>("document")?)?,
        }))
    }

    async fn subject_record(&self, subject_key: &str) -> StoreResult<Option<SubjectRecord>> {
        let row = sqlx::query(
            "SELECT subject_key, province, subject_number, subject_name, next_service_index, status \
             FROM subject_records WHERE subject_key = $1",
        )
        .bind(subject_key)
        .fetch_optional(&self.reader)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(SubjectRecord {
            subject_key: r.try_get("subject_key")?,
            province: r.try_get("province")?,
            subject_number: r.try_get("subject_number")?,
            subject_name: r.try_get("subject_name")?,
            next_service_index: r.try_get("next_service_index")?,
            status: r.try_get("status")?,
        }))
    }

    async fn quota_used(&self, subject_key: &str, except: &str) -> StoreResult<u32> {
        // One statement (one round trip) for both counts.
        let (used,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM service_records WHERE subject_key = $1 AND status = 'active') \
             + (SELECT COUNT(*) FROM filings WHERE open_subject_key = $1 AND kind = 'new' AND id <> $2)",
        )
        .bind(subject_key)
        .bind(except)
        .fetch_one(&self.reader)
        .await?;
        Ok(used as u32)
    }

    async fn live_filing_of_app(&self, appid: &str) -> StoreResult<Option<Filing>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT state FROM filings WHERE live_appid = $1")
                .bind(appid)
                .fetch_optional(&self.reader)
                .await?;
        row.map(|(s,)| json(&s)).transpose()
    }

    async fn create_filing(&self, f: &Filing, created: &Event) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert_filing(&mut tx, f, created).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn filing(&self, id: &str) -> StoreResult<Option<Filing>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT state FROM filings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|(s,)| json(&s)).transpose()
    }

    async fn list_filings(&self, q: &FilingQuery) -> StoreResult<Vec<Filing>> {
        let (sql, args) = list_query("state", q);
        let rows = sqlx::query_with(&sql, args).fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| json(&r.try_get::<String, _>("state")?))
            .collect()
    }

    async fn list_filing_heads(&self, q: &FilingQuery) -> StoreResult<Vec<FilingHead>> {
        let (sql, args) = list_query("id, version, status, due_at", q);
        let rows = sqlx::query_with(&sql, args).fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(FilingHead {
                    id: r.try_get("id")?,
                    version: r.try_get("version")?,
                    status: r.try_get("status")?,
                    due_at: r.try_get::<Option<i64>, _>("due_at")?.map(time),
                })
            })
            .collect()
    }

    async fn events(&self, filing_id: &str) -> StoreResult<Vec<Event>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT body FROM filing_events WHERE filing_id = $1 ORDER BY seq")
                .bind(filing_id)
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(|(b,)| json(b)).collect()
    }

    async fn filings_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Filing>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.row_params()) {
            let (list, args) = in_list(chunk);
            let sql = format!("SELECT state FROM filings WHERE id IN ({list})");
            for r in sqlx::query_with(&sql, args).fetch_all(&self.reader).await? {
                out.push(json(&r.try_get::<String, _>("state")?)?);
            }
        }
        Ok(out)
    }

    /// On PostgreSQL each commit is its own transaction (the server runs them side by
    /// side). On SQLite, with one writer, commits arriving while a transaction is
    /// being written are gathered and written together as a group: one transaction
    /// and one `fsync` for all of them (issue 7). Each commit still gets its own
    /// outcome: the group goes through [`Store::commit_batch`] (a stale commit is
    /// refused alone), and when the group's transaction fails as a whole (a commit
    /// breaking a constraint: a busy subject, an open order), nothing of it was
    /// written and every commit is written again alone, so each gets the answer it
    /// would have had by itself. A commit is answered only after its transaction
    /// committed.
    async fn commit(&self, commit: Commit) -> StoreResult<()> {
        if self.postgres {
            return self.commit_alone(&commit).await;
        }
        // Its own task: a client that goes away (axum drops the handler's future) can
        // neither strand the others of its group without an answer nor leave its commit
        // waiting to be written by some later request.
        let store = self.clone();
        tokio::spawn(async move { store.commit_grouped(commit).await })
            .await
            .unwrap_or_else(|e| Err(StoreError::Corrupt(format!("group commit: {e}"))))
    }

    async fn commit_batch(&self, commits: Vec<Commit>) -> StoreResult<Vec<StoreResult<()>>> {
        let commits: Vec<&Commit> = commits.iter().collect();
        self.write_batch(&commits).await
    }

    async fn commit_with_numbers(
        &self,
        req: NumberRequest,
        build: NumberedCommit,
    ) -> StoreResult<Commit> {
        let mut tx = self.begin().await?;
        // Lock the order first so a concurrent decision waits instead of
        // consuming a number it would then give back.
        let sql = format!(
            "SELECT version FROM filings WHERE id = $1{}",
            self.lock_clause()
        );
        sqlx::query(&sql)
            .bind(&req.filing_id)
            .fetch_optional(&mut *tx)
            .await?;
        let numbers = self.allocate(&mut tx, &req).await?;
        let commit = build(numbers)?;
        self.write_commits(&mut tx, &[&commit], false).await?;
        tx.commit().await?;
        self.public_cache.bump();
        Ok(commit)
    }

    async fn filings_awaiting_sms(&self, mobile: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT filing_id FROM sms_lookup WHERE mobile = $1 ORDER BY filing_id")
                .bind(mobile)
                .fetch_all(&self.reader)
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn claim_due_timers(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<(String, TimerKind)>> {
        let skip = if self.postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE timers SET lease_until = $1 WHERE (filing_id, kind) IN (SELECT filing_id, kind FROM timers \
             WHERE due_at <= $2 AND lease_until <= $2 ORDER BY due_at LIMIT $3{skip}) RETURNING filing_id, kind"
        );
        let rows: Vec<(String, String)> = sqlx::query_as(&sql)
            .bind(ms(now) + lease_ms)
            .bind(ms(now))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, k)| TimerKind::parse(&k).map(|k| (id, k)))
            .collect())
    }

    async fn outbox_list(&self, mobile: Option<&str>, limit: i64) -> StoreResult<Vec<SmsRow>> {
        let cols = format!("SELECT {SMS_COLS} FROM sms_outbox");
        let rows = match mobile {
            Some(m) => {
                sqlx::query(&format!(
                    "{cols} WHERE mobile = $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(m)
                .bind(limit)
                .fetch_all(&self.reader)
                .await?
            }
            None => {
                sqlx::query(&format!("{cols} ORDER BY id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.reader)
                    .await?
            }
        };
        rows.iter().map(sms).collect()
    }

    async fn insert_media(&self, m: &MediaRow) -> StoreResult<()> {
        insert_media_on(&mut *self.pool.acquire().await?, m, None).await
    }

    async fn media(&self, id: &str) -> StoreResult<Option<MediaRow>> {
        let row = sqlx::query(
            "SELECT id, owner_id, purpose, content_type, size, sha256, width, height, checks, created_at FROM media WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(MediaRow {
            id: r.try_get("id")?,
            owner_id: r.try_get("owner_id")?,
            purpose: r.try_get("purpose")?,
            content_type: r.try_get("content_type")?,
            size: r.try_get("size")?,
            sha256: r.try_get("sha256")?,
            width: r.try_get("width")?,
            height: r.try_get("height")?,
            checks: json(&r.try_get::<String, _>("checks")?)?,
            created_at: time(r.try_get("created_at")?),
        }))
    }

    async fn insert_face_task(&self, t: &FaceTaskRow) -> StoreResult<()> {
        insert_face_task_on(&mut *self.pool.acquire().await?, t).await
    }

    async fn face_task(&self, id: &str) -> StoreResult<Option<FaceTaskRow>> {
        let row = sqlx::query(&format!("SELECT {FACE_COLS} FROM face_tasks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(face).transpose()
    }

    async fn update_face_task(&self, t: &FaceTaskRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE face_tasks SET status = $1, identity_type = $2, identity_number = $3, name = $4, photo = $5 WHERE id = $6",
        )
        .bind(&t.status)
        .bind(t.identity_type)
        .bind(t.identity_number.clone())
        .bind(t.name.clone())
        .bind(t.photo.clone())
        .bind(&t.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn idempotency_begin(
        &self,
        user_id: &str,
        key: &str,
        at: Time,
    ) -> StoreResult<IdempotencyState> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency (user_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(key)
        .bind(ms(at))
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(IdempotencyState::Started);
        }
        let row: Option<(Option<i64>, Option<String>)> =
            sqlx::query_as("SELECT status, body FROM idempotency WHERE user_id = $1 AND key = $2")
                .bind(user_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some((Some(status), Some(body))) => IdempotencyState::Done {
                status: status as u16,
                body,
            },
            _ => IdempotencyState::InProgress,
        })
    }

    async fn idempotency_finish(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency SET status = $1, body = $2 WHERE user_id = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(user_id)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn idempotency_abort(&self, user_id: &str, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM idempotency WHERE user_id = $1 AND key = $2 AND status IS NULL")
            .bind(user_id)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn public_search(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>> {
        let q = q.trim();
        let key = (q.to_string(), limit);
        // The generation is read before the query: a record written meanwhile bumps it,
        // and this result is then never served.
        let generation = self.public_cache.generation();
        if let Some(hit) = self.public_cache.get(&key, generation) {
            return Ok(hit);
        }
        let items = self.public_search_uncached(q, limit).await?;
        self.public_cache.put(key, generation, items.clone());
        Ok(items)
    }

    // --- notifications and webhooks (issue 6) ---

    async fn insert_notices(&self, notices: &[Notice], now: Time) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        write_notices(&mut tx, notices, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn inbox(
        &self,
        user_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<InboxRow>> {
        let sql = format!(
            "SELECT {INBOX_COLS} FROM inbox_messages WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(inbox).collect()
    }

    async fn inbox_unread(&self, user_id: &str) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM inbox_messages WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.reader)
        .await?;
        Ok(n)
    }

    async fn inbox_mark_read(
        &self,
        user_id: &str,
        id: i64,
        at: Time,
    ) -> StoreResult<Option<InboxRow>> {
        sqlx::query(
            "UPDATE inbox_messages SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        )
        .bind(ms(at))
        .bind(id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        let sql = format!("SELECT {INBOX_COLS} FROM inbox_messages WHERE id = $1 AND user_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(inbox).transpose()
    }

    async fn sms_claim_due(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<SmsRow>> {
        let sql = format!(
            "UPDATE sms_outbox SET lease_until = $1 WHERE id IN (SELECT id FROM sms_outbox \
             WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2 ORDER BY id LIMIT $3{}) \
             RETURNING {SMS_COLS}",
            self.skip_locked()
        );
        let rows = sqlx::query(&sql)
            .bind(ms(now) + lease_ms)
            .bind(ms(now))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows.iter().map(sms).collect::<StoreResult<Vec<_>>>()?;
        out.sort_by_key(|r| r.id);
        Ok(out)
    }

    async fn sms_record_attempt(&self, a: &SmsAttempt) -> StoreResult<()> {
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
        sqlx::query(&sql)
            .bind(status)
            .bind(sent_at)
            .bind(a.error.clone())
            .bind(next)
            .bind(a.id)
            .bind(a.lease_until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn sms_count_daily(&self, mobile: &str, day: &str, limit: u32) -> StoreResult<bool> {
        if limit == 0 {
            return Ok(true);
        }
        let counted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO sms_daily_counts (mobile, day, sent) VALUES ($1, $2, 1) ON CONFLICT (mobile, day) \
             DO UPDATE SET sent = sms_daily_counts.sent + 1 WHERE sms_daily_counts.sent < $3 RETURNING sent",
        )
        .bind(mobile)
        .bind(day)
        .bind(i64::from(limit))
        .fetch_optional(&self.pool)
        .await?;
        Ok(counted.is_some())
    }

    async fn sms_reminders_due(
        &self,
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
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|(s,)| json(s)).collect()
    }

    async fn record_sms_reminder(
        &self,
        filing_id: &str,
        deadline: Time,
        notices: &[Notice],
        now: Time,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO sms_reminders (filing_id, deadline, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(filing_id)
        .bind(ms(deadline))
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        write_notices(&mut tx, notices, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn insert_webhook(&self, w: &WebhookRow) -> StoreResult<()> {
        let mut tx = self.begin().await?;
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

    async fn webhooks(&self) -> StoreResult<Vec<WebhookRow>> {
        let sql = format!(
            "SELECT {WEBHOOK_COLS} FROM webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.reader).await?;
        let mut out = vec![];
        for r in &rows {
            out.push(self.with_events(webhook(r)?).await?);
        }
        Ok(out)
    }

    async fn webhook(&self, id: &str) -> StoreResult<Option<WebhookRow>> {
        let sql = format!("SELECT {WEBHOOK_COLS} FROM webhook_subscriptions WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        match row {
            Some(r) => Ok(Some(self.with_events(webhook(&r)?).await?)),
            None => Ok(None),
        }
    }

    async fn delete_webhook(&self, id: &str, at: Time) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let deleted = sqlx::query(
            "UPDATE webhook_subscriptions SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(ms(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'cancelled' WHERE subscription_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn webhook_claim_due(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryJob>> {
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_until = $1 WHERE id IN (SELECT id FROM webhook_deliveries \
             WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2 \
             ORDER BY next_attempt_at, id LIMIT $3{}) RETURNING id",
            self.skip_locked()
        );
        let mut ids: Vec<(i64,)> = sqlx::query_as(&sql)
            .bind(ms(now) + lease_ms)
            .bind(ms(now))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        ids.sort_unstable();
        let cols = DELIVERY_COLS
            .split(", ")
            .map(|c| format!("d.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols}, s.url, s.secret FROM webhook_deliveries d \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1"
        );
        let mut out = vec![];
        for (id,) in ids {
            if let Some(r) = sqlx::query(&sql)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
            {
                out.push(DeliveryJob {
                    delivery: delivery(&r)?,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                });
            }
        }
        Ok(out)
    }

    async fn webhook_record_attempt(&self, a: &WebhookAttempt) -> StoreResult<()> {
        let (status, delivered_at, next, failed) = match (a.delivered, a.next_attempt_at) {
            (true, _) => ("delivered", Some(ms(a.at)), ms(a.at), 0i64),
            (false, Some(n)) => ("pending", None, ms(n), 1),
            (false, None) => ("failed", None, ms(a.at), 1),
        };
        let mut tx = self.begin().await?;
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

    async fn webhook_deliveries(
        &self,
        subscription_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryRow>> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE subscription_id = $1 AND id < $2 \
             ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(subscription_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(delivery).collect()
    }

    async fn webhook_attempts(&self, delivery_ids: &[i64]) -> StoreResult<Vec<AttemptRow>> {
        let (Some(lo), Some(hi)) = (delivery_ids.iter().min(), delivery_ids.iter().max()) else {
            return Ok(vec![]);
        };
        let rows = sqlx::query(
            "SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM webhook_attempts \
             WHERE delivery_id >= $1 AND delivery_id <= $2 ORDER BY delivery_id, attempt",
        )
        .bind(*lo)
        .bind(*hi)
        .fetch_all(&self.reader)
        .await?;
        let mut out = vec![];
        for r in &rows {
            let a = AttemptRow {
                delivery_id: r.try_get("delivery_id")?,
                attempt: r.try_get("attempt")?,
                at: time(r.try_get("at")?),
                status_code: r.try_get("status_code")?,
                error: r.try_get("error")?,
                duration_ms: r.try_get("duration_ms")?,
            };
            if delivery_ids.contains(&a.delivery_id) {
                out.push(a);
            }
        }
        Ok(out)
    }

    async fn webhook_delivery(&self, id: i64) -> StoreResult<Option<DeliveryRow>> {
        let sql = format!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(delivery).transpose()
    }

    async fn webhook_replay(&self, id: i64, now: Time) -> StoreResult<Option<DeliveryRow>> {
        // Not while an attempt is in flight, and never for a deleted subscription.
        let updated = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', retry_count = 0, next_attempt_at = $1 \
             WHERE id = $2 AND status <> 'cancelled' AND lease_until <= $1",
        )
        .bind(ms(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(None);
        }
        self.webhook_delivery(id).await
    }

    async fn sweep_candidates(&self) -> StoreResult<Vec<SweepApp>> {
        let mut conn = self.pool.acquire().await?;
        sweep_apps(&mut conn).await
    }

    async fn run_daily_sweep(
        &self,
        job: &str,
        day: &str,
        now: Time,
        build: SweepBuild,
    ) -> StoreResult<Option<SweepWrite>> {
        let mut tx = self.begin().await?;
        // The (job, day) key makes the run once per day across processes: a
        // concurrent run waits on it and then finds it taken.
        let claimed = sqlx::query(
            "INSERT INTO job_runs (job, day, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(job)
        .bind(day)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let apps = sweep_apps(&mut tx).await?;
        let w = build(apps);
        for warning in &w.plan.warnings {
            sqlx::query(
                "INSERT INTO deadline_warnings (appid, threshold, day, sent_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&warning.appid)
            .bind(i64::from(warning.threshold))
            .bind(day)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        }
        for c in &w.plan.clearances {
            sqlx::query(
                "INSERT INTO app_clearances (appid, action, day, cleared_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&c.appid)
            .bind(&w.action)
            .bind(day)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        }
        write_notices(&mut tx, &w.notices, now).await?;
        fan_out(&mut tx, &w.webhooks, now).await?;
        sqlx::query("UPDATE job_runs SET summary = $1 WHERE job = $2 AND day = $3")
            .bind(format!(
                "{} warnings, {} clearances",
                w.plan.warnings.len(),
                w.plan.clearances.len()
            ))
            .bind(job)
            .bind(day)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(w))
    }

    async fn calendar_notices(&self) -> StoreResult<Vec<StoredNotice>> {
        crate::calendar::notices(&self.reader).await
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        crate::calendar::version(&self.reader).await
    }

    async fn save_calendar_notice(&self, notice: &StoredNotice) -> StoreResult<bool> {
        crate::calendar::save(&self.pool, notice).await
    }

    async fn schedule_due_recompute(&self, before: Time, now: Time) -> StoreResult<u64> {
        crate::calendar::schedule_recompute(&self.pool, before, now).await
    }

    async fn provisional_dues(&self, before: Time, limit: i64) -> StoreResult<(u64, Vec<Filing>)> {
        crate::calendar::provisional(&self.reader, before, limit).await
    }

    async fn job_ran(&self, job: &str, day: &str) -> StoreResult<bool> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT day FROM job_runs WHERE job = $1 AND day = $2")
                .bind(job)
                .bind(day)
                .fetch_optional(&self.reader)
                .await?;
        Ok(row.is_some())
    }

    async fn app_clearance(&self, appid: &str) -> StoreResult<Option<ClearanceRow>> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT appid, action, day, cleared_at FROM app_clearances WHERE appid = $1",
        )
        .bind(appid)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|(appid, action, day, at)| ClearanceRow {
            appid,
            action,
            day,
            cleared_at: time(at),
        }))
    }

    async fn deadline_warnings(&self, appid: &str) -> StoreResult<Vec<u32>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT threshold FROM deadline_warnings WHERE appid = $1 ORDER BY threshold DESC",
        )
        .bind(appid)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(t,)| u32::try_from(t).ok())
            .collect())
    }

    async fn histories(&self) -> StoreResult<Vec<History>> {
        let filings: Vec<(String, String, Option<String>, String)> =
            sqlx::query_as("SELECT id, kind, province, status FROM filings ORDER BY id")
                .fetch_all(&self.reader)
                .await?;
        let events: Vec<(String, String)> =
            sqlx::query_as("SELECT filing_id, body FROM filing_events ORDER BY filing_id, seq")
                .fetch_all(&self.reader)
                .await?;
        let mut by_filing: std::collections::BTreeMap<String, Vec<Event>> = Default::default();
        for (id, body) in &events {
            by_filing.entry(id.clone()).or_default().push(json(body)?);
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

    // --- validation facts (issue 3) ---

    async fn submission_facts(&self, q: &FactsQuery) -> StoreResult<FactsRows> {
        crate::facts::submission_facts(&self.reader, self.postgres, q).await
    }

    async fn open_orders_of_subject(
        &self,
        subject_key: &str,
        except: &str,
    ) -> StoreResult<Vec<OpenOrder>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, appid, kind, province FROM filings WHERE open_subject_key = $1 AND id <> $2 ORDER BY id",
        )
        .bind(subject_key)
        .bind(except)
        .fetch_all(&self.reader)
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

    async fn active_service_names(
        &self,
        subject_key: &str,
        except_appid: &str,
    ) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT mini_program_name FROM service_records WHERE subject_key = $1 AND status = 'active' \
             AND appid <> $2 ORDER BY appid",
        )
        .bind(subject_key)
        .bind(except_appid)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    async fn mobiles_of_other_subjects(
        &self,
        mobiles: &[String],
        subject_key: &str,
    ) -> StoreResult<Vec<String>> {
        if mobiles.is_empty() {
            return Ok(vec![]);
        }
        let list: Vec<String> = (0..mobiles.len()).map(|i| format!("${}", i + 2)).collect();
        let list = list.join(", ");
        let sql = MOBILE_SOURCES
            .iter()
            .map(|(table, key, column, path, live)| {
                let m = mobile_expr(self.postgres, column, path);
                format!(
                    "SELECT {m} AS m FROM {table} WHERE {live} AND {key} <> $1 AND {m} IN ({list})"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ");
        let mut args = AnyArguments::default();
        let _ = args.add(subject_key.to_string());
        for m in mobiles {
            let _ = args.add(m.clone());
        }
        let rows = sqlx::query_with(&sql, args).fetch_all(&self.reader).await?;
        let mut found: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("m"))
            .collect::<Result<_, _>>()?;
        found.sort();
        found.dedup();
        Ok(found)
    }

    async fn media_info(&self, ids: &[String]) -> StoreResult<Vec<MediaInfo>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let (list, args) = in_list(ids);
        let sql = format!(
            "SELECT id, owner_id, content_type, certificate_type, checks FROM media WHERE id IN ({list}) ORDER BY id"
        );
        let rows = sqlx::query_with(&sql, args).fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                let checks: serde_json::Value = json(&r.try_get::<String, _>("checks")?)?;
                Ok(MediaInfo {
                    id: r.try_get("id")?,
                    owner_id: r.try_get("owner_id")?,
                    content_type: r.try_get("content_type")?,
                    certificate_type: r.try_get("certificate_type")?,
                    failed_checks: failed_checks(&checks),
                })
            })
            .collect()
    }

    async fn set_media_certificate_type(&self, id: &str, certificate_type: i64) -> StoreResult<()> {
        sqlx::query("UPDATE media SET certificate_type = $1 WHERE id = $2")
            .bind(certificate_type)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn submissions_since(&self, appid: &str, since: Time) -> StoreResult<u32> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM filing_events e JOIN filings f ON f.id = e.filing_id \
             WHERE f.appid = $1 AND e.name IN ('submitted', 'sms_restarted') AND e.at >= $2",
        )
        .bind(appid)
        .bind(ms(since))
        .fetch_one(&self.reader)
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    // --- seeding and benchmarks (issue 7) ---

    async fn seed_batch(&self, ops: Vec<SeedOp>) -> StoreResult<()> {
        // Accounts, apps and media first (orders refer to them); then the
        // orders in waves: the first write of every order, then the second, and so on,
        // each wave's commits written together (`write_commits`, a few statements per
        // table for the lot). Each order's writes keep their order; orders of one
        // batch are independent, so only the order numbers are drawn in another order.
        let mut tx = self.begin().await?;
        let mut orders: Vec<(String, std::collections::VecDeque<SeedOp>)> = vec![];
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for op in ops {
            let id = match &op {
                SeedOp::User(u) => {
                    insert_user_on(&mut tx, u).await?;
                    continue;
                }
                SeedOp::App(a) => {
                    insert_app_on(&mut tx, a).await?;
                    continue;
                }
                SeedOp::Media(m, certificate_type) => {
                    insert_media_on(&mut tx, m, *certificate_type).await?;
                    continue;
                }
                // A face task belongs to its order (after its creation, before its submission).
                SeedOp::FaceTask(t) => t.filing_id.clone(),
                SeedOp::Create(f, _) => f.id.clone(),
                SeedOp::Commit(c) => c.filing.id.clone(),
                SeedOp::Numbered(req, _) => req.filing_id.clone(),
            };
            let at = *index.entry(id.clone()).or_insert_with(|| {
                orders.push((id, Default::default()));
                orders.len() - 1
            });
            orders[at].1.push_back(op);
        }
        loop {
            let wave: Vec<SeedOp> = orders
                .iter_mut()
                .filter_map(|(_, q)| q.pop_front())
                .collect();
            if wave.is_empty() {
                break;
            }
            let mut commits = vec![];
            for op in wave {
                match op {
                    SeedOp::Create(f, created) => insert_filing(&mut tx, &f, &created).await?,
                    SeedOp::FaceTask(t) => insert_face_task_on(&mut tx, &t).await?,
                    SeedOp::Commit(c) => commits.push(*c),
                    SeedOp::Numbered(req, build) => {
                        let numbers = self.allocate(&mut tx, &req).await?;
                        commits.push(build(numbers)?);
                    }
                    _ => {}
                }
            }
            let commits: Vec<&Commit> = commits.iter().collect();
            self.write_commits(&mut tx, &commits, true).await?;
        }
        tx.commit().await?;
        self.public_cache.bump();
        Ok(())
    }

    async fn seed_settle_outbox(&self, before: Time) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE sms_outbox SET status = 'sent', sent_at = created_at, attempts = attempts + 1, \
             next_attempt_at = created_at, lease_until = 0, params = NULL \
             WHERE status = 'pending' AND created_at < $1",
        )
        .bind(ms(before))
        .execute(&self.pool)
        .await?;
        if self.postgres {
            // Fresh statistics: until autovacuum's ANALYZE gets to a freshly filled
            // database, the planner misjudges every table (seen: a parallel sequential
            // scan instead of the trigram index for the public query).
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(done.rows_affected())
    }
}

// --- notifications and webhooks (issue 6) ---

impl SqlStore {
    fn skip_locked(&self) -> &'static str {
        if self.postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        }
    }

    async fn with_events(&self, mut w: WebhookRow) -> StoreResult<WebhookRow> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT event_type FROM webhook_subscription_events WHERE subscription_id = $1 ORDER BY event_type",
        )
        .bind(&w.id)
        .fetch_all(&self.reader)
        .await?;
        w.events = rows.into_iter().map(|(e,)| e).collect();
        Ok(w)
    }
}

async fn insert_sms(
    tx: &mut AnyConnection,
    filing_id: Option<&str>,
    kind: &str,
    sms: &OutboundSms,
    now: Time,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sms_outbox (filing_id, mobile, body, created_at, kind, template, params, status, attempts, \
         next_attempt_at, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, 0)",
    )
    .bind(filing_id.map(str::to_string))
    .bind(&sms.mobile)
    .bind(&sms.body)
    .bind(ms(now))
    .bind(kind)
    .bind(&sms.template)
    .bind(to_json(&sms.params))
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records notices: inbox messages, and template SMS in the outbox.
async fn write_notices(tx: &mut AnyConnection, notices: &[Notice], now: Time) -> StoreResult<()> {
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
                let sms = OutboundSms {
                    mobile: n.to.clone(),
                    body: n.body.clone(),
                    template: n.template.clone(),
                    params: n.params.clone(),
                };
                insert_sms(&mut *tx, n.filing_id.as_deref(), "notice", &sms, now).await?;
            }
        }
    }
    Ok(())
}

/// One delivery per event and subscription that asked for its type (or `*`).
async fn fan_out(tx: &mut AnyConnection, events: &[WebhookEvent], now: Time) -> StoreResult<()> {
    for e in events {
        let (sql, vals) = fan_out_statement(e, now);
        sqlx::query_with(sql, arguments(vals))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The statement of [`fan_out`] for one event.
fn fan_out_statement(e: &WebhookEvent, now: Time) -> (&'static str, Vec<Val>) {
    (
        "INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, payload, status, attempts, \
         retry_count, next_attempt_at, lease_until, created_at) \
         SELECT s.id, $1, $2, $3, 'pending', 0, 0, $4, 0, $5 FROM webhook_subscriptions s \
         WHERE s.deleted_at IS NULL AND EXISTS (SELECT 1 FROM webhook_subscription_events x \
         WHERE x.subscription_id = s.id AND (x.event_type = $6 OR x.event_type = '*')) \
         ON CONFLICT DO NOTHING",
        vec![
            Val::S(e.event_id.clone()),
            Val::S(e.event_type.clone()),
            Val::S(e.payload.clone()),
            Val::I(ms(now)),
            Val::I(ms(now)),
            Val::S(e.event_type.clone()),
        ],
    )
}

/// The listed apps without a service record: the only ones the sweep's plan acts on
/// (a filed or cancelled app is past gating), so a million filed apps are not loaded
/// into memory once a day (at 1 M orders that load alone took the server past 300 MiB).
async fn sweep_apps(conn: &mut AnyConnection) -> StoreResult<Vec<SweepApp>> {
    use futures_util::TryStreamExt;
    let warned: Vec<(String, i64)> =
        sqlx::query_as("SELECT appid, threshold FROM deadline_warnings ORDER BY appid")
            .fetch_all(&mut *conn)
            .await?;
    let mut warned_by_app: std::collections::HashMap<String, Vec<u32>> = Default::default();
    for (appid, t) in warned {
        if let Ok(t) = u32::try_from(t) {
            warned_by_app.entry(appid).or_default().push(t);
        }
    }
    // Streamed: only the SweepApps are held, not every row's buffers at once.
    let mut rows = sqlx::query(
        "SELECT a.appid, a.name, a.owner_id, a.listed, a.registered_at, s.status AS record_status, \
         c.appid AS cleared_appid FROM apps a LEFT JOIN service_records s ON s.appid = a.appid \
         LEFT JOIN app_clearances c ON c.appid = a.appid WHERE a.listed = 1 AND s.appid IS NULL \
         ORDER BY a.appid",
    )
    .fetch(&mut *conn);
    let mut out = vec![];
    while let Some(r) = rows.try_next().await? {
        let appid: String = r.try_get("appid")?;
        let record = match r.try_get::<Option<String>, _>("record_status")?.as_deref() {
            Some("active") => RecordState::Active,
            Some(_) => RecordState::Cancelled,
            None => RecordState::None,
        };
        out.push(SweepApp {
            warned: warned_by_app.remove(&appid).unwrap_or_default(),
            name: r.try_get("name")?,
            owner_id: r.try_get("owner_id")?,
            listed: r.try_get::<i64, _>("listed")? != 0,
            registered_on: time(r.try_get("registered_at")?)
                .with_timezone(&china_offset())
                .date_naive(),
            record,
            cleared: r.try_get::<Option<String>, _>("cleared_appid")?.is_some(),
            appid,
        });
    }
    Ok(out)
}

fn inbox(r: &AnyRow) -> StoreResult<InboxRow> {
    Ok(InboxRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        template: r.try_get("template")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        filing_id: r.try_get("filing_id")?,
        appid: r.try_get("appid")?,
        created_at: time(r.try_get("created_at")?),
        read_at: r.try_get::<Option<i64>, _>("read_at")?.map(time),
    })
}

fn webhook(r: &AnyRow) -> StoreResult<WebhookRow> {
    Ok(WebhookRow {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        events: vec![],
        description: r.try_get("description")?,
        created_by: r.try_get("created_by")?,
        created_at: time(r.try_get("created_at")?),
        deleted_at: r.try_get::<Option<i64>, _>("deleted_at")?.map(time),
    })
}

fn delivery(r: &AnyRow) -> StoreResult<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.try_get("id")?,
        subscription_id: r.try_get("subscription_id")?,
        event_id: r.try_get("event_id")?,
        event_type: r.try_get("event_type")?,
        payload: r.try_get("payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        retry_count: r.try_get("retry_count")?,
        next_attempt_at: time(r.try_get("next_attempt_at")?),
        lease_until: r.try_get("lease_until")?,
        last_status_code: r.try_get("last_status_code")?,
        last_error: r.try_get("last_error")?,
        created_at: time(r.try_get("created_at")?),
        delivered_at: r.try_get::<Option<i64>, _>("delivered_at")?.map(time),
    })
}

const INBOX_COLS: &str =
    "id, user_id, template, title, body, filing_id, appid, created_at, read_at";
const WEBHOOK_COLS: &str = "id, url, secret, description, created_by, created_at, deleted_at";
const DELIVERY_COLS: &str =
    "id, subscription_id, event_id, event_type, payload, status, attempts, retry_count, \
     next_attempt_at, lease_until, last_status_code, last_error, created_at, delivered_at";
