//! The daily anchors of the tamper-evident history (`beian_domain::audit::anchor`): once
//! a day is over, one hash over every order head that changed that day, chained to the
//! previous day's. Any process may write a day's anchor; the first one stored counts.

use super::state::AppState;
use super::sweep::day_of;
use crate::http::auth::{Caller, Role};
use crate::http::error::ApiResult;
use beian_domain::audit;
use beian_domain::calendar::china_offset;
use beian_domain::filing::Time;
use beian_store::Anchor;
use chrono::{Duration, NaiveDate, Utc};

/// A day is anchored this long after it ended, so a commit that began before midnight
/// has long been written.
const GRACE_MINUTES: i64 = 10;

/// The span of a China-time day.
pub fn bounds(day: NaiveDate) -> (Time, Time) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(china_offset()).single())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    (start(day), start(day + Duration::days(1)))
}

/// The anchor `day` has given `previous`, from the heads stored now.
pub async fn compute(s: &AppState, day: NaiveDate, previous: &str) -> ApiResult<Anchor> {
    let (from, to) = bounds(day);
    let heads = s.store.heads_between(from, to).await?;
    Ok(Anchor {
        day: day.to_string(),
        hash: audit::anchor(previous, &day.to_string(), &heads),
        previous: previous.to_string(),
        orders: heads.len() as i64,
        created_at: s.now(),
    })
}

/// Anchors every day that is over and has no anchor yet: the days after the last anchor,
/// or yesterday on a database without one. Returns how many this process stored.
pub async fn anchor_finished_days(s: &AppState) -> ApiResult<u64> {
    let now = s.now();
    let last = s.store.anchors(Some(1)).await?.pop();
    let (mut day, mut previous) = match last {
        Some(a) => match a.day.parse::<NaiveDate>() {
            Ok(d) => (d + Duration::days(1), a.hash),
            Err(_) => return Ok(0),
        },
        None => (day_of(now) - Duration::days(1), String::new()),
    };
    let mut stored = 0;
    while bounds(day).1 + Duration::minutes(GRACE_MINUTES) <= now {
        let anchor = compute(s, day, &previous).await?;
        if s.store.save_anchor(&anchor).await? {
            stored += 1;
            previous = anchor.hash;
        } else {
            // Another process anchored the day first: go on from its anchor.
            match s.store.anchors(Some(1)).await?.pop() {
                Some(a) if a.day == anchor.day => previous = a.hash,
                _ => return Ok(stored),
            }
        }
        day += Duration::days(1);
    }
    Ok(stored)
}

/// `GET /api/v1/admin/audit-anchors`: the newest `limit` anchors, newest first, for the
/// operator to publish or escrow.
pub async fn list(s: &AppState, caller: &Caller, limit: Option<i64>) -> ApiResult<Vec<Anchor>> {
    caller.require(&[Role::Admin])?;
    let mut items = s
        .store
        .anchors(Some(limit.unwrap_or(30).clamp(1, 3660)))
        .await?;
    items.reverse();
    Ok(items)
}
