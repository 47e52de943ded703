//! Characters to glyphs, widths, and line breaking.

use std::collections::{BTreeMap, HashMap};

use ttf_parser::{Face, GlyphId};

/// A glyph as laid out: one of the font, or a character the font lacks (drawn as
/// `.notdef`, numbered in order of first use so that it keeps its own ToUnicode entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Glyph {
    Found(u16),
    Missing(u16),
}

/// Looks characters up in the font and records which glyphs were drawn.
pub(crate) struct Shaper<'f> {
    face: Face<'f>,
    /// Font units → thousandths of an em.
    scale: f32,
    cache: HashMap<char, (Glyph, f32)>,
    /// Drawn glyphs of the font and the character each stands for (first use wins).
    pub(crate) used: BTreeMap<u16, char>,
    /// Drawn characters the font lacks, in order of first use.
    pub(crate) missing: Vec<char>,
}

impl<'f> Shaper<'f> {
    pub(crate) fn new(face: Face<'f>) -> Shaper<'f> {
        let scale = 1000.0 / f32::from(face.units_per_em());
        Shaper {
            face,
            scale,
            cache: HashMap::new(),
            used: BTreeMap::new(),
            missing: Vec::new(),
        }
    }

    pub(crate) fn face(&self) -> &Face<'f> {
        &self.face
    }

    /// Width of a glyph of the font in thousandths of an em.
    pub(crate) fn gid_width(&self, gid: u16) -> f32 {
        let adv = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        (f32::from(adv) * self.scale).round()
    }

    pub(crate) fn scale(&self) -> f32 {
        self.scale
    }

    /// The glyph and width (thousandths of an em) of a character, without recording use.
    fn lookup(&mut self, c: char) -> (Glyph, f32) {
        if let Some(hit) = self.cache.get(&c) {
            return *hit;
        }
        let found = match self.face.glyph_index(c) {
            Some(g) if g.0 != 0 => Glyph::Found(g.0),
            _ => Glyph::Missing(u16::MAX),
        };
        let w = match found {
            Glyph::Found(g) => self.gid_width(g),
            Glyph::Missing(_) => self.gid_width(0),
        };
        self.cache.insert(c, (found, w));
        (found, w)
    }

    /// Advance of a character at `size` points.
    pub(crate) fn advance(&mut self, c: char, size: f32) -> f32 {
        self.lookup(clean(c)).1 * size / 1000.0
    }

    pub(crate) fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(c, size)).sum()
    }

    /// The glyphs to draw for a line, recording their use.
    pub(crate) fn shape(&mut self, s: &str) -> Vec<Glyph> {
        s.chars()
            .map(|c| {
                let c = clean(c);
                match self.lookup(c).0 {
                    Glyph::Found(g) => {
                        self.used.entry(g).or_insert(c);
                        Glyph::Found(g)
                    }
                    Glyph::Missing(_) => {
                        let k = match self.missing.iter().position(|&m| m == c) {
                            Some(k) => k,
                            None => {
                                self.missing.push(c);
                                self.missing.len() - 1
                            }
                        };
                        Glyph::Missing(u16::try_from(k).unwrap_or(u16::MAX))
                    }
                }
            })
            .collect()
    }
}

/// Control characters are drawn as spaces.
fn clean(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

/// Punctuation that may not start a line: it sticks to what precedes it.
const CLOSING: &str = "，。、；：？！）》」』】〕〉”’…—～,.;:?!)]}%";
/// Punctuation that may not end a line: it sticks to what follows it.
const OPENING: &str = "（《「『【〔〈“‘([{";

/// Letters, digits and ASCII punctuation that form unbreakable words.
fn is_word(c: char) -> bool {
    c.is_ascii_graphic() || (('\u{80}'..'\u{2000}').contains(&c) && c.is_alphanumeric())
}

struct Unit {
    text: String,
    width: f32,
    space: bool,
}

fn units(sh: &mut Shaper, text: &str, size: f32) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut in_word = false;
    let mut glue_next = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            out.push(Unit {
                text: " ".into(),
                width: sh.advance(' ', size),
                space: true,
            });
            in_word = false;
            glue_next = false;
            continue;
        }
        let w = sh.advance(c, size);
        let last_is_text = out.last().is_some_and(|u| !u.space);
        let append = if is_word(c) {
            let a = (in_word || glue_next) && last_is_text;
            in_word = true;
            glue_next = false;
            a
        } else if CLOSING.contains(c) {
            in_word = false;
            glue_next = false;
            last_is_text
        } else if OPENING.contains(c) {
            let a = glue_next && last_is_text;
            in_word = false;
            glue_next = true;
            a
        } else {
            let a = glue_next && last_is_text;
            in_word = false;
            glue_next = false;
            a
        };
        match out.last_mut() {
            Some(u) if append => {
                u.text.push(c);
                u.width += w;
            }
            _ => out.push(Unit {
                text: c.to_string(),
                width: w,
                space: false,
            }),
        }
    }
    out
}

/// Breaks `text` into lines no wider than `first` (the first line) and `rest` (the others)
/// at `size` points. CJK breaks between any two characters except before closing and after
/// opening punctuation; Latin words break at spaces, or anywhere when wider than a line.
/// Explicit newlines end a line. Never returns an empty vector.
pub(crate) fn wrap(sh: &mut Shaper, text: &str, size: f32, first: f32, rest: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for para in text.split('\n') {
        let mut cur = String::new();
        let mut cur_w = 0.0f32;
        // Spaces between words are kept (a form's "日期：    年  月  日" needs its blanks);
        // those at a line's start or end are dropped.
        let (mut spaces, mut spaces_w) = (0usize, 0.0f32);
        let limit = |n: usize| if n == 0 { first } else { rest } + 0.01;
        for u in units(sh, para, size) {
            if u.space {
                if !cur.is_empty() {
                    spaces += 1;
                    spaces_w += u.width;
                }
                continue;
            }
            if cur_w + spaces_w + u.width <= limit(lines.len()) {
                cur.push_str(&" ".repeat(spaces));
                cur.push_str(&u.text);
                cur_w += spaces_w + u.width;
                (spaces, spaces_w) = (0, 0.0);
                continue;
            }
            (spaces, spaces_w) = (0, 0.0);
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                cur_w = 0.0;
            }
            if u.width <= limit(lines.len()) {
                cur.push_str(&u.text);
                cur_w = u.width;
                continue;
            }
            // Wider than a whole line: break inside it.
            for c in u.text.chars() {
                let w = sh.advance(c, size);
                if cur_w + w > limit(lines.len()) && !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur));
                    cur_w = 0.0;
                }
                cur.push(c);
                cur_w += w;
            }
        }
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Font;

    fn with_shaper(f: impl FnOnce(&mut Shaper)) {
        let font = Font::discover().expect("a CJK font (install fonts-wqy-microhei)");
        f(&mut Shaper::new(font.face()));
    }

    #[test]
    fn cjk_fills_lines_and_breaks_anywhere() {
        with_shaper(|sh| {
            let text = "一二三四五六七八九十".repeat(3);
            // Ten ideographs of 10 pt per line.
            let lines = wrap(sh, &text, 10.0, 100.0, 100.0);
            assert_eq!(lines.len(), 3, "{lines:?}");
            assert!(
                lines.iter().all(|l| l == "一二三四五六七八九十"),
                "{lines:?}"
            );
            // A narrower first line.
            let lines = wrap(sh, &text, 10.0, 50.0, 100.0);
            assert_eq!(lines[0], "一二三四五");
            assert_eq!(lines.concat(), text);
        });
    }

    #[test]
    fn latin_words_stay_whole() {
        with_shaper(|sh| {
            let text = "中文 mixed with English words and AppID wx0123456789abcdef 结束";
            for width in [60.0, 90.0, 120.0, 200.0] {
                let lines = wrap(sh, text, 10.0, width, width);
                for word in text
                    .split(' ')
                    .filter(|w| w.is_ascii() && sh.width(w, 10.0) <= width)
                {
                    assert!(
                        lines.iter().any(|l| l.contains(word)),
                        "{word} broken at {width}: {lines:?}"
                    );
                }
                for l in &lines {
                    assert!(sh.width(l, 10.0) <= width + 0.01, "{l} wider than {width}");
                    assert_eq!(l.trim(), l, "untrimmed {l:?}");
                }
            }
        });
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken() {
        with_shaper(|sh| {
            let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
            let lines = wrap(sh, hash, 10.0, 100.0, 100.0);
            assert!(lines.len() > 2, "{lines:?}");
            assert_eq!(lines.concat(), hash);
            assert!(lines.iter().all(|l| sh.width(l, 10.0) <= 100.01));
        });
    }

    #[test]
    fn punctuation_does_not_start_or_end_a_line_alone() {
        with_shaper(|sh| {
            // Every width from 3 to 12 characters of 10 pt.
            let text = "本主体确认以上作答真实，并承诺落实上述措施；发现“涉诈线索”时立即处置。";
            for chars in 3..=12 {
                let width = chars as f32 * 10.0;
                let lines = wrap(sh, text, 10.0, width, width);
                assert_eq!(lines.concat(), text);
                for l in &lines[1..] {
                    let first = l.chars().next().unwrap();
                    assert!(!CLOSING.contains(first), "{lines:?}");
                }
                for l in &lines {
                    let last = l.chars().last().unwrap();
                    assert!(!OPENING.contains(last), "{lines:?}");
                }
            }
        });
    }

    #[test]
    fn inner_spaces_are_kept_and_newlines_break() {
        with_shaper(|sh| {
            let lines = wrap(sh, "  日期：    年  月  日  ", 11.0, 400.0, 400.0);
            assert_eq!(lines, ["日期：    年  月  日"]);
            let lines = wrap(sh, "第一行\n第二行", 11.0, 400.0, 400.0);
            assert_eq!(lines, ["第一行", "第二行"]);
            assert_eq!(wrap(sh, "", 11.0, 400.0, 400.0), [""]);
        });
    }
}
