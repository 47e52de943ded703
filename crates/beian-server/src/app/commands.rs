//! The one path from a domain command to a commit: decide, apply, derive the
//! record effects, the SMS to send, the notices and webhook events, and the
//! timers, and commit atomically.

use crate::app::state::AppState;
use crate::app::webhook_events;
use crate::http::error::{ApiError, ApiResult};
use beian_domain::filing::{Actor, Change, Command, Event, Filing, Kind, Refusal, Status, Time};
use beian_domain::notify;
use beian_domain::numbers::{issue_year, province_abbr};
use beian_store::{Commit, NumberRequest, NumberedCommit, OutboundSms, StoreError};

/// The plain codes a command carries, index-aligned with the round's recipients.
fn codes_of(cmd: &Command) -> Vec<String> {
    match cmd {
        Command::Submit { codes, .. } | Command::PlatformApprove { codes } => codes.clone(),
        Command::SmsResend { code, .. } => vec![code.clone()],
        _ => vec![],
    }
}

/// Verification code SMS implied by the events: codes of a new round, or a
/// resent code. The outbox shows the code only when it is the delivery.
fn messages(
    state: &AppState,
    after: &Filing,
    events: &[Event],
    codes: &[String],
    window_hours: i64,
) -> Vec<OutboundSms> {
    let mask = !state.sms.keeps_codes();
    let sms = |mobile: &str, code: &str| {
        let n = state
            .templates
            .verification_code(mobile, code, window_hours, mask);
        OutboundSms {
            mobile: n.to,
            body: n.body,
            template: n.template,
            params: n.params,
        }
    };
    let mut out = vec![];
    for e in events {
        match &e.change {
            Change::PlatformApproved { round, .. }
            | Change::SmsRestarted { round }
            | Change::CancellationSubmitted { round } => {
                for (r, code) in round.recipients.iter().zip(codes) {
                    out.push(sms(&r.mobile, code));
                }
            }
            Change::CodeResent { index, .. } => {
                if let (Some(r), Some(code)) = (
                    after.sms.as_ref().and_then(|s| s.recipients.get(*index)),
                    codes.first(),
                ) {
                    out.push(sms(&r.mobile, code));
                }
            }
            _ => {}
        }
    }
    out
}

/// The commit of `events` decided on `before` (also used by `beian seed`).
pub fn build_commit(
    state: &AppState,
    before: &Filing,
    events: Vec<Event>,
    codes: &[String],
    now: Time,
) -> Commit {
    let mut after = before.clone();
    let mut event_hashes = Vec::with_capacity(events.len());
    for e in &events {
        after.apply(e);
        event_hashes.push(after.chain_head.clone());
    }
    let window = if after.kind == Kind::Cancel {
        state.policy.cancel_sms_window_hours
    } else {
        state.policy.sms_window_hours
    };
    let bind_face_task = events
        .iter()
        .any(|e| matches!(e.change, Change::Submitted { .. }))
        .then(|| after.face_task.clone())
        .flatten();
    Commit {
        effects: after.record_effects(&events, &state.policy),
        sms: messages(state, &after, &events, codes, window),
        notices: notify::for_events(&after, &events, &state.templates),
        webhooks: webhook_events::for_events(&after, &events, before.version + 1),
        expected_version: before.version,
        bind_face_task,
        filing: after,
        events,
        event_hashes,
        now,
    }
}

/// The authority's approval of a new order (T19) in two halves: the numbers to draw,
/// and the commit to build once the store has drawn them (it draws and commits in one
/// transaction). `None` for an order without a valid province. The API and the seeder
/// both approve through it; the order is moved into the commit's builder.
pub fn numbered_approval(
    state: &AppState,
    before: Filing,
    actor: &Actor,
    now: Time,
) -> Option<(NumberRequest, NumberedCommit)> {
    let province = before.province.clone().unwrap_or_default();
    let abbr = province_abbr(&province)?;
    let req = NumberRequest {
        filing_id: before.id.clone(),
        province,
        abbr: abbr.to_string(),
        year: issue_year(now),
        subject_key: before.subject_key.clone().unwrap_or_default(),
    };
    let (st, actor) = (state.clone(), actor.clone());
    let build: NumberedCommit = Box::new(move |numbers| -> Result<Commit, Refusal> {
        let calendar = st.calendar();
        let env = st.env(&calendar, &actor, now);
        let events = before.decide(
            Command::AuthorityApprove {
                numbers: Some(numbers),
            },
            &env,
        )?;
        Ok(build_commit(&st, &before, events, &[], now))
    });
    Some((req, build))
}

/// Decides `cmd` on `filing` and commits the outcome; returns the new state
/// and the events. A refusal commits nothing.
pub async fn execute(
    state: &AppState,
    filing: &Filing,
    cmd: Command,
    actor: &Actor,
) -> ApiResult<(Filing, Vec<Event>)> {
    let now = state.now();
    let codes = codes_of(&cmd);
    let needs_numbers = matches!(cmd, Command::AuthorityApprove { .. })
        && filing.kind == Kind::New
        && filing.status == Status::AuthorityReview;
    let commit = if needs_numbers {
        let (req, build) = numbered_approval(state, filing.clone(), actor, now)
            .ok_or_else(|| ApiError::internal("filing without a valid province"))?;
        state.store.commit_with_numbers(req, build).await?
    } else {
        let calendar = state.calendar();
        let env = state.env(&calendar, actor, now);
        let events = filing.decide(cmd, &env)?;
        // A command the domain accepts with nothing to record (an early claim renewal)
        // changes nothing: no commit, no version.
        if events.is_empty() {
            return Ok((filing.clone(), vec![]));
        }
        let commit = build_commit(state, filing, events, &codes, now);
        state.store.commit(commit.clone()).await?;
        commit
    };
    for e in &commit.events {
        state
            .metrics
            .inc("beian_events_total", "event", e.change.name(), 1);
    }
    Ok((commit.filing, commit.events))
}

/// Like [`execute`] for actors that cannot send `expected_version` (the
/// verification site, timers): on a concurrent change, reload and decide again.
pub async fn execute_fresh(
    state: &AppState,
    id: &str,
    cmd: Command,
    actor: &Actor,
) -> ApiResult<(Filing, Vec<Event>)> {
    let mut last = None;
    for _ in 0..5 {
        let filing = state
            .store
            .filing(id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        match execute(state, &filing, cmd.clone(), actor).await {
            Err(e) if e.code == "VERSION_CONFLICT" => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| ApiError::from(StoreError::VersionConflict)))
}

/// Names the holder of a `CLAIMED` refusal: the reviewer's username, and until when.
pub async fn explain(s: &AppState, e: ApiError) -> ApiError {
    if e.code != "CLAIMED" {
        return e;
    }
    let holder = e
        .extra
        .get("holder_id")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let name = match s.store.user_by_id(holder).await {
        Ok(Some(u)) => u.username,
        _ => return e,
    };
    let until = crate::views::hhmm(
        e.extra
            .get("claimed_until")
            .and_then(|v| v.as_str())
            .unwrap_or(""),
    );
    let message = format!("该备案正由审核员 {name} 审核（至 {until}）");
    let mut e = ApiError { message, ..e };
    e.extra.insert("holder".into(), serde_json::json!(name));
    e
}
