//! Values to and from SQL: times as epoch milliseconds, JSON columns, the one binder
//! of statements built at run time, constraint errors, the dialect's locking clauses,
//! and the row mappers with the column lists they read.
//!
//! May import: the crate root's rows and errors, and the domain. Nothing of `sql/`.

use crate::{
    AppRow, AttemptRow, DeliveryRow, FaceTaskRow, FilingHead, InboxRow, MediaRow, ServiceRecord,
    SmsRow, StoreError, StoreResult, SubjectRecord, UserRow, WebhookRow,
};
use beian_domain::filing::Time;
use beian_domain::gating::RecordStatus;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Arguments, Row};

// --- times and JSON ---

/// A time as stored: milliseconds since the epoch, so both backends compare alike.
pub(crate) fn ms(t: Time) -> i64 {
    t.timestamp_millis()
}

/// A stored time back.
pub(crate) fn time(ms: i64) -> Time {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// A JSON column back; a value that does not parse is a corrupt row.
pub(crate) fn json<T: serde::de::DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A JSON column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Our own types always serialise.
    serde_json::to_string(v).unwrap_or_default()
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

// --- errors and dialect ---

/// Builds the error a violated constraint stands for.
type ConstraintError = fn() -> StoreError;

/// Maps constraint violations to the refusals they stand for.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
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

/// Locks the selected rows until the transaction ends (PostgreSQL); SQLite has one
/// writer and needs none.
pub(crate) fn lock_clause(postgres: bool) -> &'static str {
    if postgres {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// Locks the selected rows and passes over rows another process holds (PostgreSQL), so
/// several processes claim disjoint work.
pub(crate) fn skip_locked(postgres: bool) -> &'static str {
    if postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    }
}

// --- the binder ---

/// A value bound to a statement built at run time.
pub(crate) enum Val {
    S(String),
    OS(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// Binds parameters in order and hands out their `$n` marks; every statement whose
/// parameters are counted at run time gets its arguments here.
#[derive(Default)]
pub(crate) struct Binder {
    args: AnyArguments<'static>,
    n: usize,
}

impl Binder {
    /// Binds `v` as the next parameter.
    pub(crate) fn add(&mut self, v: Val) {
        let _ = match v {
            Val::S(x) => self.args.add(x),
            Val::OS(x) => self.args.add(x),
            Val::I(x) => self.args.add(x),
            Val::OI(x) => self.args.add(x),
        };
        self.n += 1;
    }

    /// Binds `v` and returns its mark.
    pub(crate) fn bind(&mut self, v: Val) -> String {
        self.add(v);
        format!("${}", self.n)
    }

    pub(crate) fn text(&mut self, v: &str) -> String {
        self.bind(Val::S(v.to_string()))
    }

    pub(crate) fn int(&mut self, v: i64) -> String {
        self.bind(Val::I(v))
    }

    /// Binds each of `vs` as text: the marks of an `IN (…)` list.
    pub(crate) fn list<S: AsRef<str>>(&mut self, vs: &[S]) -> String {
        vs.iter()
            .map(|v| self.text(v.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How many parameters are bound.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    pub(crate) fn into_args(self) -> AnyArguments<'static> {
        self.args
    }
}

/// The arguments of a statement whose parameters are `$1…$k` in the order of `vals`.
pub(crate) fn arguments(vals: Vec<Val>) -> AnyArguments<'static> {
    let mut b = Binder::default();
    for v in vals {
        b.add(v);
    }
    b.into_args()
}

// --- rows ---

pub(crate) const USER_COLS: &str = "id, username, password_hash, role, province, created_at";
pub(crate) const APP_COLS: &str =
    "appid, name, owner_id, listed, owner_name, registered_at, preconditions, created_at";
pub(crate) const FACE_COLS: &str =
    "id, filing_id, owner_id, status, created_at, identity_type, identity_number, name, photo, consumed_by";
pub(crate) const SMS_COLS: &str =
    "id, filing_id, mobile, body, created_at, sent_at, kind, template, params, status, \
     attempts, last_error, next_attempt_at, lease_until";
pub(crate) const INBOX_COLS: &str =
    "id, user_id, template, title, body, filing_id, appid, created_at, read_at";
pub(crate) const WEBHOOK_COLS: &str =
    "id, url, secret, description, created_by, created_at, deleted_at";
pub(crate) const DELIVERY_COLS: &str =
    "id, subscription_id, event_id, event_type, payload, status, attempts, retry_count, \
     next_attempt_at, lease_until, last_status_code, last_error, created_at, delivered_at";

/// `columns` (a `…_COLS` list) each prefixed with the table alias `alias`.
pub(crate) fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `T` read from a row: each field named alone from the column of the same name, each
/// `field: value` as given, in the order written.
macro_rules! from_row {
    ($r:ident => $T:ident { $($field:ident $(: $value:expr)?),* $(,)? }) => {
        $T { $($field: from_row!(@field $r, $field $(, $value)?)),* }
    };
    (@field $r:ident, $field:ident) => {
        $r.try_get(stringify!($field))?
    };
    (@field $r:ident, $field:ident, $value:expr) => {
        $value
    };
}
pub(crate) use from_row;

/// A time column.
pub(crate) fn at(r: &AnyRow, column: &str) -> StoreResult<Time> {
    Ok(time(r.try_get(column)?))
}

/// A time column that may be NULL.
pub(crate) fn at_opt(r: &AnyRow, column: &str) -> StoreResult<Option<Time>> {
    Ok(r.try_get::<Option<i64>, _>(column)?.map(time))
}

/// Opens a sealed column value: `(column purpose, stored) → plain` (`sql::keys::opener`).
pub(crate) type Open<'a> = &'a dyn Fn(&str, String) -> StoreResult<String>;

/// A sealed text column that may be NULL.
fn sealed_opt(r: &AnyRow, column: &str, purpose: &str, open: Open) -> StoreResult<Option<String>> {
    r.try_get::<Option<String>, _>(column)?
        .map(|v| open(purpose, v))
        .transpose()
}

/// A JSON column.
fn json_at<T: serde::de::DeserializeOwned>(r: &AnyRow, column: &str) -> StoreResult<T> {
    json(&r.try_get::<String, _>(column)?)
}

pub(crate) fn user(r: &AnyRow) -> StoreResult<UserRow> {
    Ok(from_row!(r => UserRow {
        id, username, password_hash, role, province, created_at: at(r, "created_at")?
    }))
}

/// An app; the name of its owner is sealed.
pub(crate) fn app(r: &AnyRow, open: Open) -> StoreResult<AppRow> {
    Ok(from_row!(r => AppRow {
        appid, name, owner_id, listed: r.try_get::<i64, _>("listed")? != 0,
        owner_name: sealed_opt(r, "owner_name", "owner_name", open)?,
        registered_at: at(r, "registered_at")?,
        preconditions: json_at(r, "preconditions")?,
        created_at: at(r, "created_at")?,
    }))
}

/// A service record; its document is sealed.
pub(crate) fn service_record(r: &AnyRow, open: Open) -> StoreResult<ServiceRecord> {
    let document: beian_domain::document::Document =
        json(&open("document", r.try_get("document")?)?)?;
    // The column holds the subject's blind index; its key in clear is the document's.
    let stored: String = r.try_get("subject_key")?;
    Ok(from_row!(r => ServiceRecord {
        appid, subject_key: document.subject_key().unwrap_or(stored), subject_number,
        service_number, mini_program_name,
        status: RecordStatus::parse(&r.try_get::<String, _>("status")?),
        filed_at: at(r, "filed_at")?, document: document,
    }))
}

/// A subject record; a person's full name is read from its sealed column.
pub(crate) fn subject_record(r: &AnyRow, open: Open) -> StoreResult<SubjectRecord> {
    let shown: String = r.try_get("subject_name")?;
    let subject_name = sealed_opt(r, "sealed_name", "subject_name", open)?.unwrap_or(shown);
    Ok(from_row!(r => SubjectRecord {
        subject_key, province, subject_number, subject_name: subject_name, next_service_index,
        status: RecordStatus::parse(&r.try_get::<String, _>("status")?),
    }))
}

pub(crate) fn filing_head(r: &AnyRow) -> StoreResult<FilingHead> {
    Ok(from_row!(r => FilingHead { id, version, status, due_at: at_opt(r, "due_at")? }))
}

pub(crate) fn media(r: &AnyRow) -> StoreResult<MediaRow> {
    Ok(from_row!(r => MediaRow {
        id, owner_id, purpose, content_type, size, sha256, width, height,
        checks: json_at(r, "checks")?, created_at: at(r, "created_at")?,
    }))
}

/// A face task; the identity it checked is sealed.
pub(crate) fn face(r: &AnyRow, open: Open) -> StoreResult<FaceTaskRow> {
    Ok(from_row!(r => FaceTaskRow {
        id, filing_id, owner_id, status, created_at: at(r, "created_at")?, identity_type,
        identity_number: sealed_opt(r, "identity_number", "face", open)?,
        name: sealed_opt(r, "name", "face", open)?, photo, consumed_by,
    }))
}

/// An outbox SMS; recipient, text and parameters are sealed.
pub(crate) fn sms(r: &AnyRow, open: Open) -> StoreResult<SmsRow> {
    Ok(from_row!(r => SmsRow {
        id, filing_id, mobile: open("sms", r.try_get("mobile")?)?,
        body: open("sms", r.try_get("body")?)?, created_at: at(r, "created_at")?,
        sent_at: at_opt(r, "sent_at")?, kind, template,
        params: sealed_opt(r, "params", "sms", open)?.map(|p| json(&p)).transpose()?,
        status, attempts, last_error, next_attempt_at: at(r, "next_attempt_at")?, lease_until,
    }))
}

pub(crate) fn inbox(r: &AnyRow) -> StoreResult<InboxRow> {
    Ok(from_row!(r => InboxRow {
        id, user_id, template, title, body, filing_id, appid,
        created_at: at(r, "created_at")?, read_at: at_opt(r, "read_at")?,
    }))
}

/// A subscription without its event types (read apart).
pub(crate) fn webhook(r: &AnyRow) -> StoreResult<WebhookRow> {
    Ok(from_row!(r => WebhookRow {
        id, url, secret, events: vec![], description, created_by,
        created_at: at(r, "created_at")?, deleted_at: at_opt(r, "deleted_at")?,
    }))
}

pub(crate) fn delivery(r: &AnyRow) -> StoreResult<DeliveryRow> {
    Ok(from_row!(r => DeliveryRow {
        id, subscription_id, event_id, event_type, payload, status, attempts, retry_count,
        next_attempt_at: at(r, "next_attempt_at")?, lease_until, last_status_code, last_error,
        created_at: at(r, "created_at")?, delivered_at: at_opt(r, "delivered_at")?,
    }))
}

pub(crate) fn attempt(r: &AnyRow) -> StoreResult<AttemptRow> {
    Ok(from_row!(r => AttemptRow {
        delivery_id, attempt, at: at(r, "at")?, status_code, error, duration_ms,
    }))
}
