//! Persistence of beian behind the [`Store`] trait.
//!
//! [`SqlStore`] implements it for SQLite (the embedded default) and
//! PostgreSQL (for several server processes), each with its own migrations.
//! The filing projection, its event log, its timers, the records and the SMS
//! outbox are always written in one transaction.

mod migrate;
mod model;
mod sql;
pub mod vault;

pub use model::*;
pub use sql::{SqlStore, PUBLIC_CACHE_TTL_MS};

use async_trait::async_trait;
use beian_domain::dashboard::History;
use beian_domain::deadline::SweepApp;
use beian_domain::filing::{Event, Filing, IssuedNumbers, Refusal, Time, TimerKind};
use beian_domain::notify::Notice;

/// [`Store::submission_facts`] answered by the single-purpose reads, one by one: the
/// trait's default, and the reference the one-statement answer is tested against.
pub async fn facts_one_by_one<S: FactsStore + ?Sized>(
    store: &S,
    q: &FactsQuery,
) -> StoreResult<FactsRows> {
    let mut out = FactsRows::default();
    if let Some(appid) = &q.appid {
        out.app = store.app(appid).await?;
        out.app_filed = Some(
            store
                .service_record(appid)
                .await?
                .is_some_and(|r| r.status == RecordStatus::Active),
        );
        if let Some(since) = q.submissions_since {
            out.submissions = Some(store.submissions_since(appid, since).await?);
        }
    }
    if let Some(id) = &q.face_task {
        out.face_task = store.face_task(id).await?;
    }
    if let Some(key) = &q.subject_key {
        if q.quota {
            out.quota_used = Some(store.quota_used(key, &q.except_filing).await?);
        }
        out.open_orders = store.open_orders_of_subject(key, &q.except_filing).await?;
        out.subject_record = store.subject_record(key).await?;
        let appid = q.appid.as_deref().unwrap_or("");
        out.service_names = store.active_service_names(key, appid).await?;
        out.mobiles_elsewhere = store.mobiles_of_other_subjects(&q.mobiles, key).await?;
    }
    out.media = store.media_info(&q.media).await?;
    Ok(out)
}

/// One look at an order's personal data unmasked: who, when, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub filing_id: String,
    pub at: Time,
    pub user_id: String,
    pub role: String,
    /// What was shown, e.g. `review_page`, `papers`.
    pub what: String,
}

/// How long a session lives (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Unused this long, it ends.
    pub idle_ms: i64,
    /// This long after sign-in, it ends whatever its use.
    pub absolute_ms: i64,
}

impl SessionLimits {
    /// How stale the last-seen mark may get before a use rewrites it: a minute, or less
    /// when the idle limit is short.
    pub fn touch_ms(&self) -> i64 {
        (self.idle_ms / 4).clamp(0, 60_000)
    }
}

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
    /// A sealed value or data key could not be opened (see [`vault`]).
    #[error("personal data keys: {0}")]
    Vault(#[from] vault::VaultError),
}

impl StoreError {
    /// PostgreSQL refused a NUL character in text (SQLSTATE 22021): bad input, not a
    /// fault of the store. SQLite stores it.
    pub fn is_nul_in_text(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(d)) if d.code().as_deref() == Some("22021"))
    }
}

/// Result alias of the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// Builds the commit once the numbers are known (T19 of a new order).
pub type NumberedCommit = Box<dyn FnOnce(IssuedNumbers) -> Result<Commit, Refusal> + Send>;

/// Readiness and the backend's shape.
#[async_trait]
pub trait StoreHealth: Send + Sync {
    /// Records `key_id` as the master key this database is written with, unless one is
    /// recorded; returns the recorded one.
    async fn claim_key_id(&self, key_id: &str) -> StoreResult<String>;
    /// Checks the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// The secret kept under `id` (a wrapped data key), storing `initial` when there is
    /// none yet: keys first derived from the master key that must survive its rotation.
    async fn secret(&self, id: &str, initial: &[u8], now: Time) -> StoreResult<Vec<u8>>;
    /// Whether several transactions can write at once (PostgreSQL), so batches
    /// are worth splitting across connections; SQLite has one writer.
    fn concurrent_writers(&self) -> bool {
        false
    }
}

/// Accounts, sessions, the access log of personal data, idempotency keys.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn insert_user(&self, user: &UserRow) -> StoreResult<()>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>>;
    async fn list_users(&self) -> StoreResult<Vec<UserRow>>;
    async fn insert_session(&self, token_hash: &str, user_id: &str, at: Time) -> StoreResult<()>;
    /// The user of a live session: not revoked, not idle nor older than `limits` at
    /// `now`. A use marks the session seen.
    async fn session_user(
        &self,
        token_hash: &str,
        now: Time,
        limits: SessionLimits,
    ) -> StoreResult<Option<UserRow>>;
    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Records that someone saw an order's personal data unmasked.
    async fn record_access(&self, entry: &AccessEntry) -> StoreResult<()>;
    /// An order's access entries, oldest first.
    async fn access_log(&self, filing_id: &str) -> StoreResult<Vec<AccessEntry>>;
    /// Ends every session of a user.
    async fn revoke_sessions_of(&self, user_id: &str) -> StoreResult<()>;
    /// Deletes ended sessions and idempotency keys created before `keys_before`.
    async fn purge_sessions(
        &self,
        now: Time,
        limits: SessionLimits,
        keys_before: Time,
    ) -> StoreResult<u64>;

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
}

/// Mini programs, their filed records and their standing in the deadline sweep.
#[async_trait]
pub trait AppStore: Send + Sync {
    async fn insert_app(&self, app: &AppRow) -> StoreResult<()>;
    async fn app(&self, appid: &str) -> StoreResult<Option<AppRow>>;
    async fn list_apps(&self, owner: Option<&str>) -> StoreResult<Vec<AppRow>>;
    async fn service_record(&self, appid: &str) -> StoreResult<Option<ServiceRecord>>;
    async fn subject_record(&self, subject_key: &str) -> StoreResult<Option<SubjectRecord>>;
    /// Active services plus open new orders of a subject, other than `except`.
    async fn quota_used(&self, subject_key: &str, except: &str) -> StoreResult<u32>;
    /// The app's clearance, if the sweep cleared it.
    async fn app_clearance(&self, appid: &str) -> StoreResult<Option<ClearanceRow>>;
    /// Warning thresholds (days ahead) already sent for the app.
    async fn deadline_warnings(&self, appid: &str) -> StoreResult<Vec<u32>>;
}

/// Orders: their projections, event logs, commits, timers and look-ups.
#[async_trait]
pub trait FilingStore: Send + Sync {
    /// The draft or open order of an app, if any.
    async fn live_filing_of_app(&self, appid: &str) -> StoreResult<Option<Filing>>;

    /// Inserts a new order with its creation event.
    async fn create_filing(&self, filing: &Filing, created: &Event) -> StoreResult<()>;
    async fn filing(&self, id: &str) -> StoreResult<Option<Filing>>;
    async fn list_filings(&self, q: &FilingQuery) -> StoreResult<Vec<Filing>>;
    /// The same list as [`Store::list_filings`], from the indexed columns only.
    async fn list_filing_heads(&self, q: &FilingQuery) -> StoreResult<Vec<FilingHead>>;
    async fn events(&self, filing_id: &str) -> StoreResult<Vec<Event>>;
    /// Several orders at once (the timer batch); unknown ids are left out.
    async fn filings_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Filing>>;
    /// Appends events and updates every projection atomically.
    async fn commit(&self, commit: Commit) -> StoreResult<()>;
    /// Writes several orders' commits in one transaction (one durable commit for the
    /// lot, few statements per table). The orders' versions are read first (locked on
    /// PostgreSQL): a commit whose order moved on (or a second one of the same order)
    /// gets `VersionConflict` at its index and writes nothing, and the others are
    /// written. An `Err` of the whole call (a constraint, the database) means nothing
    /// was written: the caller then commits them one by one.
    async fn commit_batch(&self, commits: Vec<Commit>) -> StoreResult<Vec<StoreResult<()>>>;
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

    /// Deletes the recompute timers of these orders whose due date is no longer provisional:
    /// a process scheduling while another recomputed can leave one behind, and a stale
    /// timer would otherwise be claimed again after every lease.
    async fn drop_settled_recomputes(&self, filing_ids: &[String]) -> StoreResult<u64>;

    /// Every order with its event log, for the operations dashboard.
    async fn histories(&self) -> StoreResult<Vec<History>>;
}

/// The tamper-evident history: event chains and daily anchors (`beian_domain::audit`).
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// The ids of the orders with an event at or after `since` (every order without
    /// it), for `beian audit verify`.
    async fn audit_ids(&self, since: Option<Time>) -> StoreResult<Vec<String>>;
    /// An order's stored events as the audit reads them, by sequence number, with its
    /// recorded head and version; `None` for an unknown order.
    async fn audit_chain(&self, filing_id: &str) -> StoreResult<Option<AuditChain>>;
    /// For every order with a linked event in `[from, to)`: its id and the link of its
    /// last such event (its head at the end of that span), by id.
    async fn heads_between(&self, from: Time, to: Time) -> StoreResult<Vec<(String, String)>>;
    /// Stores a day's anchor unless that day has one; true when this call stored it.
    async fn save_anchor(&self, anchor: &Anchor) -> StoreResult<bool>;
    /// The anchors, oldest first (`limit` newest when given).
    async fn anchors(&self, limit: Option<i64>) -> StoreResult<Vec<Anchor>>;
}

/// A day's anchor ([`AuditStore::save_anchor`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Anchor {
    /// The day, `YYYY-MM-DD` China time.
    pub day: String,
    pub hash: String,
    /// The previous anchor's hash, empty for the first.
    pub previous: String,
    /// How many order heads it covers.
    pub orders: i64,
    #[serde(skip)]
    pub created_at: Time,
}

/// One order's chain as stored ([`AuditStore::audit_chain`]).
#[derive(Debug, Clone)]
pub struct AuditChain {
    pub events: Vec<beian_domain::audit::StoredLink>,
    pub head: String,
    pub version: i64,
    /// The order's personal data was erased (its data key destroyed): the bodies can no
    /// longer be read, only the links (`beian_domain::audit::verify_erased`).
    pub erased: bool,
}

/// Erasure of personal data after its retention period (`beian_domain::retention`).
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// The orders last changed before `ended_before`, with what of them is not erased yet.
    async fn retention_candidates(&self, ended_before: Time) -> StoreResult<Vec<RetentionRow>>;
    /// Destroys the order's data key and keeps `redacted` as its state, in one
    /// transaction; false when it was erased already (by another process).
    async fn erase_order(&self, redacted: &Filing, now: Time) -> StoreResult<bool>;
    /// Whether other uploads not erased hold the same content as `media_id` (the object
    /// is shared then and stays).
    async fn media_shared(&self, media_id: &str) -> StoreResult<bool>;
    /// Marks an upload erased (its object deleted); false when it was already.
    async fn mark_media_erased(&self, media_id: &str, now: Time) -> StoreResult<bool>;
    /// Erases the readings of photos uploaded before `uploaded_before`; how many.
    async fn erase_readings(&self, uploaded_before: Time) -> StoreResult<u64>;
}

/// An order as retention sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRow {
    pub filing_id: String,
    pub kind: String,
    pub status: String,
    /// When the order last changed: for a finished order, when it ended.
    pub ended_at: Time,
    /// Its data key is destroyed already.
    pub erased: bool,
    /// Its face photos (media ids) not erased yet.
    pub photos: Vec<String>,
}

/// Uploads and face verification tasks.
#[async_trait]
pub trait MediaStore: Send + Sync {
    async fn insert_media(&self, media: &MediaRow) -> StoreResult<()>;
    async fn media(&self, id: &str) -> StoreResult<Option<MediaRow>>;

    async fn insert_face_task(&self, task: &FaceTaskRow) -> StoreResult<()>;
    async fn face_task(&self, id: &str) -> StoreResult<Option<FaceTaskRow>>;
    async fn update_face_task(&self, task: &FaceTaskRow) -> StoreResult<()>;
    /// Records the certificate type an upload says it shows (V-MAT-005).
    async fn set_media_certificate_type(&self, id: &str, certificate_type: i64) -> StoreResult<()>;
    /// Records what was read from a certificate photo (sealed: it holds personal data).
    async fn set_media_reading(
        &self,
        id: &str,
        reading: &beian_domain::ocr::Reading,
    ) -> StoreResult<()>;
    /// The readings of these uploads that have one, by id.
    async fn media_readings(
        &self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, beian_domain::ocr::Reading)>>;
    /// Uploads of these purposes since `since` that have no reading yet, oldest first, with
    /// the certificate type they declared: the reads a stopped process left undone.
    async fn media_unread(
        &self,
        purposes: &[&str],
        since: Time,
        limit: i64,
    ) -> StoreResult<Vec<(MediaRow, Option<i64>)>>;
}

/// The public filing query.
#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Public query over filed services (api.md "Public query").
    async fn public_search(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>>;
}

/// Notices: the inbox, the SMS outbox and its reminders.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn outbox_list(&self, mobile: Option<&str>, limit: i64) -> StoreResult<Vec<SmsRow>>;

    /// Records notices outside a filing commit (the face verification notice).
    async fn insert_notices(&self, notices: &[Notice], now: Time) -> StoreResult<()>;
    /// A user's inbox, newest first, below the message id `before`.
    async fn inbox(
        &self,
        user_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<InboxRow>>;
    /// How many of a user's messages are unread.
    async fn inbox_unread(&self, user_id: &str) -> StoreResult<i64>;
    /// Marks one of the user's messages read (once); `None` if it is not theirs.
    async fn inbox_mark_read(
        &self,
        user_id: &str,
        id: i64,
        at: Time,
    ) -> StoreResult<Option<InboxRow>>;

    /// Claims due outbox SMS for `lease_ms`; another process skips them meanwhile.
    async fn sms_claim_due(&self, now: Time, lease_ms: i64, limit: i64)
        -> StoreResult<Vec<SmsRow>>;
    /// Records an attempt made under a claim; settled messages lose their params.
    async fn sms_record_attempt(&self, attempt: &SmsAttempt) -> StoreResult<()>;
    /// Counts one SMS to `mobile` on `day`; false when the daily limit is reached.
    async fn sms_count_daily(&self, mobile: &str, day: &str, limit: u32) -> StoreResult<bool>;
    /// Orders in SMS verification whose round closes within `ahead_ms` and
    /// whose reminder has not been sent.
    async fn sms_reminders_due(
        &self,
        now: Time,
        ahead_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<Filing>>;
    /// Records the reminder of the round closing at `deadline` with its notices,
    /// once; false when it was already recorded.
    async fn record_sms_reminder(
        &self,
        filing_id: &str,
        deadline: Time,
        notices: &[Notice],
        now: Time,
    ) -> StoreResult<bool>;
}

/// Webhook subscriptions, deliveries and attempts.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn insert_webhook(&self, webhook: &WebhookRow) -> StoreResult<()>;
    /// Subscriptions not deleted, oldest first.
    async fn webhooks(&self) -> StoreResult<Vec<WebhookRow>>;
    async fn webhook(&self, id: &str) -> StoreResult<Option<WebhookRow>>;
    /// Deletes a subscription and cancels its pending deliveries; false if unknown.
    async fn delete_webhook(&self, id: &str, at: Time) -> StoreResult<bool>;
    /// Claims due deliveries for `lease_ms`; another process skips them meanwhile.
    async fn webhook_claim_due(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryJob>>;
    /// Records an attempt made under a claim, with its line in the delivery log.
    async fn webhook_record_attempt(&self, attempt: &WebhookAttempt) -> StoreResult<()>;
    /// A subscription's deliveries, newest first, below the delivery id `before`.
    async fn webhook_deliveries(
        &self,
        subscription_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryRow>>;
    /// The delivery log lines of these deliveries.
    async fn webhook_attempts(&self, delivery_ids: &[i64]) -> StoreResult<Vec<AttemptRow>>;
    async fn webhook_delivery(&self, id: i64) -> StoreResult<Option<DeliveryRow>>;
    /// Queues a delivery again, due at `now`, with a fresh retry budget.
    async fn webhook_replay(&self, id: i64, now: Time) -> StoreResult<Option<DeliveryRow>>;
}

/// The daily deadline sweep and once-a-day jobs.
#[async_trait]
pub trait SweepStore: Send + Sync {
    /// The listed apps without a service record (the only ones gating still
    /// concerns), as the deadline sweep sees them.
    async fn sweep_candidates(&self) -> StoreResult<Vec<SweepApp>>;
    /// Runs `job` for `day` once: inserts its `job_runs` row and the writes
    /// `build` decides in one transaction. `None` when that day already ran.
    async fn run_daily_sweep(
        &self,
        job: &str,
        day: &str,
        now: Time,
        build: SweepBuild,
    ) -> StoreResult<Option<SweepWrite>>;
    /// Whether `job` ran for `day`.
    async fn job_ran(&self, job: &str, day: &str) -> StoreResult<bool>;
}

/// Holiday notices loaded at run time and the due dates they settle.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The holiday notices loaded at run time (domain §11.5), by year.
    async fn calendar_notices(&self) -> StoreResult<Vec<StoredNotice>>;
    /// Changes whenever a notice is stored, so every process reloads its calendar.
    async fn calendar_version(&self) -> StoreResult<i64>;
    /// Stores a year's notice; false (and nothing written) when that year is stored already.
    async fn save_calendar_notice(&self, notice: &StoredNotice) -> StoreResult<bool>;
    /// Gives each open order with a provisional due date before `before` a recompute
    /// timer due `now` (unless it has one); returns how many were scheduled.
    async fn schedule_due_recompute(&self, before: Time, now: Time) -> StoreResult<u64>;
    /// How many open orders have a provisional due date before `before`, and the first
    /// `limit` of them by due date.
    async fn provisional_dues(&self, before: Time, limit: i64) -> StoreResult<(u64, Vec<Filing>)>;
}

/// What a submission's validation reads from the database.
#[async_trait]
pub trait FactsStore: AppStore + MediaStore + Send + Sync {
    /// Every database fact a submission's validation reads. This default asks the
    /// single-purpose reads one by one; [`SqlStore`] answers in one statement (one round
    /// trip), and a test holds the two to equal answers.
    async fn submission_facts(&self, q: &FactsQuery) -> StoreResult<FactsRows> {
        facts_one_by_one(self, q).await
    }
    /// Open orders of a subject other than the order `except` (V-POL-002, V-POL-003).
    async fn open_orders_of_subject(
        &self,
        subject_key: &str,
        except: &str,
    ) -> StoreResult<Vec<OpenOrder>>;
    /// Names of a subject's active services other than the app `except_appid` (V-MP-021).
    async fn active_service_names(
        &self,
        subject_key: &str,
        except_appid: &str,
    ) -> StoreResult<Vec<String>>;
    /// Those of `mobiles` (11 digits each) that a subject other than `subject_key` uses as a
    /// principal mobile in an active service record or an open order (V-PER-011).
    async fn mobiles_of_other_subjects(
        &self,
        mobiles: &[String],
        subject_key: &str,
    ) -> StoreResult<Vec<String>>;
    /// Owner, type and declared certificate type of the media with these ids; unknown ids
    /// are left out (V-MAT-004, V-MAT-005).
    async fn media_info(&self, ids: &[String]) -> StoreResult<Vec<MediaInfo>>;
    /// Submissions and unchanged resubmissions of an app's orders at or after `since`
    /// (V-POL-010).
    async fn submissions_since(&self, appid: &str, since: Time) -> StoreResult<u32>;
}

/// Bulk writes for `beian seed` and the benchmarks.
#[async_trait]
pub trait SeedStore: Send + Sync {
    /// Writes `ops` in order in one transaction (`beian seed`): the same rows as
    /// `insert_user`, `insert_app`, `insert_face_task`, `create_filing`, `commit`
    /// and `commit_with_numbers`, many orders per transaction.
    async fn seed_batch(&self, ops: Vec<SeedOp>) -> StoreResult<()>;
    /// Marks pending outbox messages created before `before` sent at their
    /// creation time, as the dispatcher would have (seeded history); returns how many.
    /// Ends a seeding run: on PostgreSQL it also refreshes the planner statistics.
    async fn seed_settle_outbox(&self, before: Time) -> StoreResult<u64>;
}

/// Declares [`Store`] as the sum of the area traits listed once, and implements it for
/// whatever implements them all.
macro_rules! store_of_areas {
    ($(#[$doc:meta])* $($area:ident),+ $(,)?) => {
        $(#[$doc])*
        pub trait Store: $($area +)+ 'static {}

        impl<T> Store for T where T: $($area +)+ 'static {}
    };
}

store_of_areas!(
    /// Everything beian persists: every area's trait. Implemented for whatever implements
    /// them all ([`SqlStore`] on SQLite and PostgreSQL).
    AuditStore,
    StoreHealth,
    AccountStore,
    AppStore,
    FilingStore,
    MediaStore,
    SearchStore,
    OutboxStore,
    WebhookStore,
    SweepStore,
    CalendarStore,
    FactsStore,
    SeedStore,
    RetentionStore,
);

// --- seeding and benchmarks ---

/// One write of a seed batch ([`Store::seed_batch`]).
pub enum SeedOp {
    User(UserRow),
    App(AppRow),
    FaceTask(FaceTaskRow),
    /// As [`Store::insert_media`] then [`Store::set_media_certificate_type`].
    Media(MediaRow, Option<i64>),
    /// A new order with its creation event, as [`Store::create_filing`].
    Create(Box<Filing>, Box<Event>),
    /// As [`Store::commit`].
    Commit(Box<Commit>),
    /// As [`Store::commit_with_numbers`].
    Numbered(NumberRequest, NumberedCommit),
}

/// The area traits, for callers of [`Store`] methods (`use beian_store::prelude::*`): a
/// `dyn Store` answers every area's methods once the traits are in scope.
pub mod prelude {
    pub use crate::{
        AccountStore, AppStore, AuditStore, CalendarStore, FactsStore, FilingStore, MediaStore,
        OutboxStore, RetentionStore, SearchStore, SeedStore, Store, StoreHealth, SweepStore,
        WebhookStore,
    };
}
