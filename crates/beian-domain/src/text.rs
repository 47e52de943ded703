//! Character-level helpers shared by the parsers and the displays: full-width folding and
//! masking. Pure functions of a string; this module imports nothing from the crate.

/// 周一 … 周日, as notices and the calendar pages name the days.
pub fn zh_weekday(weekday: chrono::Weekday) -> &'static str {
    use chrono::Weekday;
    match weekday {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

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

/// Masks a person's name for public display: the family name stays, every other
/// character is a star, and there are at least two stars so the length of a given
/// name is not told (`李四` → `李**`, `欧阳娜娜` → `欧***`).
pub fn mask_person_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(2))),
    }
}

/// A subject's name as the public sees it: an individual's is a person's name and
/// shows masked (api.md: the public query never shows a person's name).
pub fn public_subject_name(individual: bool, name: &str) -> String {
    if individual {
        mask_person_name(name)
    } else {
        name.to_string()
    }
}

/// Whether the public query `q` may return a filed service: found by its number, or by
/// a name; an individual's subject name is never matched, only the mini program's.
pub fn publicly_found(individual: bool, by_number: bool, q: &str, mini_program_name: &str) -> bool {
    !individual || by_number || mini_program_name.to_lowercase().contains(&q.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_individuals_name_is_neither_shown_nor_matched_in_public() {
        assert_eq!(public_subject_name(true, "欧阳娜娜"), "欧***");
        assert_eq!(
            public_subject_name(false, "深圳市星河科技有限公司"),
            "深圳市星河科技有限公司"
        );
        assert!(
            !publicly_found(true, false, "欧阳", "娜娜修图"),
            "not by the person's name"
        );
        assert!(
            publicly_found(true, false, "修图", "娜娜修图"),
            "by the mini program's"
        );
        assert!(
            publicly_found(true, true, "粤ICP备2025000001号", "娜娜修图"),
            "by number"
        );
        assert!(
            publicly_found(false, false, "星河", "记账"),
            "an organisation by its name"
        );
    }

    #[test]
    fn a_persons_name_keeps_only_the_family_name() {
        assert_eq!(mask_person_name("李四"), "李**");
        assert_eq!(mask_person_name("张三丰"), "张**");
        assert_eq!(mask_person_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_person_name(" "), "");
    }

    #[test]
    fn mobiles_are_masked_for_display() {
        assert_eq!(mask_mobile("13812341234"), "138****1234");
    }
}
