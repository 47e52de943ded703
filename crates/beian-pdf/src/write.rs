//! Writes the laid-out pages as PDF objects: the subsetted CID font, its ToUnicode CMap,
//! the photo and one content stream per page.

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use beian_domain::papers::Paper;

use crate::layout::{Op, Page, PAGE_H, PAGE_W};
use crate::text::{Glyph, Shaper};
use crate::{Font, PdfError, Photo};

const FONT_NAME: Name<'static> = Name(b"F1");
const IMAGE_NAME: Name<'static> = Name(b"Im1");
const LEVEL: u8 = 6;

fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec_zlib(data, LEVEL)
}

/// Hands out object ids in order.
struct Ids(i32);

impl Ids {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// CIDs of the embedded subset: the subset's glyph ids, then one CID per character the
/// font lacks (mapped to glyph 0, TrueType only: a CFF CID font has no CIDToGIDMap).
struct Cids {
    remapper: GlyphRemapper,
    missing_base: u16,
    cff: bool,
    /// The characters behind `Glyph::Missing`: with a CFF font they all share CID 0, and
    /// each carries its character as `/ActualText` instead of a ToUnicode entry.
    missing_chars: Vec<char>,
}

impl Cids {
    fn cid(&self, g: Glyph) -> u16 {
        match g {
            Glyph::Found(gid) => self.remapper.get(gid).unwrap_or(0),
            Glyph::Missing(_) if self.cff => 0,
            Glyph::Missing(k) => self.missing_base.checked_add(k).unwrap_or(0),
        }
    }
}

/// `ABCDEF+Name`: the subset tag is derived from the glyph set, so the same glyphs give the
/// same name.
fn base_font_name(sh: &Shaper, gids: &[u16]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in gids {
        for b in g.to_be_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let tag: String = (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect();
    let ps = sh
        .face()
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_default();
    let ps: String = ps
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(60)
        .collect();
    let ps = if ps.is_empty() { "BeianCJK".into() } else { ps };
    format!("{tag}+{ps}")
}

pub(crate) fn write(
    paper: &Paper,
    font: &Font,
    sh: &Shaper,
    pages: &[Page],
    photo: Option<&Photo>,
) -> Result<Vec<u8>, PdfError> {
    // The subset: every glyph drawn, in ascending order of the original ids.
    let gids: Vec<u16> = sh.used.keys().copied().collect();
    let remapper = GlyphRemapper::new_from_glyphs_sorted(&gids);
    let subset = subsetter::subset(&font.bytes, font.index, &remapper)
        .map_err(|e| PdfError::BadFont(format!("{}: subsetting failed: {e}", font.source)))?;
    let n = remapper.num_gids();
    let cids = Cids {
        missing_base: n,
        remapper,
        cff: font.cff,
        missing_chars: sh.missing.clone(),
    };
    let missing: Vec<char> = if font.cff {
        Vec::new()
    } else {
        let room = usize::from(u16::MAX - n);
        sh.missing.iter().copied().take(room).collect()
    };

    let mut ids = Ids(0);
    let catalog_id = ids.next();
    let tree_id = ids.next();
    let info_id = ids.next();
    let type0_id = ids.next();
    let cid_font_id = ids.next();
    let descriptor_id = ids.next();
    let font_file_id = ids.next();
    let to_unicode_id = ids.next();
    let cid_map_id = (!missing.is_empty()).then(|| ids.next());
    let image_id = photo.map(|_| ids.next());
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (ids.next(), ids.next())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(page_ids.len() as i32);
    pdf.document_info(info_id)
        .title(TextStr(&paper.title))
        .producer(TextStr("beian-pdf"));

    // Fonts.
    let base_font = base_font_name(sh, &gids);
    let base_font = Name(base_font.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0_id)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font_id)
        .to_unicode(to_unicode_id);

    let notdef_w = sh.gid_width(0);
    let mut widths: Vec<f32> = cids
        .remapper
        .remapped_gids()
        .map(|g| sh.gid_width(g))
        .collect();
    widths.extend(missing.iter().map(|_| notdef_w));
    let mut cid = pdf.cid_font(cid_font_id);
    cid.subtype(if font.cff {
        CidFontType::Type0
    } else {
        CidFontType::Type2
    })
    .base_font(base_font)
    .system_info(system_info)
    .font_descriptor(descriptor_id)
    .default_width(notdef_w);
    cid.widths().consecutive(0, widths);
    if !font.cff {
        match cid_map_id {
            Some(id) => {
                cid.cid_to_gid_map_stream(id);
            }
            None => {
                cid.cid_to_gid_map_predefined(Name(b"Identity"));
            }
        }
    }
    cid.finish();
    if let Some(id) = cid_map_id {
        // CID → GID: identity over the subset, .notdef for the missing characters.
        let mut map = Vec::with_capacity(2 * (usize::from(n) + missing.len()));
        for c in 0..n {
            map.extend(c.to_be_bytes());
        }
        for _ in &missing {
            map.extend(0u16.to_be_bytes());
        }
        pdf.stream(id, &deflate(&map)).filter(Filter::FlateDecode);
    }

    let face = sh.face();
    let scale = sh.scale();
    let bbox = face.global_bounding_box();
    let ascent = f32::from(face.ascender()) * scale;
    let descent = f32::from(face.descender()) * scale;
    let cap_height = face
        .capital_height()
        .map_or(ascent, |c| f32::from(c) * scale);
    let mut descriptor = pdf.font_descriptor(descriptor_id);
    descriptor
        .name(base_font)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap_height)
        .stem_v(80.0);
    if font.cff {
        descriptor.font_file3(font_file_id);
    } else {
        descriptor.font_file2(font_file_id);
    }
    descriptor.finish();

    let packed = deflate(&subset);
    let mut file = pdf.stream(font_file_id, &packed);
    file.filter(Filter::FlateDecode);
    if font.cff {
        file.pair(Name(b"Subtype"), Name(b"OpenType"));
    } else {
        file.pair(Name(b"Length1"), subset.len() as i32);
    }
    file.finish();

    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Beian-UCS"), system_info);
    for (&gid, &c) in &sh.used {
        cmap.pair(cids.cid(Glyph::Found(gid)), c);
    }
    for (k, &c) in missing.iter().enumerate() {
        cmap.pair(n + k as u16, c);
    }
    let cmap = cmap.finish();
    pdf.cmap(to_unicode_id, &deflate(&cmap))
        .filter(Filter::FlateDecode);

    // The photo.
    if let (Some(id), Some(p)) = (image_id, photo) {
        let packed = deflate(&p.rgb);
        let mut image = pdf.image_xobject(id, &packed);
        image.filter(Filter::FlateDecode);
        image
            .width(p.width as i32)
            .height(p.height as i32)
            .bits_per_component(8);
        image.color_space().device_rgb();
        image.finish();
    }

    // Pages.
    for (page, &(page_id, content_id)) in pages.iter().zip(&page_ids) {
        let mut out = pdf.page(page_id);
        out.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree_id)
            .contents(content_id);
        let mut resources = out.resources();
        resources.fonts().pair(FONT_NAME, type0_id);
        if let Some(id) = image_id {
            if page.ops.iter().any(|op| matches!(op, Op::Image { .. })) {
                resources.x_objects().pair(IMAGE_NAME, id);
            }
        }
        resources.finish();
        out.finish();

        let content = content(page, &cids);
        pdf.stream(content_id, &deflate(&content))
            .filter(Filter::FlateDecode);
    }

    Ok(pdf.finish())
}

fn content(page: &Page, cids: &Cids) -> Vec<u8> {
    let mut c = Content::new();
    c.set_line_width(0.6);
    c.set_stroke_gray(0.2);
    for op in &page.ops {
        match op {
            Op::Text { x, y, size, glyphs } => {
                c.begin_text();
                c.set_font(FONT_NAME, *size);
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                let mut run: Vec<u8> = Vec::new();
                for &g in glyphs {
                    match g {
                        Glyph::Missing(k) if cids.cff => {
                            if !run.is_empty() {
                                c.show(Str(&run));
                                run.clear();
                            }
                            let ch = cids
                                .missing_chars
                                .get(usize::from(k))
                                .copied()
                                .unwrap_or('\u{FFFD}');
                            c.begin_marked_content_with_properties(Name(b"Span"))
                                .properties()
                                .actual_text(TextStr(ch.encode_utf8(&mut [0; 4])));
                            c.show(Str(&[0, 0]));
                            c.end_marked_content();
                        }
                        _ => run.extend(cids.cid(g).to_be_bytes()),
                    }
                }
                if !run.is_empty() {
                    c.show(Str(&run));
                }
                c.end_text();
            }
            Op::Rect { x, y, w, h } => {
                c.rect(*x, *y, *w, *h);
                c.stroke();
            }
            Op::Image { x, y, w, h } => {
                c.save_state();
                c.transform([*w, 0.0, 0.0, *h, *x, *y]);
                c.x_object(IMAGE_NAME);
                c.restore_state();
            }
        }
    }
    c.finish().into_vec()
}
