//! The SQL implementation of [`Store`](crate::Store) for SQLite and PostgreSQL.
//!
//! Both backends run through sqlx's `Any` driver with `$n` placeholders, which
//! both understand; the few dialect differences (row locks with `SKIP LOCKED`,
//! connection setup) are branches on the backend. Times are stored as
//! milliseconds since the epoch so both backends compare them the same way.
//!
//! Files by layer; each imports only from layers above it in this list, never from
//! its own layer except where said, and nothing imports `store`:
//! - `codec`: times, JSON, the one parameter binder, constraint errors, row mappers;
//! - `effects`, `search`, `list`, `facts`, `calendar`: record effects and number
//!   allocation, the public query and its cache, the list statement, the validation
//!   facts, the holiday notices;
//! - `writer`: a transaction's statements, `write_commits`, SQLite's group commit;
//! - this file: [`SqlStore`], its pools and connection;
//! - the areas `accounts`, `apps`, `filings`, `media`, `outbox`, `webhooks`, `sweep`,
//!   `seeding`: functions of a `&SqlStore`, one per `Store` method (`sweep` uses
//!   `outbox`'s notices, `seeding` the row writers of the others);
//! - `store`: the area traits implemented for `SqlStore`, each method a call into its area.

mod accounts;
mod apps;
mod audit;
mod calendar;
mod codec;
mod effects;
mod facts;
mod filings;
mod keys;
mod legacy;
mod list;
mod media;
mod outbox;
mod retention;
mod search;
mod seeding;
mod store;
mod sweep;
mod webhooks;
mod writer;

pub use search::PUBLIC_CACHE_TTL_MS;

use crate::vault::{self, Vault, SYSTEM_KEY};
use crate::{StoreError, StoreResult};
use beian_domain::filing::Time;
use codec::ms;
use search::PublicSearch;
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Executor};
use std::sync::Arc;
use writer::Writer;

/// SQLite or PostgreSQL storage.
#[derive(Clone)]
pub struct SqlStore {
    /// Transactions and writes, and SQLite's group commit.
    writer: Writer,
    /// Single-statement reads. On SQLite, read-only connections beside the writer:
    /// WAL lets them read while the writer works, so a read does not queue behind
    /// another request's transaction. On PostgreSQL the writer's pool.
    reader: AnyPool,
    /// The public query, with its own pool on PostgreSQL, and its cache.
    search: Arc<PublicSearch>,
    /// The keys that seal personal data (also the writer's).
    vault: Arc<Vault>,
}

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
    /// Connects to `url` (`sqlite://…` or `postgres://…`), migrates, and seals what
    /// was written in clear before encryption, with the keys of `vault`.
    pub async fn connect(url: &str, now: Time, vault: Arc<Vault>) -> StoreResult<SqlStore> {
        Self::connect_with(url, now, 16, vault).await
    }

    /// Like [`SqlStore::connect`] with a PostgreSQL pool of `max_connections`
    /// (each server process holds at most that many; SQLite always uses one).
    pub async fn connect_with(
        url: &str,
        now: Time,
        max_connections: u32,
        vault: Arc<Vault>,
    ) -> StoreResult<SqlStore> {
        let store = Self::connect_unsealed(url, now, max_connections, vault).await?;
        store.seal_in_clear(now, &|_, _| {}).await?;
        Ok(store)
    }

    /// Like [`SqlStore::connect_with`], leaving what an earlier version wrote in clear
    /// for [`SqlStore::seal_in_clear`] (`beian migrate` shows its progress).
    pub async fn connect_unsealed(
        url: &str,
        now: Time,
        max_connections: u32,
        vault: Arc<Vault>,
    ) -> StoreResult<SqlStore> {
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
        keys::open_vault(&pool, &vault, ms(now)).await?;
        let reader = if postgres {
            pool.clone()
        } else {
            sqlite_pool(url, SQLITE_READERS, true).await?
        };
        let search = Arc::new(PublicSearch::connect(url, postgres, &reader).await?);
        let store = SqlStore {
            writer: Writer::new(pool, postgres, search.clone(), vault.clone()),
            reader,
            search,
            vault,
        };
        Ok(store)
    }

    /// Writes a consistent copy of an SQLite database to `dest` (`VACUUM INTO`: one read
    /// transaction, so writers go on meanwhile and the copy is one instant's state, WAL
    /// included). PostgreSQL has `pg_dump` for this; asking here is an error.
    pub async fn backup_sqlite(url: &str, dest: &std::path::Path) -> StoreResult<()> {
        if url.starts_with("postgres") {
            return Err(StoreError::Corrupt(
                "beian backup copies SQLite deployments; for PostgreSQL use pg_dump (README)"
                    .into(),
            ));
        }
        sqlx::any::install_default_drivers();
        let pool = sqlite_pool(url, 1, false).await?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest.display().to_string())
            .execute(&pool)
            .await?;
        pool.close().await;
        Ok(())
    }

    /// Seals every value an earlier version wrote in clear, in batches of one transaction
    /// each, telling `progress` (rows done, rows found) after each; returns the rows
    /// sealed. Resumable, and safe beside other processes doing the same.
    pub async fn seal_in_clear(
        &self,
        now: Time,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> StoreResult<u64> {
        legacy::seal_all(self, ms(now), progress).await
    }

    /// Data keys still wrapped by an earlier master key (`beian keys rotate`).
    pub async fn keys_to_rotate(&self) -> StoreResult<u64> {
        keys::to_rotate(self.pool(), &self.vault).await
    }

    /// Wraps up to `limit` data keys again under the current master key; returns how
    /// many. Run until it returns 0, then [`SqlStore::adopt_master_key`]: resumable,
    /// and safe beside running servers that hold both keys.
    pub async fn rotate_keys(&self, limit: i64) -> StoreResult<u64> {
        keys::rotate_batch(self.pool(), &self.vault, limit).await
    }

    /// Records the current master key as the database's, once no data key is wrapped by
    /// another; returns the keys still left otherwise (and records nothing).
    pub async fn adopt_master_key(&self) -> StoreResult<u64> {
        let left = self.keys_to_rotate().await?;
        if left == 0 {
            self.exec(
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ('master_key_id', $1) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(self.vault.master_id().to_string()),
            )
            .await?;
        }
        Ok(left)
    }

    /// Which backend this is, for logs and readiness.
    pub fn backend(&self) -> &'static str {
        if self.postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// The writer's pool: transactions and writes.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.writer.pool
    }

    fn postgres(&self) -> bool {
        self.writer.postgres
    }

    /// Runs the statement `query` on the writer's pool, for its effect alone.
    async fn exec<'q>(&self, query: Query<'q, Any, AnyArguments<'q>>) -> StoreResult<()> {
        query.execute(self.pool()).await?;
        Ok(())
    }

    /// A transaction on the writer holding the once-only claim that `claim` writes (an
    /// `INSERT … ON CONFLICT DO NOTHING`, or an `UPDATE` guarded by the state it
    /// changes); `None`, with nothing written, when another run holds the claim already.
    async fn begin_claimed<'q>(
        &self,
        claim: Query<'q, Any, AnyArguments<'q>>,
    ) -> StoreResult<Option<writer::Tx>> {
        let mut tx = self.writer.begin().await?;
        let claimed = claim.execute(&mut *tx).await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        Ok(Some(tx))
    }

    /// Leases the due pending rows of the outbox table `table`, at most `limit` of them
    /// in `order`, until `lease_ms` after `now`: each row to one claimer across processes.
    /// The leased rows' `returning` columns.
    async fn lease_due(
        &self,
        (table, order, returning): (&str, &str, &str),
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<AnyRow>> {
        let sql = format!(
            "UPDATE {table} SET lease_until = $1 WHERE id IN (SELECT id FROM {table} \
             WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2 \
             ORDER BY {order} LIMIT $3{}) RETURNING {returning}",
            codec::skip_locked(self.postgres())
        );
        let rows = sqlx::query(&sql)
            .bind(ms(now) + lease_ms)
            .bind(ms(now))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows)
    }

    /// The row that `sql` finds on the reader with `key` as `$1`, read by `row`.
    async fn read_one<T>(
        &self,
        sql: &str,
        key: &str,
        row: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let found = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        found.as_ref().map(row).transpose()
    }

    /// Orders from their stored (sealed) states, keys read once for the lot.
    async fn open_states(
        &self,
        states: Vec<String>,
    ) -> StoreResult<Vec<beian_domain::filing::Filing>> {
        let states = keys::open_all(&self.reader, &self.vault, "state", states).await?;
        states.iter().map(|s| codec::json(s)).collect()
    }

    /// The blind index a subject key is stored under.
    fn subject(&self, key: &str) -> String {
        keys::blind_subject(&self.vault, key)
    }

    /// `plain` sealed with the system key (rows of no order).
    async fn seal_system(&self, column: &str, plain: &str) -> StoreResult<String> {
        let ring = keys::fetch_on(&self.reader, &self.vault, &[SYSTEM_KEY]).await?;
        if !ring.contains_key(SYSTEM_KEY) {
            return Err(vault::VaultError::NoKey(SYSTEM_KEY.into()).into());
        }
        Ok(keys::seal(&self.vault, &ring, SYSTEM_KEY, column, plain))
    }

    /// A value sealed with the system key (or any other), opened.
    async fn open_system(&self, column: &str, stored: String) -> StoreResult<String> {
        let mut out = keys::open_all(&self.reader, &self.vault, column, vec![stored]).await?;
        Ok(out.pop().unwrap_or_default())
    }

    /// The one text column of the rows that `sql` finds on the reader with `key` as `$1`.
    async fn read_texts(&self, sql: &str, key: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(sql)
            .bind(key)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.into_iter().map(|(text,)| text).collect())
    }

    /// A page of the rows of `sql` on the reader, read by `row`: `$1` is `key`, `$2`
    /// the id the page ends below (none: the first page), `$3` the page's size.
    async fn page<T>(
        &self,
        sql: &str,
        key: &str,
        before: Option<i64>,
        limit: i64,
        row: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let rows = sqlx::query(sql)
            .bind(key)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(row).collect()
    }
}

/// Checks the database answers (readiness).
async fn ping(s: &SqlStore) -> StoreResult<()> {
    s.exec(sqlx::query("SELECT 1")).await
}
