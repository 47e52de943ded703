//! The reviewers' claim (我来审) on the review pages: claim, release, renew while the page
//! is open, and "next order" from the queue. The rules are the domain's; this turns
//! forms into `crate::app::claims` calls and their refusals into banners.

use super::{CsrfForm, PageError, PageResult, WebUser};
use crate::app::claims;
use crate::app::state::AppState;
use crate::http::auth::Role;
use crate::http::error::ApiError;
use crate::ui::Visit;
use crate::views::FilingView;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// Who holds an order, as the review page shows it.
#[derive(Debug, Clone, Default)]
pub struct ClaimState {
    /// The holder's username; empty when nobody holds it.
    pub holder: String,
    /// Until when, `HH:MM` China time.
    pub until: String,
    /// The page's reader holds it.
    pub mine: bool,
}

impl ClaimState {
    /// The claim of a filing view, for the reader `u`.
    pub async fn of(s: &AppState, u: &WebUser, v: &FilingView) -> Result<ClaimState, ApiError> {
        let Some(c) = &v.claim else {
            return Ok(ClaimState::default());
        };
        let holder = s
            .store
            .user_by_id(&c.holder_id)
            .await?
            .map(|u| u.username)
            .unwrap_or_else(|| c.holder_id.clone());
        let until = crate::views::hhmm(&c.until);
        Ok(ClaimState {
            holder,
            until,
            mine: c.holder_id == u.user.id,
        })
    }

    /// Someone else holds it: the page offers no decision.
    pub fn held_by_other(&self) -> bool {
        !self.holder.is_empty() && !self.mine
    }
}

#[derive(Deserialize)]
struct ClaimForm {
    csrf: String,
    /// `claim` (also renews) or `release`.
    action: String,
}

fn base(authority: bool) -> &'static str {
    if authority {
        "/authority"
    } else {
        "/review"
    }
}

fn require_stage(u: &WebUser, authority: bool) -> Result<(), PageError> {
    if authority {
        u.require(&[Role::AuthorityReviewer])
    } else {
        u.require(&[Role::PlatformReviewer])
    }
}

async fn act(s: AppState, u: WebUser, id: String, f: ClaimForm, authority: bool) -> PageResult {
    u.check_csrf(&f.csrf)?;
    require_stage(&u, authority)?;
    let result = match f.action.as_str() {
        "release" => claims::release(&s, &u.caller(), &id).await,
        _ => claims::claim(&s, &u.caller(), &id).await,
    };
    // The page's script renews with `fetch` and only needs the status.
    result?;
    Ok(Redirect::to(&format!("{}/{id}", base(authority))).into_response())
}

async fn next(s: AppState, u: WebUser, f: CsrfForm, authority: bool) -> PageResult {
    u.check_csrf(&f.csrf)?;
    require_stage(&u, authority)?;
    match claims::next(&s, &u.caller()).await {
        Ok(v) => Ok(Redirect::to(&format!("{}/{}", base(authority), v.id)).into_response()),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            Ok(Redirect::to(&format!("{}?empty=1", base(authority))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn platform_claim(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(f): Form<ClaimForm>,
) -> PageResult {
    act(s, u, id, f, false).await
}

async fn authority_claim(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Form(f): Form<ClaimForm>,
) -> PageResult {
    act(s, u, id, f, true).await
}

async fn platform_next(Visit { s, u }: Visit, Form(f): Form<CsrfForm>) -> PageResult {
    next(s, u, f, false).await
}

async fn authority_next(Visit { s, u }: Visit, Form(f): Form<CsrfForm>) -> PageResult {
    next(s, u, f, true).await
}

/// `POST /review/{id}/claim`, `/authority/{id}/claim`, `/review/next`, `/authority/next`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review/next", post(platform_next))
        .route("/authority/next", post(authority_next))
        .route("/review/{id}/claim", post(platform_claim))
        .route("/authority/{id}/claim", post(authority_claim))
}
