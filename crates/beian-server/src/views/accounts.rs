//! Users, sessions, login locks and the in-site messages.

use super::{ts, ts_secs};
use beian_domain::filing::Time;
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

impl LoginLockView {
    /// A lock as the admin sees it: when it ends in China time, to the second.
    pub fn new(username: String, locks: u32, locked_until: Time) -> LoginLockView {
        LoginLockView {
            username,
            locks,
            locked_until: ts_secs(locked_until),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_lock_ends_in_china_time_to_the_second() {
        let until = chrono::Utc.with_ymd_and_hms(2027, 2, 4, 17, 30, 5).unwrap()
            + chrono::Duration::milliseconds(750);
        let v = LoginLockView::new("zhang".into(), 2, until);
        assert_eq!(v.locked_until, "2027-02-05T01:30:05+08:00");
        assert_eq!((v.username.as_str(), v.locks), ("zhang", 2));
    }
}
