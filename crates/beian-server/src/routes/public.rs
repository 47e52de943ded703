//! The public filing query and the pre-check.
//!
//! Thin HTTP handlers: extractors in, [`crate::app::public`] does the work.

use crate::app::public::{self, Search};
use crate::app::state::AppState;
use crate::http::auth::Caller;
use crate::http::error::{ApiJson, ApiResult};
use axum::extract::{Query, State};
use axum::Json;
use beian_domain::document::Document;
use serde_json::Value;

/// See [`public::search`].
pub async fn search(State(s): State<AppState>, Query(p): Query<Search>) -> ApiResult<Json<Value>> {
    public::search(&s, p).await.map(Json)
}

/// See [`public::precheck`].
pub async fn precheck(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(doc): ApiJson<Document>,
) -> ApiResult<Json<Value>> {
    public::precheck(&s, &caller, doc).await.map(Json)
}
