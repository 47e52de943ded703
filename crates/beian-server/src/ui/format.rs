//! Formatting shared by the applicant's and the reviewers' pages: status and
//! label words, China-time dates, due dates with their provisional mark, the
//! five-stage bar and rejections linked to the wizard step of their field.

use crate::views::FilingView;
use beian_domain::filing::{Stage, Status};

/// Status word and colour class of a filing status (never colour alone).
pub fn status_tag(status: &str) -> (&'static str, &'static str) {
    let class = match Status::parse(status) {
        Some(Status::Draft) => "s-draft",
        Some(Status::PlatformReview | Status::AuthorityReview) => "s-review",
        Some(Status::PlatformRejected | Status::Returned | Status::AuthorityRejected) => {
            "s-rejected"
        }
        Some(Status::SmsVerification) => "s-sms",
        Some(Status::Filed) => "s-filed",
        Some(_) => "s-ended",
        None => match status {
            "access_cancelled" => "s-ended",
            _ => "s-draft",
        },
    };
    let label = match (Status::parse(status), status) {
        (Some(s), _) => s.label(),
        (None, "unfiled") => "未备案",
        (None, "access_cancelled") => "已取消接入",
        (None, _) => "未知",
    };
    (label, class)
}

/// "2026年3月2日 10:00" in +08:00.
pub fn cn_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&beian_domain::calendar::china_offset())
                .format("%Y年%-m月%-d日 %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Chinese name of a filing kind.
pub fn kind_label(k: &str) -> &'static str {
    match k {
        "new" => "新增备案",
        "change" => "变更备案",
        _ => "注销备案",
    }
}

/// Chinese names of timeline events.
pub fn event_label(e: &str) -> &'static str {
    match e {
        "created" => "创建备案申请",
        "saved" => "保存备案信息",
        "submitted" => "提交备案，进入平台初审",
        "withdrawn" => "撤回备案申请",
        "discarded" => "放弃备案申请",
        "platform_approved" => "平台初审通过，已发送工信部核验短信",
        "platform_rejected" => "平台初审驳回",
        "sms_restarted" => "重新提交，已重新发送核验短信",
        "cancellation_submitted" => "提交注销申请，已发送核验短信",
        "recipient_verified" => "短信核验成功",
        "wrong_code" => "短信验证码输入错误",
        "code_resent" => "重新发送验证码",
        "returned" => "短信核验未完成，备案申请已退回",
        "abandoned" => "注销申请未完成",
        "authority_review_started" => "提交至通信管理局审核",
        "filed" => "通管局审核通过，备案成功",
        "cancelled" => "注销完成",
        "authority_rejected" => "通管局审核驳回",
        "expired" => "修改期限已过，申请已过期",
        "terminated" => "申请已被平台终止",
        _ => "状态变更",
    }
}

/// Chinese name of the actor of a timeline event.
pub fn actor_label(a: &str) -> &'static str {
    match a {
        "applicant" => "申请人",
        "platform_reviewer" => "平台初审员",
        "authority_reviewer" => "通管局",
        "recipient" => "核验人",
        "admin" => "平台管理员",
        _ => "系统",
    }
}

/// The tooltip and accessible name of the 预计 mark beside a provisional due date
/// (domain.md §11.4; templates/provisional.html).
pub const PROVISIONAL_HINT: &str =
    "该年度国务院节假日安排通知尚未发布，期限按推算日历计算，通知发布后可能调整";

/// A working-day due date as a page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueView {
    /// RFC 3339 as the filing view has it (sorts by time); empty when there is none.
    pub at: String,
    /// Counted over a projected year (§11.4): shown with 预计.
    pub provisional: bool,
}

impl DueView {
    /// A due date and whether it is provisional.
    pub fn new(due_at: Option<&str>, provisional: bool) -> DueView {
        let at = due_at.unwrap_or("").to_string();
        DueView {
            provisional: !at.is_empty() && provisional,
            at,
        }
    }

    /// The `due_at` and `due_provisional` of a filing view.
    pub fn of(v: &FilingView) -> DueView {
        DueView::new(v.due_at.as_deref(), v.due_provisional)
    }

    /// The date in China time, e.g. `2027年1月5日 23:59`; empty when there is none.
    pub fn text(&self) -> String {
        cn_time(&self.at)
    }

    /// The stage bar's note: `截止 …`, empty when there is no due date.
    pub fn note(&self) -> String {
        if self.at.is_empty() {
            String::new()
        } else {
            format!("截止 {}", self.text())
        }
    }
}

/// One stage of the five-step bar.
pub struct StageView {
    pub label: &'static str,
    pub class: &'static str,
    pub note: String,
    /// The note's due date is provisional (shown with 预计).
    pub provisional: bool,
}

/// The five stages with the current one marked (§1.2), the current one noting its due date.
pub fn stages(status: &str, due: &DueView) -> Vec<StageView> {
    let current = Status::parse(status).map_or(0, Status::console_step);
    [
        "备案信息填写",
        "平台初审",
        "工信部短信核验",
        "通管局审核",
        "备案成功",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, label)| StageView {
        label,
        class: if i < current || (i == current && current == 4) {
            "done"
        } else if i == current {
            "current"
        } else {
            ""
        },
        note: if i == current && current < 4 {
            due.note()
        } else {
            String::new()
        },
        provisional: i == current && current < 4 && due.provisional,
    })
    .collect()
}

/// A rejection as the applicant sees it, each reason linked to its field.
pub struct RejectionView {
    pub stage: &'static str,
    pub at: String,
    pub reasons: Vec<(String, String, String, String)>,
}

/// Which wizard step holds a field path.
pub fn step_of(path: &str) -> usize {
    if path.starts_with("subject_principal") || path.starts_with("legal_representative") {
        2
    } else if path.starts_with("subject") {
        1
    } else if path.starts_with("mini_program_principal") {
        4
    } else if path.starts_with("mini_program") {
        3
    } else if path.starts_with("materials") {
        5
    } else {
        6
    }
}

/// Rejections of a filing view, newest first, for the applicant and reviewers alike.
pub fn rejection_views(v: &FilingView) -> Vec<RejectionView> {
    v.rejections
        .iter()
        .rev()
        .map(|r| RejectionView {
            stage: match r.stage {
                Stage::Platform => "平台初审",
                Stage::Authority => "通管局审核",
            },
            at: cn_time(&r.at),
            reasons: r
                .reasons
                .iter()
                .map(|x| {
                    let field = x.field.clone().unwrap_or_default();
                    let link = if field.is_empty() {
                        String::new()
                    } else {
                        format!("{}#f-{}", step_of(&field), field)
                    };
                    (field, x.error.clone(), x.suggestion.clone(), link)
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    #[test]
    fn a_due_date_is_read_from_the_filing_view_with_its_provisional_flag() {
        let due = DueView::new(Some("2027-01-06T23:59:59.999+08:00"), true);
        assert!(due.provisional);
        assert_eq!(due.text(), "2027年1月6日 23:59");
        assert_eq!(due.note(), "截止 2027年1月6日 23:59");

        let due = DueView::new(Some("2026-12-10T23:59:59.999+08:00"), false);
        assert!(!due.provisional);
        assert_eq!(due.note(), "截止 2026年12月10日 23:59");

        // No due date: nothing to say, and never provisional.
        assert_eq!(DueView::new(None, true), DueView::default());
        assert_eq!(DueView::default().note(), "");
    }

    #[derive(askama::Template)]
    #[template(source = r#"{% include "provisional.html" %}"#, ext = "html")]
    struct Mark;

    #[test]
    fn the_provisional_mark_explains_itself_to_mouse_and_keyboard() {
        let html = Mark.render().unwrap();
        assert!(html.contains(">预计</span>"), "{html}");
        assert!(
            html.contains(&format!(r#"title="{PROVISIONAL_HINT}""#)),
            "{html}"
        );
        assert!(
            html.contains(&format!(r#"aria-label="{PROVISIONAL_HINT}""#)),
            "{html}"
        );
        assert!(html.contains(r#"tabindex="0""#), "{html}");
    }

    #[test]
    fn only_the_current_stage_notes_the_due_date_and_its_provisional_mark() {
        let due = DueView {
            at: "2027-01-06T23:59:59.999+08:00".into(),
            provisional: true,
        };
        let bar = stages("platform_review", &due);
        assert_eq!(bar.len(), 5);
        assert_eq!(bar[1].class, "current");
        assert_eq!(bar[1].note, "截止 2027年1月6日 23:59");
        assert!(bar[1].provisional);
        for (i, st) in bar.iter().enumerate().filter(|(i, _)| *i != 1) {
            assert!(st.note.is_empty() && !st.provisional, "stage {i}");
        }

        let firm = DueView {
            provisional: false,
            ..due.clone()
        };
        let bar = stages("authority_review", &firm);
        assert_eq!(bar[3].note, "截止 2027年1月6日 23:59");
        assert!(!bar[3].provisional);

        // A filed order has no open stage: no note, no mark.
        let bar = stages("filed", &due);
        assert!(bar.iter().all(|st| st.note.is_empty() && !st.provisional));
    }
}
