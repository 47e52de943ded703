//! The write side: one transaction's statements (gathered into one script on SQLite,
//! multi-row where rows allow), the commits of orders (`write_commits`), and SQLite's
//! group commit.
//!
//! May import: `codec`, `effects`, `search` (to mark cached answers stale).

use super::codec::{arguments, lock_clause, map_err, ms, to_json, Binder, Val};
use super::effects::apply_effect;
use super::keys::{self, blind_mobile, blind_subject_opt, principal_mobiles, seal, Keyring};
use super::search::PublicSearch;
use crate::vault::{Vault, SYSTEM_KEY};
use crate::{Commit, OutboundSms, StoreError, StoreResult, WebhookEvent};
use beian_domain::filing::{Status, Time};
use beian_domain::notify::{Channel, Notice};
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};
use std::sync::Arc;

pub(crate) type Tx = Transaction<'static, Any>;

/// Parameters per statement at most (SQLite allows 32 766, PostgreSQL 65 535).
const MAX_PARAMS: usize = 30_000;
/// Parameters per multi-row statement on SQLite: binding looks each parameter's
/// name up in a list (`sqlite3_bind_parameter_name`), quadratic in the count, so
/// many short statements beat one long one there.
const SQLITE_ROW_PARAMS: usize = 240;
// The tables of `write_commits`' multi-row inserts, with their columns.
const EVENT_ROWS: &str = "filing_events (filing_id, seq, at, name, actor, body, hash)";
const TIMER_ROWS: &str = "timers (filing_id, kind, due_at, lease_until)";
const LOOKUP_ROWS: &str = "sms_lookup (mobile, filing_id)";
const INBOX_ROWS: &str =
    "inbox_messages (user_id, template, title, body, filing_id, appid, created_at)";
const OUTBOX_ROWS: &str =
    "sms_outbox (filing_id, mobile, body, created_at, kind, template, params, status, attempts, \
     next_attempt_at, lease_until, mobile_index)";
/// Commits in one group at most: a bound on the transaction a burst can build up.
const GROUP_MAX: usize = 64;

/// Where transactions and writes go.
#[derive(Clone)]
pub(crate) struct Writer {
    /// Transactions and writes. On SQLite its only connection is the one writer.
    pub(crate) pool: AnyPool,
    pub(crate) postgres: bool,
    /// Told when records may have changed.
    search: Arc<PublicSearch>,
    /// Seals what the writes hold of personal data.
    pub(crate) vault: Arc<Vault>,
    /// SQLite: commits waiting for the one writer (see [`Writer::commit`]).
    group: Arc<GroupCommit>,
}

/// One commit waiting for its group, and where its outcome goes.
type Waiting = (Commit, tokio::sync::oneshot::Sender<StoreResult<()>>);

/// SQLite's group commit: requests that commit while the writer is busy wait here,
/// and the next writer turn commits all of them in one transaction.
#[derive(Default)]
struct GroupCommit {
    waiting: std::sync::Mutex<Vec<Waiting>>,
    /// Held while a group is written: one writer turn at a time, in arrival order.
    turn: tokio::sync::Mutex<()>,
}

impl Writer {
    pub(crate) fn new(
        pool: AnyPool,
        postgres: bool,
        search: Arc<PublicSearch>,
        vault: Arc<Vault>,
    ) -> Writer {
        Writer {
            pool,
            postgres,
            search,
            vault,
            group: Arc::default(),
        }
    }

    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin().await?)
    }

    /// Parameters per multi-row statement on this backend.
    pub(crate) fn row_params(&self) -> usize {
        if self.postgres {
            MAX_PARAMS
        } else {
            SQLITE_ROW_PARAMS
        }
    }

    /// Called after a transaction that may have changed records committed.
    pub(crate) fn records_changed(&self) {
        self.search.records_changed();
    }

    /// Appends a commit's events and updates its projections atomically.
    ///
    /// On PostgreSQL each commit is its own transaction (the server runs them side by
    /// side). On SQLite, with one writer, commits arriving while a transaction is
    /// being written are gathered and written together as a group: one transaction
    /// and one `fsync` for all of them. Each commit still gets its own
    /// outcome: the group goes through [`Writer::commit_batch`] (a stale commit is
    /// refused alone), and when the group's transaction fails as a whole (a commit
    /// breaking a constraint: a busy subject, an open order), nothing of it was
    /// written and every commit is written again alone, so each gets the answer it
    /// would have had by itself. A commit is answered only after its transaction
    /// committed.
    pub(crate) async fn commit(&self, commit: Commit) -> StoreResult<()> {
        if self.postgres {
            return self.commit_alone(&commit).await;
        }
        // Its own task: a client that goes away (axum drops the handler's future) can
        // neither strand the others of its group without an answer nor leave its commit
        // waiting to be written by some later request.
        let writer = self.clone();
        tokio::spawn(async move { writer.commit_grouped(commit).await })
            .await
            .unwrap_or_else(|e| Err(StoreError::Corrupt(format!("group commit: {e}"))))
    }

    /// One commit in its own transaction.
    async fn commit_alone(&self, commit: &Commit) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        self.write_commits(&mut tx, &[commit], false).await?;
        tx.commit().await?;
        if !commit.effects.is_empty() {
            self.records_changed();
        }
        Ok(())
    }

    /// [`crate::Store::commit_batch`] of borrowed commits.
    pub(crate) async fn commit_batch(
        &self,
        commits: &[&Commit],
    ) -> StoreResult<Vec<StoreResult<()>>> {
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
            let mut b = Binder::default();
            let sql = format!(
                "SELECT id, version FROM filings WHERE id IN ({}) ORDER BY id{}",
                b.list(chunk),
                lock_clause(self.postgres)
            );
            for r in sqlx::query_with(&sql, b.into_args())
                .fetch_all(&mut *tx)
                .await?
            {
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
            self.records_changed();
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

    /// Writes a group of waiting commits (see [`Writer::commit`]) and answers each.
    async fn commit_group(&self, group: Vec<Waiting>) {
        let (commits, replies): (Vec<Commit>, Vec<_>) = group.into_iter().unzip();
        if commits.len() > 1 {
            let refs: Vec<&Commit> = commits.iter().collect();
            if let Ok(results) = self.commit_batch(&refs).await {
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

    /// Writes the commits of distinct orders, with one statement per table for the lot
    /// where rows allow it (events, timers, SMS lookup, inbox, outbox): a timer batch
    /// costs about one statement per order instead of ten. `versions_checked`: the
    /// orders' versions were read in this transaction, under lock.
    pub(crate) async fn write_commits(
        &self,
        tx: &mut AnyConnection,
        commits: &[&Commit],
        versions_checked: bool,
    ) -> StoreResult<()> {
        if commits.is_empty() {
            return Ok(());
        }
        // On SQLite a commit's writes go as one script; a batch's projection updates
        // too when its versions were checked in this transaction (the one writer), so
        // they need no row count each. PostgreSQL gets each statement as it comes (its
        // extended protocol takes one statement per message).
        let ids: Vec<&str> = commits.iter().map(|c| c.filing.id.as_str()).collect();
        let mut key_ids = ids.clone();
        key_ids.push(SYSTEM_KEY);
        let ring = keys::ensure(&mut *tx, &self.vault, &key_ids, ms(commits[0].now)).await?;
        let v = &*self.vault;
        let mut script = Script::new(!self.postgres, self.row_params());
        for c in commits {
            if versions_checked && script.gather {
                let (sql, vals) = projection_statement(v, &ring, c);
                script.push(&mut *tx, sql, vals).await?;
            } else {
                update_projection(&mut *tx, v, &ring, c).await?;
            }
        }
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
                    Val::S(seal(v, &ring, &f.id, "event", &to_json(e))),
                    Val::OS(c.event_hashes.get(i).cloned()),
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
            for m in f.sms_mobiles() {
                lookups.push(vec![Val::S(blind_mobile(v, m)), Val::S(f.id.clone())]);
            }
            // Per order: its notices, then its code SMS.
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
                        let sms = notice_sms(n);
                        let row = (n.filing_id.as_deref(), "notice", &sms, c.now);
                        outbox.push(sms_row(v, &ring, row));
                    }
                }
            }
            for sms in &c.sms {
                outbox.push(sms_row(v, &ring, (Some(&f.id), "code", sms, c.now)));
            }
        }
        script.insert_rows(tx, EVENT_ROWS, 7, events).await?;
        script.delete_of_filings(tx, "timers", &ids).await?;
        script.insert_rows(tx, TIMER_ROWS, 4, timers).await?;
        script.delete_of_filings(tx, "sms_lookup", &ids).await?;
        script.insert_rows(tx, LOOKUP_ROWS, 2, lookups).await?;
        if commits.iter().any(|c| !c.effects.is_empty()) {
            // Record effects read as they write (number allocation): what came
            // before them is written first.
            script.flush(tx).await?;
            for c in commits {
                for effect in &c.effects {
                    let sealing = (v, &ring, c.filing.id.as_str());
                    apply_effect(&mut *tx, sealing, effect, c.now).await?;
                }
            }
        }
        script.insert_rows(tx, INBOX_ROWS, 7, inbox).await?;
        script.insert_rows(tx, OUTBOX_ROWS, 12, outbox).await?;
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

/// The projection row of a commit, with its optimistic version check.
async fn update_projection(
    tx: &mut AnyConnection,
    v: &Vault,
    ring: &Keyring,
    c: &Commit,
) -> StoreResult<()> {
    let (sql, vals) = projection_statement(v, ring, c);
    let updated = sqlx::query_with(sql, arguments(vals))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// The projection `UPDATE` of a commit, guarded by its expected version: the state
/// sealed, the principals' mobiles as blind indexes.
fn projection_statement(v: &Vault, ring: &Keyring, c: &Commit) -> (&'static str, Vec<Val>) {
    let f = &c.filing;
    let (sp, mp) = principal_mobiles(v, f.document.as_ref());
    let subject = blind_subject_opt(v, f.subject_key.as_deref());
    let open_key = f.is_open().then(|| subject.clone()).flatten();
    let live = (f.status == Status::Draft || f.is_open()).then(|| f.appid.clone());
    let reached = i64::from(f.reached_authority());
    (
        "UPDATE filings SET status = $1, version = $2, province = $3, subject_key = $4, open_subject_key = $5, \
         live_appid = $6, reached_authority = $7, due_at = $8, updated_at = $9, state = $10, \
         due_provisional = $13, sp_mobile = $14, mp_mobile = $15 WHERE id = $11 AND version = $12",
        vec![
            Val::S(f.status.as_str().to_string()),
            Val::I(f.version),
            Val::OS(f.province.clone()),
            Val::OS(subject),
            Val::OS(open_key),
            Val::OS(live),
            Val::I(reached),
            Val::OI(f.due_at.map(ms)),
            Val::I(ms(c.now)),
            Val::S(seal(v, ring, &f.id, "state", &to_json(f))),
            Val::S(f.id.clone()),
            Val::I(c.expected_version),
            Val::I(i64::from(f.due_provisional)),
            Val::OS(sp),
            Val::OS(mp),
        ],
    )
}

/// The statements of one transaction's writes. On SQLite they are gathered and sent as
/// one query at [`Script::flush`], with bound parameters numbered across it: SQLite runs
/// every statement of a query string, so that is one trip through sqlx's worker thread
/// instead of one per statement. PostgreSQL's extended protocol takes one statement per
/// message: there each is sent as it comes.
struct Script {
    gather: bool,
    /// Parameters per multi-row statement.
    max_params: usize,
    sql: String,
    /// The parameters gathered so far.
    binder: Binder,
}

impl Script {
    fn new(gather: bool, max_params: usize) -> Script {
        Script {
            gather,
            max_params,
            sql: String::new(),
            binder: Binder::default(),
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
        let offset = self.binder.len();
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
        for v in vals {
            self.binder.add(v);
        }
        Ok(())
    }

    /// Sends what was gathered.
    async fn flush(&mut self, tx: &mut AnyConnection) -> StoreResult<()> {
        if self.sql.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.sql);
        let args = std::mem::take(&mut self.binder).into_args();
        sqlx::query_with(&sql, args)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

impl Script {
    /// `INSERT INTO {into} VALUES (…), (…)` of `rows` (each `width` values, in order),
    /// as few statements as the parameter limit allows.
    async fn insert_rows(
        &mut self,
        tx: &mut AnyConnection,
        into: &str,
        width: usize,
        rows: Vec<Vec<Val>>,
    ) -> StoreResult<()> {
        let per = (self.max_params / width).max(1);
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
            self.push(&mut *tx, &sql, vals).await?;
        }
        Ok(())
    }

    /// `DELETE FROM {table} WHERE filing_id IN (…)` for `ids`.
    async fn delete_of_filings(
        &mut self,
        tx: &mut AnyConnection,
        table: &str,
        ids: &[&str],
    ) -> StoreResult<()> {
        for chunk in ids.chunks(self.max_params) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "DELETE FROM {table} WHERE filing_id IN ({})",
                marks.join(", ")
            );
            let vals = chunk.iter().map(|id| Val::S(id.to_string())).collect();
            self.push(&mut *tx, &sql, vals).await?;
        }
        Ok(())
    }
}

/// The SMS a notice of the SMS channel sends.
pub(crate) fn notice_sms(n: &Notice) -> OutboundSms {
    OutboundSms {
        mobile: n.to.clone(),
        body: n.body.clone(),
        template: n.template.clone(),
        params: n.params.clone(),
    }
}

/// An outbox row: the order it is about (if any), its kind, the message, when.
pub(crate) type SmsOf<'a> = (Option<&'a str>, &'a str, &'a OutboundSms, Time);

/// The outbox row of an SMS (12 values, `OUTBOX_ROWS`): recipient, text and parameters
/// sealed with the order's key (the system key for none), the recipient's blind index.
pub(crate) fn sms_row(v: &Vault, ring: &Keyring, (filing_id, kind, sms, now): SmsOf) -> Vec<Val> {
    let key = filing_id.unwrap_or(SYSTEM_KEY);
    vec![
        Val::OS(filing_id.map(str::to_string)),
        Val::S(seal(v, ring, key, "sms", &sms.mobile)),
        Val::S(seal(v, ring, key, "sms", &sms.body)),
        Val::I(ms(now)),
        Val::S(kind.to_string()),
        Val::S(sms.template.clone()),
        Val::S(seal(v, ring, key, "sms", &to_json(&sms.params))),
        Val::S("pending".into()),
        Val::I(0),
        Val::I(ms(now)),
        Val::I(0),
        Val::S(blind_mobile(v, &sms.mobile)),
    ]
}

/// One delivery per event and subscription that asked for its type (or `*`).
pub(crate) async fn fan_out(
    tx: &mut AnyConnection,
    events: &[WebhookEvent],
    now: Time,
) -> StoreResult<()> {
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
