//! The working-day calendar's admin pages (domain.md §11.4–11.5): the official years and
//! the projected-year alert, one year month by month, and loading a year's State Council
//! notice from its pasted text — previewed first (its days beside the projection they
//! replace, the due dates that would move), then loaded on confirmation.

use super::admin::admin_layout;
use super::format::{status_tag, DueView};
use super::{page, PageError, PageResult, WebUser};
use crate::app::holidays::{self, NoticePreview};
use crate::app::state::AppState;
use crate::http::auth::Role;
use crate::http::error::ApiError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Form, Router};
use beian_domain::calendar::Basis;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// One day in a month's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayView {
    /// `2027-01-31`, for `<time datetime>`.
    pub iso: String,
    /// `1月31日 周日`.
    pub label: String,
    /// CSS class: `added` (a rest day the projection lacked), `dropped` (a projected rest
    /// day the notice does not have), `makeup`, or empty.
    pub class: &'static str,
    /// Says in words what the class says in colour.
    pub mark: &'static str,
}

/// One month of a year's days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    pub month: u32,
    pub rest: Vec<DayView>,
    pub makeup: Vec<DayView>,
    /// The projection's rest days (the preview only).
    pub projected: Vec<DayView>,
}

/// 周一 … 周日.
pub fn weekday_cn(d: NaiveDate) -> &'static str {
    beian_domain::text::zh_weekday(d.weekday())
}

fn day(d: NaiveDate, class: &'static str, mark: &'static str) -> DayView {
    DayView {
        iso: d.format("%Y-%m-%d").to_string(),
        label: format!("{}月{}日 {}", d.month(), d.day(), weekday_cn(d)),
        class,
        mark,
    }
}

/// The twelve months of a year's rest and make-up days; with `projected`, the projection's
/// rest days beside them, rest days the projection lacked marked added and projected days
/// the notice drops marked dropped.
pub fn months(
    rest: &[NaiveDate],
    makeup: &[NaiveDate],
    projected: Option<&[NaiveDate]>,
) -> Vec<MonthRow> {
    let projected_set: Option<BTreeSet<NaiveDate>> = projected.map(|p| p.iter().copied().collect());
    let rest_set: BTreeSet<NaiveDate> = rest.iter().copied().collect();
    (1..=12)
        .map(|month| {
            let in_month = |d: &&NaiveDate| d.month() == month;
            MonthRow {
                month,
                rest: rest
                    .iter()
                    .filter(in_month)
                    .map(|&d| match &projected_set {
                        Some(p) if !p.contains(&d) => day(d, "added", "（新增）"),
                        _ => day(d, "", ""),
                    })
                    .collect(),
                makeup: makeup
                    .iter()
                    .filter(in_month)
                    .map(|&d| day(d, "makeup", ""))
                    .collect(),
                projected: projected
                    .unwrap_or_default()
                    .iter()
                    .filter(in_month)
                    .map(|&d| {
                        if rest_set.contains(&d) {
                            day(d, "", "")
                        } else {
                            day(d, "dropped", "（取消）")
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// An official year in the overview.
struct YearRow {
    year: i64,
    origin: &'static str,
    source: String,
}

fn origin_label(origin: &str) -> &'static str {
    match origin {
        "file" => "数据目录文件",
        "embedded" => "内置数据",
        "loaded" => "已载入的通知",
        _ => "",
    }
}

/// Why the pasted notice was refused, as the form shows it.
struct Problem {
    message: String,
    suggestion: String,
    /// 0 when the error is not about one line.
    line_no: u64,
    line: String,
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Problem {
        Problem {
            message: e.message,
            suggestion: e.suggestion.unwrap_or_default(),
            line_no: e.extra.get("line_no").and_then(Value::as_u64).unwrap_or(0),
            line: e
                .extra
                .get("line")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        }
    }
}

/// An order whose due date the notice moves.
struct MoveView {
    filing_id: String,
    appid: String,
    status: &'static str,
    /// Provisional by definition: counted over the year the notice settles.
    due: DueView,
    new_due: DueView,
}

/// What the notice would change.
struct PreviewView {
    title: String,
    source: String,
    months: Vec<MonthRow>,
    rest_days: usize,
    makeup_workdays: usize,
    added: usize,
    dropped: usize,
    provisional_orders: u64,
    moves: Vec<MoveView>,
}

impl From<NoticePreview> for PreviewView {
    fn from(p: NoticePreview) -> PreviewView {
        PreviewView {
            months: months(
                &p.rest_days,
                &p.makeup_workdays,
                Some(&p.projected_rest_days),
            ),
            title: p.title,
            source: p.source,
            rest_days: p.rest_days.len(),
            makeup_workdays: p.makeup_workdays.len(),
            added: p.added_rest_days.len(),
            dropped: p.dropped_rest_days.len(),
            provisional_orders: p.provisional_orders,
            moves: p
                .moves
                .into_iter()
                .map(|m| MoveView {
                    status: status_tag(m.status).0,
                    due: DueView {
                        at: m.due_at,
                        provisional: true,
                    },
                    new_due: DueView {
                        at: m.new_due_at,
                        provisional: m.new_due_provisional,
                    },
                    filing_id: m.filing_id,
                    appid: m.appid,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: super::Layout,
    years: Vec<YearRow>,
    first_projected_year: i64,
    alert_years: Vec<i64>,
    /// The form's values, kept across a preview or a refusal.
    year: String,
    text: String,
    problem: Option<Problem>,
    preview: Option<PreviewView>,
}

/// What the page shows below the overview.
#[derive(Default)]
struct FormState {
    year: Option<String>,
    text: String,
    problem: Option<Problem>,
    preview: Option<PreviewView>,
    banner: Option<(&'static str, String)>,
}

fn calendar_page(s: &AppState, u: &WebUser, form: FormState, status: StatusCode) -> PageResult {
    u.require(&[Role::Admin])?;
    let overview = holidays::overview(s);
    let years = overview
        .years
        .iter()
        .map(|y| YearRow {
            year: i64::from(y.year),
            origin: origin_label(&y.origin),
            source: y.source.clone(),
        })
        .collect();
    let first_projected_year = i64::from(overview.first_projected_year);
    let alert_years = overview
        .projected_alert
        .iter()
        .map(|y| i64::from(*y))
        .collect::<Vec<_>>();
    let mut layout = admin_layout(s, "节假日日历", u);
    if let Some((kind, text)) = form.banner {
        layout.banners.insert(
            0,
            super::Banner {
                kind,
                text,
                link: None,
            },
        );
    }
    // The year asked about: the last one the alert names, else the first projected one.
    let year = form.year.unwrap_or_else(|| {
        alert_years
            .last()
            .copied()
            .unwrap_or(first_projected_year)
            .to_string()
    });
    let html = CalendarPage {
        layout,
        years,
        first_projected_year,
        alert_years,
        year,
        text: form.text,
        problem: form.problem,
        preview: form.preview,
    }
    .render()?;
    Ok((status, Html(html)).into_response())
}

async fn overview(State(s): State<AppState>, u: WebUser) -> PageResult {
    calendar_page(&s, &u, FormState::default(), StatusCode::OK)
}

#[derive(Deserialize)]
struct NoticeForm {
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    text: String,
}

/// The form's year, or why it is not one.
fn form_year(year: &str) -> Result<i32, Problem> {
    year.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1000..=9999).contains(y))
        .ok_or_else(|| Problem {
            message: "请填写通知所属的年份（四位数字，如 2027）".into(),
            suggestion: String::new(),
            line_no: 0,
            line: String::new(),
        })
}

/// A refusal shown on the form with the pasted text kept; server failures stay errors.
fn refused(s: &AppState, u: &WebUser, f: NoticeForm, e: Result<ApiError, Problem>) -> PageResult {
    let (problem, status) = match e {
        Ok(e) if e.status.is_server_error() => return Err(PageError::from(e)),
        Ok(e) => {
            let status = e.status;
            (Problem::from(e), status)
        }
        Err(p) => (p, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let form = FormState {
        year: Some(f.year),
        text: f.text,
        problem: Some(problem),
        ..FormState::default()
    };
    calendar_page(s, u, form, status)
}

/// `POST /admin/calendar/preview`: what the notice would change, nothing stored.
async fn preview(State(s): State<AppState>, u: WebUser, Form(f): Form<NoticeForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    u.require(&[Role::Admin])?;
    let year = match form_year(&f.year) {
        Ok(y) => y,
        Err(p) => return refused(&s, &u, f, Err(p)),
    };
    match holidays::preview(&s, year, &f.text).await {
        Ok(p) => {
            let form = FormState {
                year: Some(year.to_string()),
                text: f.text,
                preview: Some(p.into()),
                ..FormState::default()
            };
            calendar_page(&s, &u, form, StatusCode::OK)
        }
        Err(e) => refused(&s, &u, f, Ok(e)),
    }
}

/// The result banner of a load. `recomputed` counts every timer run in the request, so it
/// can exceed `scheduled`; fewer means the worker finishes the rest.
fn loaded_text(l: &holidays::NoticeLoaded) -> String {
    let head = format!("已载入{}年通知：{}", l.year, l.source);
    if l.recomputed >= l.scheduled {
        format!("{head}，{} 个期限已重新计算", l.scheduled)
    } else {
        format!(
            "{head}，{} 个期限需重新计算：已完成 {} 个，其余由后台继续",
            l.scheduled, l.recomputed
        )
    }
}

/// `POST /admin/calendar/load`: loads the previewed notice for every process.
async fn load(State(s): State<AppState>, u: WebUser, Form(f): Form<NoticeForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    u.require(&[Role::Admin])?;
    let year = match form_year(&f.year) {
        Ok(y) => y,
        Err(p) => return refused(&s, &u, f, Err(p)),
    };
    match holidays::load(&s, year, &f.text, &u.user.username).await {
        Ok(l) => {
            let form = FormState {
                banner: Some(("ok", loaded_text(&l))),
                ..FormState::default()
            };
            calendar_page(&s, &u, form, StatusCode::OK)
        }
        Err(e) => refused(&s, &u, f, Ok(e)),
    }
}

#[derive(Template)]
#[template(path = "calendar_year.html")]
struct YearPage {
    layout: super::Layout,
    year: i32,
    official: bool,
    origin: &'static str,
    source: String,
    months: Vec<MonthRow>,
    rest_days: usize,
    makeup_workdays: usize,
}

/// `GET /admin/calendar/{year}`: the year as the calendar in force has it.
async fn year_page(State(s): State<AppState>, u: WebUser, Path(year): Path<String>) -> PageResult {
    u.require(&[Role::Admin])?;
    let year: i32 = year.parse().map_err(|_| ApiError::not_found())?;
    let v = holidays::show(&s, year)?;
    let (rest, makeup) = (v.rest_days, v.makeup_workdays);
    page(YearPage {
        layout: admin_layout(&s, format!("{year}年节假日"), &u),
        year,
        official: v.basis == Basis::Official,
        origin: origin_label(v.origin.as_deref().unwrap_or("")),
        source: v.source,
        months: months(&rest, &makeup, None),
        rest_days: rest.len(),
        makeup_workdays: makeup.len(),
    })
}

/// The calendar's admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(overview))
        .route("/admin/calendar/preview", post(preview))
        .route("/admin/calendar/load", post(load))
        .route("/admin/calendar/{year}", get(year_page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekdays_are_named_in_chinese() {
        assert_eq!(weekday_cn(d("2027-01-31")), "周日");
        assert_eq!(weekday_cn(d("2027-02-05")), "周五");
        assert_eq!(weekday_cn(d("2027-02-01")), "周一");
    }

    #[test]
    fn a_year_is_listed_month_by_month() {
        let rows = months(
            &[d("2027-01-01"), d("2027-02-05")],
            &[d("2027-01-31")],
            None,
        );
        assert_eq!(rows.len(), 12);
        assert_eq!(rows[0].month, 1);
        assert_eq!(rows[0].rest[0].iso, "2027-01-01");
        assert_eq!(rows[0].rest[0].label, "1月1日 周五");
        assert_eq!(rows[0].makeup[0].label, "1月31日 周日");
        assert_eq!(rows[0].makeup[0].class, "makeup");
        assert_eq!(rows[1].rest[0].iso, "2027-02-05");
        assert!(rows[2].rest.is_empty() && rows[2].projected.is_empty());
    }

    #[test]
    fn a_preview_marks_the_days_the_notice_adds_and_drops() {
        let rows = months(
            &[d("2027-10-01"), d("2027-10-08")],
            &[],
            Some(&[d("2027-10-01"), d("2027-10-07")]),
        );
        let oct = &rows[9];
        let rest: Vec<_> = oct.rest.iter().map(|x| (x.iso.as_str(), x.class)).collect();
        assert_eq!(rest, [("2027-10-01", ""), ("2027-10-08", "added")]);
        let projected: Vec<_> = oct
            .projected
            .iter()
            .map(|x| (x.iso.as_str(), x.class, x.mark))
            .collect();
        assert_eq!(
            projected,
            [
                ("2027-10-01", "", ""),
                ("2027-10-07", "dropped", "（取消）")
            ]
        );
    }

    #[test]
    fn the_form_year_must_be_a_year() {
        assert_eq!(form_year(" 2027 ").ok(), Some(2027));
        assert!(form_year("").is_err());
        assert!(form_year("27").is_err());
        assert!(form_year("二〇二七").is_err());
    }

    #[test]
    fn the_load_banner_says_what_was_recomputed() {
        let mut l = holidays::NoticeLoaded {
            year: 2027,
            source: "国务院办公厅关于2027年部分节假日安排的通知".into(),
            rest_days: 28,
            makeup_workdays: 5,
            scheduled: 3,
            recomputed: 3,
        };
        assert_eq!(
            loaded_text(&l),
            "已载入2027年通知：国务院办公厅关于2027年部分节假日安排的通知，3 个期限已重新计算"
        );
        l.recomputed = 5;
        assert!(loaded_text(&l).ends_with("，3 个期限已重新计算"));
        l.scheduled = 2_500;
        l.recomputed = 0;
        assert!(loaded_text(&l).ends_with("，2500 个期限需重新计算：已完成 0 个，其余由后台继续"));
    }
}
