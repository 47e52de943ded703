//! Notifications (domain.md §1.4): which committed event leads to which
//! notices, and their texts.
//!
//! The texts are templates in `data/templates/notifications.toml`; this module
//! decides who gets what and renders it. The store records the notices in the
//! transaction of the change they announce (an outbox) and the server delivers
//! them after the commit.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::Deserialize;

use crate::calendar::china_offset;
use crate::deadline::SweepPlan;
use crate::filing::{
    CancelType, Change, Event, Filing, Kind, Reason, RecipientRole, ReturnReason, Time,
};
use crate::gating::ReleasePolicy;
use crate::text::mask_mobile;

/// The way a notice leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// In-site message (站内信) to an account.
    Inbox,
    /// Template SMS to a mobile.
    Sms,
}

impl Channel {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Sms => "sms",
        }
    }
}

/// One message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub channel: Channel,
    /// The account id (inbox) or the mobile (SMS).
    pub to: String,
    /// The template key; SMS providers map it to their template id.
    pub template: String,
    /// Inbox title (empty for SMS).
    pub title: String,
    /// The rendered text.
    pub body: String,
    /// The placeholder values, for providers that render their own template copy.
    pub params: BTreeMap<String, String>,
    pub filing_id: Option<String>,
    pub appid: Option<String>,
}

/// Why the template file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("模板文件格式错误：{0}")]
    Syntax(String),
    #[error("缺少模板 [{0}]")]
    Missing(&'static str),
    #[error("模板 [{0}] 缺少 {1} 文本")]
    MissingText(&'static str, &'static str),
    #[error("模板 [{0}] 不应有 sms 文本：该事件不发送短信")]
    UnexpectedSms(String),
    #[error("模板 [{0}] 使用了未知占位符 {{{1}}}")]
    UnknownPlaceholder(String, String),
    #[error("未知模板 [{0}]")]
    UnknownKey(String),
}

/// What a template key may say, and on which channels.
struct Spec {
    key: &'static str,
    vars: &'static [&'static str],
    inbox: bool,
    sms: bool,
}

const BASE: &[&str] = &["app_name", "filing_id"];

/// Every template key, the placeholders it may use and its channels.
const SPECS: &[Spec] = &[
    spec("submitted", &["due_date"], true, false),
    spec("withdrawn", &[], true, false),
    spec("discarded", &[], true, false),
    spec(
        "sms_verification_started",
        &["deadline", "recipients"],
        true,
        true,
    ),
    spec(
        "cancellation_submitted",
        &["deadline", "recipients", "cancel_type"],
        true,
        true,
    ),
    spec(
        "platform_rejected",
        &["reasons", "fix_deadline"],
        true,
        true,
    ),
    spec(
        "authority_rejected",
        &["reasons", "fix_deadline"],
        true,
        true,
    ),
    spec(
        "cancellation_rejected",
        &["reasons", "cancel_type"],
        true,
        true,
    ),
    spec("returned", &["return_reason", "fix_deadline"], true, true),
    spec(
        "cancellation_abandoned",
        &["return_reason", "cancel_type"],
        true,
        false,
    ),
    spec("authority_review_started", &["due_date"], true, false),
    spec("filed", &["subject_number", "service_number"], true, true),
    spec("change_applied", &["service_number"], true, true),
    spec("cancelled", &["cancel_type"], true, true),
    spec("expired", &[], true, false),
    spec("terminated", &["reason"], true, false),
    spec("sms_reminder", &["deadline", "recipients"], true, true),
    spec("face_verification_notice", &["expires_at"], true, false),
    spec(
        "release_deadline_warning",
        &["appid", "legacy_deadline", "days_left"],
        true,
        false,
    ),
    spec(
        "release_cleared",
        &["appid", "legacy_deadline", "clearance_start", "action"],
        true,
        false,
    ),
    spec("verification_code", &["code", "hours"], false, true),
];

const fn spec(key: &'static str, vars: &'static [&'static str], inbox: bool, sms: bool) -> Spec {
    Spec {
        key,
        vars,
        inbox,
        sms,
    }
}

/// One template as written in the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    #[serde(default)]
    title: String,
    #[serde(default)]
    inbox: String,
    sms: Option<String>,
}

/// The checked notification templates.
#[derive(Debug, Clone)]
pub struct Templates {
    by_key: BTreeMap<String, Template>,
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

fn render(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

impl Templates {
    /// Parses and checks a template file: every key present with the texts
    /// its channels need, no unknown key, no unknown placeholder.
    pub fn parse(text: &str) -> Result<Templates, TemplateError> {
        let by_key: BTreeMap<String, Template> =
            toml::from_str(text).map_err(|e| TemplateError::Syntax(e.to_string()))?;
        for key in by_key.keys() {
            if !SPECS.iter().any(|s| s.key == key) {
                return Err(TemplateError::UnknownKey(key.clone()));
            }
        }
        for s in SPECS {
            let t = by_key.get(s.key).ok_or(TemplateError::Missing(s.key))?;
            if s.inbox && (t.title.trim().is_empty() || t.inbox.trim().is_empty()) {
                return Err(TemplateError::MissingText(s.key, "title/inbox"));
            }
            match (&t.sms, s.sms) {
                (None, true) => return Err(TemplateError::MissingText(s.key, "sms")),
                (Some(_), false) => return Err(TemplateError::UnexpectedSms(s.key.into())),
                _ => {}
            }
            let texts = [Some(&t.title), Some(&t.inbox), t.sms.as_ref()];
            for text in texts.into_iter().flatten() {
                for p in placeholders(text) {
                    if !BASE.contains(&p) && !s.vars.contains(&p) {
                        return Err(TemplateError::UnknownPlaceholder(s.key.into(), p.into()));
                    }
                }
            }
        }
        Ok(Templates { by_key })
    }

    /// The templates compiled into the binary from `data/templates/notifications.toml`.
    pub fn embedded() -> Templates {
        Templates::parse(include_str!("../../../data/templates/notifications.toml"))
            .expect("embedded notification templates are valid (covered by a unit test)")
    }

    fn get(&self, key: &str) -> Template {
        self.by_key.get(key).cloned().unwrap_or_default()
    }

    /// The inbox notice of `key` for account `user_id`.
    fn inbox(&self, key: &str, user_id: &str, vars: &BTreeMap<String, String>) -> Notice {
        let t = self.get(key);
        Notice {
            channel: Channel::Inbox,
            to: user_id.to_string(),
            template: key.to_string(),
            title: render(&t.title, vars),
            body: render(&t.inbox, vars),
            params: vars.clone(),
            filing_id: vars.get("filing_id").cloned(),
            appid: vars.get("appid").cloned(),
        }
    }

    /// The template SMS of `key` to `mobile`; its params are only the
    /// placeholders the text uses.
    fn sms(&self, key: &str, mobile: &str, vars: &BTreeMap<String, String>) -> Notice {
        let text = self.get(key).sms.unwrap_or_default();
        let params = placeholders(&text)
            .into_iter()
            .filter_map(|p| vars.get(p).map(|v| (p.to_string(), v.clone())))
            .collect();
        Notice {
            channel: Channel::Sms,
            to: mobile.to_string(),
            template: key.to_string(),
            title: String::new(),
            body: render(&text, vars),
            params,
            filing_id: vars.get("filing_id").cloned(),
            appid: vars.get("appid").cloned(),
        }
    }

    /// The verification code SMS of §3.3. With `mask`, the body keeps the
    /// code out (a real provider gets it through `params` only).
    pub fn verification_code(&self, mobile: &str, code: &str, hours: i64, mask: bool) -> Notice {
        let mut vars = BTreeMap::new();
        vars.insert("code".to_string(), code.to_string());
        vars.insert("hours".to_string(), hours.to_string());
        let mut n = self.sms("verification_code", mobile, &vars);
        if mask {
            vars.insert("code".to_string(), "******".to_string());
            n.body = render(
                &self.get("verification_code").sms.unwrap_or_default(),
                &vars,
            );
        }
        n
    }
}

/// `2026年3月4日` in +08:00.
pub fn date_zh(t: Time) -> String {
    t.with_timezone(&china_offset())
        .format("%Y年%-m月%-d日")
        .to_string()
}

/// `2026年3月3日 10:00` in +08:00.
pub fn datetime_zh(t: Time) -> String {
    t.with_timezone(&china_offset())
        .format("%Y年%-m月%-d日 %H:%M")
        .to_string()
}

fn cancel_type_zh(f: &Filing) -> &'static str {
    match f.cancel.map(|c| c.0) {
        Some(CancelType::Subject) => "注销主体",
        Some(CancelType::MiniProgram) => "注销小程序",
        Some(CancelType::Access) => "取消接入",
        None => "注销",
    }
}

fn return_reason_zh(r: ReturnReason) -> &'static str {
    match r {
        ReturnReason::Timeout => "短信核验超时",
        ReturnReason::TooManyAttempts => "验证码错误次数过多",
    }
}

fn reasons_zh(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| match r.field.as_deref().filter(|f| !f.is_empty()) {
            Some(field) => format!("{field}：{}", r.error),
            None => r.error.clone(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

fn fix_deadline_zh(t: Option<Time>) -> String {
    t.map(date_zh).unwrap_or_else(|| "不限期".into())
}

/// The app's display name: the document's, else the appid.
pub fn app_name(f: &Filing) -> String {
    f.document
        .as_ref()
        .and_then(|d| d.mini_program.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| f.appid.clone())
}

/// The administrator's mobile: the mini program principal's (§1.1: the MP
/// principal is the MP administrator), when it is a valid number.
fn admin_mobile(f: &Filing) -> Option<String> {
    let doc = f.document.as_ref()?;
    let m = doc.mp_principal().mobile.as_deref()?;
    crate::ids::Mobile::parse(m, true)
        .ok()
        .map(|m| m.as_str().to_string())
}

fn recipients_zh(f: &Filing, only_unverified: bool) -> String {
    f.sms
        .as_ref()
        .map(|r| {
            r.recipients
                .iter()
                .filter(|x| !only_unverified || x.verified_at.is_none())
                .map(|x| {
                    let role = match x.role {
                        RecipientRole::SubjectPrincipal => "主体负责人",
                        RecipientRole::MiniProgramPrincipal => "小程序负责人",
                    };
                    format!("{role}（{}）", mask_mobile(&x.mobile))
                })
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default()
}

/// The template key an event is announced with, if any. Only changes of
/// status are announced; a partial verification, a wrong code or a resend is not.
pub fn template_key(f: &Filing, change: &Change) -> Option<&'static str> {
    let cancel = f.kind == Kind::Cancel;
    Some(match change {
        Change::Submitted { .. } => "submitted",
        Change::Withdrawn => "withdrawn",
        Change::Discarded => "discarded",
        Change::PlatformApproved { .. } | Change::SmsRestarted { .. } => "sms_verification_started",
        Change::CancellationSubmitted { .. } => "cancellation_submitted",
        Change::PlatformRejected { .. } => "platform_rejected",
        Change::AuthorityRejected { .. } if cancel => "cancellation_rejected",
        Change::AuthorityRejected { .. } => "authority_rejected",
        Change::Returned { .. } => "returned",
        Change::Abandoned { .. } => "cancellation_abandoned",
        Change::AuthorityReviewStarted { .. } => "authority_review_started",
        Change::Filed { .. } if f.kind == Kind::Change => "change_applied",
        Change::Filed { .. } => "filed",
        Change::Cancelled => "cancelled",
        Change::Expired => "expired",
        Change::Terminated { .. } => "terminated",
        Change::Created { .. }
        | Change::Saved { .. }
        | Change::RecipientVerified { .. }
        | Change::WrongCode { .. }
        | Change::CodeResent { .. }
        | Change::DueRecomputed { .. }
        | Change::Claimed { .. }
        | Change::Released { .. } => return None,
    })
}

/// Whether a template key also sends the administrator a template SMS: the
/// events that need the person's attention.
pub fn sends_sms(key: &str) -> bool {
    SPECS.iter().any(|s| s.key == key && s.sms)
}

/// The notices of committed events, decided on the state after them: an
/// inbox message to the order's owner for every status change, and a template
/// SMS to the administrator's mobile for those needing attention.
pub fn for_events(after: &Filing, events: &[Event], t: &Templates) -> Vec<Notice> {
    let mut out = vec![];
    for e in events {
        let Some(key) = template_key(after, &e.change) else {
            continue;
        };
        let mut vars = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            vars.insert(k.to_string(), v);
        };
        set("app_name", app_name(after));
        set("filing_id", after.id.clone());
        set("appid", after.appid.clone());
        set("cancel_type", cancel_type_zh(after).into());
        match &e.change {
            Change::Submitted { due_at, .. } | Change::AuthorityReviewStarted { due_at, .. } => {
                set("due_date", date_zh(*due_at))
            }
            Change::PlatformApproved { round, .. }
            | Change::SmsRestarted { round }
            | Change::CancellationSubmitted { round } => {
                set("deadline", datetime_zh(round.deadline));
                set("recipients", recipients_zh(after, false));
            }
            Change::PlatformRejected {
                reasons,
                fix_deadline,
            }
            | Change::AuthorityRejected {
                reasons,
                fix_deadline,
            } => {
                set("reasons", reasons_zh(reasons));
                set("fix_deadline", fix_deadline_zh(*fix_deadline));
            }
            Change::Returned {
                reason,
                fix_deadline,
            } => {
                set("return_reason", return_reason_zh(*reason).into());
                set("fix_deadline", fix_deadline_zh(*fix_deadline));
            }
            Change::Abandoned { reason } => set("return_reason", return_reason_zh(*reason).into()),
            Change::Terminated { reason } => set("reason", reason.clone()),
            _ => {}
        }
        set(
            "subject_number",
            after.subject_number.clone().unwrap_or_default(),
        );
        set(
            "service_number",
            after.service_number.clone().unwrap_or_default(),
        );
        out.push(t.inbox(key, &after.owner_id, &vars));
        if sends_sms(key) {
            if let Some(m) = admin_mobile(after) {
                out.push(t.sms(key, &m, &vars));
            }
        }
    }
    out
}

/// The reminder of §1.4 a few hours before an SMS round closes: a template
/// SMS to each recipient who has not verified, and an inbox message to the owner.
pub fn sms_reminder(f: &Filing, t: &Templates) -> Vec<Notice> {
    let Some(round) = &f.sms else { return vec![] };
    let mut vars = BTreeMap::new();
    vars.insert("app_name".to_string(), app_name(f));
    vars.insert("filing_id".to_string(), f.id.clone());
    vars.insert("deadline".to_string(), datetime_zh(round.deadline));
    vars.insert("recipients".to_string(), recipients_zh(f, true));
    let pending: Vec<&str> = round
        .recipients
        .iter()
        .filter(|r| r.verified_at.is_none())
        .map(|r| r.mobile.as_str())
        .collect();
    if pending.is_empty() {
        return vec![];
    }
    let mut out = vec![t.inbox("sms_reminder", &f.owner_id, &vars)];
    for m in pending {
        out.push(t.sms("sms_reminder", m, &vars));
    }
    out
}

/// The face verification notice of §1.4 (link valid until `expires_at`).
pub fn face_notice(f: &Filing, expires_at: Time, t: &Templates) -> Notice {
    let mut vars = BTreeMap::new();
    vars.insert("app_name".to_string(), app_name(f));
    vars.insert("filing_id".to_string(), f.id.clone());
    vars.insert("expires_at".to_string(), datetime_zh(expires_at));
    t.inbox("face_verification_notice", &f.owner_id, &vars)
}

/// The owners' notices of a deadline sweep (§13).
pub fn for_sweep(plan: &SweepPlan, p: &ReleasePolicy, t: &Templates) -> Vec<Notice> {
    let date = |d: chrono::NaiveDate| d.format("%Y年%-m月%-d日").to_string();
    let mut out = vec![];
    for w in &plan.warnings {
        let mut vars = BTreeMap::new();
        vars.insert("app_name".to_string(), w.name.clone());
        vars.insert("appid".to_string(), w.appid.clone());
        vars.insert("legacy_deadline".to_string(), date(p.legacy_deadline));
        vars.insert("days_left".to_string(), w.days_left.to_string());
        out.push(t.inbox("release_deadline_warning", &w.owner_id, &vars));
    }
    for c in &plan.clearances {
        let mut vars = BTreeMap::new();
        vars.insert("app_name".to_string(), c.name.clone());
        vars.insert("appid".to_string(), c.appid.clone());
        vars.insert("legacy_deadline".to_string(), date(p.legacy_deadline));
        vars.insert("clearance_start".to_string(), date(p.clearance_start));
        let action = match p.clearance_action {
            crate::gating::ClearanceAction::Unlist => "下架并停止搜索展示",
            crate::gating::ClearanceAction::BlockAccess => "停止访问",
        };
        vars.insert("action".to_string(), action.to_string());
        out.push(t.inbox("release_cleared", &c.owner_id, &vars));
    }
    out
}

/// Webhook event types integrators may subscribe to: one per status change,
/// plus the clearance of an app by the deadline sweep.
pub const WEBHOOK_EVENT_TYPES: &[&str] = &[
    "filing.submitted",
    "filing.withdrawn",
    "filing.discarded",
    "filing.platform_approved",
    "filing.platform_rejected",
    "filing.sms_restarted",
    "filing.cancellation_submitted",
    "filing.returned",
    "filing.abandoned",
    "filing.authority_review_started",
    "filing.filed",
    "filing.cancelled",
    "filing.authority_rejected",
    "filing.expired",
    "filing.terminated",
    "app.cleared",
];

/// The webhook event type of a change, for changes of status.
pub fn webhook_type(change: &Change) -> Option<&'static str> {
    let name = format!("filing.{}", change.name());
    WEBHOOK_EVENT_TYPES.iter().copied().find(|t| *t == name)
}

/// Delay before retry number `attempts` (1-based count of failures so far):
/// `base`, doubling each time, at most `cap`.
pub fn backoff(attempts: u32, base: Duration, cap: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    let factor = 1i64 << doublings;
    let ms = base.num_milliseconds().saturating_mul(factor);
    Duration::milliseconds(ms.min(cap.num_milliseconds()))
}

#[cfg(test)]
mod tests;
