//! The applicant's inbox (站内信) and marking a message read.

use crate::app::state::AppState;
use crate::http::auth::Role;
use crate::ui::format::cn_time;
use crate::ui::Visit;
use crate::ui::{page, Layout, PageResult, WebUser};
use crate::views;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    unread: i64,
    /// (time, title, body, filing id, read, message id)
    messages: Vec<(String, String, String, String, bool, i64)>,
}

/// 站内信: the notices written with every status change (domain.md §1.4).
pub(super) async fn inbox(State(s): State<AppState>, u: WebUser) -> PageResult {
    u.require(&[Role::Applicant])?;
    let rows = s.store.inbox(&u.user.id, None, 200).await?;
    let unread = s.store.inbox_unread(&u.user.id).await?;
    let messages = rows
        .into_iter()
        .map(|m| {
            let at = cn_time(&views::ts(m.created_at));
            (
                at,
                m.title,
                m.body,
                m.filing_id.unwrap_or_default(),
                m.read_at.is_some(),
                m.id,
            )
        })
        .collect();
    page(InboxPage {
        layout: Layout::new("站内信", &u),
        unread,
        messages,
    })
}

#[derive(Deserialize)]
pub(super) struct ReadForm {
    csrf: String,
    id: i64,
}

pub(super) async fn mark_read(Visit { s, u }: Visit, Form(f): Form<ReadForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    s.store.inbox_mark_read(&u.user.id, f.id, s.now()).await?;
    Ok(Redirect::to("/inbox").into_response())
}
