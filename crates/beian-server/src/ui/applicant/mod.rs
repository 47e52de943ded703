//! The applicant's pages: my mini programs, an app and its orders, choosing the
//! kind of a new order and the materials checklist; the wizard, face
//! verification, the progress page and the inbox live in the submodules.

mod face;
mod inbox;
mod progress;
pub(super) mod wizard;

/// `templates/provisional.html` names the hint by this path.
pub use super::format::PROVISIONAL_HINT;

use super::format::{cn_time, kind_label, status_tag};
use super::refdata;
use super::{page, Layout, PageResult, WebUser};
use crate::app::state::AppState;
use crate::app::{apps, filings, media};
use crate::http::auth::Role;
use crate::ui::Visit;

use crate::views::AppView;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

/// One app in the list.
pub struct AppItem {
    pub appid: String,
    pub name: String,
    pub entry: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub service_number: String,
    pub open_filing: String,
    pub listed: bool,
}

fn app_item(v: &AppView) -> AppItem {
    let (status, status_class) = status_tag(&v.filing_status);
    AppItem {
        appid: v.appid.clone(),
        name: v.name.clone(),
        entry: v.entry.clone(),
        status,
        status_class,
        service_number: v.service_number.clone().unwrap_or_default(),
        open_filing: v.open_filing_id.clone().unwrap_or_default(),
        listed: v.listed,
    }
}

#[derive(Template)]
#[template(path = "apps.html")]
struct AppsPage {
    layout: Layout,
    apps: Vec<AppItem>,
}

async fn list(State(s): State<AppState>, u: WebUser) -> PageResult {
    u.require(&[Role::Applicant])?;
    let body = apps::list(&s, &u.caller()).await?;
    let apps: Vec<AppItem> = body.items.iter().map(app_item).collect();
    let needs_supplement = apps.iter().any(|a| a.entry == "supplement_filing");
    let mut layout = Layout::new("我的小程序", &u);
    if needs_supplement {
        layout = layout.banner(
            "",
            "小程序需补充备案信息：已上架的小程序须完成备案，请点击对应小程序的【去备案】。",
        );
    }
    page(AppsPage { layout, apps })
}

#[derive(Deserialize)]
struct RegisterForm {
    csrf: String,
    appid: String,
    name: String,
    owner_name: Option<String>,
    listed: Option<String>,
}

async fn register(Visit { s, u }: Visit, Form(f): Form<RegisterForm>) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let body = json!({"appid": f.appid, "name": f.name, "owner_name": f.owner_name, "listed": f.listed.is_some()});
    let new = super::api_body(body)?;
    let _created = apps::create(&s, &u.caller(), new).await?;
    Ok(Redirect::to(&format!("/apps/{}", f.appid.trim())).into_response())
}

/// A past or current order of an app.
struct HistoryItem {
    id: String,
    kind: &'static str,
    status: &'static str,
    status_class: &'static str,
    created: String,
}

#[derive(Template)]
#[template(path = "app.html")]
struct AppPage {
    layout: Layout,
    app: AppItem,
    subject_number: String,
    history: Vec<HistoryItem>,
}

async fn show(State(s): State<AppState>, u: WebUser, Path(appid): Path<String>) -> PageResult {
    u.require(&[Role::Applicant])?;
    let v = apps::show(&s, &u.caller(), &appid).await?;
    let app = app_item(&v);
    let mut layout = Layout::new(app.name.clone(), &u);
    if app.entry == "supplement_filing" {
        layout = layout.banner(
            "",
            "小程序需补充备案信息。已上架的小程序须完成备案，逾期将被清退。",
        );
    }
    let q = filings::ListQuery {
        appid: Some(appid),
        limit: Some(100),
        ..filings::ListQuery::default()
    };
    let list = filings::list(&s, &u.caller(), q).await?;
    let history = list
        .items
        .iter()
        .rev()
        .map(|f| {
            let (status, status_class) = status_tag(&f.status);
            HistoryItem {
                id: f.id.clone(),
                kind: kind_label(&f.kind),
                status,
                status_class,
                created: cn_time(&f.created_at),
            }
        })
        .collect();
    page(AppPage {
        layout,
        subject_number: v.subject_number.clone().unwrap_or_default(),
        app,
        history,
    })
}

#[derive(Template)]
#[template(path = "kind.html")]
struct KindPage {
    layout: Layout,
    appid: String,
    filed: bool,
}

async fn choose_kind(Visit { s, u }: Visit, Path(appid): Path<String>) -> PageResult {
    u.require(&[Role::Applicant])?;
    let v = apps::show(&s, &u.caller(), &appid).await?;
    page(KindPage {
        layout: Layout::new("选择备案类型", &u),
        filed: v.entry == "filed",
        appid,
    })
}

#[derive(Deserialize)]
struct KindForm {
    csrf: String,
    kind: String,
    cancel_type: Option<String>,
    cancel_reason: Option<String>,
}

async fn create(
    Visit { s, u }: Visit,
    Path(appid): Path<String>,
    Form(f): Form<KindForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let body = json!({"kind": f.kind, "appid": appid, "cancel_type": f.cancel_type, "cancel_reason": f.cancel_reason});
    let new = super::api_body(body)?;
    let v = filings::create(&s, &u.caller(), new).await?;
    let id = v.id;
    Ok(match f.kind.as_str() {
        "new" => Redirect::to(&format!("/filings/{id}/checklist")),
        "change" => Redirect::to(&format!("/filings/{id}/edit/1")),
        _ => Redirect::to(&format!("/filings/{id}")),
    }
    .into_response())
}

#[derive(Template)]
#[template(path = "checklist.html")]
struct ChecklistPage {
    layout: Layout,
    id: String,
    natures: Vec<(String, String, bool)>,
    provinces: Vec<(String, String, bool)>,
    items: Vec<(&'static str, &'static str)>,
    province_notes: String,
}

#[derive(Deserialize)]
struct ChecklistQuery {
    nature: Option<String>,
    province: Option<String>,
}

/// The materials a subject of this nature in this province prepares (§10.3, §9).
async fn checklist(
    Visit { s, u }: Visit,
    Path(id): Path<String>,
    Query(q): Query<ChecklistQuery>,
) -> PageResult {
    u.require(&[Role::Applicant])?;
    filings::load(&s, &u.caller(), &id).await?;
    let nature = q.nature.unwrap_or_else(|| "4".into());
    let province = q.province.unwrap_or_else(|| "44".into());
    // Natures and provinces not in the reference data get the general list.
    let individual = s.reference.data.is_individual(nature.parse().ok());
    let list = beian_domain::checklist::checklist(individual, s.reference.data.province(&province));
    let items = list
        .items
        .iter()
        .map(|(n, src)| (*n, src.label()))
        .collect();
    let province_notes = list.notes.concat();
    let mark = |pairs: Vec<(String, String)>, sel: &str| {
        pairs
            .into_iter()
            .map(|(v, l)| {
                let s = v == sel;
                (v, l, s)
            })
            .collect()
    };
    let provinces: Vec<(String, String)> = beian_domain::numbers::PROVINCES
        .iter()
        .map(|(c, n, _)| (c.to_string(), n.to_string()))
        .collect();
    page(ChecklistPage {
        layout: Layout::new("备案材料清单", &u),
        id,
        natures: mark(
            refdata::pairs(
                refdata::items(&s.reference, "subject-natures.json"),
                "id",
                "name_zh",
            ),
            &nature,
        ),
        provinces: mark(provinces, &province),
        items,
        province_notes,
    })
}

async fn media_file(State(s): State<AppState>, u: WebUser, Path(id): Path<String>) -> PageResult {
    Ok(media::download(&s, &u.caller(), &id).await?.into_response())
}

/// The applicant's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps", get(list).post(register))
        .route("/apps/{appid}", get(show))
        .route("/apps/{appid}/filing", get(choose_kind).post(create))
        .route("/filings/{id}", get(progress::progress).post(wizard::act))
        .route("/filings/{id}/checklist", get(checklist))
        .route(
            "/filings/{id}/edit/{step}",
            get(wizard::edit).post(wizard::save),
        )
        .route("/filings/{id}/check/{step}", post(wizard::check))
        .route("/filings/{id}/prefill", get(wizard::prefill))
        .route("/filings/{id}/face", post(face::start_face))
        .route("/filings/{id}/submit", post(wizard::submit))
        .route("/face/{task}", get(face::face_page).post(face::capture))
        .route("/inbox", get(inbox::inbox).post(inbox::mark_read))
        .route("/media/{id}", get(media_file))
}
