//! Drawing primitives: anti-aliased CJK text (glyph outlines rasterised by `ab_glyph`) and
//! anti-aliased filled shapes (4×4 supersampling of an inside test).

use std::sync::OnceLock;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{Rgb, RgbImage};

/// The CJK font, read once from the first of [`beian_pdf::FONT_CANDIDATES`] that exists.
///
/// # Panics
/// When none of the candidate fonts is installed (`fonts-wqy-microhei` is the first).
pub(crate) fn font() -> &'static FontVec {
    static FONT: OnceLock<FontVec> = OnceLock::new();
    FONT.get_or_init(|| {
        for path in beian_pdf::FONT_CANDIDATES {
            if let Ok(bytes) = std::fs::read(path) {
                if let Ok(font) = FontVec::try_from_vec_and_index(bytes, 0) {
                    return font;
                }
            }
        }
        panic!(
            "beian-cards needs a CJK font; none usable of {}",
            beian_pdf::FONT_CANDIDATES.join(", ")
        )
    })
}

/// Text style: em size in pixels, colour and extra space after every character.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub em: f32,
    pub colour: [u8; 3],
    pub spacing: f32,
}

impl Style {
    pub(crate) const fn new(em: f32, colour: [u8; 3]) -> Style {
        Style {
            em,
            colour,
            spacing: 0.0,
        }
    }

    pub(crate) const fn spaced(self, spacing: f32) -> Style {
        Style { spacing, ..self }
    }

    /// `ab_glyph` scales by the line height (ascent − descent); this is the scale whose em
    /// square is `self.em` pixels.
    fn scale(&self, font: &FontVec) -> PxScale {
        let upem = font.units_per_em().unwrap_or(1000.0);
        PxScale::from(self.em * font.height_unscaled() / upem)
    }
}

/// The advance width of `text` in `style` (including the spacing after every character but
/// the last).
pub(crate) fn text_width(text: &str, style: Style) -> f32 {
    let font = font();
    let scaled = font.as_scaled(style.scale(font));
    let mut width = 0.0;
    let mut count = 0;
    for c in text.chars() {
        width += scaled.h_advance(font.glyph_id(c)) + style.spacing;
        count += 1;
    }
    if count > 0 {
        width -= style.spacing;
    }
    width
}

/// Draws `text` with its baseline at `baseline`, starting at `x`; returns the x after it.
pub(crate) fn text(img: &mut RgbImage, x: f32, baseline: f32, text: &str, style: Style) -> f32 {
    let font = font();
    let scale = style.scale(font);
    let scaled = font.as_scaled(scale);
    let mut pen = x;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(pen, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            outline.draw(|gx, gy, coverage| {
                blend(
                    img,
                    left + i64::from(gx),
                    top + i64::from(gy),
                    style.colour,
                    coverage,
                );
            });
        }
        pen += scaled.h_advance(id) + style.spacing;
    }
    pen - style.spacing
}

/// Draws `text` spread so that its first and last characters span `width` (the way labels
/// such as `名    称` are set on a licence); returns the x after the span.
pub(crate) fn justified(
    img: &mut RgbImage,
    x: f32,
    baseline: f32,
    label: &str,
    width: f32,
    style: Style,
) -> f32 {
    let n = label.chars().count();
    if n < 2 {
        text(img, x, baseline, label, style);
        return x + width;
    }
    let natural = text_width(
        label,
        Style {
            spacing: 0.0,
            ..style
        },
    );
    let spacing = ((width - natural) / (n - 1) as f32).max(0.0);
    text(img, x, baseline, label, style.spaced(spacing));
    x + width
}

/// Breaks `text` into lines no wider than `width` pixels (character by character: CJK has
/// no word spaces), at most `max_lines` (the last one takes the rest).
pub(crate) fn wrap(text: &str, width: f32, style: Style, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        line.push(c);
        if lines.len() + 1 < max_lines && text_width(&line, style) > width {
            line.pop();
            lines.push(std::mem::take(&mut line));
            line.push(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Mixes `colour` into the pixel at (x, y) with weight `alpha` (0–1); outside is ignored.
pub(crate) fn blend(img: &mut RgbImage, x: i64, y: i64, colour: [u8; 3], alpha: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let a = alpha.clamp(0.0, 1.0);
    let Rgb(p) = img.get_pixel_mut(x as u32, y as u32);
    for (dst, src) in p.iter_mut().zip(colour) {
        *dst = (f32::from(*dst) * (1.0 - a) + f32::from(src) * a).round() as u8;
    }
}

/// Fills the pixels of the box `[x0, x1) × [y0, y1)` that `inside` covers, with 4×4
/// supersampling for smooth edges; `alpha` is the opacity of a fully covered pixel.
pub(crate) fn fill(
    img: &mut RgbImage,
    (x0, y0, x1, y1): (i64, i64, i64, i64),
    colour: [u8; 3],
    alpha: f32,
    inside: impl Fn(f32, f32) -> bool,
) {
    const N: i32 = 4;
    for y in y0.max(0)..y1.min(i64::from(img.height())) {
        for x in x0.max(0)..x1.min(i64::from(img.width())) {
            let mut hits = 0;
            for sy in 0..N {
                for sx in 0..N {
                    let px = x as f32 + (sx as f32 + 0.5) / N as f32;
                    let py = y as f32 + (sy as f32 + 0.5) / N as f32;
                    if inside(px, py) {
                        hits += 1;
                    }
                }
            }
            if hits > 0 {
                blend(img, x, y, colour, alpha * hits as f32 / (N * N) as f32);
            }
        }
    }
}

/// Fills an axis-aligned rectangle (whole pixels, no anti-aliasing needed).
pub(crate) fn rect(img: &mut RgbImage, (x0, y0, x1, y1): (i64, i64, i64, i64), colour: [u8; 3]) {
    for y in y0.max(0)..y1.min(i64::from(img.height())) {
        for x in x0.max(0)..x1.min(i64::from(img.width())) {
            img.put_pixel(x as u32, y as u32, Rgb(colour));
        }
    }
}

/// Whether (x, y) is in the ellipse centred at (cx, cy) with half-axes (a, b).
pub(crate) fn in_ellipse(x: f32, y: f32, cx: f32, cy: f32, a: f32, b: f32) -> bool {
    let (dx, dy) = ((x - cx) / a, (y - cy) / b);
    dx * dx + dy * dy <= 1.0
}

/// The pixel box around a centre and its half-sizes, with a pixel to spare each side.
fn around((cx, cy): (f32, f32), (a, b): (f32, f32)) -> (i64, i64, i64, i64) {
    (
        (cx - a) as i64 - 1,
        (cy - b) as i64 - 1,
        (cx + a) as i64 + 2,
        (cy + b) as i64 + 2,
    )
}

/// Fills an anti-aliased ellipse.
pub(crate) fn ellipse(
    img: &mut RgbImage,
    (cx, cy): (f32, f32),
    (a, b): (f32, f32),
    colour: [u8; 3],
    alpha: f32,
) {
    fill(img, around((cx, cy), (a, b)), colour, alpha, |x, y| {
        in_ellipse(x, y, cx, cy, a, b)
    });
}

/// Fills an anti-aliased ring (annulus) between radii `inner` and `outer`.
pub(crate) fn ring(
    img: &mut RgbImage,
    (cx, cy): (f32, f32),
    (inner, outer): (f32, f32),
    colour: [u8; 3],
    alpha: f32,
) {
    fill(
        img,
        around((cx, cy), (outer, outer)),
        colour,
        alpha,
        |x, y| {
            let d = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
            (inner..=outer).contains(&d)
        },
    );
}

/// Fills an anti-aliased five-pointed star, point up.
pub(crate) fn star(img: &mut RgbImage, (cx, cy): (f32, f32), r: f32, colour: [u8; 3], alpha: f32) {
    let points: Vec<(f32, f32)> = (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { r } else { r * 0.382 };
            let angle = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
            (cx + radius * angle.cos(), cy + radius * angle.sin())
        })
        .collect();
    let bbox = (
        (cx - r) as i64 - 1,
        (cy - r) as i64 - 1,
        (cx + r) as i64 + 2,
        (cy + r) as i64 + 2,
    );
    fill(img, bbox, colour, alpha, |x, y| in_polygon(&points, x, y));
}

/// Even-odd point-in-polygon test.
fn in_polygon(points: &[(f32, f32)], x: f32, y: f32) -> bool {
    let mut inside = false;
    let mut j = points.len() - 1;
    for i in 0..points.len() {
        let (xi, yi) = points[i];
        let (xj, yj) = points[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}
