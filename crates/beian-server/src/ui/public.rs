//! Pages anyone may open: the MIIT verification site (工信部短信核验) and the
//! public filing query (备案查询).

use super::format::cn_time;
use super::{form_token, page, Layout, PageResult, WebUser};
use crate::app::state::AppState;
use crate::app::{miit, public};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

#[derive(Template)]
#[template(path = "miit.html")]
struct MiitPage {
    layout: Layout,
    mobile: String,
    last6: String,
    form_token: String,
}

const FORM_COOKIE: &str = "beian_form";

fn with_token(s: &AppState, page: PageResult, token: &str) -> PageResult {
    form_token::issue(page, FORM_COOKIE, "/miit", token, s.security.https())
}

fn layout(title: &str, u: &Option<WebUser>) -> Layout {
    match u {
        Some(u) => Layout::new(title, u),
        None => Layout::anonymous(title),
    }
}

async fn miit_page(
    State(s): State<AppState>,
    u: Option<WebUser>,
    headers: HeaderMap,
) -> PageResult {
    let token = form_token::current(&headers, FORM_COOKIE);
    let p = page(MiitPage {
        layout: layout("工信部短信核验", &u),
        mobile: String::new(),
        last6: String::new(),
        form_token: token.clone(),
    });
    with_token(&s, p, &token)
}

#[derive(Deserialize)]
struct MiitForm {
    mobile: String,
    certificate_last6: String,
    #[serde(default)]
    code: String,
    action: String,
    #[serde(default)]
    form_token: String,
}

/// Same rules and messages as the API (§3.3). The site has no account, so the
/// form repeats the double-submit token of its cookie; it is rate-limited like the API.
async fn miit_post(
    State(s): State<AppState>,
    u: Option<WebUser>,
    headers: HeaderMap,
    Form(f): Form<MiitForm>,
) -> PageResult {
    form_token::check(&headers, FORM_COOKIE, &f.form_token)?;
    let body =
        json!({"mobile": f.mobile, "certificate_last6": f.certificate_last6, "code": f.code});
    let req = super::api_body(body)?;
    let st = s.clone();
    let result = if f.action == "resend" {
        miit::resend(&s, req)
            .await
            .map(|v| format!("验证码已重新发送，剩余可重发次数：{}", v.resends_left))
    } else {
        miit::verify(&s, req).await.map(|v| v.message)
    };
    let base = layout("工信部短信核验", &u);
    let layout = match result {
        Ok(msg) => base.banner("ok", msg),
        Err(e) => base.banner(
            "error",
            format!(
                "{}{}",
                e.message,
                e.suggestion.map(|s| format!("。{s}")).unwrap_or_default()
            ),
        ),
    };
    let token = f.form_token.clone();
    with_token(
        &st,
        page(MiitPage {
            layout,
            mobile: f.mobile,
            last6: f.certificate_last6,
            form_token: f.form_token,
        }),
        &token,
    )
}

#[derive(Template)]
#[template(path = "query.html")]
struct QueryPage {
    layout: Layout,
    q: String,
    searched: bool,
    items: Vec<(String, String, String, String, String)>,
}

#[derive(Deserialize)]
struct Q {
    q: Option<String>,
}

async fn query(State(s): State<AppState>, u: Option<WebUser>, Query(q): Query<Q>) -> PageResult {
    let text = q.q.unwrap_or_default();
    let mut layout = layout("备案查询", &u);
    let mut items = vec![];
    let searched = !text.trim().is_empty();
    if searched {
        match public::search(
            &s,
            public::Search {
                q: Some(text.clone()),
            },
        )
        .await
        {
            Ok(v) => {
                for i in v.items {
                    items.push((
                        i.mini_program_name,
                        i.subject_name,
                        i.subject_number,
                        i.service_number,
                        cn_time(&i.filed_at),
                    ));
                }
            }
            Err(e) => {
                layout = layout.banner(
                    "error",
                    format!("{}。{}", e.message, e.suggestion.unwrap_or_default()),
                )
            }
        }
    }
    page(QueryPage {
        layout,
        q: text,
        searched,
        items,
    })
}

/// Public routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/miit", get(miit_page).post(miit_post))
        .route("/query", get(query))
}
