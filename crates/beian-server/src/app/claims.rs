//! Reviewers' claims on orders in review (我来审, `beian_domain::filing` claims): claim
//! or renew, release, an admin's reassignment, and "next order". Each is a command on
//! the order, decided again on a concurrent change, so of two reviewers racing for one
//! order exactly one holds it and the other is told who does.

use crate::app::commands::{execute_fresh, explain};
use crate::app::filings::{self, ListQuery};
use crate::app::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::{ApiError, ApiResult};
use crate::views::FilingView;
use axum::http::StatusCode;
use beian_domain::filing::Command;
use serde::Deserialize;
use utoipa::ToSchema;

async fn run(s: &AppState, caller: &Caller, id: &str, cmd: Command) -> ApiResult<FilingView> {
    caller.require(&[Role::PlatformReviewer, Role::AuthorityReviewer, Role::Admin])?;
    // Visibility first: a reviewer claims only what their queue shows.
    filings::load(s, caller, id).await?;
    match execute_fresh(s, id, cmd, &caller.actor()).await {
        Ok((f, _)) => Ok(crate::views::filing(&f, &s.policy, s.now())),
        Err(e) => Err(explain(s, e).await),
    }
}

/// `POST /api/v1/filings/{id}/claim`: the caller claims the order, or renews their claim.
pub async fn claim(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FilingView> {
    let holder = caller.user.id.clone();
    run(s, caller, id, Command::Claim { holder }).await
}

/// `DELETE /api/v1/filings/{id}/claim`: the holder (or an admin) lets the order go.
pub async fn release(s: &AppState, caller: &Caller, id: &str) -> ApiResult<FilingView> {
    run(s, caller, id, Command::Release).await
}

/// `PUT /api/v1/filings/{id}/claim` body: whom an admin gives the order to.
#[derive(Deserialize, ToSchema)]
pub struct Reassign {
    /// The reviewer's username.
    pub username: String,
}

/// `PUT /api/v1/filings/{id}/claim`: an admin gives the order to a reviewer of its stage.
pub async fn reassign(
    s: &AppState,
    caller: &Caller,
    id: &str,
    b: Reassign,
) -> ApiResult<FilingView> {
    caller.require(&[Role::Admin])?;
    let f = filings::load(s, caller, id).await?;
    let to = s
        .store
        .user_by_username(b.username.trim())
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "username",
                "USER_UNKNOWN",
                "没有这个用户",
                "填写该审核阶段审核员的用户名",
            )
        })?;
    let role =
        Role::parse(&to.role).ok_or_else(|| ApiError::internal("unknown role in database"))?;
    let (holder, province) = (to.id.clone(), to.province.clone());
    let reviewer = Caller {
        user: to,
        role,
        token_hash: String::new(),
    }
    .actor();
    let fits = f.may_hold(&reviewer, province.as_deref());
    if !fits {
        return Err(ApiError::field(
            "username",
            "REVIEWER_MISMATCH",
            "该用户不能审核此备案",
            "平台初审改派给平台审核员；通管局审核改派给该省的通管局审核员",
        ));
    }
    run(s, caller, id, Command::Claim { holder }).await
}

/// `POST /api/v1/review-queue/next`: claims the oldest-due order of the caller's queue
/// that nobody holds (their own claims count as free), and answers it.
pub async fn next(s: &AppState, caller: &Caller) -> ApiResult<FilingView> {
    let status = match caller.role {
        Role::PlatformReviewer => "platform_review",
        Role::AuthorityReviewer => "authority_review",
        _ => return Err(ApiError::forbidden()),
    };
    let mut cursor = None;
    loop {
        let page = filings::list(
            s,
            caller,
            ListQuery {
                status: Some(status.into()),
                sort: Some("due".into()),
                limit: Some(200),
                cursor: cursor.take(),
                ..ListQuery::default()
            },
        )
        .await?;
        for v in &page.items {
            let free = v
                .claim
                .as_ref()
                .is_none_or(|c| c.holder_id == caller.user.id);
            if !free {
                continue;
            }
            match claim(s, caller, &v.id).await {
                Ok(view) => return Ok(view),
                // Someone was quicker, or it left the stage: the next one.
                Err(e) if matches!(e.code, "CLAIMED" | "WRONG_STATE") => continue,
                Err(e) => return Err(e),
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "QUEUE_EMPTY",
                    "队列中没有待认领的备案",
                )
                .suggest("稍后再来，或查看已被认领的备案"))
            }
        }
    }
}
