//! Security headers on every response.
//!
//! Pages get a strict Content-Security-Policy: scripts only from this origin
//! (`/static/app.js`, never inline), no framing (a reviewer cannot be
//! clickjacked into approving), no plugins, forms post only here. Inline
//! `style` attributes stay allowed: they cannot run code. The camera is allowed
//! on the face page only. Uploaded files are served under a sandbox policy, so a
//! crafted upload opened directly cannot run script in this origin.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of every page and JSON answer.
pub const PAGE_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of an uploaded file: shown, never run.
pub const UPLOAD_CSP: &str = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'";

/// Whether a path serves uploaded bytes (API and page routes).
fn is_upload(path: &str) -> bool {
    path.starts_with("/api/v1/media/") || path.starts_with("/media/")
}

/// The face capture page is the only one that may use the camera.
fn is_face_page(path: &str) -> bool {
    path.starts_with("/face/")
}

/// Middleware adding the headers; `hsts` when the public URL is https.
pub async fn layer(hsts: bool, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let ok = resp.status().is_success();
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    if is_upload(&path) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(UPLOAD_CSP),
        );
        if ok {
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
        }
    } else {
        set(h, header::CONTENT_SECURITY_POLICY, PAGE_CSP);
    }
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    let camera = if is_face_page(&path) {
        "camera=(self), microphone=(), geolocation=()"
    } else {
        "camera=(), microphone=(), geolocation=()"
    };
    set(h, HeaderName::from_static("permissions-policy"), camera);
    if hsts {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_inline_script_and_no_framing() {
        let script = PAGE_CSP
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script.contains("unsafe"), "{script}");
        assert!(PAGE_CSP.contains("frame-ancestors 'none'"));
        assert!(UPLOAD_CSP.contains("sandbox"));
    }

    #[test]
    fn uploads_and_the_face_page_are_told_apart() {
        assert!(is_upload("/api/v1/media/abc") && is_upload("/media/abc"));
        assert!(!is_upload("/filings/abc"));
        assert!(is_face_page("/face/t1") && !is_face_page("/filings/1/face"));
    }
}
