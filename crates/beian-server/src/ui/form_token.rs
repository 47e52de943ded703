//! CSRF for forms sent without a session (login, the 12381 site): a double-submit
//! token. A random value sits in a `SameSite=Strict`, `HttpOnly` cookie scoped to the
//! form's path, and the form repeats it; a cross-site page can neither read the cookie
//! nor make the browser send it, so it cannot forge the pair.

use super::{PageError, PageResult};
use crate::http::error::ApiError;
use axum::http::{header, HeaderMap, StatusCode};

/// The cookie's value for this form, if the browser sent one.
pub fn from_cookie(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get(header::COOKIE)?
        .to_str()
        .ok()?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == cookie)
        .map(|(_, v)| v.to_string())
}

/// The cookie's token, or a fresh one.
pub fn current(headers: &HeaderMap, cookie: &str) -> String {
    from_cookie(headers, cookie).unwrap_or_else(crate::http::auth::new_token)
}

/// Sets the cookie on a rendered page.
pub fn issue(page: PageResult, cookie: &str, path: &str, token: &str, secure: bool) -> PageResult {
    let mut resp = page?;
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{cookie}={token}; HttpOnly; SameSite=Strict; Path={path}{secure}");
    if let Ok(v) = header::HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// Refuses a form whose token is missing or differs from its cookie.
pub fn check(headers: &HeaderMap, cookie: &str, submitted: &str) -> Result<(), PageError> {
    if submitted.is_empty() || from_cookie(headers, cookie).as_deref() != Some(submitted) {
        return Err(
            ApiError::new(StatusCode::FORBIDDEN, "CSRF", "页面已过期或来源不可信")
                .suggest("请刷新页面后重试")
                .into(),
        );
    }
    Ok(())
}
