//! Character helpers of the notice reader, over normalised lines held as `&[char]`.

/// Spaces, a byte-order mark and zero-width characters carry nothing in a Chinese notice, but
/// appear in pasted text.
pub(super) fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
        )
}

/// Reprints swap full-width and half-width punctuation and digits; everything is read in one
/// form: ASCII digits and brackets, Chinese 、 and 。, no spaces.
pub(super) fn normalise(raw: &str) -> Vec<char> {
    raw.chars()
        .filter(|c| !is_blank(*c))
        .filter_map(|c| match c {
            '\u{FF64}' => Some('、'),
            '\u{FF61}' => Some('。'),
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
            c => Some(c),
        })
        .collect()
}

pub(super) fn find(hay: &[char], needle: &str) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len())
        .position(|w| w == needle.as_slice())
}

pub(super) fn contains(hay: &[char], needle: &str) -> bool {
    find(hay, needle).is_some()
}

pub(super) fn starts_with(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    hay.starts_with(&needle)
}

pub(super) fn ends_with(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    hay.ends_with(&needle)
}

/// Splits at separators outside brackets, so that a reprint's "（农历除夕,周二）" stays whole.
pub(super) fn split_top_level(text: &[char], is_separator: impl Fn(char) -> bool) -> Vec<&[char]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && is_separator(*c) => {
                parts.push(text.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

pub(super) fn chinese_digit(c: char) -> Option<u32> {
    let n = match c {
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    Some(n)
}

/// Characters of a date written in Chinese numerals ("二月十五日"), which are refused rather than
/// skipped: skipping them would lose the day.
pub(super) fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || matches!(c, '十' | '〇' | '零' | '两')
}
