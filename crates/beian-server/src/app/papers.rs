//! The platform documents of an order (domain.md §6.6, §10.3) as the API and the pages
//! serve them: which paper a request means (the draft's, or one frozen with a version),
//! and its PDF with the CJK font found at start.

use crate::adapters::{heavy, objects};
use crate::app::state::AppState;
use crate::app::{access, filings};
use crate::http::auth::Caller;
use crate::http::error::{ApiError, ApiResult};
use crate::views::papers::{PaperList, PaperView, VersionPapers};
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use beian_domain::filing::{frozen_papers, Actor, Filing, Kind};
use beian_domain::papers::{Block, Paper, PaperKind};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

/// The papers the applicant reads and confirms for the order as it stands now.
pub fn current(s: &AppState, f: &Filing) -> Vec<Paper> {
    if f.kind == Kind::Cancel {
        return vec![];
    }
    f.papers_to_confirm(&s.env(&s.calendar(), &Actor::System, s.now()))
}

/// The paper a request names. With a version: the one frozen with it. Without: the
/// draft's while the applicant can still edit (it is what they are about to confirm),
/// else the latest frozen one.
pub async fn pick(
    s: &AppState,
    f: &Filing,
    kind: PaperKind,
    version: Option<u32>,
) -> ApiResult<Paper> {
    let draft = version.is_none()
        && kind != PaperKind::AuthenticityForm
        && (f.versions.is_empty() || f.status.is_editable());
    let found = if draft {
        current(s, f).into_iter().find(|p| p.kind == kind)
    } else {
        match f.version(version) {
            Some(v) => frozen(s, f, v.number)
                .await?
                .into_iter()
                .find(|p| p.kind == kind),
            None => None,
        }
    };
    found.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "PAPER_NOT_FOUND", "该文书尚未生成").suggest(
            match kind {
                PaperKind::AuthenticityForm => "真实性核验单在平台初审通过时生成",
                _ => "请确认版本号；注销申请没有平台文书",
            },
        )
    })
}

/// The JSON view of a paper: its content (masked when `mask`), hash and where its PDF is.
pub fn view(f: &Filing, p: &Paper, version: Option<u32>, mask: bool) -> PaperView {
    let pdf = match version {
        Some(v) => format!(
            "/api/v1/filings/{}/papers/{}?version={v}",
            f.id,
            p.kind.slug()
        ),
        None => format!("/api/v1/filings/{}/papers/{}", f.id, p.kind.slug()),
    };
    let blocks = if mask {
        p.masked().blocks
    } else {
        p.blocks.clone()
    };
    PaperView {
        kind: p.kind.slug().to_string(),
        title: p.title.clone(),
        template: p.template.clone(),
        hash: p.hash(),
        version,
        masked: mask,
        blocks: serde_json::to_value(blocks).unwrap_or_default(),
        pdf,
    }
}

/// The papers frozen with version `number`, read from the order's event log.
pub async fn frozen(s: &AppState, f: &Filing, number: u32) -> ApiResult<Vec<Paper>> {
    let events = s.store.events(&f.id).await?;
    Ok(frozen_papers(f, &events, number))
}

/// Every paper of an order: the draft's (while editable) and each version's frozen ones.
pub async fn list(s: &AppState, f: &Filing, mask: bool) -> ApiResult<PaperList> {
    let draft: Vec<PaperView> = if f.versions.is_empty() || f.status.is_editable() {
        current(s, f)
            .iter()
            .map(|p| view(f, p, None, mask))
            .collect()
    } else {
        vec![]
    };
    let events = if f.versions.is_empty() {
        vec![]
    } else {
        s.store.events(&f.id).await?
    };
    let versions: Vec<VersionPapers> = f
        .versions
        .iter()
        .map(|v| {
            let papers: Vec<PaperView> = frozen_papers(f, &events, v.number)
                .iter()
                .map(|p| view(f, p, Some(v.number), mask))
                .collect();
            VersionPapers {
                version: v.number,
                hash: v.hash.clone(),
                papers,
            }
        })
        .collect();
    Ok(PaperList { draft, versions })
}

/// The live photo of the face task a paper shows, decoded and scaled for print.
/// `None` when the paper shows no photo or the task has none; a store or object-store
/// failure is an error, never a silently missing photo.
async fn face_photo(s: &AppState, p: &Paper) -> ApiResult<Option<beian_pdf::Photo>> {
    let Some(task) = p.blocks.iter().find_map(|b| match b {
        Block::FacePhoto { face_task, .. } => Some(face_task.clone()),
        _ => None,
    }) else {
        return Ok(None);
    };
    let Some(media_id) = s.store.face_task(&task).await?.and_then(|t| t.photo) else {
        return Ok(None);
    };
    let Some(media) = s.store.media(&media_id).await? else {
        return Ok(None);
    };
    let bytes = objects::get_sealed(s.objects.as_ref(), &s.sealer, &media.sha256)
        .await
        .map_err(ApiError::internal)?;
    heavy::run(move || {
        // Uploads were decoded under limits at upload; this only re-reads accepted files.
        let img = image::load_from_memory(&bytes).map_err(ApiError::internal)?;
        let rgb = img.thumbnail(360, 480).to_rgb8();
        Ok(Some(beian_pdf::Photo {
            width: rgb.width(),
            height: rgb.height(),
            rgb: rgb.into_raw(),
        }))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Whether a caller sees the papers' personal data masked: everyone but the owner, unless
/// they ask to unmask, which is recorded in the order's history like the review page's.
pub async fn masked_for(
    s: &AppState,
    caller: &Caller,
    f: &Filing,
    unmask: bool,
) -> ApiResult<bool> {
    if caller.user.id == f.owner_id {
        return Ok(false);
    }
    if unmask {
        access::record_unmasked(s, caller, f, "papers").await?;
    }
    Ok(!unmask)
}

/// The paper as a PDF, every page footed with `hash`, the content hash of the original
/// (the paper shown may be its masked view).
pub async fn pdf(s: &AppState, p: &Paper, hash: &str) -> ApiResult<Vec<u8>> {
    let font = s.pdf_font.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "PDF_FONT_MISSING",
            "服务器未配置中文字体，无法生成 PDF 文书",
        )
        .suggest(
            "请管理员安装 fonts-wqy-microhei（或设置 BEIAN_PDF_FONT 指向中文字体文件）后重启服务",
        )
    })?;
    // A frozen paper never changes, so its PDF is rendered once per process: the
    // key is the content shown (masked or not) and the footer's hash.
    let key = hex::encode(Sha256::digest(
        serde_json::to_vec(&(p, hash)).map_err(ApiError::internal)?,
    ));
    if let Some(pdf) = rendered().get(&key) {
        return Ok(pdf);
    }
    let photo = face_photo(s, p).await?;
    let paper = p.clone();
    let footer = format!("内容摘要 SHA-256：{hash}");
    let pdf = heavy::run(move || beian_pdf::render(&paper, &font, photo.as_ref(), &footer))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    rendered().put(key, pdf.clone());
    Ok(pdf)
}

/// Rendered PDFs of this process, at most [`RenderedPdfs::CAPACITY`] of them.
#[derive(Default)]
struct RenderedPdfs {
    entries: std::sync::Mutex<std::collections::VecDeque<(String, Vec<u8>)>>,
}

impl RenderedPdfs {
    const CAPACITY: usize = 32;

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: String, pdf: Vec<u8>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.iter().any(|(k, _)| *k == key) {
            return;
        }
        if entries.len() == Self::CAPACITY {
            entries.pop_front();
        }
        entries.push_back((key, pdf));
    }
}

fn rendered() -> &'static RenderedPdfs {
    static CACHE: std::sync::OnceLock<RenderedPdfs> = std::sync::OnceLock::new();
    CACHE.get_or_init(RenderedPdfs::default)
}

/// `?unmask=1` shows others' personal data (logged); `version` picks a frozen version.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaperQuery {
    pub version: Option<u32>,
    pub unmask: Option<String>,
}

/// The draft's papers (while editable) and every version's frozen papers.
pub async fn papers_of(
    s: &AppState,
    caller: &Caller,
    id: &str,
    q: PaperQuery,
) -> ApiResult<PaperList> {
    let f = filings::load(s, caller, id).await?;
    let mask = masked_for(s, caller, &f, q.unmask.is_some()).await?;
    list(s, &f, mask).await
}

/// One paper as PDF: `?version=N` for the one frozen with version N; masked for
/// everyone but the owner unless `?unmask=1`.
pub async fn pdf_of(
    s: &AppState,
    caller: &Caller,
    (id, kind): (&str, &str),
    q: PaperQuery,
) -> ApiResult<Response> {
    let f = filings::load(s, caller, id).await?;
    let kind = PaperKind::from_slug(kind).ok_or_else(ApiError::not_found)?;
    let paper = pick(s, &f, kind, q.version).await?;
    let hash = paper.hash();
    let shown = if masked_for(s, caller, &f, q.unmask.is_some()).await? {
        paper.masked()
    } else {
        paper
    };
    let bytes = pdf(s, &shown, &hash).await?;
    let name = format!("{}-{}.pdf", f.id, kind.slug());
    Response::builder()
        .header(header::CONTENT_TYPE, "application/pdf")
        .header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        )
        .header("x-content-type-options", "nosniff")
        .header("x-paper-hash", hash)
        .body(Body::from(bytes))
        .map_err(ApiError::internal)
}
