//! The operations dashboard for admins and platform reviewers: the figures as
//! JSON, as server-rendered SVG charts and as CSV.

use crate::app::state::AppState;
use crate::charts::{bar_chart, csv, Series};
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiResult};
use crate::views;
use crate::views::admin::DashboardView;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use beian_domain::dashboard::{compute, Dashboard};

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
