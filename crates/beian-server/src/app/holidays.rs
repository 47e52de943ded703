//! Holiday notices at run time (domain.md §11.4–11.5): reading a notice, previewing what it
//! changes, loading it for every process, and the alert while a year is projected. Loading
//! schedules every provisional due date it settles to be counted again (a timer per order,
//! fired once across processes); other processes switch on their next worker tick.

use super::live_calendar::Origin;
use super::state::AppState;
use super::sweep::day_of;
use super::timers;
use crate::http::error::{ApiError, ApiResult};
use crate::views;
pub use crate::views::calendar::{
    CalendarOverview, CalendarYear, DueMove, NoticeLoaded, NoticePreview, OfficialYearView,
};
use axum::http::StatusCode;
use beian_domain::calendar::{end_of_day, projection, Basis, Calendar, HolidayYear};
use beian_domain::filing::{Filing, Time};
use beian_domain::notice::{read_notice, Notice};
use beian_store::StoredNotice;
use chrono::{NaiveDate, Utc};
use serde_json::json;
use std::collections::BTreeSet;

/// Start (00:00 +08:00) of the first year still projected: every provisional due date
/// before it was counted over years that are all official now.
pub fn settled_before(calendar: &Calendar) -> Time {
    let year = calendar.first_projected_year();
    let last_day = NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap_or(NaiveDate::MIN);
    // 23:59:59.999 on 31 December of the year before, plus one millisecond.
    end_of_day(last_day).with_timezone(&Utc) + chrono::Duration::milliseconds(1)
}

/// Rebuilds the calendar when another process loaded a notice, and schedules the due dates
/// it settles. Run on every worker tick, before the timers.
pub async fn refresh_and_schedule(s: &AppState) -> ApiResult<u64> {
    let changed = s.calendar.refresh(s.store.as_ref()).await?;
    if !changed {
        return Ok(0);
    }
    let calendar = s.calendar.current();
    tracing::info!(
        first_projected_year = calendar.first_projected_year(),
        "working-day calendar reloaded"
    );
    Ok(s.store
        .schedule_due_recompute(settled_before(&calendar), s.now())
        .await?)
}

/// Why a notice cannot be loaded.
fn unreadable(e: beian_domain::notice::NoticeError) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "CALENDAR_NOTICE_UNREADABLE",
        format!("通知无法完整识别，未作任何保存：{e}"),
    )
    .suggest("请粘贴国务院办公厅发布的通知全文（含标题与各项放假安排），并核对所指的那一行");
    err.extra.insert("line_no".into(), json!(e.line_no));
    err.extra.insert("line".into(), json!(e.line));
    err.extra.insert("reason".into(), json!(e.reason));
    err
}

/// The notice read and checked as the year's data; refused when the year is official.
fn read(s: &AppState, year: i32, text: &str) -> ApiResult<(Notice, HolidayYear)> {
    if text.len() > NOTICE_MAX_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "CALENDAR_NOTICE_TOO_LONG",
            format!("通知全文超过 {} KiB，未作任何保存", NOTICE_MAX_BYTES / 1024),
        )
        .suggest("只粘贴通知本身：标题、各项放假安排与落款"));
    }
    if let Some(official) = s.calendar.official(year) {
        let origin = match official.origin {
            Origin::File => "数据目录中的节假日文件",
            Origin::Embedded => "内置节假日数据",
            Origin::Loaded => "已载入的通知",
        };
        return Err(ApiError::conflict(
            "CALENDAR_YEAR_OFFICIAL",
            format!("{year}年已有正式节假日安排（来源：{origin}），不能再次载入"),
        )
        .suggest("如需更正，请在数据目录 reference/holidays/ 中放置该年的数据文件并重启"));
    }
    if !(projection::FIRST_PROJECTED_YEAR..=projection::LAST_PROJECTED_YEAR).contains(&year) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "CALENDAR_YEAR_OUT_OF_RANGE",
            format!("{year}年不在可载入的年份范围内"),
        )
        .suggest(format!(
            "可载入 {}–{} 年的通知",
            projection::FIRST_PROJECTED_YEAR,
            projection::LAST_PROJECTED_YEAR
        )));
    }
    let notice = read_notice(text, Some(year)).map_err(unreadable)?;
    let source = [
        Some(notice.title.clone()),
        notice.number.clone(),
        notice.published.map(|d| format!("{d}发布")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("，");
    let as_of = notice.published.unwrap_or_else(|| day_of(s.now()));
    let data = HolidayYear::from_parts(
        year,
        source,
        as_of,
        notice.rest_days.clone(),
        notice.makeup_workdays.clone(),
    )
    .map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "CALENDAR_NOTICE_UNREADABLE",
            format!("通知内容不一致，未作任何保存：{e}"),
        )
        .suggest("请核对通知中的日期")
    })?;
    Ok((notice, data))
}

/// A published notice is about 2 KB; the limit keeps a pasted page or a hostile body from
/// being read line by line, stored and listed.
const NOTICE_MAX_BYTES: usize = 32 * 1024;

/// How many orders a preview looks at to list the moves.
const PREVIEW_ORDERS: i64 = 200;

/// Reads the notice and says what it would change, storing nothing.
pub async fn preview(s: &AppState, year: i32, text: &str) -> ApiResult<NoticePreview> {
    let (notice, data) = read(s, year, text)?;
    let next = with_year(s, &data)?;
    let (count, filings) = s
        .store
        .provisional_dues(settled_before(&next), PREVIEW_ORDERS)
        .await?;
    let policy = &s.policy;
    let moves = filings
        .iter()
        .filter_map(|f| due_move(f, &next, policy))
        .collect();
    let projected: BTreeSet<NaiveDate> = projection::rest_days(year).unwrap_or_default();
    Ok(NoticePreview {
        year,
        title: notice.title.clone(),
        source: data.source().to_string(),
        rest_days: notice.rest_days.iter().copied().collect(),
        makeup_workdays: notice.makeup_workdays.iter().copied().collect(),
        added_rest_days: notice.rest_days.difference(&projected).copied().collect(),
        dropped_rest_days: projected.difference(&notice.rest_days).copied().collect(),
        projected_rest_days: projected.into_iter().collect(),
        provisional_orders: count,
        moves,
    })
}

/// The calendar in force with `data` added as official.
fn with_year(s: &AppState, data: &HolidayYear) -> ApiResult<Calendar> {
    let mut years: Vec<HolidayYear> = s
        .calendar
        .official_years()
        .into_iter()
        .map(|y| y.year)
        .collect();
    years.push(data.clone());
    Calendar::from_years(years).map_err(ApiError::internal)
}

/// The new due date of a provisional order on `calendar`, when it differs.
fn due_move(
    f: &Filing,
    calendar: &Calendar,
    policy: &beian_domain::policy::Policy,
) -> Option<DueMove> {
    let (old, due) = f.recount_due(calendar, policy)?;
    let due = due.ok()?;
    let new = due.at.with_timezone(&Utc);
    (new != old).then(|| DueMove {
        filing_id: f.id.clone(),
        appid: f.appid.clone(),
        status: f.status.as_str(),
        due_at: views::ts(old),
        new_due_at: views::ts(new),
        new_due_provisional: due.provisional,
    })
}

/// Orders recomputed inside the request; more are left to the worker so the answer
/// does not wait on a long batch.
const RECOMPUTE_IN_REQUEST: u64 = 2_000;

/// Stores the notice (the year becomes official in every process), then schedules and
/// runs the recompute of the due dates it settles.
pub async fn load(s: &AppState, year: i32, text: &str, by: &str) -> ApiResult<NoticeLoaded> {
    let (_, data) = read(s, year, text)?;
    // The orders the notice settles. Each gets a recompute timer, scheduled by this
    // request or by the worker's tick if it sees the stored notice first.
    let settles = s
        .store
        .provisional_dues(settled_before(&with_year(s, &data)?), 0)
        .await?
        .0;
    let stored = StoredNotice {
        year,
        data: data.to_toml(),
        notice_text: text.to_string(),
        loaded_at: s.now(),
        loaded_by: by.to_string(),
    };
    if !s.store.save_calendar_notice(&stored).await? {
        return Err(ApiError::conflict(
            "CALENDAR_YEAR_OFFICIAL",
            format!("{year}年的通知已由其他操作载入"),
        )
        .suggest("刷新页面查看已载入的通知"));
    }
    tracing::info!(year, by, source = data.source(), "holiday notice loaded");
    let scheduled = refresh_and_schedule(s).await?.max(settles);
    let recomputed = if scheduled <= RECOMPUTE_IN_REQUEST {
        timers::run_due_timers(s).await?;
        settled_since(s, scheduled).await?
    } else {
        let st = s.clone();
        tokio::spawn(async move {
            if let Err(e) = timers::run_due_timers(&st).await {
                tracing::warn!(code = e.code, message = e.message, "due recompute failed");
            }
        });
        0
    };
    Ok(NoticeLoaded {
        year,
        source: data.source().to_string(),
        rest_days: data.rest_days().count(),
        makeup_workdays: data.makeup_workdays().count(),
        scheduled,
        recomputed,
    })
}

/// How many of the `scheduled` orders are settled now. The worker may have claimed some
/// of the timers first (under its lease), so what this request fired alone undercounts:
/// the answer waits briefly for those and counts what is left provisional instead.
async fn settled_since(s: &AppState, scheduled: u64) -> ApiResult<u64> {
    let before = settled_before(&s.calendar.current());
    let mut left = s.store.provisional_dues(before, 0).await?.0;
    for _ in 0..50 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = s.store.provisional_dues(before, 0).await?.0;
    }
    Ok(scheduled.saturating_sub(left))
}

/// A year as the calendar in force has it.
pub fn show(s: &AppState, year: i32) -> ApiResult<CalendarYear> {
    let calendar = s.calendar.current();
    let basis = calendar.basis(year).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "CALENDAR_YEAR_UNKNOWN",
            format!("{year}年既无通知也无法推算"),
        )
        .suggest(format!(
            "可查询 2023–{} 年",
            projection::LAST_PROJECTED_YEAR
        ))
    })?;
    let (source, rest, makeup, origin) = match s.calendar.official(year) {
        Some(o) => (
            o.year.source().to_string(),
            o.year.rest_days().collect::<Vec<_>>(),
            o.year.makeup_workdays().collect::<Vec<_>>(),
            Some(o.origin),
        ),
        None => (
            "按2025年起的放假调休原则推算（尚未发布通知）".to_string(),
            projection::rest_days(year)
                .unwrap_or_default()
                .into_iter()
                .collect(),
            vec![],
            None,
        ),
    };
    Ok(CalendarYear {
        year,
        basis,
        origin: origin.map(|o| o.as_str().to_string()),
        source,
        rest_days: rest,
        makeup_workdays: makeup,
    })
}

/// Every year the deployment cares about: the official ones, and the projected ones an
/// operator should hear about today (§11.2's alert from 1 October).
pub fn overview(s: &AppState) -> CalendarOverview {
    let calendar = s.calendar.current();
    let today = day_of(s.now());
    let years = s
        .calendar
        .official_years()
        .iter()
        .map(|o| OfficialYearView {
            year: o.year.year(),
            basis: Basis::Official,
            origin: o.origin.as_str().to_string(),
            source: o.year.source().to_string(),
        })
        .collect();
    CalendarOverview {
        today,
        years,
        first_projected_year: calendar.first_projected_year(),
        projected_alert: calendar.projected_alert(today),
    }
}

/// The alert line of §11.2 for `/readyz` and the admin banner, when there is one.
pub fn alert(s: &AppState) -> Option<String> {
    let today = day_of(s.now());
    let years = s.calendar.current().projected_alert(today);
    if years.is_empty() {
        return None;
    }
    let list = years
        .iter()
        .map(|y| format!("{y}年"))
        .collect::<Vec<_>>()
        .join("、");
    Some(format!(
        "{list}的节假日安排通知尚未载入：相关期限按推算日历计算，标注为“预计”；通知发布后请在管理页载入"
    ))
}
