//! Mini programs of the host platform, their filing entry and release gating.

use crate::app::access;
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use crate::views::apps::{Clearance, ReleaseView};
use crate::views::{AppView, Page};
use beian_domain::calendar::china_offset;
use beian_domain::gating::{gate_release, Gate, RecordState};
use beian_store::RecordStatus;
use beian_store::{AppRow, Preconditions, ServiceRecord};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// `POST /api/v1/apps` body.
#[derive(Deserialize, ToSchema)]
pub struct NewApp {
    appid: String,
    name: String,
    #[serde(default)]
    listed: bool,
    owner_name: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    registered_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[schema(value_type = Option<crate::views::apps::PreconditionsView>)]
    preconditions: Option<Preconditions>,
    /// Admin only: the applicant who owns the app.
    owner: Option<String>,
}

/// Registers an app; the applicant becomes its owner.
pub async fn create(s: &AppState, caller: &Caller, b: NewApp) -> ApiResult<AppView> {
    caller.require(&[Role::Applicant, Role::Admin])?;
    let appid = b.appid.trim().to_string();
    if appid.is_empty()
        || appid.len() > 64
        || !appid
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        return Err(ApiError::field(
            "appid",
            "APPID_FORMAT",
            "AppID格式不正确",
            "AppID由字母、数字、下划线或连字符组成",
        ));
    }
    let name = b.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(ApiError::field(
            "name",
            "MP_NAME_CHARSET",
            "小程序名称须为1至30个字符",
            "请填写小程序名称",
        ));
    }
    let owner_id = match (caller.role, b.owner) {
        (Role::Admin, Some(username)) => {
            let u = s.store.user_by_username(&username).await?;
            u.filter(|u| u.role == "applicant")
                .ok_or_else(|| {
                    ApiError::field(
                        "owner",
                        "OWNER_UNKNOWN",
                        "所有者账号不存在或不是申请人",
                        "填写申请人的用户名",
                    )
                })?
                .id
        }
        _ => caller.user.id.clone(),
    };
    let now = s.now();
    let app = AppRow {
        appid,
        name,
        owner_id,
        listed: b.listed,
        owner_name: b
            .owner_name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        registered_at: b
            .registered_at
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or(now),
        preconditions: b.preconditions.unwrap_or_default(),
        created_at: now,
    };
    s.store.insert_app(&app).await?;
    view(s, &app).await
}

/// An app the caller may see, or 404.
pub async fn visible_app(s: &AppState, caller: &Caller, appid: &str) -> ApiResult<AppRow> {
    match s.store.app(appid).await? {
        Some(app) if access::may_see_app(s, caller, &app).await? => Ok(app),
        _ => Err(ApiError::not_found()),
    }
}

async fn view(s: &AppState, app: &AppRow) -> ApiResult<AppView> {
    let live = s.store.live_filing_of_app(&app.appid).await?;
    let record = s.store.service_record(&app.appid).await?;
    let clearance = clearance(s, app, record.as_ref()).await?;
    Ok(views::app(app, live.as_ref(), record.as_ref(), clearance))
}

/// The app's standing in the deadline policy of §13: `none`, `warned`
/// (deadline warnings sent), `cleared` (清退 by the sweep; releases blocked)
/// or `lifted` (cleared, then filed).
async fn clearance(
    s: &AppState,
    app: &AppRow,
    record: Option<&ServiceRecord>,
) -> ApiResult<Clearance> {
    let cleared = s.store.app_clearance(&app.appid).await?;
    let warnings = s.store.deadline_warnings(&app.appid).await?;
    let filed = record.is_some_and(|r| r.status == RecordStatus::Active);
    let state = match (&cleared, filed) {
        (Some(_), true) => "lifted",
        (Some(_), false) => "cleared",
        (None, _) if !warnings.is_empty() => "warned",
        _ => "none",
    };
    let p = &s.policy.release;
    Ok(Clearance {
        state: state.into(),
        delisted: state == "cleared" && cleared.as_ref().is_some_and(|c| c.action == "unlist"),
        action: cleared.as_ref().map(|c| c.action.clone()),
        cleared_at: cleared.as_ref().map(|c| views::ts(c.cleared_at)),
        warnings_sent: warnings,
        legacy_deadline: p.legacy_deadline.to_string(),
        clearance_start: p.clearance_start.to_string(),
    })
}

/// Lists the caller's apps (for staff, those they may see).
pub async fn list(s: &AppState, caller: &Caller) -> ApiResult<Page<AppView>> {
    let owner = (caller.role == Role::Applicant).then_some(caller.user.id.as_str());
    let mut items = vec![];
    for app in s.store.list_apps(owner).await? {
        if access::may_see_app(s, caller, &app).await? {
            items.push(view(s, &app).await?);
        }
    }
    Ok(Page::all(items))
}

/// One app with its filing entry.
pub async fn show(s: &AppState, caller: &Caller, appid: &str) -> ApiResult<AppView> {
    let app = visible_app(s, caller, appid).await?;
    view(s, &app).await
}

/// `POST /api/v1/apps/{appid}/releases` body.
#[derive(Deserialize, ToSchema)]
pub struct Release {
    version: String,
}

/// Release gating (§13): filed apps publish; legacy listed apps until the clearance date.
pub async fn release(
    s: &AppState,
    caller: &Caller,
    appid: &str,
    b: Release,
) -> ApiResult<ReleaseView> {
    let app = visible_app(s, caller, appid).await?;
    if app.owner_id != caller.user.id {
        return Err(ApiError::forbidden());
    }
    let record = s.store.service_record(appid).await?;
    let state = RecordState::of(record.as_ref().map(|r| r.status.as_str()));
    let now = s.now();
    let today = now.with_timezone(&china_offset()).date_naive();
    let registered = app
        .registered_at
        .with_timezone(&china_offset())
        .date_naive();
    let cleared = state != RecordState::Active && s.store.app_clearance(appid).await?.is_some();
    let decision = gate_release(
        state,
        app.listed,
        registered,
        today,
        cleared,
        &s.policy.release,
    );
    tracing::info!(appid, version = b.version, gate = ?decision, "release gating decision");
    let refuse = |message: &str, suggestion: &str, gate: &str| {
        ApiError::conflict("NOT_FILED", message)
            .suggest(suggestion)
            .with("gate", json!(gate))
    };
    match decision {
        g if g.may_publish() => {}
        Gate::Cleared => {
            return Err(refuse(
                "小程序未在期限内完成备案，已被清退，暂停发布新版本",
                "完成备案后即可恢复发布",
                "cleared",
            ))
        }
        Gate::Cancelled => {
            return Err(refuse(
                "小程序备案已注销，不能发布新版本",
                "如需继续运营，请重新备案",
                "cancelled",
            ))
        }
        _ => {
            return Err(refuse(
                "请先完成小程序备案",
                "在设置 → 小程序备案中点击【去备案】",
                "must_file_first",
            ))
        }
    }
    let service_number = record
        .filter(|r| r.status == RecordStatus::Active)
        .map(|r| r.service_number);
    Ok(ReleaseView {
        appid: appid.to_string(),
        version: b.version,
        service_number,
        released_at: views::ts(now),
    })
}
