//! Places a paper's blocks on A4 pages, as a list of drawing operations per page.

use beian_domain::papers::{Block, Paper};

use crate::text::{wrap, Glyph, Shaper};

pub(crate) const PAGE_W: f32 = 595.0;
pub(crate) const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const LEFT: f32 = MARGIN;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = PAGE_H - MARGIN;
/// Lowest point of the body; the footer sits below.
const BOTTOM: f32 = 72.0;

const TITLE: f32 = 18.0;
const HEADING: f32 = 13.0;
const BODY: f32 = 11.0;
const FOOTER: f32 = 8.0;
const LEADING: f32 = 1.6;

const CELL_PAD: f32 = 5.0;
const PHOTO_W: f32 = 120.0;
const PHOTO_H: f32 = 160.0;
/// Room for a handwritten signature or a seal per signature line.
const SIGN_LINE: f32 = 34.0;

/// A drawing operation, in PDF coordinates (points, origin bottom left).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// Glyphs on a baseline starting at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        glyphs: Vec<Glyph>,
    },
    /// A stroked rectangle; (x, y) is its bottom left corner.
    Rect { x: f32, y: f32, w: f32, h: f32 },
    /// The photo scaled into the rectangle.
    Image { x: f32, y: f32, w: f32, h: f32 },
}

pub(crate) struct Page {
    pub(crate) ops: Vec<Op>,
}

struct Layout<'a, 'f> {
    sh: &'a mut Shaper<'f>,
    pages: Vec<Page>,
    /// The page being drawn on.
    cur: usize,
    /// Top of the free space on the current page.
    y: f32,
    photo_ratio: Option<f32>,
}

impl Layout<'_, '_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.cur].ops
    }

    fn new_page(&mut self) {
        self.pages.push(Page { ops: Vec::new() });
        self.cur = self.pages.len() - 1;
        self.y = TOP;
    }

    /// Starts a new page unless `h` points fit below `y` (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Draws one line of text whose line box (of height `lh`) has its top at `top`.
    fn text(&mut self, x: f32, top: f32, size: f32, lh: f32, s: &str) {
        if s.is_empty() {
            return;
        }
        let glyphs = self.sh.shape(s);
        // Ideographs sit on ~0.88 em above the baseline; centre them in the line box.
        let y = top - (lh - size) / 2.0 - 0.88 * size;
        self.ops().push(Op::Text { x, y, size, glyphs });
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32) {
        self.ops().push(Op::Rect {
            x,
            y: top - h,
            w,
            h,
        });
    }

    /// Lines flowing down the page, breaking pages between lines.
    fn flow(&mut self, lines: &[String], x_first: f32, x_rest: f32, size: f32) {
        let lh = size * LEADING;
        for (i, line) in lines.iter().enumerate() {
            self.ensure(lh);
            let x = if i == 0 { x_first } else { x_rest };
            let top = self.y;
            self.text(x, top, size, lh, line);
            self.y -= lh;
        }
    }

    fn title(&mut self, title: &str) {
        let lh = TITLE * 1.5;
        for line in wrap(self.sh, title, TITLE, WIDTH, WIDTH) {
            let w = self.sh.width(&line, TITLE);
            let top = self.y;
            self.text(LEFT + (WIDTH - w) / 2.0, top, TITLE, lh, &line);
            self.y -= lh;
        }
        self.y -= 14.0;
    }

    fn heading(&mut self, text: &str) {
        let lines = wrap(self.sh, text, HEADING, WIDTH, WIDTH);
        let lh = HEADING * LEADING;
        self.y -= 6.0;
        // Keep the heading with two lines of what follows.
        self.ensure(lh * lines.len() as f32 + 2.0 * BODY * LEADING);
        self.flow(&lines, LEFT, LEFT, HEADING);
        self.y -= 4.0;
    }

    fn paragraph(&mut self, text: &str) {
        let indent = 2.0 * BODY;
        let lines = wrap(self.sh, text, BODY, WIDTH - indent, WIDTH);
        self.flow(&lines, LEFT + indent, LEFT, BODY);
        self.y -= 6.0;
    }

    fn numbered(&mut self, items: &[String]) {
        let labels: Vec<String> = (1..=items.len()).map(|i| format!("{i}.")).collect();
        let indent = labels
            .iter()
            .map(|l| self.sh.width(l, BODY))
            .fold(0.0f32, f32::max)
            + BODY * 0.6;
        let lh = BODY * LEADING;
        for (label, item) in labels.iter().zip(items) {
            let lines = wrap(self.sh, item, BODY, WIDTH - indent, WIDTH - indent);
            self.ensure(lh);
            let top = self.y;
            self.text(LEFT, top, BODY, lh, label);
            self.flow(&lines, LEFT + indent, LEFT + indent, BODY);
            self.y -= 3.0;
        }
        self.y -= 3.0;
    }

    /// A two-column ruled table; a row moves to the next page whole unless it is taller than
    /// a page, in which case it continues over pages.
    fn fields(&mut self, rows: &[(String, String)]) {
        let label_w = self.label_width(rows);
        let value_w = WIDTH - label_w;
        let inner = |w: f32| w - 2.0 * CELL_PAD;
        let lh = BODY * LEADING;
        for (label, value) in rows {
            let labels = wrap(self.sh, label, BODY, inner(label_w), inner(label_w));
            let values = wrap(self.sh, value, BODY, inner(value_w), inner(value_w));
            let n = labels.len().max(values.len());
            let whole = n as f32 * lh + 2.0 * CELL_PAD;
            if whole > self.room() && whole <= TOP - BOTTOM {
                self.new_page();
            }
            let mut done = 0;
            while done < n {
                let fit = ((self.room() - 2.0 * CELL_PAD) / lh).floor().max(0.0) as usize;
                if fit == 0 {
                    self.new_page();
                    continue;
                }
                let take = fit.min(n - done);
                let h = take as f32 * lh + 2.0 * CELL_PAD;
                let top = self.y;
                self.rect(LEFT, top, label_w, h);
                self.rect(LEFT + label_w, top, value_w, h);
                for i in done..done + take {
                    let line_top = top - CELL_PAD - (i - done) as f32 * lh;
                    if let Some(l) = labels.get(i) {
                        self.text(LEFT + CELL_PAD, line_top, BODY, lh, l);
                    }
                    if let Some(v) = values.get(i) {
                        self.text(LEFT + label_w + CELL_PAD, line_top, BODY, lh, v);
                    }
                }
                self.y -= h;
                done += take;
                if done < n {
                    self.new_page();
                }
            }
        }
        self.y -= 10.0;
    }

    /// The label column: 30% of the width, wider when the labels are long and the values
    /// short (a questionnaire), so that neither column wraps needlessly.
    fn label_width(&mut self, rows: &[(String, String)]) -> f32 {
        let base = (WIDTH * 0.3).round();
        let natural = |sh: &mut Shaper, s: &str| sh.width(s, BODY) + 2.0 * CELL_PAD + 1.0;
        let labels = rows
            .iter()
            .map(|(l, _)| natural(self.sh, l))
            .fold(0.0f32, f32::max);
        if labels <= base {
            return base;
        }
        let values = rows
            .iter()
            .map(|(_, v)| natural(self.sh, v))
            .fold(0.0f32, f32::max);
        labels
            .min(WIDTH - values.max(WIDTH * 0.25))
            .max(base)
            .ceil()
    }

    fn face_photo(&mut self, caption: &str) {
        let lh = BODY * LEADING;
        let caption_lines = wrap(self.sh, caption, BODY, WIDTH, WIDTH);
        self.ensure(PHOTO_H + 4.0 + lh * caption_lines.len() as f32);
        let top = self.y;
        self.rect(LEFT, top, PHOTO_W, PHOTO_H);
        match self.photo_ratio {
            Some(ratio) => {
                // ratio = width / height; fit inside the box, centred.
                let (w, h) = if ratio > PHOTO_W / PHOTO_H {
                    (PHOTO_W, PHOTO_W / ratio)
                } else {
                    (PHOTO_H * ratio, PHOTO_H)
                };
                self.ops().push(Op::Image {
                    x: LEFT + (PHOTO_W - w) / 2.0,
                    y: top - PHOTO_H + (PHOTO_H - h) / 2.0,
                    w,
                    h,
                });
            }
            None => {
                let note = "照片不可用";
                let w = self.sh.width(note, BODY);
                self.text(
                    LEFT + (PHOTO_W - w) / 2.0,
                    top - (PHOTO_H - lh) / 2.0,
                    BODY,
                    lh,
                    note,
                );
            }
        }
        self.y -= PHOTO_H + 4.0;
        self.flow(&caption_lines, LEFT, LEFT, BODY);
        self.y -= 8.0;
    }

    /// Signature lines in a block on the right, with room to sign under each.
    fn signature(&mut self, lines: &[String]) {
        let wrapped: Vec<Vec<String>> = lines
            .iter()
            .map(|l| wrap(self.sh, l, BODY, WIDTH, WIDTH))
            .collect();
        let widest = wrapped
            .iter()
            .flatten()
            .map(|l| self.sh.width(l, BODY))
            .fold(WIDTH * 0.42, f32::max);
        let x = LEFT + WIDTH - widest.min(WIDTH);
        let lh = BODY * LEADING;
        let height: f32 = wrapped
            .iter()
            .map(|w| (w.len() as f32 - 1.0) * lh + SIGN_LINE)
            .sum();
        self.y -= 18.0;
        self.ensure(height.min(TOP - BOTTOM));
        for w in &wrapped {
            self.ensure(SIGN_LINE);
            self.flow(w, x, x, BODY);
            self.y -= SIGN_LINE - lh;
        }
    }

    /// Footer lines and the page number at the bottom of every page.
    fn footers(&mut self, footer: &str) {
        let total = self.pages.len();
        let lh = FOOTER * 1.5;
        let lines: Vec<String> = if footer.trim().is_empty() {
            Vec::new()
        } else {
            wrap(self.sh, footer.trim(), FOOTER, WIDTH, WIDTH)
        };
        for n in 0..total {
            let mut all = lines.clone();
            all.push(format!("第 {} 页 / 共 {total} 页", n + 1));
            let mut top = (20.0 + lh * all.len() as f32).min(BOTTOM - 8.0);
            self.cur = n;
            for line in &all {
                let w = self.sh.width(line, FOOTER);
                self.text(LEFT + (WIDTH - w) / 2.0, top, FOOTER, lh, line);
                top -= lh;
            }
        }
    }
}

/// Lays the paper out on pages; `photo_ratio` is the photo's width / height when there is one.
pub(crate) fn layout(
    paper: &Paper,
    sh: &mut Shaper,
    photo_ratio: Option<f32>,
    footer: &str,
) -> Vec<Page> {
    let mut l = Layout {
        sh,
        pages: vec![Page { ops: Vec::new() }],
        cur: 0,
        y: TOP,
        photo_ratio,
    };
    l.title(&paper.title);
    for block in &paper.blocks {
        match block {
            Block::Heading { text } => l.heading(text),
            Block::Paragraph { text } => l.paragraph(text),
            Block::Fields { rows } => l.fields(rows),
            Block::Numbered { items } => l.numbered(items),
            Block::FacePhoto { caption, .. } => l.face_photo(caption),
            Block::Signature { lines } => l.signature(lines),
        }
    }
    l.footers(footer);
    l.pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian_domain::papers::PaperKind;

    fn pages_of(blocks: Vec<Block>) -> Vec<Page> {
        let font = crate::Font::discover().expect("a CJK font (install fonts-wqy-microhei)");
        let mut sh = Shaper::new(font.face());
        let paper = Paper {
            kind: PaperKind::AuthenticityForm,
            title: "测试".into(),
            template: "test".into(),
            blocks,
        };
        layout(&paper, &mut sh, None, "页脚")
    }

    fn rects(page: &Page) -> Vec<(f32, f32, f32, f32)> {
        page.ops
            .iter()
            .filter_map(|op| match *op {
                Op::Rect { x, y, w, h } => Some((x, y, w, h)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn table_rows_are_not_split_across_pages() {
        // Rows of one to four lines, enough for several pages.
        let rows: Vec<(String, String)> = (0..120)
            .map(|i| (format!("字段{i}"), "值".repeat(1 + (i % 4) * 40)))
            .collect();
        let pages = pages_of(vec![Block::Fields { rows: rows.clone() }]);
        assert!(pages.len() > 2);
        let all: Vec<_> = pages.iter().flat_map(rects).collect();
        // Two cells per row: a split row would have more.
        assert_eq!(all.len(), 2 * rows.len());
        for page in &pages {
            for (_, y, _, h) in rects(page) {
                assert!(
                    y >= BOTTOM - 0.01 && y + h <= TOP + 0.01,
                    "cell outside the body"
                );
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_continues() {
        let rows = vec![("长".to_string(), "字".repeat(3000))];
        let pages = pages_of(vec![Block::Fields { rows }]);
        assert!(pages.len() >= 3);
        for page in &pages {
            assert_eq!(rects(page).len(), 2);
        }
    }

    #[test]
    fn every_page_has_its_footer() {
        let blocks = (0..150)
            .map(|i| Block::Paragraph {
                text: format!("第{i}段。"),
            })
            .collect();
        let pages = pages_of(blocks);
        assert!(pages.len() > 1);
        for page in &pages {
            // The lowest texts are the footer and the page number.
            let low = page
                .ops
                .iter()
                .filter(|op| matches!(op, Op::Text { y, .. } if *y < BOTTOM))
                .count();
            assert_eq!(low, 2);
        }
    }
}
