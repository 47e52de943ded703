//! Filing orders: create, save, submit, withdraw, discard, decisions.

use crate::adapters::sms::new_code;
use crate::app::apps::visible_app;
use crate::app::commands::{execute, explain};
use crate::app::state::AppState;
use crate::http::auth::{self, Caller, Role};
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use crate::views::filings::{AccessView, EventView, SaveResult};
use crate::views::{FilingView, Items, Page};
use beian_domain::document::Document;
use beian_domain::filing::{
    CancelReason, CancelType, Command, Filing, Kind, Reason, RecordFacts, Time,
};
use beian_domain::validate::{self, FaceFacts, MediaFacts, ValidationFacts};
use beian_store::RecordStatus;
use beian_store::{FactsQuery, FilingHead, FilingQuery};
use chrono::Duration;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

pub use crate::app::access::can_see;

/// Loads an order the caller may see, or 404.
pub async fn load(s: &AppState, caller: &Caller, id: &str) -> ApiResult<Filing> {
    s.store
        .filing(id)
        .await?
        .filter(|f| can_see(caller, f))
        .ok_or_else(ApiError::not_found)
}

/// Loads an order for an owner-only action: 404 if unseen, 403 if not the owner.
async fn load_own(s: &AppState, caller: &Caller, id: &str) -> ApiResult<Filing> {
    let f = load(s, caller, id).await?;
    if f.owner_id != caller.user.id {
        return Err(ApiError::forbidden());
    }
    Ok(f)
}

fn view(s: &AppState, f: &Filing) -> FilingView {
    views::filing(f, &s.policy, s.now())
}

/// `POST /api/v1/filings` body.
#[derive(Deserialize, ToSchema)]
pub struct NewFiling {
    /// `new`, `change` or `cancel`.
    kind: String,
    appid: String,
    cancel_type: Option<CancelType>,
    cancel_reason: Option<CancelReason>,
}

/// Creates an order in `draft` (T01 / C00).
pub async fn create(s: &AppState, caller: &Caller, b: NewFiling) -> ApiResult<FilingView> {
    let kind = Kind::parse(&b.kind).ok_or_else(|| {
        ApiError::field(
            "kind",
            "KIND_INVALID",
            "备案类型无效",
            "可选 new（新增）、change（变更）、cancel（注销）",
        )
    })?;
    let app = visible_app(s, caller, &b.appid).await?;
    if app.owner_id != caller.user.id {
        return Err(ApiError::forbidden());
    }
    let p = app.preconditions;
    Filing::check_app_ready(p.profile_complete, p.category_approved, p.certified)?;
    let record = s
        .store
        .service_record(&app.appid)
        .await?
        .filter(|r| r.status == RecordStatus::Active);
    let cancel = match (kind, b.cancel_type, b.cancel_reason) {
        (Kind::Cancel, Some(t), Some(r)) => Some((t, r)),
        (Kind::Cancel, _, _) => {
            return Err(ApiError::field("cancel_type", "CANCEL_TYPE_REQUIRED", "请选择注销类型和原因", "cancel_type 可选 subject、mini_program、access；cancel_reason 可选 not_operating、subject_changed"))
        }
        _ => None,
    };
    Filing::check_record_for(kind, record.is_some())?;
    let facts = match (kind, record) {
        (Kind::New, _) | (_, None) => None,
        (_, Some(r)) => Some(record_facts(s, r).await?),
    };
    let now = s.now();
    let id = auth::new_id(now.timestamp_millis());
    let (filing, event) = Filing::create(
        id,
        kind,
        app.appid.clone(),
        &caller.actor(),
        cancel,
        facts,
        now,
    )?;
    s.store.create_filing(&filing, &event).await?;
    s.metrics.inc("beian_events_total", "event", "created", 1);
    Ok(view(s, &filing))
}

/// One order.
pub async fn show(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FilingView> {
    let f = load(s, caller, id).await?;
    Ok(for_caller(caller, view(s, &f)))
}

/// What `caller` may see of a view: applicants do not see reviewers' claims.
fn for_caller(caller: &Caller, v: FilingView) -> FilingView {
    if caller.role == Role::Applicant {
        v.for_applicant()
    } else {
        v
    }
}

/// `GET /api/v1/filings/{id}/access-log`: every time someone saw the order's personal
/// data unmasked, oldest first. The applicant sees the role and when; staff also who.
pub async fn access_log(s: &AppState, caller: &Caller, id: &str) -> ApiResult<Items<AccessView>> {
    let f = load(s, caller, id).await?;
    let staff = caller.role != Role::Applicant;
    let items = s
        .store
        .access_log(&f.id)
        .await?
        .into_iter()
        .map(|a| AccessView {
            at: views::ts(a.at),
            role: a.role,
            what: a.what,
            user_id: staff.then_some(a.user_id),
        })
        .collect();
    Ok(Items { items })
}

/// The order's audit log.
pub async fn events(s: &AppState, caller: &Caller, id: &str) -> ApiResult<Items<EventView>> {
    let f = load(s, caller, id).await?;
    let events = s.store.events(&f.id).await?;
    let items = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut item = EventView {
                seq: i + 1,
                at: views::ts(e.at),
                event: e.change.name().to_string(),
                actor: e.actor.role().to_string(),
                previous_due_at: None,
                due_at: None,
                due_provisional: None,
            };
            // A due date a loaded notice moved: the old and the new date (domain §11.4).
            if let beian_domain::filing::Change::DueRecomputed {
                previous,
                due_at,
                due_provisional,
            } = &e.change
            {
                item.previous_due_at = Some(views::ts(*previous));
                item.due_at = Some(views::ts(*due_at));
                item.due_provisional = Some(*due_provisional);
            }
            item
        })
        .collect();
    Ok(Items { items })
}

/// List filters of `GET /api/v1/filings`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Province code (two digits).
    pub province: Option<String>,
    pub appid: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// `due`: oldest due date first (the review queue); default: by id.
    pub sort: Option<String>,
}

/// Orders visible to the caller, filtered and paginated.
pub async fn list(s: &AppState, caller: &Caller, q: ListQuery) -> ApiResult<Page<FilingView>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let sort_due = match q.sort.as_deref() {
        None | Some("id") => false,
        Some("due") => true,
        Some(_) => {
            return Err(ApiError::field(
                "sort",
                "SORT_UNKNOWN",
                "不支持的排序方式",
                "sort 可选 due（按到期时间）或 id",
            ))
        }
    };
    // The due-date cursor is `<due ms>:<id>`; an id cursor is the id.
    let (after_due, after_id) = match (sort_due, q.cursor) {
        (true, Some(c)) => match c.split_once(':').map(|(d, id)| (d.parse::<i64>(), id)) {
            Some((Ok(d), id)) => (Some(d), Some(id.to_string())),
            _ => return Err(ApiError::bad_request("分页游标无效")),
        },
        (_, c) => (None, c),
    };
    let mut query = FilingQuery {
        status: q.status,
        kind: q.kind,
        province: q.province,
        appid: q.appid,
        after_id,
        after_due,
        sort_due,
        limit: limit + 1,
        ..FilingQuery::default()
    };
    match caller.role {
        Role::Applicant => query.owner = Some(caller.user.id.clone()),
        Role::AuthorityReviewer => {
            query.authority_province = Some(caller.user.province.clone().unwrap_or_default())
        }
        Role::PlatformReviewer | Role::Admin => {}
    }
    let mut rows = s.store.list_filing_heads(&query).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|f| match (sort_due, f.due_at) {
            (true, Some(d)) => format!("{}:{}", d.timestamp_millis(), f.id),
            (true, None) => format!("{}:{}", i64::MAX, f.id),
            (false, _) => f.id.clone(),
        })
    } else {
        None
    };
    let now = s.now();
    let items = list_views(s, &rows, now)
        .await?
        .into_iter()
        .map(|v| for_caller(caller, v.expire_claim(now)))
        .collect();
    Ok(Page {
        items,
        next_cursor: next,
    })
}

/// Filing views of listed orders, cached by (id, version, overdue).
///
/// A view is a function of the order's state (which its version names), the policy
/// (ids are random, so one per database) and the time only through `overdue` (api.md's filing view,
/// `views::filing`), so a cached view is always the current one: nothing is stale.
/// The list reads only the indexed columns ([`beian_store::Store::list_filing_heads`]);
/// the states of the orders not cached are loaded in one statement.
type ViewKey = (String, i64, bool);
static LIST_VIEWS: std::sync::LazyLock<std::sync::Mutex<HashMap<ViewKey, Arc<FilingView>>>> =
    std::sync::LazyLock::new(Default::default);
/// Views kept at most (a view of a full document is some 20 KiB of heap); the cache
/// is emptied when full.
const LIST_VIEWS_MAX: usize = 1_024;

fn overdue(status: &str, due_at: Option<Time>, now: Time) -> bool {
    beian_domain::filing::Status::parse(status).is_some_and(|s| s.is_overdue(due_at, now))
}

async fn list_views(s: &AppState, rows: &[FilingHead], now: Time) -> ApiResult<Vec<FilingView>> {
    let key = |h: &FilingHead| (h.id.clone(), h.version, overdue(&h.status, h.due_at, now));
    let mut out: Vec<Option<Arc<FilingView>>> = {
        let cache = LIST_VIEWS.lock().unwrap_or_else(|e| e.into_inner());
        rows.iter().map(|h| cache.get(&key(h)).cloned()).collect()
    };
    let missing: Vec<String> = rows
        .iter()
        .zip(&out)
        .filter(|(_, v)| v.is_none())
        .map(|(h, _)| h.id.clone())
        .collect();
    if !missing.is_empty() {
        let loaded: HashMap<String, Filing> = s
            .store
            .filings_by_ids(&missing)
            .await?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect();
        let mut fresh = vec![];
        for (h, slot) in rows.iter().zip(out.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let Some(f) = loaded.get(&h.id) else { continue };
            let view = Arc::new(views::filing(f, &s.policy, now));
            // Keyed by the state actually loaded (it may be newer than the head).
            fresh.push((
                (f.id.clone(), f.version, f.status.is_overdue(f.due_at, now)),
                view.clone(),
            ));
            *slot = Some(view);
        }
        let mut cache = LIST_VIEWS.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() + fresh.len() > LIST_VIEWS_MAX {
            cache.clear();
        }
        cache.extend(fresh);
    }
    Ok(out.into_iter().flatten().map(|v| (*v).clone()).collect())
}

/// An active service record with its subject's province, as orders and validation see it.
async fn record_facts(s: &AppState, r: beian_store::ServiceRecord) -> ApiResult<RecordFacts> {
    let subject = s.store.subject_record(&r.subject_key).await?;
    Ok(RecordFacts {
        province: subject.map(|x| x.province).unwrap_or_default(),
        subject_key: r.subject_key,
        subject_number: Some(r.subject_number),
        service_number: Some(r.service_number),
        document: Some(r.document),
    })
}

/// What validation needs from the database for this order's document. `f` is `None` for a
/// precheck, which has no order (and so no app): the app's rules are left out there.
pub async fn facts(
    s: &AppState,
    caller: &Caller,
    f: Option<&Filing>,
    doc: &Document,
) -> ApiResult<ValidationFacts> {
    // Media belong to the order's applicant (the caller, for a precheck).
    let owner = f.map_or(caller.user.id.as_str(), |f| f.owner_id.as_str());
    let mut media: Vec<String> = doc
        .media_refs()
        .into_iter()
        .map(|(_, id)| id.to_string())
        .collect();
    media.sort();
    media.dedup();
    let subject_key = doc.subject_key();
    let query = FactsQuery {
        appid: f.map(|f| f.appid.clone()),
        face_task: doc.mini_program_principal.face_verification.clone(),
        quota: f.is_none_or(|f| f.kind == Kind::New),
        except_filing: f.map_or(String::new(), |f| f.id.clone()),
        mobiles: match subject_key {
            Some(_) => validate::principal_mobiles(doc, &s.policy),
            None => vec![],
        },
        subject_key,
        media,
        submissions_since: (f.is_some() && s.policy.submissions_daily_per_mp > 0)
            .then(|| validate::daily_reset(s.now())),
    };
    // Every database fact in one store call (one statement on the SQL store).
    let rows = s.store.submission_facts(&query).await?;
    let app = rows.app;
    let face = rows.face_task.filter(|t| t.owner_id == caller.user.id);
    let mut facts = ValidationFacts {
        app_name: app.as_ref().map(|a| a.name.clone()),
        owner_name: app.as_ref().and_then(|a| a.owner_name.clone()),
        face: face.map(|t| FaceFacts {
            succeeded: t.status == "succeeded",
            expires_at: t.created_at + Duration::days(s.policy.face_task_validity_days),
            identity: t
                .identity_type
                .zip(t.identity_number.clone())
                .map(|(k, n)| (k as u32, n)),
            name: t.name.clone(),
            consumed_by: t.consumed_by.clone(),
            id: t.id,
        }),
        ..ValidationFacts::default()
    };
    if query.subject_key.is_some() {
        facts.quota_used = rows.quota_used;
        // Another open order of the MP cannot exist: the store keeps one live order per app.
        facts.subject_busy = Some(!rows.open_orders.is_empty());
        facts.subject_provinces = rows
            .open_orders
            .into_iter()
            .filter_map(|o| o.province)
            .collect();
        if let Some(r) = rows
            .subject_record
            .filter(|r| r.status == RecordStatus::Active)
        {
            facts.subject_provinces.push(r.province);
            facts.recorded_subject_name = Some(r.subject_name);
        }
        facts.other_service_names = rows.service_names;
        facts.mobiles_used_elsewhere = rows.mobiles_elsewhere;
    }
    // The quality checks each file failed at upload (V-MAT-007 at submission).
    for m in rows.media.iter().filter(|m| !m.failed_checks.is_empty()) {
        facts
            .media_failed_checks
            .insert(m.id.clone(), m.failed_checks.clone());
    }
    facts.media = Some(
        rows.media
            .into_iter()
            .map(|m| {
                let found = MediaFacts {
                    owned: m.owner_id == owner,
                    video: m.content_type.starts_with("video/"),
                    certificate_type: m.certificate_type.and_then(|t| u32::try_from(t).ok()),
                    reading: m.reading.clone(),
                };
                (m.id, found)
            })
            .collect(),
    );
    if let (Some(f), Some(app)) = (f, &app) {
        let p = app.preconditions;
        facts.preconditions_met = Some(p.profile_complete && p.category_approved && p.certified);
        facts.app_filed = rows.app_filed;
        if f.kind == Kind::Change && rows.app_filed == Some(true) {
            // Change orders only: the record's full document.
            let service = s
                .store
                .service_record(&f.appid)
                .await?
                .filter(|r| r.status == RecordStatus::Active);
            if let Some(r) = service {
                facts.record = Some(Box::new(record_facts(s, r).await?));
            }
        }
        facts.submissions_today = rows.submissions;
    }
    Ok(facts)
}

/// Runs the validation the submit would run, without saving.
pub async fn check(
    s: &AppState,
    caller: &Caller,
    f: &Filing,
    doc: &Document,
) -> ApiResult<Vec<validate::Issue>> {
    let facts = facts(s, caller, Some(f), doc).await?;
    let actor = caller.actor();
    Ok(validate::validate(
        doc,
        &facts,
        f,
        &s.env(&s.calendar(), &actor, s.now()),
    ))
}

/// Saves the document (T02); issues are reported, not fatal.
pub async fn save(
    s: &AppState,
    caller: &Caller,
    id: &str,
    document: Document,
) -> ApiResult<SaveResult> {
    let f = load_own(s, caller, id).await?;
    let (f, _) = execute(
        s,
        &f,
        Command::Save {
            document: Box::new(document.clone()),
        },
        &caller.actor(),
    )
    .await?;
    let issues = check(s, caller, &f, &document).await?;
    Ok(SaveResult {
        version: f.version,
        issues,
    })
}

/// Submits or resubmits (T03, T08, T16, T17, T21, C01).
pub async fn submit(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FilingView> {
    let f = load_own(s, caller, id).await?;
    let doc = f.document_or_default();
    // The domain refuses a full quota (409) and leaves a busy subject to the store.
    let facts = facts(s, caller, Some(&f), &doc).await?;
    let codes = f.recipients().iter().map(|_| new_code()).collect();
    let (f, _) = execute(
        s,
        &f,
        Command::Submit {
            facts: Box::new(facts),
            codes,
        },
        &caller.actor(),
    )
    .await?;
    Ok(view(s, &f))
}

/// Withdraws during platform review (T05).
pub async fn withdraw(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FilingView> {
    let f = load_own(s, caller, id).await?;
    let (f, _) = execute(s, &f, Command::Withdraw, &caller.actor()).await?;
    Ok(view(s, &f))
}

/// Discards a draft or a sent-back order (T04, T09, T18, T22).
pub async fn discard(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FilingView> {
    let f = load_own(s, caller, id).await?;
    let (f, _) = execute(s, &f, Command::Discard, &caller.actor()).await?;
    Ok(view(s, &f))
}

/// `POST /api/v1/filings/{id}/terminate` body.
#[derive(Deserialize, ToSchema)]
pub struct Terminate {
    reason: String,
}

/// Admin ends an order (T23).
pub async fn terminate(
    s: &AppState,
    caller: &Caller,
    id: &str,
    b: Terminate,
) -> ApiResult<FilingView> {
    caller.require(&[Role::Admin])?;
    let f = load(s, caller, id).await?;
    let (f, _) = execute(
        s,
        &f,
        Command::Terminate { reason: b.reason },
        &caller.actor(),
    )
    .await?;
    Ok(view(s, &f))
}

/// A reviewer's decision.
#[derive(Deserialize, ToSchema)]
pub struct Decision {
    /// `approve` or `reject`.
    pub decision: String,
    /// The reasons of a rejection (§12.1).
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// The order's version the reviewer saw; a newer one answers 409.
    pub expected_version: Option<i64>,
}

fn stale(f: &Filing, d: &Decision) -> ApiResult<()> {
    match d.expected_version {
        None => Err(ApiError::field(
            "expected_version",
            "EXPECTED_VERSION_REQUIRED",
            "请提供 expected_version",
            "填写审核时看到的备案版本号",
        )),
        Some(v) if v != f.version => Err(ApiError::from(beian_store::StoreError::VersionConflict)),
        Some(_) => Ok(()),
    }
}

fn decision_kind(d: &Decision) -> ApiResult<bool> {
    match d.decision.as_str() {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err(ApiError::field(
            "decision",
            "DECISION_INVALID",
            "审核结论无效",
            "可选 approve（通过）或 reject（驳回）",
        )),
    }
}

/// Commits a reviewer's decision; a refusal because another reviewer holds the order
/// names them.
async fn decide(s: &AppState, caller: &Caller, f: &Filing, cmd: Command) -> ApiResult<FilingView> {
    match execute(s, f, cmd, &caller.actor()).await {
        Ok((f, _)) => Ok(view(s, &f)),
        Err(e) => Err(explain(s, e).await),
    }
}

/// Platform preliminary review (T06 / T07).
pub async fn platform_decision(
    s: &AppState,
    caller: &Caller,
    id: &str,
    d: Decision,
) -> ApiResult<FilingView> {
    caller.require(&[Role::PlatformReviewer])?;
    let f = load(s, caller, id).await?;
    let approve = decision_kind(&d)?;
    stale(&f, &d)?;
    let cmd = if approve {
        Command::PlatformApprove {
            codes: f.recipients().iter().map(|_| new_code()).collect(),
        }
    } else {
        Command::PlatformReject { reasons: d.reasons }
    };
    decide(s, caller, &f, cmd).await
}

/// Provincial authority review (T19 / T20, C05 / C06).
pub async fn authority_decision(
    s: &AppState,
    caller: &Caller,
    id: &str,
    d: Decision,
) -> ApiResult<FilingView> {
    if caller.role == Role::Applicant {
        return Err(ApiError::forbidden());
    }
    let f = load(s, caller, id).await?;
    caller.require(&[Role::AuthorityReviewer])?;
    let approve = decision_kind(&d)?;
    stale(&f, &d)?;
    let cmd = if approve {
        Command::AuthorityApprove { numbers: None }
    } else {
        Command::AuthorityReject { reasons: d.reasons }
    };
    decide(s, caller, &f, cmd).await
}
