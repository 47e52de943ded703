//! Persistence of beian behind the [`Store`] trait.
//!
//! [`SqlStore`] implements it for SQLite (the embedded default) and
//! PostgreSQL (for several server processes), each with its own migrations.
//! The filing projection, its event log, its timers, the records and the SMS
//! outbox are always written in one transaction.

mod migrate;
mod model;
mod sql;

pub use model::*;
pub use sql::SqlStore;

use async_trait::async_trait;
use beian_domain::filing::{Event, Filing, IssuedNumbers, Refusal, Time, TimerKind};

/// Storage failures the caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("version conflict")]
    VersionConflict,
    #[error("subject busy")]
    SubjectBusy,
    #[error("an order is already open for this mini program")]
    OrderExists,
    #[error("username taken")]
    UsernameTaken,
    #[error("appid taken")]
    AppidTaken,
    #[error("filing number sequence exhausted")]
    SequenceExhausted,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// Result alias of the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// Builds the commit once the numbers are known (T19 of a new order).
pub type NumberedCommit = Box<dyn FnOnce(IssuedNumbers) -> Result<Commit, Refusal> + Send>;

/// Everything beian persists.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;

    async fn insert_user(&self, user: &UserRow) -> StoreResult<()>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>>;
    async fn list_users(&self) -> StoreResult<Vec<UserRow>>;
    async fn insert_session(&self, token_hash: &str, user_id: &str, at: Time) -> StoreResult<()>;
    async fn session_user(&self, token_hash: &str) -> StoreResult<Option<UserRow>>;
    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()>;

    async fn insert_app(&self, app: &AppRow) -> StoreResult<()>;
    async fn app(&self, appid: &str) -> StoreResult<Option<AppRow>>;
    async fn list_apps(&self, owner: Option<&str>) -> StoreResult<Vec<AppRow>>;
    async fn service_record(&self, appid: &str) -> StoreResult<Option<ServiceRecord>>;
    async fn subject_record(&self, subject_key: &str) -> StoreResult<Option<SubjectRecord>>;
    /// Active services plus open new orders of a subject, other than `except`.
    async fn quota_used(&self, subject_key: &str, except: &str) -> StoreResult<u32>;
    /// The draft or open order of an app, if any.
    async fn live_filing_of_app(&self, appid: &str) -> StoreResult<Option<Filing>>;

    /// Inserts a new order with its creation event.
    async fn create_filing(&self, filing: &Filing, created: &Event) -> StoreResult<()>;
    async fn filing(&self, id: &str) -> StoreResult<Option<Filing>>;
    async fn list_filings(&self, q: &FilingQuery) -> StoreResult<Vec<Filing>>;
    async fn events(&self, filing_id: &str) -> StoreResult<Vec<Event>>;
    /// Appends events and updates every projection atomically.
    async fn commit(&self, commit: Commit) -> StoreResult<()>;
    /// Allocates the numbers of T19 and commits in the same transaction; a
    /// refusal from `build` rolls the allocation back.
    async fn commit_with_numbers(
        &self,
        req: NumberRequest,
        build: NumberedCommit,
    ) -> StoreResult<Commit>;
    /// Orders whose open SMS round has a recipient with this mobile.
    async fn filings_awaiting_sms(&self, mobile: &str) -> StoreResult<Vec<String>>;

    /// Claims due timers for `lease_ms`; another process skips them meanwhile.
    async fn claim_due_timers(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<(String, TimerKind)>>;

    async fn outbox_pending(&self, limit: i64) -> StoreResult<Vec<SmsRow>>;
    async fn outbox_mark_sent(&self, id: i64, at: Time) -> StoreResult<()>;
    async fn outbox_list(&self, mobile: Option<&str>, limit: i64) -> StoreResult<Vec<SmsRow>>;

    async fn insert_media(&self, media: &MediaRow) -> StoreResult<()>;
    async fn media(&self, id: &str) -> StoreResult<Option<MediaRow>>;

    async fn insert_face_task(&self, task: &FaceTaskRow) -> StoreResult<()>;
    async fn face_task(&self, id: &str) -> StoreResult<Option<FaceTaskRow>>;
    async fn update_face_task(&self, task: &FaceTaskRow) -> StoreResult<()>;

    /// Reserves an idempotency key, or returns the stored response.
    async fn idempotency_begin(
        &self,
        user_id: &str,
        key: &str,
        at: Time,
    ) -> StoreResult<IdempotencyState>;
    async fn idempotency_finish(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()>;
    async fn idempotency_abort(&self, user_id: &str, key: &str) -> StoreResult<()>;

    /// Public query over filed services (api.md "Public query").
    async fn public_search(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>>;
}
