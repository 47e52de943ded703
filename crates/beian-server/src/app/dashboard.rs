//! The operations dashboard for admins and platform reviewers: the figures as
//! JSON, as server-rendered SVG charts and as CSV.

use crate::app::state::AppState;
use crate::charts::{bar_chart, csv, line_chart, Line, Series};
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use crate::views::admin::{DashboardView, TrendsView};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use beian_domain::dashboard::trends::{self, Range, TrendPeriod, Trends};
use beian_domain::dashboard::{compute, Dashboard};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

/// The figures, by the name used in `{chart}.svg` and `{figure}.csv`.
pub const FIGURES: [&str; 6] = [
    "by-stage",
    "by-status",
    "stage-times",
    "sla-breaches",
    "rejection-reasons",
    "sms-outcomes",
];

const BLUE: &str = "#3370ff";
const ORANGE: &str = "#ff8800";

/// One figure: a chart and a table of the same numbers.
struct Figure {
    title: &'static str,
    unit: &'static str,
    series: Vec<Series<'static>>,
    bars: Vec<(String, Vec<f64>)>,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn one(name: &'static str) -> Vec<Series<'static>> {
    vec![Series { name, colour: BLUE }]
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn figure(d: &Dashboard, name: &str) -> Option<Figure> {
    let counts = |title, items: &[beian_domain::dashboard::Count]| Figure {
        title,
        unit: "单位：件",
        series: one("数量"),
        bars: items
            .iter()
            .map(|c| (c.label.clone(), vec![c.count as f64]))
            .collect(),
        header: vec!["key", "label", "count"],
        rows: items
            .iter()
            .map(|c| vec![c.key.clone(), c.label.clone(), c.count.to_string()])
            .collect(),
    };
    Some(match name {
        "by-stage" => counts("备案申请按阶段分布", &d.by_stage),
        "by-status" => counts("备案申请按状态分布", &d.by_status),
        "sms-outcomes" => counts("工信部短信核验结果", &d.sms_outcomes),
        "stage-times" => Figure {
            title: "各阶段用时",
            unit: "单位：小时（中位数与第90百分位）",
            series: vec![
                Series {
                    name: "中位数",
                    colour: BLUE,
                },
                Series {
                    name: "P90",
                    colour: ORANGE,
                },
            ],
            bars: d
                .stage_times
                .iter()
                .map(|t| {
                    (
                        t.label.clone(),
                        vec![t.median_hours.unwrap_or(0.0), t.p90_hours.unwrap_or(0.0)],
                    )
                })
                .collect(),
            header: vec!["stage", "label", "samples", "median_hours", "p90_hours"],
            rows: d
                .stage_times
                .iter()
                .map(|t| {
                    vec![
                        t.stage.clone(),
                        t.label.clone(),
                        t.samples.to_string(),
                        opt(t.median_hours),
                        opt(t.p90_hours),
                    ]
                })
                .collect(),
        },
        "sla-breaches" => Figure {
            title: "超出审核时限（按阶段与省份）",
            unit: "单位：件",
            series: vec![
                Series {
                    name: "逾期完成",
                    colour: BLUE,
                },
                Series {
                    name: "逾期未完成",
                    colour: ORANGE,
                },
            ],
            bars: d
                .sla_breaches
                .iter()
                .map(|b| {
                    let stage = if b.stage == "platform_review" {
                        "平台初审"
                    } else {
                        "通管局审核"
                    };
                    (
                        format!("{stage} · {}", b.province),
                        vec![b.closed_late as f64, b.open_overdue as f64],
                    )
                })
                .collect(),
            header: vec!["stage", "province", "closed_late", "open_overdue", "count"],
            rows: d
                .sla_breaches
                .iter()
                .map(|b| {
                    vec![
                        b.stage.clone(),
                        b.province.clone(),
                        b.closed_late.to_string(),
                        b.open_overdue.to_string(),
                        b.count.to_string(),
                    ]
                })
                .collect(),
        },
        "rejection-reasons" => Figure {
            title: "常见驳回原因",
            unit: "单位：次",
            series: vec![
                Series {
                    name: "平台初审",
                    colour: BLUE,
                },
                Series {
                    name: "通管局审核",
                    colour: ORANGE,
                },
            ],
            bars: d
                .rejection_reasons
                .iter()
                .map(|r| {
                    (
                        r.reason.chars().take(16).collect(),
                        vec![r.platform as f64, r.authority as f64],
                    )
                })
                .collect(),
            header: vec!["reason", "platform", "authority", "count"],
            rows: d
                .rejection_reasons
                .iter()
                .map(|r| {
                    vec![
                        r.reason.clone(),
                        r.platform.to_string(),
                        r.authority.to_string(),
                        r.count.to_string(),
                    ]
                })
                .collect(),
        },
        _ => return None,
    })
}

async fn load(s: &AppState, caller: &Caller) -> ApiResult<Dashboard> {
    caller.require(&[Role::Admin, Role::PlatformReviewer])?;
    let histories = s.store.histories().await?;
    Ok(compute(&histories, s.now()))
}

/// `GET /api/v1/admin/dashboard`: every figure as JSON.
pub async fn show(s: &AppState, caller: &Caller) -> ApiResult<DashboardView> {
    let d = load(s, caller).await?;
    Ok(DashboardView {
        figures: d,
        generated_at: views::ts(s.now()),
        charts: FIGURES
            .iter()
            .map(|f| format!("/api/v1/admin/dashboard/{f}.svg"))
            .collect(),
        csv: FIGURES
            .iter()
            .map(|f| format!("/api/v1/admin/dashboard/{f}.csv"))
            .collect(),
    })
}

/// `GET /api/v1/admin/dashboard/{file}`: `{chart}.svg` or `{figure}.csv`.
pub async fn file(s: &AppState, caller: &Caller, file: &str) -> ApiResult<Response> {
    caller.require(&[Role::Admin, Role::PlatformReviewer])?;
    let (name, ext) = file.rsplit_once('.').ok_or_else(ApiError::not_found)?;
    if !FIGURES.contains(&name) || !matches!(ext, "svg" | "csv") {
        return Err(ApiError::not_found());
    }
    let d = load(s, caller).await?;
    let f = figure(&d, name).ok_or_else(ApiError::not_found)?;
    Ok(if ext == "svg" {
        (
            [
                (
                    header::CONTENT_TYPE,
                    "image/svg+xml; charset=utf-8".to_string(),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bar_chart(f.title, f.unit, &f.series, &f.bars),
        )
            .into_response()
    } else {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"beian-{name}.csv\""),
                ),
            ],
            csv(&f.header, &f.rows),
        )
            .into_response()
    })
}

/// The date range of the trends: China days, both ends included.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendsQuery {
    /// First day, `YYYY-MM-DD`; default: 27 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, not after today; default: today. At most 366 days in all.
    pub to: Option<String>,
    /// `day` (default) or `week` (Monday to Sunday, cut to the range).
    pub period: Option<String>,
}

impl TrendsQuery {
    /// The query string of `range` (for links to the CSV and the JSON).
    pub fn of(range: &Range) -> String {
        format!(
            "from={}&to={}&period={}",
            range.from,
            range.to,
            range.granularity.as_str()
        )
    }
}

/// Today in China, on the server's clock.
fn today(s: &AppState) -> NaiveDate {
    crate::app::sweep::day_of(s.now())
}

/// The range asked for; 422 `INVALID_RANGE` with a Chinese message otherwise.
pub fn range(s: &AppState, q: &TrendsQuery) -> ApiResult<Range> {
    Range::parse(
        q.from.as_deref(),
        q.to.as_deref(),
        q.period.as_deref(),
        today(s),
    )
    .map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_RANGE",
            e.to_string(),
        )
        .suggest("开始与结束日期按 YYYY-MM-DD 填写，结束日期不晚于今天，范围最长 366 天")
    })
}

/// The default range: the last four weeks up to today, per day.
pub fn default_range(s: &AppState) -> Range {
    Range::default_for(today(s))
}

/// The series of `range` from the event log.
pub async fn trends_of(s: &AppState, caller: &Caller, range: Range) -> ApiResult<Trends> {
    caller.require(&[Role::Admin, Role::PlatformReviewer])?;
    let histories = s.store.histories().await?;
    Ok(trends::compute(&histories, range))
}

/// `GET /api/v1/admin/dashboard/trends`: the series as JSON.
pub async fn trends_json(s: &AppState, caller: &Caller, q: &TrendsQuery) -> ApiResult<TrendsView> {
    caller.require(&[Role::Admin, Role::PlatformReviewer])?;
    let range = range(s, q)?;
    let t = trends_of(s, caller, range).await?;
    Ok(TrendsView {
        trends: t,
        generated_at: views::ts(s.now()),
        csv: format!(
            "/api/v1/admin/dashboard/trends.csv?{}",
            TrendsQuery::of(&range)
        ),
    })
}

/// The columns of the trends CSV: a Chinese header and the cell of a period.
type Column = (&'static str, fn(&TrendPeriod) -> String);

const TREND_COLUMNS: [Column; 21] = [
    ("开始日期", |p| p.start.clone()),
    ("结束日期", |p| p.end.clone()),
    ("提交数", |p| p.arrivals.to_string()),
    ("平台初审通过", |p| p.platform_approved.to_string()),
    ("平台初审驳回", |p| p.platform_rejected.to_string()),
    ("通管局审核通过", |p| {
        p.authority_approved.to_string()
    }),
    ("通管局审核驳回", |p| {
        p.authority_rejected.to_string()
    }),
    ("期末积压·平台初审", |p| {
        p.backlog_platform_review.to_string()
    }),
    ("期末积压·短信核验", |p| {
        p.backlog_sms_verification.to_string()
    }),
    ("期末积压·通管局审核", |p| {
        p.backlog_authority_review.to_string()
    }),
    ("平台初审决定数", |p| {
        p.platform_sla_decisions.to_string()
    }),
    ("平台初审按时决定数", |p| {
        p.platform_sla_met.to_string()
    }),
    ("通管局决定数", |p| {
        p.authority_sla_decisions.to_string()
    }),
    ("通管局按时决定数", |p| {
        p.authority_sla_met.to_string()
    }),
    ("时限达成率（%）", |p| opt(p.sla_attainment_percent)),
    ("平台初审时限达成率（%）", |p| {
        opt(p.platform_sla_percent)
    }),
    ("通管局时限达成率（%）", |p| {
        opt(p.authority_sla_percent)
    }),
    ("平台初审用时中位数（小时）", |p| {
        opt(p.median_platform_review_hours)
    }),
    ("短信核验用时中位数（小时）", |p| {
        opt(p.median_sms_verification_hours)
    }),
    ("通管局审核用时中位数（小时）", |p| {
        opt(p.median_authority_review_hours)
    }),
    ("周期", |p| p.label.clone()),
];

/// The series as a CSV file (UTF-8 with a BOM; cells a spreadsheet would run are defused).
pub fn trends_csv(t: &Trends) -> Response {
    let header: Vec<&str> = TREND_COLUMNS.iter().map(|(h, _)| *h).collect();
    let rows: Vec<Vec<String>> = t
        .periods
        .iter()
        .map(|p| TREND_COLUMNS.iter().map(|(_, f)| f(p)).collect())
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"beian-trends-{}-{}-{}.csv\"",
                    t.from,
                    t.to,
                    t.period.as_str()
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv(&header, &rows),
    )
        .into_response()
}

/// `GET /api/v1/admin/dashboard/trends.csv`.
pub async fn trends_csv_file(
    s: &AppState,
    caller: &Caller,
    q: &TrendsQuery,
) -> ApiResult<Response> {
    caller.require(&[Role::Admin, Role::PlatformReviewer])?;
    let range = range(s, q)?;
    Ok(trends_csv(&trends_of(s, caller, range).await?))
}

const GREEN: &str = "#167534";
const TREND_BLUE: &str = "#1a64d4";
const AMBER: &str = "#985300";

/// The trend charts of the dashboard page: (heading, inline SVG).
pub fn trend_charts(t: &Trends) -> Vec<(String, String)> {
    let unit = t.period.label();
    let labels: Vec<String> = t
        .periods
        .iter()
        .map(|p| {
            let d: NaiveDate = p.start.parse().unwrap_or_default();
            short_date(d)
        })
        .collect();
    let series = |f: fn(&TrendPeriod) -> Option<f64>| t.periods.iter().map(f).collect::<Vec<_>>();
    let line =
        |name: &'static str, colour: &'static str, f: fn(&TrendPeriod) -> Option<f64>| Line {
            series: Series { name, colour },
            values: series(f),
        };
    let chart = |title: String, unit_text: String, lines: Vec<Line>, max: Option<f64>| {
        let svg = line_chart(&title, &unit_text, &labels, &lines, max);
        (title, svg)
    };
    vec![
        chart(
            format!("每{unit}提交与审核决定"),
            "单位：件（决定含通过与驳回）".into(),
            vec![
                line("提交", TREND_BLUE, |p| Some(p.arrivals as f64)),
                line("平台初审决定", AMBER, |p| {
                    Some((p.platform_approved + p.platform_rejected) as f64)
                }),
                line("通管局决定", GREEN, |p| {
                    Some((p.authority_approved + p.authority_rejected) as f64)
                }),
            ],
            None,
        ),
        chart(
            format!("每{unit}末积压（按阶段）"),
            "单位：件（期末仍在该阶段的备案）".into(),
            vec![
                line("平台初审", TREND_BLUE, |p| {
                    Some(p.backlog_platform_review as f64)
                }),
                line("短信核验", AMBER, |p| {
                    Some(p.backlog_sms_verification as f64)
                }),
                line("通管局审核", GREEN, |p| {
                    Some(p.backlog_authority_review as f64)
                }),
            ],
            None,
        ),
        chart(
            format!("每{unit}审核时限达成率"),
            "单位：%（当期决定中在截止时间前作出的比例）".into(),
            vec![
                line("平台初审", TREND_BLUE, |p| p.platform_sla_percent),
                line("通管局审核", GREEN, |p| p.authority_sla_percent),
            ],
            Some(100.0),
        ),
        chart(
            format!("每{unit}各阶段用时中位数"),
            "单位：小时（当期结束的各阶段）".into(),
            vec![
                line("平台初审", TREND_BLUE, |p| {
                    p.median_platform_review_hours
                }),
                line("短信核验", AMBER, |p| p.median_sms_verification_hours),
                line("通管局审核", GREEN, |p| {
                    p.median_authority_review_hours
                }),
            ],
            None,
        ),
    ]
}

/// `3/2`, for the time axis.
fn short_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}/{}", d.month(), d.day())
}

/// The columns of the page's trend table.
pub const TABLE_HEADER: [&str; 12] = [
    "期间",
    "提交",
    "平台初审通过",
    "平台初审驳回",
    "通管局通过",
    "通管局驳回",
    "期末积压·平台初审",
    "期末积压·短信核验",
    "期末积压·通管局",
    "时限达成率",
    "用时中位数（小时）·平台初审",
    "用时中位数（小时）·通管局",
];

/// One row of the page's trend table (`—` where there is no value).
pub fn table_row(p: &TrendPeriod) -> Vec<String> {
    let or_dash = |v: Option<f64>, suffix: &str| {
        v.map(|x| format!("{x}{suffix}"))
            .unwrap_or_else(|| "—".into())
    };
    vec![
        p.label.clone(),
        p.arrivals.to_string(),
        p.platform_approved.to_string(),
        p.platform_rejected.to_string(),
        p.authority_approved.to_string(),
        p.authority_rejected.to_string(),
        p.backlog_platform_review.to_string(),
        p.backlog_sms_verification.to_string(),
        p.backlog_authority_review.to_string(),
        or_dash(p.sla_attainment_percent, "%"),
        or_dash(p.median_platform_review_hours, ""),
        or_dash(p.median_authority_review_hours, ""),
    ]
}
