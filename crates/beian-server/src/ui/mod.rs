//! Server-rendered pages for every actor (askama templates, a little
//! hand-written JS, no SPA). Sessions live in an HttpOnly SameSite cookie that
//! holds a token of the same sessions table as the API's bearer tokens; every
//! form carries a CSRF token derived from it.

mod admin;
mod applicant;
mod calendar;
mod claims;
mod fields;
mod form_token;
mod format;
mod paging;
mod papers;
mod public;
mod refdata;
mod review;

use crate::app::accounts;
use crate::app::state::AppState;
use crate::http::auth::{self, Role};
use crate::http::error::ApiError;
use crate::http::ratelimit::ClientIp;
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use beian_store::UserRow;
use serde::Deserialize;
use sha2::{Digest, Sha256};

const COOKIE: &str = "beian_session";

/// A page failure, shown as a page rather than JSON.
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<beian_store::StoreError> for PageError {
    fn from(e: beian_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError(ApiError::internal(e))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.0.status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/login").into_response();
        }
        let page = Notice {
            layout: Layout::anonymous("出错了"),
            heading: self.0.message.clone(),
            body: self.0.suggestion.clone().unwrap_or_default(),
            code: self.0.code.to_string(),
        };
        let html = page.render().unwrap_or_else(|_| self.0.message.clone());
        (self.0.status, Html(html)).into_response()
    }
}

/// Page result.
pub type PageResult<T = Response> = Result<T, PageError>;

/// The signed-in person of a page request.
pub struct WebUser {
    pub user: UserRow,
    pub role: Role,
    pub csrf: String,
}

impl WebUser {
    /// The API caller with the same rights.
    pub fn caller(&self) -> auth::Caller {
        auth::Caller {
            user: self.user.clone(),
            role: self.role,
            token_hash: String::new(),
        }
    }

    /// 403 page unless the role matches.
    pub fn require(&self, roles: &[Role]) -> Result<(), PageError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden().into())
        }
    }

    /// Refuses a form whose CSRF token does not match the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        if !token.is_empty() && token == self.csrf {
            Ok(())
        } else {
            Err(
                ApiError::new(StatusCode::FORBIDDEN, "CSRF", "页面已过期或来源不可信")
                    .suggest("请刷新页面后重试")
                    .into(),
            )
        }
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The CSRF token of a session: derived, so nothing more is stored.
fn csrf_for(token: &str) -> String {
    hex::encode(Sha256::digest(format!("csrf\x1f{token}")))[..32].to_string()
}

/// What most page handlers start from: the application's state and the signed-in person
/// (a page that needs a session sends the visitor to the login page without one).
pub struct Visit {
    pub s: AppState,
    pub u: WebUser,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Visit, PageError> {
        let u = WebUser::from_request_parts(parts, s).await?;
        Ok(Visit { s: s.clone(), u })
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<WebUser, PageError> {
        let token = session_token(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
        let user = crate::http::auth::session_user(state, &auth::token_hash(&token))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal("unknown role"))?;
        Ok(WebUser {
            user,
            role,
            csrf: csrf_for(&token),
        })
    }
}

/// What every page's frame shows.
pub struct Layout {
    pub title: String,
    pub user: Option<(String, &'static str)>,
    pub links: Vec<(&'static str, &'static str)>,
    pub csrf: String,
    pub banners: Vec<Banner>,
}

/// A message above the page's content.
pub struct Banner {
    /// `ok`, `error` or `` for a notice (the CSS class).
    pub kind: &'static str,
    pub text: String,
    /// A link shown below the text: (href, label).
    pub link: Option<(&'static str, &'static str)>,
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Applicant => "开发者",
        Role::PlatformReviewer => "平台初审员",
        Role::AuthorityReviewer => "通管局审核员",
        Role::Admin => "平台管理员",
    }
}

impl Layout {
    /// A page for a signed-in user, with the navigation of their role.
    pub fn new(title: impl Into<String>, u: &WebUser) -> Layout {
        let links: Vec<(&'static str, &'static str)> = match u.role {
            Role::Applicant => vec![
                ("/apps", "我的小程序"),
                ("/inbox", "站内信"),
                ("/query", "备案查询"),
                ("/miit", "工信部短信核验"),
            ],
            Role::PlatformReviewer => vec![
                ("/review", "初审队列"),
                ("/dashboard", "运营看板"),
                ("/query", "备案查询"),
            ],
            Role::AuthorityReviewer => vec![("/authority", "通管局审核"), ("/query", "备案查询")],
            Role::Admin => vec![
                ("/admin", "管理后台"),
                ("/admin/calendar", "节假日日历"),
                ("/dashboard", "运营看板"),
                ("/review", "初审队列"),
                ("/query", "备案查询"),
                ("/miit", "工信部短信核验"),
            ],
        };
        Layout {
            title: title.into(),
            user: Some((u.user.username.clone(), role_label(u.role))),
            links,
            csrf: u.csrf.clone(),
            banners: vec![],
        }
    }

    /// A public page.
    pub fn anonymous(title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            user: None,
            links: vec![
                ("/query", "备案查询"),
                ("/miit", "工信部短信核验"),
                ("/login", "登录"),
            ],
            csrf: String::new(),
            banners: vec![],
        }
    }

    /// Adds a banner (`ok`, `error` or `` for a notice).
    pub fn banner(mut self, kind: &'static str, text: impl Into<String>) -> Layout {
        self.banners.push(Banner {
            kind,
            text: text.into(),
            link: None,
        });
        self
    }

    /// Adds a banner with a link below its text.
    pub fn banner_link(
        mut self,
        kind: &'static str,
        text: impl Into<String>,
        href: &'static str,
        label: &'static str,
    ) -> Layout {
        self.banners.push(Banner {
            kind,
            text: text.into(),
            link: Some((href, label)),
        });
        self
    }
}

/// A message page.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub layout: Layout,
    pub heading: String,
    pub body: String,
    pub code: String,
}

/// The request body an API handler takes, built from a page's form values.
/// Pages call the API handlers so that no rule is decided twice.
pub fn api_body<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, PageError> {
    serde_json::from_value(v).map_err(|e| ApiError::bad_request(e.to_string()).into())
}

/// Renders a template into a response.
pub fn page(t: impl Template) -> PageResult {
    Ok(Html(t.render()?).into_response())
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    layout: Layout,
    error: String,
    form_token: String,
}

const LOGIN_COOKIE: &str = "beian_login";

fn login_form(s: &AppState, token: String, error: &str) -> PageResult {
    let p = page(Login {
        layout: Layout::anonymous("登录"),
        error: error.to_string(),
        form_token: token.clone(),
    });
    form_token::issue(p, LOGIN_COOKIE, "/login", &token, s.security.https())
}

async fn login_page(State(s): State<AppState>, headers: HeaderMap) -> PageResult {
    login_form(&s, form_token::current(&headers, LOGIN_COOKIE), "")
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    form_token: String,
}

/// The login form: a double-submit token against login CSRF (a forged form would sign
/// the victim in as the attacker), then the same sign-in as the API, throttled alike.
async fn login(
    State(s): State<AppState>,
    ClientIp(from): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    form_token::check(&headers, LOGIN_COOKIE, &f.form_token)?;
    let signed = match accounts::sign_in(&s, &f.username, f.password, from).await {
        Ok(signed) => signed,
        Err(e) => {
            let message = format!(
                "{}，{}",
                e.message,
                e.suggestion.clone().unwrap_or_default()
            );
            let mut resp = login_form(&s, f.form_token, &message)?;
            *resp.status_mut() = e.status;
            return Ok(resp);
        }
    };
    let secure = if s.security.https() { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
        signed.token, s.security.session_absolute_secs
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

async fn logout(Visit { s, u }: Visit, headers: HeaderMap, Form(f): Form<CsrfForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    if let Some(t) = session_token(&headers) {
        s.store.revoke_session(&auth::token_hash(&t)).await?;
    }
    let clear = format!("{COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    tracing::info!(user = u.user.username, "signed out");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

async fn home(u: Option<WebUser>) -> Redirect {
    match u.map(|u| u.role) {
        None => Redirect::to("/login"),
        Some(Role::Applicant) => Redirect::to("/apps"),
        Some(Role::PlatformReviewer) => Redirect::to("/review"),
        Some(Role::AuthorityReviewer) => Redirect::to("/authority"),
        Some(Role::Admin) => Redirect::to("/admin"),
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for WebUser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<WebUser>, PageError> {
        match <WebUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(u) => Ok(Some(u)),
            Err(PageError(e)) if e.status == StatusCode::UNAUTHORIZED => Ok(None),
            Err(e) => Err(e),
        }
    }
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/app.js"),
    )
}

/// The site icon; `/favicon.ico` too, which browsers ask for whatever the page says.
async fn favicon() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        include_str!("../../static/favicon.svg"),
    )
}

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .merge(applicant::router())
        .merge(papers::router())
        .merge(review::router())
        .merge(claims::router())
        .merge(public::router())
        .merge(admin::router())
        .merge(calendar::router())
}
