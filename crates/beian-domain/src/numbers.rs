//! Filing numbers (domain §5): formatting of the numbers beian issues, and parsing of every
//! number form that may be imported. The province table is [`crate::provinces`], re-exported
//! here for callers of this module.

use std::fmt;

pub use crate::provinces::{province_abbr, province_code_of_abbr, province_name, PROVINCES};
use crate::text::to_half_width;

/// First year in which beian issues numbers; older 10-digit numbers were issued elsewhere.
const FIRST_ISSUE_YEAR: i32 = 2023;
/// The per-(province, year) sequence has six digits and must never wrap (§5.2).
const MAX_SEQUENCE: u32 = 999_999;
/// The service index has at most five digits in the §5.4 pattern.
const MAX_SERVICE_INDEX: u32 = 99_999;

/// Why a filing number could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The abbreviation is not one of the 31 filing provinces.
    #[error("{0:?} is not a filing-province abbreviation")]
    UnknownProvince(String),
    /// beian issues numbers only for four-digit years from 2023 on.
    #[error("year {0} cannot appear in a number issued by beian")]
    InvalidYear(i32),
    /// The (province, year) counter is outside 1..=999999; it must never wrap.
    #[error("sequence {0} is outside 1..=999999 for this province and year")]
    SequenceExhausted(u32),
    /// The text does not match the §5.4 pattern.
    #[error("{0:?} is not a valid filing number")]
    Format(String),
}

/// The year a number approved at `at` carries, and whose (province, year) counter it
/// draws from (§5.2): the calendar year in China, so an approval in the last hours of
/// 31 December UTC+8 is already next year's.
pub fn issue_year(at: crate::filing::Time) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&crate::calendar::china_offset()).year()
}

/// Subject number as beian issues it: `{abbr}ICP备{YYYY}{NNNNNN}号`.
pub fn subject_number(abbr: &str, year: i32, seq: u32) -> Result<String, NumberError> {
    if province_code_of_abbr(abbr).is_none() {
        return Err(NumberError::UnknownProvince(abbr.to_string()));
    }
    if !(FIRST_ISSUE_YEAR..=9999).contains(&year) {
        return Err(NumberError::InvalidYear(year));
    }
    if !(1..=MAX_SEQUENCE).contains(&seq) {
        return Err(NumberError::SequenceExhausted(seq));
    }
    Ok(format!("{abbr}ICP备{year}{seq:06}号"))
}

/// Mini program service number: `{subject number}-{index}X`.
///
/// `index` must be in 1..=99999 (the caller allocates it per §5.2); anything else would
/// produce a number that [`FilingNumber::parse`] rejects.
pub fn service_number(subject_number: &str, index: u32) -> String {
    debug_assert!((1..=MAX_SERVICE_INDEX).contains(&index));
    format!("{subject_number}-{index}X")
}

/// Shape of the subject part of a filing number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberForm {
    /// Legacy `ICP备` + 8 digits (2-digit year).
    Icp8,
    /// `ICP备` + 10 digits (4-digit year), the form beian issues.
    Icp10,
    /// Licence form `B2-` + 8 digits.
    B2,
    /// Licence form `ICP证` + 6 digits + `号`.
    IcpLicence,
}

/// Kind of service a service number belongs to, from its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// No suffix.
    Website,
    /// Suffix `A`.
    App,
    /// Suffix `X`, the only kind beian issues.
    MiniProgram,
    /// Suffix `K`.
    QuickApp,
}

/// A filing number in any §5.4 form, normalised to its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilingNumber {
    text: String,
    subject_len: usize,
    abbr: &'static str,
    form: NumberForm,
    digits: String,
    service_index: Option<u32>,
    suffix: Option<char>,
}

impl FilingNumber {
    /// Normalises (trim, full-width → half-width, upper-case suffix) and parses per §5.4.
    pub fn parse(input: &str) -> Result<FilingNumber, NumberError> {
        let fail = || NumberError::Format(input.to_string());
        let half_width: String = input.chars().map(to_half_width).collect();
        let mut text = half_width.trim().to_string();
        if text.ends_with(['a', 'x', 'k']) {
            text = uppercase_last(&text);
        }

        let mut chars = text.chars();
        let first = chars.next().ok_or_else(fail)?;
        let abbr = PROVINCES
            .iter()
            .map(|(_, _, a)| *a)
            .find(|a| a.chars().eq(std::iter::once(first)))
            .ok_or_else(fail)?;
        let rest = chars.as_str();

        let (form, digits, after) = parse_subject_body(rest).ok_or_else(fail)?;
        let subject_len = text.len() - after.len();
        let (service_index, suffix) = if after.is_empty() {
            (None, None)
        } else {
            let (index, suffix) = parse_service_part(after).ok_or_else(fail)?;
            (Some(index), suffix)
        };
        let digits = digits.to_string();
        Ok(FilingNumber {
            text,
            subject_len,
            abbr,
            form,
            digits,
            service_index,
            suffix,
        })
    }

    /// The canonical number.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Filing-province abbreviation (`粤`).
    pub fn abbr(&self) -> &'static str {
        self.abbr
    }

    /// Two-digit code of the filing province.
    pub fn province_code(&self) -> Option<&'static str> {
        province_code_of_abbr(self.abbr)
    }

    /// Which §5.4 form the subject part has.
    pub fn form(&self) -> NumberForm {
        self.form
    }

    /// The digits of the subject part (8, 10, 8 or 6 of them by form).
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The subject number this number belongs to (itself when it has no service part).
    pub fn subject_number(&self) -> &str {
        self.text.get(..self.subject_len).unwrap_or(&self.text)
    }

    /// Per-subject service index `n`, when this is a service number.
    pub fn service_index(&self) -> Option<u32> {
        self.service_index
    }

    /// The service kind suffix (`A`, `X` or `K`), when present.
    pub fn kind_suffix(&self) -> Option<char> {
        self.suffix
    }

    /// Service kind, when this is a service number; no suffix means a website.
    pub fn service_kind(&self) -> Option<ServiceKind> {
        self.service_index?;
        Some(match self.suffix {
            None => ServiceKind::Website,
            Some('A') => ServiceKind::App,
            Some('K') => ServiceKind::QuickApp,
            Some(_) => ServiceKind::MiniProgram,
        })
    }

    /// Whether the number could have been issued by beian (§5.4 extra rules).
    ///
    /// 10-digit form, year between 2023 and `current_year`, sequence not 000000 (counters
    /// start at 1) and, for a service number, suffix `X`.
    pub fn is_beian_issued(&self, current_year: i32) -> bool {
        if self.form != NumberForm::Icp10 {
            return false;
        }
        let year = self.digits.get(..4).and_then(|y| y.parse::<i32>().ok());
        let year_ok = year.is_some_and(|y| (FIRST_ISSUE_YEAR..=current_year).contains(&y));
        let seq_ok = self.digits.get(4..).is_some_and(|s| s != "000000");
        let suffix_ok = self.service_index.is_none() || self.suffix == Some('X');
        year_ok && seq_ok && suffix_ok
    }
}

impl fmt::Display for FilingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn uppercase_last(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = last.to_ascii_uppercase();
    }
    chars.into_iter().collect()
}

/// Splits `s` into a leading run of ASCII digits and the rest (`[0-9]`, never Unicode digits).
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Matches `ICP备([0-9]{8}|[0-9]{10})号 | B2-[0-9]{8} | ICP证[0-9]{6}号` at the start of `s`.
fn parse_subject_body(s: &str) -> Option<(NumberForm, &str, &str)> {
    if let Some(rest) = s.strip_prefix("ICP备") {
        let (digits, rest) = split_digits(rest);
        let form = match digits.len() {
            8 => NumberForm::Icp8,
            10 => NumberForm::Icp10,
            _ => return None,
        };
        return Some((form, digits, rest.strip_prefix('号')?));
    }
    if let Some(rest) = s.strip_prefix("B2-") {
        let (digits, rest) = split_digits(rest);
        return (digits.len() == 8).then_some((NumberForm::B2, digits, rest));
    }
    let rest = s.strip_prefix("ICP证")?;
    let (digits, rest) = split_digits(rest);
    if digits.len() != 6 {
        return None;
    }
    Some((NumberForm::IcpLicence, digits, rest.strip_prefix('号')?))
}

/// Matches the whole of `-[1-9][0-9]{0,4}[AXK]?`.
fn parse_service_part(s: &str) -> Option<(u32, Option<char>)> {
    let rest = s.strip_prefix('-')?;
    let (digits, rest) = split_digits(rest);
    if digits.is_empty() || digits.len() > 5 || digits.starts_with('0') {
        return None;
    }
    let index = digits.parse::<u32>().ok()?;
    let suffix = match rest {
        "" => None,
        "A" => Some('A'),
        "X" => Some('X'),
        "K" => Some('K'),
        _ => return None,
    };
    Some((index, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_year_is_the_year_in_china() {
        let at = |s: &str| s.parse::<crate::filing::Time>().unwrap();
        assert_eq!(issue_year(at("2026-12-31T15:59:59Z")), 2026);
        assert_eq!(issue_year(at("2026-12-31T16:00:00Z")), 2027);
        assert_eq!(issue_year(at("2031-06-01T00:00:00Z")), 2031);
    }

    #[test]
    fn formats_subject_and_service_numbers() {
        let subject = subject_number("粤", 2025, 1).unwrap();
        assert_eq!(subject, "粤ICP备2025000001号");
        assert_eq!(service_number(&subject, 1), "粤ICP备2025000001号-1X");
        assert_eq!(
            subject_number("陇", 2026, 999_999).unwrap(),
            "陇ICP备2026999999号"
        );
        let parsed = FilingNumber::parse(&service_number(&subject, 12)).unwrap();
        assert!(parsed.is_beian_issued(2025));
        assert_eq!(parsed.service_index(), Some(12));
    }

    #[test]
    fn subject_number_refuses_bad_inputs() {
        assert_eq!(
            subject_number("粤", 2025, 1_000_000),
            Err(NumberError::SequenceExhausted(1_000_000))
        );
        assert_eq!(
            subject_number("粤", 2025, 0),
            Err(NumberError::SequenceExhausted(0))
        );
        assert_eq!(
            subject_number("川", 2025, 1),
            Err(NumberError::UnknownProvince("川".into()))
        );
        assert_eq!(
            subject_number("粤", 2022, 1),
            Err(NumberError::InvalidYear(2022))
        );
        assert_eq!(
            subject_number("粤", 10000, 1),
            Err(NumberError::InvalidYear(10000))
        );
    }

    #[test]
    fn valid_vectors_of_section_8_3() {
        let n = FilingNumber::parse("粤ICP备2025000001号-1X").unwrap();
        assert_eq!(
            (n.abbr(), n.form(), n.digits()),
            ("粤", NumberForm::Icp10, "2025000001")
        );
        assert_eq!((n.service_index(), n.kind_suffix()), (Some(1), Some('X')));
        assert_eq!(n.service_kind(), Some(ServiceKind::MiniProgram));
        assert_eq!(n.subject_number(), "粤ICP备2025000001号");
        assert_eq!(n.province_code(), Some("44"));

        let n = FilingNumber::parse("陇ICP备19001358号").unwrap();
        assert_eq!(
            (n.abbr(), n.form(), n.digits()),
            ("陇", NumberForm::Icp8, "19001358")
        );
        assert_eq!((n.service_index(), n.service_kind()), (None, None));

        let n = FilingNumber::parse("陇ICP备2021003158号-1").unwrap();
        assert_eq!(n.form(), NumberForm::Icp10);
        assert_eq!((n.service_index(), n.kind_suffix()), (Some(1), None));
        assert_eq!(n.service_kind(), Some(ServiceKind::Website));

        let n = FilingNumber::parse("粤B2-20090059-1626X").unwrap();
        assert_eq!((n.form(), n.digits()), (NumberForm::B2, "20090059"));
        assert_eq!(
            (n.service_index(), n.kind_suffix()),
            (Some(1626), Some('X'))
        );
        assert_eq!(n.subject_number(), "粤B2-20090059");

        let n = FilingNumber::parse("京ICP证030173号").unwrap();
        assert_eq!((n.form(), n.digits()), (NumberForm::IcpLicence, "030173"));
        assert_eq!(n.service_index(), None);
    }

    #[test]
    fn invalid_vectors_of_section_8_3() {
        for bad in [
            "川ICP备2025000001号",
            "粤ICP备2025000001号-0X",
            "粤ICP备202500001号",
        ] {
            assert_eq!(
                FilingNumber::parse(bad),
                Err(NumberError::Format(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn more_invalid_shapes() {
        for bad in [
            "",
            "粤",
            "粤ICP备2025000001",
            "粤ICP备20250000011号",
            "粤ICP备2025000001号-",
            "粤ICP备2025000001号-123456X",
            "粤ICP备2025000001号-1Y",
            "粤ICP备2025000001号-1XX",
            "粤ICP备2025000001号1X",
            "粤ICP备2025000001号 -1X",
            "粤icp备2025000001号",
            "粤ICP备２０２５000001号x",
            "粤ICP备٢٠٢٥000001号",
            "粤B2-2009005",
            "粤B2-20090059号",
            "京ICP证03017号",
            "京ICP证0301733号",
            "港ICP备2025000001号",
            "甘ICP备2025000001号",
            "ICP备2025000001号",
        ] {
            assert!(FilingNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn normalises_before_matching() {
        let n = FilingNumber::parse("  粤ICP备２０２５０００００１号－１ｘ \u{3000}").unwrap();
        assert_eq!(n.as_str(), "粤ICP备2025000001号-1X");
        assert_eq!(n.to_string(), "粤ICP备2025000001号-1X");
        let n = FilingNumber::parse("粤ＩＣＰ备2025000001号-99999k").unwrap();
        assert_eq!(n.as_str(), "粤ICP备2025000001号-99999K");
        assert_eq!(n.service_kind(), Some(ServiceKind::QuickApp));
        let n = FilingNumber::parse("粤B2-20090059-3a").unwrap();
        assert_eq!(n.service_kind(), Some(ServiceKind::App));
    }

    #[test]
    fn beian_issued_rules() {
        let issued = |s: &str, year| FilingNumber::parse(s).unwrap().is_beian_issued(year);
        assert!(issued("粤ICP备2025000001号", 2025));
        assert!(issued("粤ICP备2025000001号-1X", 2025));
        assert!(issued("粤ICP备2023000001号-3X", 2026));
        assert!(!issued("粤ICP备2026000001号-1X", 2025), "future year");
        assert!(!issued("粤ICP备2022000001号-1X", 2025), "before beian");
        assert!(!issued("粤ICP备2025000000号-1X", 2025), "sequence 0");
        assert!(!issued("粤ICP备2025000001号-1", 2025), "website suffix");
        assert!(!issued("粤ICP备2025000001号-1A", 2025), "app suffix");
        assert!(!issued("陇ICP备19001358号", 2025), "8-digit");
        assert!(!issued("粤B2-20250059-1X", 2025), "licence form");
        assert!(!issued("京ICP证030173号", 2025), "licence form");
    }
}
