//! Refuses a request whose path or query carries a NUL character (`%00`): no field has
//! a use for one, PostgreSQL cannot store one, and both backends should answer alike.
//! JSON bodies are checked by `ApiJson`; the store maps PostgreSQL's refusal of any
//! other NUL to the same 400.

use crate::http::error::nul_refused;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether a raw URI component holds an encoded or literal NUL.
fn has_nul(raw: &str) -> bool {
    raw.contains('\0') || raw.to_ascii_lowercase().contains("%00")
}

/// The middleware.
pub async fn layer(req: Request, next: Next) -> Response {
    let uri = req.uri();
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return nul_refused().into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::has_nul;

    #[test]
    fn an_encoded_nul_is_found_in_either_case() {
        assert!(has_nul("q=%00x") && has_nul("province=a%00") && has_nul("x\0"));
        assert!(!has_nul("q=%E6%98%9F%E6%B2%B3&limit=10"));
        assert!(!has_nul("q=100%25"));
    }
}
