//! The daily deadline sweep of §13: warnings before the legacy deadline and
//! the clearance (清退) after it, run once per day (+08:00) across processes.

use crate::app::state::AppState;
use crate::app::webhook_events;
use crate::http::error::ApiResult;
use beian_domain::calendar::china_offset;
use beian_domain::deadline::{self, SweepPlan};
use beian_domain::filing::Time;
use beian_domain::notify;
use beian_store::SweepWrite;
use chrono::NaiveDate;

/// The `job_runs` key of the sweep.
pub const JOB: &str = "deadline_sweep";

/// The day (+08:00) a time falls on.
pub fn day_of(t: Time) -> NaiveDate {
    t.with_timezone(&china_offset()).date_naive()
}

/// What the sweep of `day` would do now, without doing it.
pub async fn preview(s: &AppState, day: NaiveDate) -> ApiResult<SweepPlan> {
    let apps = s.store.sweep_candidates().await?;
    Ok(deadline::plan(&apps, day, &s.policy.release))
}

/// Runs the sweep of `day` unless it already ran; `None` when it had.
pub async fn run(s: &AppState, day: NaiveDate) -> ApiResult<Option<SweepWrite>> {
    let now = s.now();
    let (policy, templates) = (s.policy.clone(), s.templates.clone());
    let key = day.to_string();
    let day_key = key.clone();
    let build = Box::new(move |apps: Vec<deadline::SweepApp>| {
        let plan = deadline::plan(&apps, day, &policy.release);
        let action = policy.release.clearance_action.as_str().to_string();
        let notices = notify::for_sweep(&plan, &policy.release, &templates);
        let webhooks = plan
            .clearances
            .iter()
            .map(|c| webhook_events::cleared(c, &day_key, &action, now))
            .collect();
        SweepWrite {
            plan,
            action,
            notices,
            webhooks,
        }
    });
    let done = s.store.run_daily_sweep(JOB, &key, now, build).await?;
    if let Some(w) = &done {
        for c in &w.plan.clearances {
            tracing::info!(
                appid = c.appid,
                day = key,
                action = w.action,
                "app cleared (清退)"
            );
        }
        for warning in &w.plan.warnings {
            tracing::info!(
                appid = warning.appid,
                days_left = warning.days_left,
                "filing deadline warning sent"
            );
        }
        s.metrics.inc(
            "beian_sweep_clearances_total",
            "action",
            &w.action,
            w.plan.clearances.len() as u64,
        );
    }
    Ok(done)
}

/// Runs today's sweep if no process has yet.
pub async fn run_if_due(s: &AppState) -> ApiResult<Option<SweepWrite>> {
    let day = day_of(s.now());
    if s.store.job_ran(JOB, &day.to_string()).await? {
        return Ok(None);
    }
    run(s, day).await
}
