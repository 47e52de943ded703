//! The area traits (`AccountStore`, `FilingStore`, …) for `SqlStore`: each method hands
//! over to its area's function.
//!
//! May import: every area of `sql/`, `calendar`, `facts`, and [`SqlStore`] from `mod.rs`.

use super::codec::ms;
use super::{
    accounts, apps, audit, calendar, facts, filings, keys, media, outbox, ping, retention, seeding,
    sweep, webhooks, SqlStore,
};
use crate::prelude::*;
use crate::{
    AccessEntry, Anchor, AppRow, AttemptRow, AuditChain, ClearanceRow, Commit, DeliveryJob,
    DeliveryRow, FaceTaskRow, FactsQuery, FactsRows, FilingHead, FilingQuery, IdempotencyState,
    InboxRow, MediaInfo, MediaRow, NumberRequest, NumberedCommit, OpenOrder, PublicItem,
    RetentionRow, SeedOp, ServiceRecord, SessionLimits, SmsAttempt, SmsRow, StoreResult,
    StoredNotice, SubjectRecord, SweepBuild, SweepWrite, UserRow, WebhookAttempt, WebhookRow,
};
use async_trait::async_trait;
use beian_domain::dashboard::History;
use beian_domain::deadline::SweepApp;
use beian_domain::filing::{Event, Filing, Time, TimerKind};
use beian_domain::notify::Notice;

#[async_trait]
impl RetentionStore for SqlStore {
    async fn retention_candidates(&self, ended_before: Time) -> StoreResult<Vec<RetentionRow>> {
        retention::candidates(self, ended_before).await
    }

    async fn erase_order(&self, redacted: &Filing, now: Time) -> StoreResult<bool> {
        retention::erase_order(self, redacted, now).await
    }

    async fn media_shared(&self, media_id: &str) -> StoreResult<bool> {
        retention::media_shared(self, media_id).await
    }

    async fn mark_media_erased(&self, media_id: &str, now: Time) -> StoreResult<bool> {
        retention::mark_media_erased(self, media_id, now).await
    }

    async fn erase_readings(&self, uploaded_before: Time) -> StoreResult<u64> {
        retention::erase_readings(self, uploaded_before).await
    }
}

#[async_trait]
impl StoreHealth for SqlStore {
    async fn secret(&self, id: &str, initial: &[u8], now: Time) -> StoreResult<Vec<u8>> {
        keys::secret(self.pool(), &self.vault, id, initial, ms(now)).await
    }

    async fn claim_key_id(&self, key_id: &str) -> StoreResult<String> {
        audit::claim_key_id(self, key_id).await
    }

    fn concurrent_writers(&self) -> bool {
        self.postgres()
    }

    async fn ping(&self) -> StoreResult<()> {
        ping(self).await
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_user(&self, u: &UserRow) -> StoreResult<()> {
        accounts::insert_user(self, u).await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>> {
        accounts::user_by_username(self, username).await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        accounts::user_by_id(self, id).await
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        accounts::list_users(self).await
    }

    async fn insert_session(&self, token_hash: &str, user_id: &str, at: Time) -> StoreResult<()> {
        accounts::insert_session(self, token_hash, user_id, at).await
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: Time,
        limits: SessionLimits,
    ) -> StoreResult<Option<UserRow>> {
        accounts::session_user(self, token_hash, now, limits).await
    }

    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()> {
        accounts::revoke_session(self, token_hash).await
    }

    async fn record_access(&self, entry: &AccessEntry) -> StoreResult<()> {
        accounts::record_access(self, entry).await
    }

    async fn access_log(&self, filing_id: &str) -> StoreResult<Vec<AccessEntry>> {
        accounts::access_log(self, filing_id).await
    }

    async fn revoke_sessions_of(&self, user_id: &str) -> StoreResult<()> {
        accounts::revoke_sessions_of(self, user_id).await
    }

    async fn purge_sessions(
        &self,
        now: Time,
        limits: SessionLimits,
        keys_before: Time,
    ) -> StoreResult<u64> {
        accounts::purge_sessions(self, now, limits, keys_before).await
    }

    async fn idempotency_begin(
        &self,
        user_id: &str,
        key: &str,
        at: Time,
    ) -> StoreResult<IdempotencyState> {
        accounts::idempotency_begin(self, user_id, key, at).await
    }

    async fn idempotency_finish(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        accounts::idempotency_finish(self, user_id, key, status, body).await
    }

    async fn idempotency_abort(&self, user_id: &str, key: &str) -> StoreResult<()> {
        accounts::idempotency_abort(self, user_id, key).await
    }
}

#[async_trait]
impl AppStore for SqlStore {
    async fn insert_app(&self, a: &AppRow) -> StoreResult<()> {
        apps::insert_app(self, a).await
    }

    async fn app(&self, appid: &str) -> StoreResult<Option<AppRow>> {
        apps::app(self, appid).await
    }

    async fn list_apps(&self, owner: Option<&str>) -> StoreResult<Vec<AppRow>> {
        apps::list_apps(self, owner).await
    }

    async fn service_record(&self, appid: &str) -> StoreResult<Option<ServiceRecord>> {
        apps::service_record(self, appid).await
    }

    async fn subject_record(&self, subject_key: &str) -> StoreResult<Option<SubjectRecord>> {
        // Stored under its blind index; the caller's key back in clear.
        let found = apps::subject_record(self, &self.subject(subject_key)).await?;
        Ok(found.map(|r| SubjectRecord {
            subject_key: subject_key.to_string(),
            ..r
        }))
    }

    async fn quota_used(&self, subject_key: &str, except: &str) -> StoreResult<u32> {
        apps::quota_used(self, &self.subject(subject_key), except).await
    }

    async fn app_clearance(&self, appid: &str) -> StoreResult<Option<ClearanceRow>> {
        sweep::app_clearance(self, appid).await
    }

    async fn deadline_warnings(&self, appid: &str) -> StoreResult<Vec<u32>> {
        sweep::deadline_warnings(self, appid).await
    }
}

#[async_trait]
impl FilingStore for SqlStore {
    async fn live_filing_of_app(&self, appid: &str) -> StoreResult<Option<Filing>> {
        filings::live_filing_of_app(self, appid).await
    }

    async fn create_filing(&self, f: &Filing, created: &Event) -> StoreResult<()> {
        filings::create_filing(self, f, created).await
    }

    async fn filing(&self, id: &str) -> StoreResult<Option<Filing>> {
        filings::filing(self, id).await
    }

    async fn list_filings(&self, q: &FilingQuery) -> StoreResult<Vec<Filing>> {
        filings::list_filings(self, q).await
    }

    async fn list_filing_heads(&self, q: &FilingQuery) -> StoreResult<Vec<FilingHead>> {
        filings::list_filing_heads(self, q).await
    }

    async fn events(&self, filing_id: &str) -> StoreResult<Vec<Event>> {
        filings::events(self, filing_id).await
    }

    async fn filings_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Filing>> {
        filings::filings_by_ids(self, ids).await
    }

    /// SQLite writes concurrent commits in groups (see `Writer::commit`).
    async fn commit(&self, commit: Commit) -> StoreResult<()> {
        self.writer.commit(commit).await
    }

    async fn commit_batch(&self, commits: Vec<Commit>) -> StoreResult<Vec<StoreResult<()>>> {
        filings::commit_batch(self, commits).await
    }

    async fn commit_with_numbers(
        &self,
        req: NumberRequest,
        build: NumberedCommit,
    ) -> StoreResult<Commit> {
        filings::commit_with_numbers(self, req, build).await
    }

    async fn filings_awaiting_sms(&self, mobile: &str) -> StoreResult<Vec<String>> {
        filings::filings_awaiting_sms(self, mobile).await
    }

    async fn claim_due_timers(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<(String, TimerKind)>> {
        filings::claim_due_timers(self, now, lease_ms, limit).await
    }

    async fn drop_settled_recomputes(&self, filing_ids: &[String]) -> StoreResult<u64> {
        calendar::drop_settled(self.pool(), filing_ids).await
    }

    async fn histories(&self) -> StoreResult<Vec<History>> {
        filings::histories(self).await
    }
}

#[async_trait]
impl MediaStore for SqlStore {
    async fn insert_media(&self, m: &MediaRow) -> StoreResult<()> {
        media::insert_media(self, m).await
    }

    async fn media(&self, id: &str) -> StoreResult<Option<MediaRow>> {
        media::media(self, id).await
    }

    async fn insert_face_task(&self, t: &FaceTaskRow) -> StoreResult<()> {
        media::insert_face_task(self, t).await
    }

    async fn face_task(&self, id: &str) -> StoreResult<Option<FaceTaskRow>> {
        media::face_task(self, id).await
    }

    async fn update_face_task(&self, t: &FaceTaskRow) -> StoreResult<()> {
        media::update_face_task(self, t).await
    }

    async fn set_media_certificate_type(&self, id: &str, certificate_type: i64) -> StoreResult<()> {
        media::set_media_certificate_type(self, id, certificate_type).await
    }

    async fn set_media_reading(
        &self,
        id: &str,
        reading: &beian_domain::ocr::Reading,
    ) -> StoreResult<()> {
        media::set_media_reading(self, id, reading).await
    }

    async fn media_readings(
        &self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, beian_domain::ocr::Reading)>> {
        media::media_readings(self, ids).await
    }

    async fn media_unread(
        &self,
        purposes: &[&str],
        since: Time,
        limit: i64,
    ) -> StoreResult<Vec<(MediaRow, Option<i64>)>> {
        media::media_unread(self, purposes, since, limit).await
    }
}

#[async_trait]
impl SearchStore for SqlStore {
    async fn public_search(&self, q: &str, limit: i64) -> StoreResult<Vec<PublicItem>> {
        self.search.query(q, limit).await
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn outbox_list(&self, mobile: Option<&str>, limit: i64) -> StoreResult<Vec<SmsRow>> {
        outbox::outbox_list(self, mobile, limit).await
    }

    async fn insert_notices(&self, notices: &[Notice], now: Time) -> StoreResult<()> {
        outbox::insert_notices(self, notices, now).await
    }

    async fn inbox(
        &self,
        user_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<InboxRow>> {
        outbox::inbox(self, user_id, before, limit).await
    }

    async fn inbox_unread(&self, user_id: &str) -> StoreResult<i64> {
        outbox::inbox_unread(self, user_id).await
    }

    async fn inbox_mark_read(
        &self,
        user_id: &str,
        id: i64,
        at: Time,
    ) -> StoreResult<Option<InboxRow>> {
        outbox::inbox_mark_read(self, user_id, id, at).await
    }

    async fn sms_claim_due(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<SmsRow>> {
        outbox::sms_claim_due(self, now, lease_ms, limit).await
    }

    async fn sms_record_attempt(&self, a: &SmsAttempt) -> StoreResult<()> {
        outbox::sms_record_attempt(self, a).await
    }

    async fn sms_count_daily(&self, mobile: &str, day: &str, limit: u32) -> StoreResult<bool> {
        outbox::sms_count_daily(self, mobile, day, limit).await
    }

    async fn sms_reminders_due(
        &self,
        now: Time,
        ahead_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<Filing>> {
        outbox::sms_reminders_due(self, now, ahead_ms, limit).await
    }

    async fn record_sms_reminder(
        &self,
        filing_id: &str,
        deadline: Time,
        notices: &[Notice],
        now: Time,
    ) -> StoreResult<bool> {
        outbox::record_sms_reminder(self, filing_id, deadline, notices, now).await
    }
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn insert_webhook(&self, w: &WebhookRow) -> StoreResult<()> {
        webhooks::insert_webhook(self, w).await
    }

    async fn webhooks(&self) -> StoreResult<Vec<WebhookRow>> {
        webhooks::webhooks(self).await
    }

    async fn webhook(&self, id: &str) -> StoreResult<Option<WebhookRow>> {
        webhooks::webhook(self, id).await
    }

    async fn delete_webhook(&self, id: &str, at: Time) -> StoreResult<bool> {
        webhooks::delete_webhook(self, id, at).await
    }

    async fn webhook_claim_due(
        &self,
        now: Time,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryJob>> {
        webhooks::webhook_claim_due(self, now, lease_ms, limit).await
    }

    async fn webhook_record_attempt(&self, a: &WebhookAttempt) -> StoreResult<()> {
        webhooks::webhook_record_attempt(self, a).await
    }

    async fn webhook_deliveries(
        &self,
        subscription_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryRow>> {
        webhooks::webhook_deliveries(self, subscription_id, before, limit).await
    }

    async fn webhook_attempts(&self, delivery_ids: &[i64]) -> StoreResult<Vec<AttemptRow>> {
        webhooks::webhook_attempts(self, delivery_ids).await
    }

    async fn webhook_delivery(&self, id: i64) -> StoreResult<Option<DeliveryRow>> {
        webhooks::webhook_delivery(self, id).await
    }

    async fn webhook_replay(&self, id: i64, now: Time) -> StoreResult<Option<DeliveryRow>> {
        webhooks::webhook_replay(self, id, now).await
    }
}

#[async_trait]
impl SweepStore for SqlStore {
    async fn sweep_candidates(&self) -> StoreResult<Vec<SweepApp>> {
        sweep::sweep_candidates(self).await
    }

    async fn run_daily_sweep(
        &self,
        job: &str,
        day: &str,
        now: Time,
        build: SweepBuild,
    ) -> StoreResult<Option<SweepWrite>> {
        sweep::run_daily_sweep(self, job, day, now, build).await
    }

    async fn job_ran(&self, job: &str, day: &str) -> StoreResult<bool> {
        sweep::job_ran(self, job, day).await
    }
}

#[async_trait]
impl CalendarStore for SqlStore {
    async fn calendar_notices(&self) -> StoreResult<Vec<StoredNotice>> {
        calendar::notices(&self.reader).await
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        calendar::version(&self.reader).await
    }

    async fn save_calendar_notice(&self, notice: &StoredNotice) -> StoreResult<bool> {
        calendar::save(self.pool(), notice).await
    }

    async fn schedule_due_recompute(&self, before: Time, now: Time) -> StoreResult<u64> {
        calendar::schedule_recompute(self.pool(), self.postgres(), before, now).await
    }

    async fn provisional_dues(&self, before: Time, limit: i64) -> StoreResult<(u64, Vec<Filing>)> {
        let (count, states) = calendar::provisional(&self.reader, before, limit).await?;
        Ok((count, self.open_states(states).await?))
    }
}

#[async_trait]
impl FactsStore for SqlStore {
    async fn submission_facts(&self, q: &FactsQuery) -> StoreResult<FactsRows> {
        facts::submission_facts(&self.reader, &self.vault, q).await
    }

    async fn open_orders_of_subject(
        &self,
        subject_key: &str,
        except: &str,
    ) -> StoreResult<Vec<OpenOrder>> {
        filings::open_orders_of_subject(self, &self.subject(subject_key), except).await
    }

    async fn active_service_names(
        &self,
        subject_key: &str,
        except_appid: &str,
    ) -> StoreResult<Vec<String>> {
        apps::active_service_names(self, &self.subject(subject_key), except_appid).await
    }

    async fn mobiles_of_other_subjects(
        &self,
        mobiles: &[String],
        subject_key: &str,
    ) -> StoreResult<Vec<String>> {
        apps::mobiles_of_other_subjects(self, mobiles, &self.subject(subject_key)).await
    }

    async fn media_info(&self, ids: &[String]) -> StoreResult<Vec<MediaInfo>> {
        media::media_info(self, ids).await
    }

    async fn submissions_since(&self, appid: &str, since: Time) -> StoreResult<u32> {
        filings::submissions_since(self, appid, since).await
    }
}

#[async_trait]
impl SeedStore for SqlStore {
    async fn seed_batch(&self, ops: Vec<SeedOp>) -> StoreResult<()> {
        seeding::seed_batch(self, ops).await
    }

    async fn seed_settle_outbox(&self, before: Time) -> StoreResult<u64> {
        seeding::seed_settle_outbox(self, before).await
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn audit_ids(&self, since: Option<Time>) -> StoreResult<Vec<String>> {
        audit::audit_ids(self, since).await
    }

    async fn audit_chain(&self, filing_id: &str) -> StoreResult<Option<AuditChain>> {
        audit::audit_chain(self, filing_id).await
    }

    async fn heads_between(&self, from: Time, to: Time) -> StoreResult<Vec<(String, String)>> {
        audit::heads_between(self, from, to).await
    }

    async fn save_anchor(&self, anchor: &Anchor) -> StoreResult<bool> {
        audit::save_anchor(self, anchor).await
    }

    async fn anchors(&self, limit: Option<i64>) -> StoreResult<Vec<Anchor>> {
        audit::anchors(self, limit).await
    }
}
