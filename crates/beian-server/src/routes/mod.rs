//! The API routes, one module per area of api.md: thin handlers that take the request
//! apart and call `crate::app`. They never call `crate::ui`, nor it them.

pub mod accounts;
pub mod admin;
pub mod apps;
pub mod calendar;
pub mod claims;
pub mod dashboard;
pub mod filings;
pub mod inbox;
pub mod media;
pub mod miit;
pub mod openapi;
pub mod ops;
pub mod papers;
pub mod public;
pub mod webhooks;

use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{delete, get, post, put};
use axum::Router;

/// What nearly every handler starts from: the application's state and the signed-in
/// caller (401 `UNAUTHENTICATED` without a live session).
pub struct Call {
    pub s: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Call {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Call, ApiError> {
        let caller = Caller::from_request_parts(parts, s).await?;
        Ok(Call {
            s: s.clone(),
            caller,
        })
    }
}

/// Every JSON route (the pages are `crate::ui::router`; `crate::startup` joins both
/// and adds the middleware).
pub fn api(state: &AppState, manual_clock: bool) -> Router<AppState> {
    let mut api = Router::new()
        .route("/api/v1/sessions", post(accounts::sign_in))
        .route("/api/v1/sessions/current", delete(accounts::sign_out))
        .route("/api/v1/me", get(accounts::me))
        .route(
            "/api/v1/users",
            post(accounts::create_user).get(accounts::list_users),
        )
        .route("/api/v1/apps", post(apps::create).get(apps::list))
        .route("/api/v1/apps/{appid}", get(apps::show))
        .route("/api/v1/apps/{appid}/releases", post(apps::release))
        .route("/api/v1/media", post(media::upload))
        .route("/api/v1/media/{id}", get(media::download))
        .route("/api/v1/media/{id}/reading", get(media::reading))
        .route("/api/v1/filings", post(filings::create).get(filings::list))
        .route("/api/v1/filings/{id}", get(filings::show))
        .route("/api/v1/filings/{id}/events", get(filings::events))
        .route("/api/v1/filings/{id}/access-log", get(filings::access_log))
        .route("/api/v1/filings/{id}/papers", get(papers::list))
        .route("/api/v1/filings/{id}/papers/{kind}", get(papers::pdf))
        .route("/api/v1/filings/{id}/application", put(filings::save))
        .route("/api/v1/filings/{id}/submit", post(filings::submit))
        .route(
            "/api/v1/filings/{id}/claim",
            post(claims::claim)
                .delete(claims::release)
                .put(claims::reassign),
        )
        .route("/api/v1/review-queue/next", post(claims::next))
        .route("/api/v1/filings/{id}/withdraw", post(filings::withdraw))
        .route("/api/v1/filings/{id}/discard", post(filings::discard))
        .route("/api/v1/filings/{id}/terminate", post(filings::terminate))
        .route(
            "/api/v1/filings/{id}/platform-decision",
            post(filings::platform_decision),
        )
        .route(
            "/api/v1/filings/{id}/authority-decision",
            post(filings::authority_decision),
        )
        .route(
            "/api/v1/filings/{id}/face-verification",
            post(media::start_face),
        )
        .route("/api/v1/face-verifications/{id}", get(media::show_face))
        .route(
            "/api/v1/face-verifications/{id}/capture",
            post(media::capture_face),
        )
        .route("/api/v1/precheck", post(public::precheck))
        .route("/api/v1/admin/sms-outbox", get(admin::sms_outbox))
        .route("/api/v1/admin/audit-anchors", get(admin::audit_anchors))
        .route("/api/v1/admin/login-locks", get(accounts::login_locks))
        .route(
            "/api/v1/admin/login-locks/{username}",
            delete(accounts::lift_login_lock),
        )
        .route("/api/v1/inbox", get(inbox::list))
        .route("/api/v1/inbox/{id}/read", post(inbox::mark_read))
        .route(
            "/api/v1/admin/webhooks",
            post(webhooks::create).get(webhooks::list),
        )
        .route("/api/v1/admin/webhooks/{id}", delete(webhooks::delete))
        .route(
            "/api/v1/admin/webhooks/{id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/api/v1/admin/webhook-deliveries/{id}/replay",
            post(webhooks::replay),
        )
        .route("/api/v1/admin/calendar", get(calendar::overview))
        .route("/api/v1/admin/calendar/{year}", get(calendar::show))
        .route(
            "/api/v1/admin/calendar/{year}/notice",
            post(calendar::load_notice),
        )
        .route("/api/v1/admin/dashboard", get(dashboard::show))
        .route("/api/v1/admin/dashboard/trends", get(dashboard::trends))
        .route(
            "/api/v1/admin/dashboard/trends.csv",
            get(dashboard::trends_csv),
        )
        .route("/api/v1/admin/dashboard/{file}", get(dashboard::file))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics));
    if manual_clock {
        api = api.route("/api/v1/admin/clock", post(admin::clock));
    }
    api.route("/api/v1/miit/sms-verify", post(miit::verify))
        .route("/api/v1/miit/sms-resend", post(miit::resend))
        .route("/api/v1/public/filings", get(public::search))
        .merge(crate::reference::router(state.reference.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use std::collections::BTreeSet;

    /// (verb, path) of every `.route(…)` in this file.
    fn routed() -> BTreeSet<(String, String)> {
        let source = include_str!("mod.rs");
        let source = &source[..source.find("#[cfg(test)]").unwrap_or(source.len())];
        let mut out = BTreeSet::new();
        for call in source.split(".route(").skip(1) {
            let quoted = call.split('"').nth(1).expect("a quoted path");
            let path = quoted.to_string();
            for verb in ["get", "post", "put", "delete"] {
                if call.contains(&format!("{verb}(")) {
                    out.insert((verb.to_string(), path.clone()));
                }
            }
        }
        out
    }

    fn documented() -> BTreeSet<(String, String)> {
        let spec: Value =
            serde_json::from_str(super::openapi::json()).expect("the document is JSON");
        let mut out = BTreeSet::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for verb in ["get", "post", "put", "delete"] {
                if item.get(verb).is_some() {
                    out.insert((verb.to_string(), path.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn every_route_is_documented_and_every_documented_route_exists() {
        let routed = routed();
        assert!(routed.len() > 30, "the parser found the routes: {routed:?}");
        let documented = documented();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the OpenAPI document: {undocumented:?}"
        );
        let reference: BTreeSet<_> = crate::reference::ROUTES
            .iter()
            .map(|(name, _)| ("get".to_string(), format!("/api/v1/reference/{name}")))
            .collect();
        let missing: Vec<_> = documented
            .iter()
            .filter(|r| !routed.contains(*r) && !reference.contains(*r))
            .collect();
        assert!(missing.is_empty(), "documented but not served: {missing:?}");
        let undocumented_reference: Vec<_> = reference.difference(&documented).collect();
        assert!(
            undocumented_reference.is_empty(),
            "reference routes missing: {undocumented_reference:?}"
        );
    }
}
