//! The platform documents on pages: the draft's papers to read and confirm on the
//! materials step, the frozen ones on the progress and review pages, and their PDFs.

use super::PageResult;
use crate::app::papers::{self, pdf_of, PaperQuery};
use crate::app::state::AppState;
use crate::ui::Visit;
use axum::extract::{Path, Query};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use beian_domain::document::Document;
use beian_domain::filing::Filing;
use beian_domain::papers::{Block, PaperKind, ANTI_FRAUD_QUESTIONS};

/// One block, flattened for the template.
pub struct BlockView {
    pub kind: &'static str,
    pub text: String,
    pub rows: Vec<(String, String)>,
    pub items: Vec<String>,
}

/// A paper as the page shows it.
pub struct PaperView {
    pub slug: &'static str,
    pub title: String,
    pub hash: String,
    pub short_hash: String,
    pub pdf: String,
    pub version: Option<u32>,
    pub blocks: Vec<BlockView>,
}

fn block(b: &Block) -> BlockView {
    let mut v = BlockView {
        kind: "paragraph",
        text: String::new(),
        rows: vec![],
        items: vec![],
    };
    match b {
        Block::Heading { text } => {
            v.kind = "heading";
            v.text = text.clone();
        }
        Block::Paragraph { text } => v.text = text.clone(),
        Block::Fields { rows } => {
            v.kind = "fields";
            v.rows = rows.clone();
        }
        Block::Numbered { items } => {
            v.kind = "numbered";
            v.items = items.clone();
        }
        Block::FacePhoto { caption, .. } => {
            v.kind = "photo";
            v.text = caption.clone();
        }
        Block::Signature { lines } => {
            v.kind = "signature";
            v.items = lines.clone();
        }
    }
    v
}

/// A paper's title, hash and PDF link, without its content; `unmask` carries a
/// reviewer's unmasked view into the PDF link.
fn link(f: &Filing, kind: PaperKind, hash: &str, version: Option<u32>, unmask: bool) -> PaperView {
    let mut params: Vec<String> = version
        .map(|v| format!("version={v}"))
        .into_iter()
        .collect();
    if unmask {
        params.push("unmask=1".into());
    }
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    PaperView {
        slug: kind.slug(),
        title: kind.title().to_string(),
        short_hash: hash[..16.min(hash.len())].to_string(),
        hash: hash.to_string(),
        pdf: format!("/filings/{}/papers/{}{query}", f.id, kind.slug()),
        version,
        blocks: vec![],
    }
}

/// The papers of the order's current draft, as the materials step will save them: an
/// unticked question box posts "否", so unanswered questions are shown answered "否" and
/// the applicant who changes nothing confirms exactly the report they read.
pub fn draft(s: &AppState, f: &Filing) -> Vec<PaperView> {
    let mut shown = f.clone();
    if let Some(doc) = shown.document.as_mut() {
        let answers = &mut doc
            .materials
            .anti_fraud_assessment
            .get_or_insert_with(Default::default)
            .answers;
        for q in ANTI_FRAUD_QUESTIONS {
            answers.entry(q.id).or_insert(false.into());
        }
    }
    papers::current(s, &shown)
        .iter()
        .map(|p| PaperView {
            blocks: p.blocks.iter().map(block).collect(),
            ..link(f, p.kind, &p.hash(), None, false)
        })
        .collect()
}

/// The papers frozen with the latest submitted version: titles, hashes and PDF links,
/// all of which the version's stamps hold, so no page reads the event log for them.
pub fn frozen(f: &Filing, unmask: bool) -> Vec<PaperView> {
    f.versions
        .last()
        .map(|v| {
            v.papers
                .iter()
                .map(|p| link(f, p.kind, &p.hash, Some(v.number), unmask))
                .collect()
        })
        .unwrap_or_default()
}

/// Records which paper a ticked confirmation is of. The page posts the hash of each paper
/// it showed; when the posted answers changed the paper (the anti-fraud report follows the
/// questionnaire on the same step), the tick no longer covers what the applicant read, so
/// it is cleared and the paper's title returned for a banner.
pub fn confirm(
    s: &AppState,
    f: &Filing,
    doc: &mut Document,
    posted: &[(String, String)],
) -> Vec<String> {
    let mut shown = f.clone();
    shown.document = Some(doc.clone());
    let mut restated = vec![];
    for p in papers::current(s, &shown) {
        let key = format!("paper_hash.{}", p.kind.slug());
        let seen = posted
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str());
        let now = p.hash();
        let m = &mut doc.materials;
        let (confirmed, hash) = match p.kind {
            PaperKind::CommitmentLetter => {
                let c = m.commitment_letter.get_or_insert_with(Default::default);
                (&mut c.confirmed, &mut c.hash)
            }
            PaperKind::AntiFraudAssessment => {
                let c = m.anti_fraud_assessment.get_or_insert_with(Default::default);
                (&mut c.confirmed, &mut c.hash)
            }
            PaperKind::AuthenticityForm => continue,
        };
        if !*confirmed {
            *hash = None;
        } else if seen == Some(now.as_str()) {
            *hash = Some(now);
        } else {
            *confirmed = false;
            *hash = None;
            restated.push(p.title.clone());
        }
    }
    restated
}

/// `GET /filings/{id}/papers/{kind}`: the PDF, for whoever may see the order.
async fn pdf_file(
    Visit { s, u }: Visit,
    Path((id, kind)): Path<(String, String)>,
    Query(query): Query<PaperQuery>,
) -> PageResult {
    Ok(pdf_of(&s, &u.caller(), (&id, &kind), query)
        .await?
        .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/filings/{id}/papers/{kind}", get(pdf_file))
}
