//! The papers of an order (备案表单, 承诺书 …) as JSON.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One paper: its content (masked when `masked`), hash and where its PDF is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperView {
    pub kind: String,
    pub title: String,
    pub template: String,
    pub hash: String,
    /// The version it was frozen with; null for the draft's.
    pub version: Option<u32>,
    pub masked: bool,
    /// Headings, paragraphs and two-column field tables, in reading order.
    #[schema(value_type = Vec<Object>)]
    pub blocks: Value,
    pub pdf: String,
}

/// The papers frozen with one submitted version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionPapers {
    pub version: u32,
    pub hash: String,
    pub papers: Vec<PaperView>,
}

/// Every paper of an order: the draft's (while editable) and each version's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperList {
    pub draft: Vec<PaperView>,
    pub versions: Vec<VersionPapers>,
}
