//! Users, sessions, login locks and the in-site messages.

use super::ts;
use beian_store::{InboxRow, UserRow};
use serde::Serialize;
use utoipa::ToSchema;

/// The public view of a user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    /// `applicant`, `platform_reviewer`, `authority_reviewer` or `admin`.
    pub role: String,
    /// An authority reviewer's province code.
    pub province: Option<String>,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> UserView {
        UserView {
            id: u.id.clone(),
            username: u.username.clone(),
            role: u.role.clone(),
            province: u.province.clone(),
        }
    }
}

/// A new session: the bearer token and who it is for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub token: String,
    pub user: UserView,
}

/// A username locked after wrong passwords.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginLockView {
    pub username: String,
    /// How many times in a row it was locked (each lock lasts twice the last).
    pub locks: u32,
    pub locked_until: String,
}

/// One in-site message (站内信).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxMessage {
    pub id: String,
    pub event: String,
    pub title: String,
    pub body: String,
    pub filing_id: Option<String>,
    pub appid: Option<String>,
    pub created_at: String,
    pub read: bool,
    pub read_at: Option<String>,
}

impl From<&InboxRow> for InboxMessage {
    fn from(m: &InboxRow) -> InboxMessage {
        InboxMessage {
            id: m.id.to_string(),
            event: m.template.clone(),
            title: m.title.clone(),
            body: m.body.clone(),
            filing_id: m.filing_id.clone(),
            appid: m.appid.clone(),
            created_at: ts(m.created_at),
            read: m.read_at.is_some(),
            read_at: m.read_at.map(ts),
        }
    }
}

/// A page of the caller's messages and how many are unread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxPage {
    pub items: Vec<InboxMessage>,
    pub unread: i64,
    pub next_cursor: Option<String>,
}
