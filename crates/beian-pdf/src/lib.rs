//! Renders a platform document ([`beian_domain::papers::Paper`]) to a PDF.
//!
//! The text is set in one CJK font, embedded as a Type0 / CID font with `Identity-H`
//! encoding: only the glyphs the document uses are kept (subsetted with `subsetter`), the
//! widths come from the font's `hmtx` (read with `ttf-parser`), and a `ToUnicode` CMap maps
//! every glyph back to its character so that text extraction and search give back the
//! Chinese text. A character the font lacks is drawn as `.notdef` but still extracts.
//!
//! The output is deterministic: the same paper, font, photo and footer give the same bytes
//! (no dates, no random ids, no file id).

mod layout;
mod text;
mod write;

use std::path::Path;

use beian_domain::papers::{Block, Paper};

/// The fonts [`Font::discover`] looks for, in order, when `BEIAN_PDF_FONT` is not set.
pub const FONT_CANDIDATES: [&str; 4] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

/// What went wrong while rendering.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No font file found; names the paths tried.
    #[error(
        "no CJK font found (tried: {0}); install fonts-wqy-microhei or set BEIAN_PDF_FONT=path[#index]"
    )]
    FontMissing(String),
    /// The font could not be read, parsed or subsetted.
    #[error("unusable font: {0}")]
    BadFont(String),
    /// The photo's pixels do not match its size.
    #[error("unusable photo: {0}")]
    BadPhoto(String),
}

/// A parsed font file (TrueType/OpenType, or a face of a collection).
#[derive(Clone)]
pub struct Font {
    bytes: Vec<u8>,
    index: u32,
    source: String,
    /// CFF outlines (embedded as CIDFontType0) rather than TrueType `glyf` (CIDFontType2).
    cff: bool,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("source", &self.source)
            .field("index", &self.index)
            .field("bytes", &self.bytes.len())
            .field("cff", &self.cff)
            .finish()
    }
}

impl Font {
    /// A TrueType/OpenType font file, or a TrueType collection (.ttc) with the face index.
    pub fn from_bytes(bytes: Vec<u8>, index: u32) -> Result<Font, PdfError> {
        let source = format!("<{} bytes>#{index}", bytes.len());
        Font::with_source(bytes, index, source)
    }

    fn with_source(bytes: Vec<u8>, index: u32, source: String) -> Result<Font, PdfError> {
        let face = ttf_parser::Face::parse(&bytes, index)
            .map_err(|e| PdfError::BadFont(format!("{source}: {e}")))?;
        if face.tables().cmap.is_none() {
            return Err(PdfError::BadFont(format!("{source}: no cmap table")));
        }
        if face.units_per_em() == 0 || face.number_of_glyphs() == 0 {
            return Err(PdfError::BadFont(format!("{source}: no glyphs")));
        }
        let raw = face.raw_face();
        let glyf = raw.table(ttf_parser::Tag::from_bytes(b"glyf")).is_some();
        let cff = raw.table(ttf_parser::Tag::from_bytes(b"CFF ")).is_some();
        if !glyf && !cff {
            return Err(PdfError::BadFont(format!(
                "{source}: neither TrueType nor CFF outlines"
            )));
        }
        Ok(Font {
            bytes,
            index,
            source,
            cff: cff && !glyf,
        })
    }

    /// `BEIAN_PDF_FONT` (a path, optionally `path#index`) if set, else the first that exists
    /// of [`FONT_CANDIDATES`] (index 0). `Err(PdfError::FontMissing)` naming the paths tried
    /// when none exists.
    pub fn discover() -> Result<Font, PdfError> {
        Font::discover_from(std::env::var("BEIAN_PDF_FONT").ok())
    }

    /// [`Font::discover`] with the value of `BEIAN_PDF_FONT` passed in (None: unset).
    pub fn discover_from(env: Option<String>) -> Result<Font, PdfError> {
        if let Some(spec) = env.filter(|s| !s.trim().is_empty()) {
            let (path, index) = split_index(spec.trim());
            if !Path::new(path).is_file() {
                return Err(PdfError::FontMissing(format!("{path} (BEIAN_PDF_FONT)")));
            }
            return Font::load(path, index);
        }
        for path in FONT_CANDIDATES {
            if Path::new(path).is_file() {
                return Font::load(path, 0);
            }
        }
        Err(PdfError::FontMissing(FONT_CANDIDATES.join(", ")))
    }

    fn load(path: &str, index: u32) -> Result<Font, PdfError> {
        let bytes = std::fs::read(path).map_err(|e| PdfError::BadFont(format!("{path}: {e}")))?;
        Font::with_source(bytes, index, format!("{path}#{index}"))
    }

    /// Where it came from, for logs.
    pub fn source(&self) -> &str {
        &self.source
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        ttf_parser::Face::parse(&self.bytes, self.index).expect("parsed when the Font was made")
    }
}

/// `path#3` → (`path`, 3); a path whose `#` suffix is not a number is taken whole.
fn split_index(spec: &str) -> (&str, u32) {
    if Path::new(spec).is_file() {
        return (spec, 0);
    }
    match spec.rsplit_once('#') {
        Some((path, idx)) => match idx.parse() {
            Ok(i) => (path, i),
            Err(_) => (spec, 0),
        },
        None => (spec, 0),
    }
}

/// An image for `Block::FacePhoto`: decoded RGB8 pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub rgb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Photo {
    fn check(&self) -> Result<(), PdfError> {
        let want = (self.width as u64) * (self.height as u64) * 3;
        if self.width == 0 || self.height == 0 || self.rgb.len() as u64 != want {
            return Err(PdfError::BadPhoto(format!(
                "{}×{} needs {want} RGB bytes, got {}",
                self.width,
                self.height,
                self.rgb.len()
            )));
        }
        Ok(())
    }
}

/// Renders the paper on A4 pages. `footer` is printed at the bottom of every page together
/// with "第 n 页 / 共 N 页" (callers pass e.g. "内容摘要 SHA-256: <hash>"). `photo` is drawn
/// for a `Block::FacePhoto` (when None, a bordered box with the caption and "照片不可用").
pub fn render(
    paper: &Paper,
    font: &Font,
    photo: Option<&Photo>,
    footer: &str,
) -> Result<Vec<u8>, PdfError> {
    let photo = match photo {
        Some(p) => {
            p.check()?;
            // Only embedded when a block shows it.
            paper
                .blocks
                .iter()
                .any(|b| matches!(b, Block::FacePhoto { .. }))
                .then_some(p)
        }
        None => None,
    };
    let mut shaper = text::Shaper::new(font.face());
    let ratio = photo.map(|p| p.width as f32 / p.height as f32);
    let pages = layout::layout(paper, &mut shaper, ratio, footer);
    write::write(paper, font, &shaper, &pages, photo)
}
