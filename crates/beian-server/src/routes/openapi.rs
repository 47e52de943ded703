//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations and
//! the typed views, so it cannot drift from what is served.

use super::{
    accounts, admin, apps, calendar, claims, dashboard, filings, inbox, media, miit, ops, papers,
    public, webhooks,
};
use crate::views::ErrorBody;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi as Document, Ref, Type};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "beian API",
        description = "小程序备案平台 HTTP API (docs/api.md). Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/sessions`; errors answer `{\"error\": {code, message, suggestion}}`."
    ),
    paths(
        accounts::sign_in, accounts::sign_out, accounts::me, accounts::create_user,
        accounts::list_users, accounts::login_locks, accounts::lift_login_lock,
        apps::create, apps::list, apps::show, apps::release,
        media::upload, media::download, media::reading, media::start_face, media::show_face, media::capture_face,
        filings::create, filings::list, filings::show, filings::events, filings::access_log,
        filings::save, filings::submit, filings::withdraw, filings::discard, filings::terminate,
        filings::platform_decision, filings::authority_decision,
        claims::claim, claims::release, claims::reassign, claims::next,
        papers::list, papers::pdf,
        public::precheck, public::search,
        miit::verify, miit::resend,
        admin::sms_outbox, admin::audit_anchors, admin::clock,
        inbox::list, inbox::mark_read,
        webhooks::create, webhooks::list, webhooks::delete, webhooks::deliveries, webhooks::replay,
        calendar::overview, calendar::show, calendar::load_notice,
        dashboard::show, dashboard::file, dashboard::trends, dashboard::trends_csv,
        openapi, ops::healthz, ops::readyz, ops::metrics,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Bearer, &Refusals, &ReferenceData),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

/// The bearer token every non-public route wants.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every `/api/v1/` handler may refuse with a 4XX and the error body of api.md; said once
/// here rather than on each handler. The reference documents are public files that
/// always answer, and stay without one whatever order the modifiers run in.
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, doc: &mut Document) {
        let refused = ResponseBuilder::new()
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for (path, item) in doc.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/reference/") {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("4XX".to_string())
                    .or_insert_with(|| refused.clone().into());
            }
        }
    }
}

/// `/api/v1/reference/…`: one route per reference document (`crate::reference`), public.
struct ReferenceData;

impl Modify for ReferenceData {
    fn modify(&self, doc: &mut Document) {
        for (name, _) in crate::reference::ROUTES {
            let ok = ResponseBuilder::new()
                .description("The reference document in force")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::Object)))
                        .build(),
                )
                .build();
            let operation = OperationBuilder::new()
                .tag("reference")
                .summary(Some(format!("The `{name}` reference document")))
                .security(utoipa::openapi::security::SecurityRequirement::default())
                .response("200", ok)
                .build();
            doc.paths.add_path_operation(
                format!("/api/v1/reference/{name}"),
                vec![HttpMethod::Get],
                operation,
            );
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "ops", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], json())
}

/// The document as JSON, built once.
pub fn json() -> &'static str {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}
