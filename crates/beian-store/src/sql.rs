//! The SQL implementation of [`Store`] for SQLite and PostgreSQL.
//!
//! Both backends run through sqlx's `Any` driver with `$n` placeholders, which
//! both understand; the few dialect differences (row locks with `SKIP LOCKED`,
//! connection setup) are branches on `self.postgres`. Times are stored as
//! milliseconds since the epoch so both backends compare them the same way.

use async_trait::async_trait;
use beian_domain::document::Document;
use beian_domain::filing::{Event, Filing, IssuedNumbers, RecordEffect, Status, Time, TimerKind};
use beian_domain::numbers;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Arguments, Executor, Row, Transaction};

use crate::*;

/// SQLite or PostgreSQL storage.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    postgres: bool,
}

fn ms(t: Time) -> i64 {
    t.timestamp_millis()
}

fn time(ms: i64) -> Time {
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

fn json<T: serde::de::DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Our own types always serialise.
    serde_json::to_string(v).unwrap_or_default()
}

type Tx = Transaction<'static, Any>;

impl SqlStore {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and migrates.
    pub async fn connect(url: &str, now: Time) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let pool = if postgres {
            AnyPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await?
        } else {
            // One connection: SQLite has one writer, and a second connection
            // upgrading a read transaction would fail with SQLITE_BUSY instead
            // of waiting.
            AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                            "PRAGMA synchronous = FULL",
                        ] {
                            conn.execute(pragma).await?;
                        }
                        Ok(())
                    })
                })
                .connect(url)
                .await?
        };
        crate::migrate::run(&pool, postgres, ms(now)).await?;
        Ok(SqlStore { pool, postgres })
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

    async fn write_commit(&self, tx: &mut AnyConnection, c: &Commit) -> StoreResult<()> {
        let f = &c.filing;
        let open_key = f.is_open().then(|| f.subject_key.clone()).flatten();
        let live = (f.status == Status::Draft || f.is_open()).then(|| f.appid.clone());
        let reached = i64::from(
            f.timeline
                .iter()
                .any(|t| t.event == "authority_review_started"),
        );
        let updated = sqlx::query(
            "UPDATE filings SET status = $1, version = $2, province = $3, subject_key = $4, open_subject_key = $5, \
             live_appid = $6, reached_authority = $7, due_at = $8, updated_at = $9, state = $10 \
             WHERE id = $11 AND version = $12",
        )
        .bind(f.status.as_str())
        .bind(f.version)
        .bind(f.province.clone())
        .bind(f.subject_key.clone())
        .bind(open_key)
        .bind(live)
        .bind(reached)
        .bind(f.due_at.map(ms))
        .bind(ms(c.now))
        .bind(to_json(f))
        .bind(&f.id)
        .bind(c.expected_version)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::VersionConflict);
        }
        for (i, e) in c.events.iter().enumerate() {
            insert_event(&mut *tx, &f.id, c.expected_version + 1 + i as i64, e).await?;
        }
        sqlx::query("DELETE FROM timers WHERE filing_id = $1")
            .bind(&f.id)
            .execute(&mut *tx)
            .await?;
        for (kind, due) in f.timers() {
            sqlx::query(
                "INSERT INTO timers (filing_id, kind, due_at, lease_until) VALUES ($1, $2, $3, 0)",
            )
            .bind(&f.id)
            .bind(kind.key())
            .bind(ms(due))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM sms_lookup WHERE filing_id = $1")
            .bind(&f.id)
            .execute(&mut *tx)
            .await?;
        if let (Status::SmsVerification, Some(round)) = (f.status, &f.sms) {
            let mut mobiles: Vec<&str> =
                round.recipients.iter().map(|r| r.mobile.as_str()).collect();
            mobiles.sort_unstable();
            mobiles.dedup();
            for m in mobiles {
                sqlx::query("INSERT INTO sms_lookup (mobile, filing_id) VALUES ($1, $2)")
                    .bind(m)
                    .bind(&f.id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for effect in &c.effects {
            self.apply_effect(&mut *tx, effect, c.now).await?;
        }
        for sms in &c.sms {
            sqlx::query("INSERT INTO sms_outbox (filing_id, mobile, body, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&f.id)
                .bind(&sms.mobile)
                .bind(&sms.body)
                .bind(ms(c.now))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(task) = &c.bind_face_task {
            sqlx::query(
                "UPDATE face_tasks SET consumed_by = $1 WHERE id = $2 AND consumed_by IS NULL",
            )
            .bind(&f.id)
            .bind(task)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
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
    })
}

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
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_user(&self, u: &UserRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, province, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(&u.role)
        .bind(u.province.clone())
        .bind(ms(u.created_at))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        sqlx::query(&sql)
            .fetch_all(&self.pool)
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
            .fetch_optional(&self.pool)
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
        .execute(&self.pool)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::Db(sqlx::Error::Database(db)) if db.is_unique_violation() => StoreError::AppidTaken,
            other => other,
        })?;
        Ok(())
    }

    async fn app(&self, appid: &str) -> StoreResult<Option<AppRow>> {
        let sql = format!("SELECT {APP_COLS} FROM apps WHERE appid = $1");
        let row = sqlx::query(&sql)
            .bind(appid)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(app).transpose()
    }

    async fn list_apps(&self, owner: Option<&str>) -> StoreResult<Vec<AppRow>> {
        let rows = match owner {
            Some(o) => {
                let sql = format!("SELECT {APP_COLS} FROM apps WHERE owner_id = $1 ORDER BY appid");
                sqlx::query(&sql).bind(o).fetch_all(&self.pool).await?
            }
            None => {
                let sql = format!("SELECT {APP_COLS} FROM apps ORDER BY appid");
                sqlx::query(&sql).fetch_all(&self.pool).await?
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
        .fetch_optional(&self.pool)
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
        .fetch_optional(&self.pool)
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
        let (services,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM service_records WHERE subject_key = $1 AND status = 'active'",
        )
        .bind(subject_key)
        .fetch_one(&self.pool)
        .await?;
        let (orders,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM filings WHERE open_subject_key = $1 AND kind = 'new' AND id <> $2",
        )
        .bind(subject_key)
        .bind(except)
        .fetch_one(&self.pool)
        .await?;
        Ok((services + orders) as u32)
    }

    async fn live_filing_of_app(&self, appid: &str) -> StoreResult<Option<Filing>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT state FROM filings WHERE live_appid = $1")
                .bind(appid)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(s,)| json(&s)).transpose()
    }

    async fn create_filing(&self, f: &Filing, created: &Event) -> StoreResult<()> {
        let mut tx = self.begin().await?;
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
        insert_event(&mut tx, &f.id, 1, created).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn filing(&self, id: &str) -> StoreResult<Option<Filing>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT state FROM filings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(s,)| json(&s)).transpose()
    }

    async fn list_filings(&self, q: &FilingQuery) -> StoreResult<Vec<Filing>> {
        let mut sql = String::from("SELECT state FROM filings WHERE 1 = 1");
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
        if let Some(c) = &q.after_id {
            add(&mut sql, " AND id > $?", c);
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {}", q.limit.clamp(1, 501)));
        let rows = sqlx::query_with(&sql, args).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| json(&r.try_get::<String, _>("state")?))
            .collect()
    }

    async fn events(&self, filing_id: &str) -> StoreResult<Vec<Event>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT body FROM filing_events WHERE filing_id = $1 ORDER BY seq")
                .bind(filing_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|(b,)| json(b)).collect()
    }

    async fn commit(&self, commit: Commit) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        self.write_commit(&mut tx, &commit).await?;
        tx.commit().await?;
        Ok(())
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
        self.write_commit(&mut tx, &commit).await?;
        tx.commit().await?;
        Ok(commit)
    }

    async fn filings_awaiting_sms(&self, mobile: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT filing_id FROM sms_lookup WHERE mobile = $1 ORDER BY filing_id")
                .bind(mobile)
                .fetch_all(&self.pool)
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

    async fn outbox_pending(&self, limit: i64) -> StoreResult<Vec<SmsRow>> {
        let rows = sqlx::query(
            "SELECT id, filing_id, mobile, body, created_at, sent_at FROM sms_outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(sms).collect()
    }

    async fn outbox_mark_sent(&self, id: i64, at: Time) -> StoreResult<()> {
        sqlx::query("UPDATE sms_outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_list(&self, mobile: Option<&str>, limit: i64) -> StoreResult<Vec<SmsRow>> {
        let cols = "SELECT id, filing_id, mobile, body, created_at, sent_at FROM sms_outbox";
        let rows = match mobile {
            Some(m) => {
                sqlx::query(&format!(
                    "{cols} WHERE mobile = $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(m)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("{cols} ORDER BY id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(sms).collect()
    }

    async fn insert_media(&self, m: &MediaRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO media (id, owner_id, purpose, content_type, size, sha256, width, height, checks, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn media(&self, id: &str) -> StoreResult<Option<MediaRow>> {
        let row = sqlx::query(
            "SELECT id, owner_id, purpose, content_type, size, sha256, width, height, checks, created_at FROM media WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn face_task(&self, id: &str) -> StoreResult<Option<FaceTaskRow>> {
        let row = sqlx::query(&format!("SELECT {FACE_COLS} FROM face_tasks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
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
        let exact = numbers::FilingNumber::parse(q)
            .map(|n| n.to_string())
            .unwrap_or_else(|_| q.trim().to_string());
        let pattern = format!(
            "%{}%",
            q.trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = sqlx::query(
            "SELECT s.mini_program_name, sr.subject_name, sr.nature, s.subject_number, s.service_number, s.filed_at \
             FROM service_records s JOIN subject_records sr ON sr.subject_key = s.subject_key \
             WHERE s.status = 'active' AND (s.service_number = $1 OR s.subject_number = $1 \
             OR s.mini_program_name LIKE $2 ESCAPE '\\' OR sr.subject_name LIKE $2 ESCAPE '\\') \
             ORDER BY s.filed_at DESC, s.service_number LIMIT $3",
        )
        .bind(exact)
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
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
