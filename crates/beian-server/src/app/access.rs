//! Who may see what: orders by role and province, uploads through the orders that
//! use them (api.md "Visibility").

use super::state::AppState;
use crate::http::auth::{Caller, Role};
use crate::http::error::ApiResult;
use beian_domain::filing::Filing;
use beian_store::{AccessEntry, AppRow, FilingQuery, MediaRow};

/// Whether the caller may see this order at all. An authority reviewer sees the
/// orders of their province whose current round has reached the authority.
pub fn can_see(caller: &Caller, f: &Filing) -> bool {
    match caller.role {
        Role::Applicant => f.owner_id == caller.user.id,
        Role::PlatformReviewer | Role::Admin => true,
        Role::AuthorityReviewer => {
            caller.user.province.is_some()
                && f.province == caller.user.province
                && f.reached_authority()
        }
    }
}

/// Records that the caller saw the order's personal data unmasked (`what`: the
/// review page, the papers), in the order's history: reviewers may unmask, and
/// every time shows up there, for the applicant and for audits.
pub async fn record_unmasked(
    s: &AppState,
    caller: &Caller,
    f: &Filing,
    what: &str,
) -> ApiResult<()> {
    tracing::info!(user = %caller.user.id, filing = %f.id, what, "unmasked personal data");
    s.store
        .record_access(&AccessEntry {
            filing_id: f.id.clone(),
            at: s.now(),
            user_id: caller.user.id.clone(),
            role: caller.user.role.clone(),
            what: what.to_string(),
        })
        .await?;
    Ok(())
}

/// Whether the caller may see a mini program. Applicants see their own; platform
/// staff every one; an authority reviewer only those filed in their province or
/// whose open order has reached them, not the whole country's.
pub async fn may_see_app(s: &AppState, caller: &Caller, app: &AppRow) -> ApiResult<bool> {
    match caller.role {
        Role::Applicant => Ok(app.owner_id == caller.user.id),
        Role::PlatformReviewer | Role::Admin => Ok(true),
        Role::AuthorityReviewer => {
            if let Some(record) = s.store.service_record(&app.appid).await? {
                let subject = s.store.subject_record(&record.subject_key).await?;
                if subject.is_some_and(|r| Some(r.province) == caller.user.province) {
                    return Ok(true);
                }
            }
            Ok(s.store
                .live_filing_of_app(&app.appid)
                .await?
                .is_some_and(|f| can_see(caller, &f)))
        }
    }
}

/// Whether the order uses the upload: in its document, in the filed record it
/// changes, or as its face capture.
async fn uses(s: &AppState, f: &Filing, media_id: &str) -> ApiResult<bool> {
    let docs = [
        f.document.as_ref(),
        f.record.as_ref().and_then(|r| r.document.as_ref()),
    ];
    if docs
        .into_iter()
        .flatten()
        .any(|d| d.media_refs().iter().any(|(_, id)| *id == media_id))
    {
        return Ok(true);
    }
    let task = f.document.as_ref().and_then(|d| {
        d.mini_program_principal
            .face_verification
            .clone()
            .or_else(|| f.face_task.clone())
    });
    Ok(match task {
        Some(task) => s
            .store
            .face_task(&task)
            .await?
            .and_then(|t| t.photo)
            .is_some_and(|p| p == media_id),
        None => false,
    })
}

/// Whether the caller may read an upload. Its owner may; staff only through an
/// order of the owner that they may see and that uses it, so an upload in no
/// order, or in another province's order, stays private.
pub async fn may_read(s: &AppState, caller: &Caller, m: &MediaRow) -> ApiResult<bool> {
    if m.owner_id == caller.user.id {
        return Ok(true);
    }
    if caller.role == Role::Applicant {
        return Ok(false);
    }
    let mut query = FilingQuery {
        owner: Some(m.owner_id.clone()),
        limit: 500,
        ..FilingQuery::default()
    };
    loop {
        let page = s.store.list_filings(&query).await?;
        for f in &page {
            if can_see(caller, f) && uses(s, f, &m.id).await? {
                return Ok(true);
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 >= query.limit => {
                query.after_id = Some(last.id.clone())
            }
            _ => return Ok(false),
        }
    }
}
