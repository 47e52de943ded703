//! The progress page of an order: the stage bar, what happens next, the SMS
//! recipients, rejections, the timeline and the frozen papers.

use crate::app::filings;
use crate::app::state::AppState;
use crate::ui::format::{
    actor_label, cn_time, event_label, kind_label, rejection_views, stages, status_tag, DueView,
    RejectionView, StageView,
};
use crate::ui::Visit;
use crate::ui::{page, papers, Layout, PageResult, WebUser};
use crate::views;
use askama::Template;
use axum::extract::Path;
use beian_domain::filing::{Kind, ReturnReason, Status};
use beian_store::AccessEntry;

/// The order's history, newest first: its events (saves left out) and every time
/// someone saw its personal data unmasked.
fn history(
    f: &beian_domain::filing::Filing,
    access: &[AccessEntry],
) -> Vec<(String, String, String)> {
    let events = f.timeline.iter().filter(|t| t.event != "saved").map(|t| {
        (
            t.at,
            event_label(&t.event).to_string(),
            actor_label(&t.actor),
        )
    });
    let looks = access.iter().map(|a| {
        let what = match a.what.as_str() {
            "papers" => "查看了平台文书的完整个人信息",
            _ => "查看了完整证件号码与手机号码",
        };
        (a.at, what.to_string(), actor_label(&a.role))
    });
    let mut all: Vec<_> = events.chain(looks).collect();
    // Stable: entries at the same instant keep their order.
    all.sort_by_key(|(at, _, _)| std::cmp::Reverse(*at));
    all.into_iter()
        .map(|(at, label, actor)| (cn_time(&views::ts(at)), label, actor.to_string()))
        .collect()
}

#[derive(Template)]
#[template(path = "filing.html")]
struct FilingPage {
    layout: Layout,
    id: String,
    appid: String,
    kind: &'static str,
    status: &'static str,
    status_class: &'static str,
    raw_status: String,
    stages: Vec<StageView>,
    next: String,
    sms_deadline: String,
    sms_deadline_raw: String,
    recipients: Vec<(String, String, bool)>,
    rejections: Vec<RejectionView>,
    timeline: Vec<(String, String, String)>,
    subject_number: String,
    service_number: String,
    returned_reason: String,
    papers: Vec<papers::PaperView>,
    editable: bool,
    withdrawable: bool,
}

/// The progress page, with an error banner when an action failed.
pub(super) async fn progress_page(
    s: &AppState,
    u: &WebUser,
    id: &str,
    error: Option<String>,
) -> PageResult {
    let f = filings::load(s, &u.caller(), id).await?;
    let v = views::filing(&f, &s.policy, s.now());
    let raw = v.status.clone();
    let (status, status_class) = status_tag(&raw);
    let next = match raw.as_str() {
        "draft" => "请完成备案信息填写并提交。",
        "platform_review" => "平台将在1-2个工作日内完成初审，请保持电话畅通。",
        "platform_rejected" | "authority_rejected" => "请按驳回原因修改后重新提交。",
        "sms_verification" => "请核验人在24小时内登录工信部备案系统完成短信核验（发送号码12381）。",
        "returned" => {
            "短信核验未在规定时间内完成，请重新提交：信息未修改时将直接重新发送核验短信。"
        }
        "authority_review" => "通信管理局将在1-20个工作日内完成审核。",
        "filed" => "备案成功，可以发布小程序版本。",
        "cancelled" => "注销完成。",
        _ => "",
    };
    let recipients = v
        .sms
        .iter()
        .flat_map(|sms| &sms.recipients)
        .map(|r| {
            let role = if r.role == "subject_principal" {
                "主体负责人"
            } else {
                "小程序负责人"
            };
            (role.to_string(), r.mobile.clone(), r.verified)
        })
        .collect();
    let sms_deadline = v
        .sms
        .as_ref()
        .map(|r| r.deadline.clone())
        .unwrap_or_default();
    let mut layout = Layout::new("备案进度", u);
    if let Some(e) = error {
        layout = layout.banner("error", e);
    }
    page(FilingPage {
        layout,
        id: f.id.clone(),
        appid: f.appid.clone(),
        kind: kind_label(f.kind.as_str()),
        status,
        status_class,
        stages: stages(&raw, &DueView::of(&v)),
        next: next.to_string(),
        sms_deadline: cn_time(&sms_deadline),
        sms_deadline_raw: sms_deadline,
        recipients,
        rejections: rejection_views(&v),
        timeline: history(&f, &s.store.access_log(&f.id).await?),
        subject_number: v.subject_number.clone().unwrap_or_default(),
        service_number: v.service_number.clone().unwrap_or_default(),
        returned_reason: match v.returned_reason {
            Some(ReturnReason::Timeout) => "24小时内未完成短信核验".into(),
            Some(ReturnReason::TooManyAttempts) => "验证码错误次数过多".into(),
            None => String::new(),
        },
        papers: papers::frozen(&f, false),
        editable: f.owner_id == u.user.id && f.status.is_editable() && f.kind != Kind::Cancel,
        withdrawable: f.owner_id == u.user.id
            && f.status == Status::PlatformReview
            && f.kind != Kind::Cancel,
        raw_status: raw,
    })
}

pub(super) async fn progress(Visit { s, u }: Visit, Path(id): Path<String>) -> PageResult {
    progress_page(&s, &u, &id, None).await
}
