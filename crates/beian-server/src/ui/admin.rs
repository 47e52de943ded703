//! Admin pages: users, the policy in force, the SMS outbox, reference data
//! versions, and the manual clock when it is enabled. Every one carries the
//! calendar alert while a year in use has no holiday notice (ui/calendar.rs).

use super::format::cn_time;
use super::{page, Layout, PageResult, WebUser};
use crate::app::accounts;
use crate::app::holidays;
use crate::app::state::AppState;
use crate::app::{dashboard, webhooks};
use crate::http::auth::{Role, UserView};
use crate::http::error::ApiError;
use crate::ui::Visit;
use crate::views;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    users: Vec<UserView>,
    policy: String,
    outbox: Vec<(String, String, String, String)>,
    versions: Vec<(String, String, String)>,
    gateway: &'static str,
    manual_clock: bool,
    now: String,
    webhooks: Vec<WebhookView>,
    /// (day, orders, hash) of the newest audit anchors.
    anchors: Vec<(String, i64, String)>,
}

/// (delivery id, event, status, attempts, last result)
type DeliveryView = (String, String, String, String, String);

/// (subscription id, url, events, recent deliveries)
type WebhookView = (String, String, String, Vec<DeliveryView>);

async fn admin_page(
    s: &AppState,
    u: &WebUser,
    banner: Option<(&'static str, String)>,
) -> PageResult {
    u.require(&[Role::Admin])?;
    let users = s
        .store
        .list_users()
        .await?
        .iter()
        .map(UserView::from)
        .collect();
    let outbox = s
        .store
        .outbox_list(None, 50)
        .await?
        .into_iter()
        .map(|m| {
            (
                cn_time(&views::ts(m.created_at)),
                m.mobile,
                m.body,
                m.sent_at
                    .map(|t| cn_time(&views::ts(t)))
                    .unwrap_or_else(|| "待发送".into()),
            )
        })
        .collect();
    let mut webhooks = vec![];
    for w in s.store.webhooks().await? {
        let q = webhooks::LogQuery {
            limit: Some(10),
            cursor: None,
        };
        let log = webhooks::deliveries(s, &u.caller(), &w.id, q).await?;
        let deliveries = log
            .items
            .into_iter()
            .map(|d| {
                let status_code = d.last_status_code.map(|c| c.to_string());
                let result = format!(
                    "{} {}",
                    status_code.unwrap_or_default(),
                    d.last_error.unwrap_or_default()
                );
                (d.id, d.event_type, d.status, d.attempts.to_string(), result)
            })
            .collect();
        webhooks.push((w.id.clone(), w.url.clone(), w.events.join("、"), deliveries));
    }
    let mut layout = admin_layout(s, "管理后台", u);
    if let Some((k, t)) = banner {
        layout = layout.banner(k, t);
    }
    page(AdminPage {
        layout,
        users,
        policy: serde_json::to_string_pretty(&*s.policy).unwrap_or_default(),
        outbox,
        versions: s.reference.versions(),
        gateway: s.sms.name(),
        manual_clock: s.clock.is_manual(),
        now: cn_time(&views::ts(s.now())),
        webhooks,
        anchors: s
            .store
            .anchors(Some(7))
            .await?
            .into_iter()
            .rev()
            .map(|a| (a.day, a.orders, a.hash))
            .collect(),
    })
}

/// The frame of an admin page: with the calendar alert of domain.md §11.2 while a year
/// in use is projected, linking to the page that loads its notice.
pub(super) fn admin_layout(s: &AppState, title: impl Into<String>, u: &WebUser) -> Layout {
    let layout = Layout::new(title, u);
    match holidays::alert(s) {
        Some(alert) if u.role == Role::Admin => {
            layout.banner_link("", alert, "/admin/calendar", "前往节假日日历载入通知")
        }
        _ => layout,
    }
}

async fn admin(State(s): State<AppState>, u: WebUser) -> PageResult {
    admin_page(&s, &u, None).await
}

#[derive(Deserialize)]
struct NewUserForm {
    csrf: String,
    username: String,
    password: String,
    role: String,
    province: Option<String>,
}

async fn add_user(State(s): State<AppState>, u: WebUser, Form(f): Form<NewUserForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    u.require(&[Role::Admin])?;
    let new = accounts::NewUser {
        username: f.username,
        password: f.password,
        role: f.role,
        province: f.province.filter(|p| !p.trim().is_empty()),
    };
    match accounts::add_user(&s, new).await {
        Ok(row) => admin_page(&s, &u, Some(("ok", format!("已创建账号 {}", row.username)))).await,
        Err(e) => {
            let detail = e
                .issues
                .as_ref()
                .and_then(|i| i.first())
                .map(|i| format!("：{}", i.message))
                .unwrap_or_default();
            admin_page(&s, &u, Some(("error", format!("{}{detail}", e.message)))).await
        }
    }
}

#[derive(Deserialize)]
struct ClockForm {
    csrf: String,
    advance_hours: f64,
}

async fn clock(State(s): State<AppState>, u: WebUser, Form(f): Form<ClockForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    u.require(&[Role::Admin])?;
    s.clock
        .adjust(None, Some(f.advance_hours))
        .ok_or_else(ApiError::not_found)?;
    crate::jobs::worker::run_due_timers(&s).await?;
    crate::jobs::worker::dispatch_sms(&s).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Deserialize)]
struct ReplayForm {
    csrf: String,
    delivery: String,
}

/// Replays one webhook delivery from the admin page.
async fn replay(State(s): State<AppState>, u: WebUser, Form(f): Form<ReplayForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let _replayed = webhooks::replay(&s, &u.caller(), &f.delivery).await?;
    admin_page(&s, &u, Some(("ok", format!("已重新投递 {}", f.delivery)))).await
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    figures: Vec<(&'static str, &'static str)>,
    /// The range shown (`YYYY-MM-DD`) and its period (`day` or `week`).
    from: String,
    to: String,
    period: &'static str,
    /// The Chinese message of a refused range (the default range is shown instead).
    range_error: String,
    trends: beian_domain::dashboard::trends::Trends,
    /// (heading, inline SVG) of each trend chart.
    charts: Vec<(String, String)>,
    header: [&'static str; 12],
    rows: Vec<Vec<String>>,
    total: Vec<String>,
    csv: String,
}

/// 运营看板: the trends over a date range, then the server-rendered charts with their
/// CSV figures.
async fn dashboard_page(
    Visit { s, u }: Visit,
    Query(q): Query<dashboard::TrendsQuery>,
) -> PageResult {
    u.require(&[Role::Admin, Role::PlatformReviewer])?;
    let (range, range_error) = match dashboard::range(&s, &q) {
        Ok(r) => (r, String::new()),
        Err(e) => (dashboard::default_range(&s), e.message),
    };
    let trends = dashboard::trends_of(&s, &u.caller(), range).await?;
    let labels = [
        "各阶段备案数",
        "各状态备案数",
        "各阶段用时（中位数 / P90）",
        "超时（按阶段与省份）",
        "常见驳回原因",
        "短信核验结果",
    ];
    page(DashboardPage {
        layout: admin_layout(&s, "运营看板", &u),
        figures: dashboard::FIGURES.iter().copied().zip(labels).collect(),
        from: range.from.to_string(),
        to: range.to.to_string(),
        period: range.granularity.as_str(),
        range_error,
        charts: dashboard::trend_charts(&trends),
        header: dashboard::TABLE_HEADER,
        rows: trends.periods.iter().map(dashboard::table_row).collect(),
        total: dashboard::table_row(&trends.total),
        trends,
        csv: format!(
            "/dashboard/trends.csv?{}",
            dashboard::TrendsQuery::of(&range)
        ),
    })
}

/// The trends of the chosen range as CSV, for the signed-in page.
async fn dashboard_trends_csv(
    Visit { s, u }: Visit,
    Query(q): Query<dashboard::TrendsQuery>,
) -> PageResult {
    Ok(dashboard::trends_csv_file(&s, &u.caller(), &q).await?)
}

/// A chart (`.svg`) or its figures (`.csv`), for the signed-in page.
async fn dashboard_file(Visit { s, u }: Visit, Path(file): Path<String>) -> PageResult {
    Ok(dashboard::file(&s, &u.caller(), &file)
        .await?
        .into_response())
}

/// Admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin))
        .route("/admin/users", post(add_user))
        .route("/admin/clock", post(clock))
        .route("/admin/webhooks/replay", post(replay))
        .route("/dashboard", get(dashboard_page))
        .route("/dashboard/trends.csv", get(dashboard_trends_csv))
        .route("/dashboard/{file}", get(dashboard_file))
}
