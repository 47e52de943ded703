//! The one error shape of api.md: `{"error": {code, message, suggestion?, issues?}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use beian_domain::filing::Refusal;
use beian_domain::validate::{Issue, Severity};
use beian_store::StoreError;
use serde_json::{json, Map, Value};

/// An API failure with its stable code and a Chinese message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub suggestion: Option<String>,
    pub issues: Option<Vec<Issue>>,
    pub extra: Map<String, Value>,
}

/// The `extra` key holding the seconds of `Retry-After` (429); it is also in the body,
/// for clients that do not read headers.
const RETRY_AFTER: &str = "retry_after_secs";

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A plain error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            suggestion: None,
            issues: None,
            extra: Map::new(),
        }
    }

    /// Tells the client when to retry (`Retry-After`).
    pub fn retry_after(mut self, secs: u64) -> ApiError {
        self.extra.insert(RETRY_AFTER.into(), json!(secs));
        self
    }

    /// The seconds of `Retry-After`, if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.extra.get(RETRY_AFTER).and_then(Value::as_u64)
    }

    /// Adds a suggestion.
    pub fn suggest(mut self, s: impl Into<String>) -> ApiError {
        self.suggestion = Some(s.into());
        self
    }

    /// Adds a top-level field (e.g. `attempts_left`).
    pub fn with(mut self, key: &str, value: Value) -> ApiError {
        self.extra.insert(key.into(), value);
        self
    }

    /// 404 that never tells whether the object exists for someone else.
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "未找到该对象")
            .suggest("请确认编号是否正确")
    }

    /// 401.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "请先登录")
            .suggest("携带有效的登录令牌后重试")
    }

    /// 403.
    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "当前账号无权执行此操作")
            .suggest("请使用具备相应角色的账号")
    }

    /// 400 for a malformed request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
            .suggest("请按接口文档检查请求格式")
    }

    /// 422 with field issues.
    pub fn invalid(issues: Vec<Issue>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
            "备案信息校验未通过",
        )
        .suggest("请按各项提示修改后重新提交");
        e.issues = Some(issues);
        e
    }

    /// 422 for one field.
    pub fn field(field: &str, code: &str, message: &str, suggestion: &str) -> ApiError {
        ApiError::invalid(vec![Issue {
            field: field.into(),
            code: code.into(),
            rule: String::new(),
            severity: Severity::Error,
            message: message.into(),
            suggestion: suggestion.into(),
        }])
    }

    /// 409 with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// 500 that hides the cause from the caller but logs it.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "服务器内部错误",
        )
        .suggest("请稍后重试；如持续出现请联系平台管理员")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after_secs();
        let mut body = Map::new();
        body.insert("code".into(), json!(self.code));
        body.insert("message".into(), json!(self.message));
        if let Some(s) = self.suggestion {
            body.insert("suggestion".into(), json!(s));
        }
        if let Some(issues) = self.issues {
            body.insert("issues".into(), json!(issues));
        }
        body.extend(self.extra);
        let mut resp = (self.status, Json(json!({ "error": body }))).into_response();
        if let Some(secs) = retry_after {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        let msg = r.to_string();
        match r {
            Refusal::Invalid(issues) => ApiError::invalid(issues),
            Refusal::ReasonsRequired => ApiError::field(
                "reasons",
                "REASONS_REQUIRED",
                &msg,
                "请至少选择或填写一条驳回原因，写明字段、问题与修改建议",
            ),
            Refusal::WrongCode { attempts_left } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "WRONG_CODE", msg)
                    .suggest("请核对短信中的6位验证码")
                    .with("attempts_left", json!(attempts_left))
            }
            Refusal::RecipientNotFound => ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", msg)
                .suggest("请确认手机号码与证件号码后六位均为备案时填写的负责人信息"),
            Refusal::SmsExpired => {
                ApiError::conflict("EXPIRED", msg).suggest("请登录小程序管理后台重新提交备案")
            }
            Refusal::ResendLimit => ApiError::conflict("RESEND_LIMIT", msg)
                .suggest("请使用最近一次收到的验证码，或等待退回后重新提交"),
            Refusal::NotWithdrawable(_) => ApiError::conflict("NOT_WITHDRAWABLE", msg)
                .suggest("如需停止，可等待审核结果后放弃该申请"),
            Refusal::RefileRequired => ApiError::conflict("REFILE_REQUIRED", msg)
                .suggest("请先注销原备案（原因：主体信息变更），再重新备案"),
            Refusal::Calendar(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "CALENDAR_DATA_MISSING",
                msg,
            )
            .suggest("请平台管理员补充下一年度节假日数据"),
            Refusal::NumbersRequired => ApiError::internal(msg),
            Refusal::PreconditionUnmet { hint } => {
                ApiError::conflict("PRECONDITION_UNMET", msg).suggest(hint)
            }
            Refusal::AlreadyFiled => {
                ApiError::conflict("MP_ALREADY_FILED", msg).suggest("如需修改请发起变更备案")
            }
            Refusal::NotFiled => ApiError::conflict("NOT_FILED", msg).suggest("请先完成新增备案"),
            Refusal::QuotaExceeded => {
                ApiError::conflict("QUOTA_EXCEEDED", msg).suggest("注销不再使用的小程序后再申请")
            }
            Refusal::Claimed { holder, until } => ApiError::conflict("CLAIMED", msg)
                .suggest("请处理其他备案，或请管理员改派")
                .with("holder_id", json!(holder))
                .with("claimed_until", json!(crate::views::ts(until))),
            other => ApiError::conflict(other.code(), msg).suggest("请刷新后查看备案当前状态"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::VersionConflict => {
                ApiError::conflict("VERSION_CONFLICT", "备案信息已被他人更新")
                    .suggest("请刷新后基于最新版本重新操作")
            }
            StoreError::SubjectBusy => {
                ApiError::conflict("SUBJECT_BUSY", "该主体已有进行中的备案申请")
                    .suggest("等待其完成，或撤回/放弃后再提交")
            }
            StoreError::OrderExists => {
                ApiError::conflict("ORDER_EXISTS", "该小程序已有草稿或进行中的备案申请")
                    .suggest("请继续处理已有申请，或放弃后再新建")
            }
            StoreError::UsernameTaken => {
                ApiError::conflict("USERNAME_TAKEN", "用户名已被占用").suggest("请换一个用户名")
            }
            StoreError::AppidTaken => {
                ApiError::conflict("APPID_TAKEN", "该AppID已登记").suggest("请确认AppID是否正确")
            }
            StoreError::Refused(r) => r.into(),
            // PostgreSQL refuses a NUL in text (SQLSTATE 22021), whatever way it came in
            // (a form, a query parameter): the client's input, not a server fault.
            e if e.is_nul_in_text() => nul_refused(),
            other => ApiError::internal(other),
        }
    }
}

/// A JSON body whose rejection is our 400 error shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(v) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("请求格式不正确：{}", e.body_text())))?;
        // No text field may carry a NUL: PostgreSQL cannot store one, and no filing
        // field has a use for control characters that break storage or search.
        if has_nul(&v) {
            return Err(nul_refused());
        }
        serde_json::from_value(v)
            .map(ApiJson)
            .map_err(|e| ApiError::bad_request(format!("请求格式不正确：{e}")))
    }
}

/// 400 for input holding a NUL character.
pub fn nul_refused() -> ApiError {
    ApiError::bad_request("请求中含有不可见的空字符（\\u0000）").suggest("删除文本中的空字符后重试")
}

/// Whether any string (key or value) in the JSON holds a NUL character.
fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}
