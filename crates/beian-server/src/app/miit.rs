//! The 12381 verification site: public endpoints, no account (§3.3).

use crate::adapters::sms::new_code;
use crate::app::commands::execute_fresh;
use crate::app::state::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::views::miit::{ResendResult, VerifyResult};
use beian_domain::filing::{mask_mobile, Actor, Change, Command, Event, Filing, Refusal};
use beian_domain::ids::Mobile;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// Verification and resend requests.
#[derive(Deserialize, ToSchema)]
pub struct SmsRequest {
    /// The mobile the code was sent to.
    mobile: String,
    /// The last six characters of the recipient's certificate number.
    certificate_last6: String,
    /// The six-digit code (verification only).
    code: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::from(Refusal::RecipientNotFound)
}

/// Candidate orders for a mobile: those whose round expects this last6 first,
/// so a wrong last6 never counts against another order of the same person.
async fn candidates(s: &AppState, mobile: &str, last6: &str) -> ApiResult<Vec<Filing>> {
    let mut out = vec![];
    for id in s.store.filings_awaiting_sms(mobile).await? {
        if let Some(f) = s.store.filing(&id).await? {
            out.push(f);
        }
    }
    out.sort_by_key(|f| {
        let matches = f.sms.as_ref().is_some_and(|r| {
            r.recipients
                .iter()
                .any(|x| x.mobile == mobile && x.last6.eq_ignore_ascii_case(last6))
        });
        !matches
    });
    Ok(out)
}

fn normalise(mobile: &str) -> ApiResult<String> {
    Mobile::parse(mobile, true)
        .map(|m| m.as_str().to_string())
        .map_err(|_| not_found())
}

fn has(events: &[Event], pred: fn(&Change) -> bool) -> bool {
    events.iter().any(|e| pred(&e.change))
}

/// The normalised mobile and last six, the order they address, and the actor.
async fn target(s: &AppState, b: &SmsRequest) -> ApiResult<(String, String, Filing, Actor)> {
    let mobile = normalise(&b.mobile)?;
    // Every try on a mobile spends from its budget, right or wrong and from any
    // address: guessing `last6` (or a code) for one person is capped wherever it comes from.
    s.limits.mobile(&mobile)?;
    let last6 = b.certificate_last6.trim().to_uppercase();
    let filing = candidates(s, &mobile, &last6)
        .await?
        .into_iter()
        .next()
        .ok_or_else(not_found)?;
    let actor = Actor::Recipient(mask_mobile(&mobile));
    Ok((mobile, last6, filing, actor))
}

/// `POST /api/v1/miit/sms-verify`.
pub async fn verify(s: &AppState, b: SmsRequest) -> ApiResult<VerifyResult> {
    let (mobile, last6, filing, actor) = target(s, &b).await?;
    let code = b.code.unwrap_or_default();
    let cmd = Command::SmsVerify {
        mobile: mobile.clone(),
        last6,
        code,
    };
    let (f, events) = execute_fresh(s, &filing.id, cmd, &actor).await?;
    if has(&events, |c| {
        matches!(c, Change::Returned { .. } | Change::Abandoned { .. })
    }) {
        return Err(ApiError::conflict(
            "RETURNED",
            "错误次数过多，备案申请已退回，请登录小程序管理后台重新提交",
        )
        .suggest("登录小程序管理后台重新提交备案")
        .with("filing_status", json!(f.status.as_str())));
    }
    if has(&events, |c| matches!(c, Change::WrongCode { .. })) {
        let left = f
            .sms
            .as_ref()
            .and_then(|r| r.recipients.iter().find(|x| x.mobile == mobile))
            .map_or(0, |x| {
                s.policy
                    .sms_max_wrong_attempts
                    .saturating_sub(x.wrong_attempts)
            });
        return Err(Refusal::WrongCode {
            attempts_left: left,
        }
        .into());
    }
    let message = if has(&events, |c| {
        matches!(c, Change::AuthorityReviewStarted { .. } | Change::Cancelled)
    }) {
        "短信核验成功，备案申请已提交至通信管理局审核"
    } else {
        "核验成功，请等待其他核验人完成短信核验"
    };
    Ok(VerifyResult {
        verified: true,
        filing_status: f.status.as_str().into(),
        message: message.into(),
    })
}

/// `POST /api/v1/miit/sms-resend`.
pub async fn resend(s: &AppState, b: SmsRequest) -> ApiResult<ResendResult> {
    let (mobile, last6, filing, actor) = target(s, &b).await?;
    let cmd = Command::SmsResend {
        mobile: mobile.clone(),
        last6,
        code: new_code(),
    };
    let (f, _) = execute_fresh(s, &filing.id, cmd, &actor).await?;
    let left = f
        .sms
        .as_ref()
        .and_then(|r| r.recipients.iter().find(|x| x.mobile == mobile))
        .map_or(0, |x| {
            s.policy.sms_max_resends.saturating_sub(x.resends_used)
        });
    Ok(ResendResult {
        resends_left: left,
        message: "验证码已重新发送".into(),
    })
}
