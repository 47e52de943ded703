//! Character-level helpers shared by the parsers and the displays: full-width folding and
//! masking. Pure functions of a string; this module imports nothing from the crate.

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space map to their ASCII forms.
pub(crate) fn to_half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Masks a mobile for display: `138****1234`.
pub fn mask_mobile(m: &str) -> String {
    let chars: Vec<char> = m.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_masked_for_display() {
        assert_eq!(mask_mobile("13812341234"), "138****1234");
    }
}
