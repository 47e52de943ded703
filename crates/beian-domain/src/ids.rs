//! Certificate numbers and contact details (domain §8.2) as parsed newtypes.
//!
//! Every parser normalises first (§8.1) and reports the stable rule code of the §8.4
//! catalogue, so the validation layer can turn a failure into a field error without
//! re-deriving why it failed. Character classes are ASCII (`[0-9]`), never Unicode digits:
//! full-width digits are converted by [`normalise`], anything else is rejected.

use std::fmt;

use chrono::NaiveDate;

use crate::numbers::province_name;

/// A certificate number or contact value failed its §8.2 rule; carries the §8.4 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum IdError {
    /// V-ID-002: resident ID is not 17 digits + digit or X.
    #[error("身份证号码应为18位，末位为数字或X")]
    IdFormat,
    /// V-ID-003: positions 1–2 are not a province code.
    #[error("身份证号码地区码无效")]
    IdRegion,
    /// V-ID-004: birth date not real, before 1900 or in the future.
    #[error("身份证号码中的出生日期无效")]
    IdBirthdate,
    /// V-ID-005: MOD 11-2 check character mismatch.
    #[error("身份证号码校验位不正确")]
    IdChecksum,
    /// V-ID-006: residence permit prefix, date or check fails.
    #[error("居住证号码格式或校验位不正确")]
    PermitFormat,
    /// V-ID-007: foreign permanent resident ID matches neither edition.
    #[error("外国人永久居留身份证号码格式不正确")]
    FprFormat,
    /// V-ID-008: 2023-edition foreign permanent resident ID fails province, date or check.
    #[error("外国人永久居留身份证号码校验不通过")]
    FprChecksum,
    /// V-ID-009: passport number shape.
    #[error("护照号码格式不正确")]
    PassportFormat,
    /// V-ID-011: HK/Macau travel permit shape.
    #[error("港澳居民来往内地通行证号码格式不正确")]
    HkmoPermitFormat,
    /// V-ID-012: Taiwan travel permit shape.
    #[error("台湾居民来往大陆通行证号码格式不正确")]
    TwPermitFormat,
    /// V-ORG-002: credit code shape or registering authority/category.
    #[error("统一社会信用代码格式不正确")]
    UsccFormat,
    /// V-ORG-003: credit code check character mismatch.
    #[error("统一社会信用代码校验位不正确")]
    UsccChecksum,
    /// V-ORG-004: positions 9–17 of a credit code fail GB 11714.
    #[error("统一社会信用代码中的组织机构代码校验不通过")]
    UsccOrgCode,
    /// V-ORG-006: organisation code shape or check.
    #[error("组织机构代码格式或校验位不正确")]
    OrgCodeInvalid,
    /// V-PER-006: mobile number fails §8.2.8.
    #[error("手机号码格式不正确")]
    MobileFormat,
    /// V-PER-007: IoT, satellite, emergency or unassigned prefix.
    #[error("该号码无法接收短信，不能用于备案")]
    MobileNoSms,
    /// V-PER-012: email fails §8.2.9.
    #[error("电子邮箱格式不正确")]
    EmailFormat,
}

impl IdError {
    /// The stable machine code of the §8.4 rule catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::IdFormat => "ID_FORMAT",
            IdError::IdRegion => "ID_REGION",
            IdError::IdBirthdate => "ID_BIRTHDATE",
            IdError::IdChecksum => "ID_CHECKSUM",
            IdError::PermitFormat => "PERMIT_FORMAT",
            IdError::FprFormat => "FPR_FORMAT",
            IdError::FprChecksum => "FPR_CHECKSUM",
            IdError::PassportFormat => "PASSPORT_FORMAT",
            IdError::HkmoPermitFormat => "HKMO_PERMIT_FORMAT",
            IdError::TwPermitFormat => "TW_PERMIT_FORMAT",
            IdError::UsccFormat => "USCC_FORMAT",
            IdError::UsccChecksum => "USCC_CHECKSUM",
            IdError::UsccOrgCode => "USCC_ORG_CODE",
            IdError::OrgCodeInvalid => "ORG_CODE_INVALID",
            IdError::MobileFormat => "MOBILE_FORMAT",
            IdError::MobileNoSms => "MOBILE_NO_SMS",
            IdError::EmailFormat => "EMAIL_FORMAT",
        }
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

/// Pasted numbers often carry invisible zero-width characters that are not `char::is_whitespace`.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// §8.1 normalisation of certificate numbers: trim, drop internal whitespace,
/// full-width → half-width, upper-case Latin letters.
pub fn normalise(s: &str) -> String {
    s.chars()
        .map(to_half_width)
        .filter(|c| !is_blank(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The last six characters of a normalised number (all of it when shorter), for display masks.
pub fn last6(normalised_number: &str) -> String {
    let count = normalised_number.chars().count();
    normalised_number
        .chars()
        .skip(count.saturating_sub(6))
        .collect()
}

/// The 18-character layout shared by resident IDs and residence permits: `[0-9]{17}[0-9X]`.
fn has_id18_shape(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X')
}

/// ISO 7064 MOD 11-2 check character over 17 ASCII digits.
fn mod11_2_check(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10).filter(|_| c.is_ascii_digit())? * w;
    }
    CHECKS.get((sum % 11) as usize).copied()
}

/// Whether the 18th character is the MOD 11-2 check of the first 17.
fn id18_checksum_ok(s: &str) -> bool {
    match (s.get(..17), s.get(17..)) {
        (Some(body), Some(check)) => {
            mod11_2_check(body).is_some_and(|c| check.chars().eq(std::iter::once(c)))
        }
        _ => false,
    }
}

/// Earliest accepted birth date (§8.2.1, V-ID-004).
const EARLIEST_BIRTH: (i32, u32, u32) = (1900, 1, 1);

/// A real `YYYYMMDD` date, not before [`EARLIEST_BIRTH`] and not after `today`.
fn birth_date(yyyymmdd: Option<&str>, today: NaiveDate) -> Option<NaiveDate> {
    let s = yyyymmdd.filter(|s| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()))?;
    let year = s.get(0..4)?.parse().ok()?;
    let month = s.get(4..6)?.parse().ok()?;
    let day = s.get(6..8)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (y, m, d) = EARLIEST_BIRTH;
    let earliest = NaiveDate::from_ymd_opt(y, m, d)?;
    (earliest..=today).contains(&date).then_some(date)
}

macro_rules! text_newtype {
    ($name:ident) => {
        impl $name {
            /// The normalised number.
            pub fn as_str(&self) -> &str {
                &self.text
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }
    };
}

/// PRC resident identity card number (type 2), 18 characters, §8.2.1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    text: String,
    birth_date: NaiveDate,
}

text_newtype!(ResidentId);

impl ResidentId {
    /// Parses a resident ID; `today` is the submission date the birth date must not follow.
    pub fn parse(s: &str, today: NaiveDate) -> Result<ResidentId, IdError> {
        let text = normalise(s);
        if !has_id18_shape(&text) {
            return Err(IdError::IdFormat);
        }
        if text.get(..2).and_then(province_name).is_none() {
            return Err(IdError::IdRegion);
        }
        // Checksum before date: a mistyped digit anywhere is better reported as a typo.
        if !id18_checksum_ok(&text) {
            return Err(IdError::IdChecksum);
        }
        let birth_date = birth_date(text.get(6..14), today).ok_or(IdError::IdBirthdate)?;
        Ok(ResidentId { text, birth_date })
    }

    /// Birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Two-digit province code of the address code at issue (positions 1–2).
    pub fn province_code(&self) -> &str {
        // ASCII digits, checked in parse.
        &self.text[..2]
    }
}

/// Which residence permit a number is entered as (§7.3 types 41 and 42).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermitKind {
    /// Type 41, 港澳居民居住证: address code 810000 or 820000.
    HongKongMacau,
    /// Type 42, 台湾居民居住证: address code 830000.
    Taiwan,
}

impl PermitKind {
    /// The certificate type id of §7.3.
    pub fn certificate_type(self) -> u8 {
        match self {
            PermitKind::HongKongMacau => 41,
            PermitKind::Taiwan => 42,
        }
    }

    fn allows_prefix(self, prefix: &str) -> bool {
        match self {
            PermitKind::HongKongMacau => prefix == "810000" || prefix == "820000",
            PermitKind::Taiwan => prefix == "830000",
        }
    }
}

/// HK/Macau/Taiwan residents' residence permit number (types 41/42), §8.2.2.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidencePermit {
    text: String,
    kind: PermitKind,
    birth_date: NaiveDate,
}

text_newtype!(ResidencePermit);

impl ResidencePermit {
    /// Parses a permit of the given kind; `today` bounds the birth date.
    pub fn parse(s: &str, kind: PermitKind, today: NaiveDate) -> Result<ResidencePermit, IdError> {
        let text = normalise(s);
        let prefix_ok = text.get(..6).is_some_and(|p| kind.allows_prefix(p));
        if !has_id18_shape(&text) || !prefix_ok || !id18_checksum_ok(&text) {
            return Err(IdError::PermitFormat);
        }
        let birth_date = birth_date(text.get(6..14), today).ok_or(IdError::PermitFormat)?;
        Ok(ResidencePermit {
            text,
            kind,
            birth_date,
        })
    }

    /// The permit type the number was accepted for.
    pub fn kind(&self) -> PermitKind {
        self.kind
    }

    /// Birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
}

/// Edition of a foreign permanent resident ID card (§8.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FprEdition {
    /// 2017 and older: alpha-3 nationality + 12 digits, shape only.
    Edition2017,
    /// Issued from 2023-12-01: 18 characters with a MOD 11-2 check.
    Edition2023,
}

/// Foreign permanent resident ID card number (type 30), either edition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignPermanentResident {
    text: String,
    edition: FprEdition,
    birth_date: Option<NaiveDate>,
}

text_newtype!(ForeignPermanentResident);

impl ForeignPermanentResident {
    /// Parses either edition; `today` bounds the birth date of the 2023 edition.
    pub fn parse(s: &str, today: NaiveDate) -> Result<ForeignPermanentResident, IdError> {
        let text = normalise(s);
        let bytes = text.as_bytes();
        let old_shape = bytes.len() == 15
            && bytes[..3].iter().all(u8::is_ascii_uppercase)
            && bytes[3..].iter().all(u8::is_ascii_digit);
        if old_shape {
            return Ok(ForeignPermanentResident {
                text,
                edition: FprEdition::Edition2017,
                birth_date: None,
            });
        }
        if !(has_id18_shape(&text) && bytes[0] == b'9') {
            return Err(IdError::FprFormat);
        }
        if text.get(1..3).and_then(province_name).is_none() {
            return Err(IdError::FprChecksum);
        }
        let birth_date = birth_date(text.get(6..14), today).ok_or(IdError::FprChecksum)?;
        if !id18_checksum_ok(&text) {
            return Err(IdError::FprChecksum);
        }
        Ok(ForeignPermanentResident {
            text,
            edition: FprEdition::Edition2023,
            birth_date: Some(birth_date),
        })
    }

    /// Which edition the number has.
    pub fn edition(&self) -> FprEdition {
        self.edition
    }

    /// Nationality: ISO 3166 alpha-3 (2017 edition) or numeric code (2023 edition).
    pub fn nationality(&self) -> &str {
        // ASCII, checked in parse.
        match self.edition {
            FprEdition::Edition2017 => &self.text[..3],
            FprEdition::Edition2023 => &self.text[3..6],
        }
    }

    /// Birth date; only the 2023 edition encodes one.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.birth_date
    }
}

/// Passport number (type 7), §8.2.6.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Passport {
    text: String,
    prc_warning: bool,
}

text_newtype!(Passport);

impl Passport {
    /// Parses a passport number: 5–20 letters or digits with at least one digit.
    pub fn parse(s: &str) -> Result<Passport, IdError> {
        let text = normalise(s);
        let shape_ok = (5..=20).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && text.bytes().any(|b| b.is_ascii_digit());
        if !shape_ok {
            return Err(IdError::PassportFormat);
        }
        let prc_warning = looks_prc(&text) && !is_prc_ordinary(&text);
        Ok(Passport { text, prc_warning })
    }

    /// V-ID-010: it looks like a PRC ordinary passport but matches no PRC pattern (warning only).
    pub fn prc_warning(&self) -> bool {
        self.prc_warning
    }
}

fn looks_prc(s: &str) -> bool {
    s.len() == 9 && (s.starts_with('E') || s.starts_with('G'))
}

/// `^(E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8})$`: the letters I and O are never used.
fn is_prc_ordinary(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() != 9 {
        return false;
    }
    let digits_from = |i: usize| bytes[i..].iter().all(u8::is_ascii_digit);
    match bytes[0] {
        b'G' => digits_from(1),
        b'E' => {
            digits_from(1)
                || (bytes[1].is_ascii_uppercase()
                    && bytes[1] != b'I'
                    && bytes[1] != b'O'
                    && digits_from(2))
        }
        _ => false,
    }
}

/// Mainland travel permit for Hong Kong and Macau residents (type 14), §8.2.7.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HkMoPermit {
    text: String,
}

text_newtype!(HkMoPermit);

impl HkMoPermit {
    /// Parses `[HM]` + 8 digits, optionally followed by the 2-digit issue count.
    pub fn parse(s: &str) -> Result<HkMoPermit, IdError> {
        let text = normalise(s);
        let bytes = text.as_bytes();
        let shape_ok = (bytes.len() == 9 || bytes.len() == 11)
            && (bytes[0] == b'H' || bytes[0] == b'M')
            && bytes[1..].iter().all(u8::is_ascii_digit);
        if !shape_ok {
            return Err(IdError::HkmoPermitFormat);
        }
        Ok(HkMoPermit { text })
    }

    /// The lifelong 9-character identity; the issue count changes with every renewal.
    pub fn identity_key(&self) -> &str {
        // ASCII, checked in parse.
        &self.text[..9]
    }
}

/// Mainland travel permit for Taiwan residents (type 11), §8.2.7.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TwPermit {
    text: String,
}

text_newtype!(TwPermit);

impl TwPermit {
    /// Parses the current 8-digit number or the legacy `[0-9]{10}(\([A-Z0-9]\))?` form.
    pub fn parse(s: &str) -> Result<TwPermit, IdError> {
        let text = normalise(s);
        let bytes = text.as_bytes();
        let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        let shape_ok = match bytes.len() {
            8 | 10 => all_digits(bytes),
            13 => {
                all_digits(&bytes[..10])
                    && bytes[10] == b'('
                    && (bytes[11].is_ascii_uppercase() || bytes[11].is_ascii_digit())
                    && bytes[12] == b')'
            }
            _ => false,
        };
        if !shape_ok {
            return Err(IdError::TwPermitFormat);
        }
        Ok(TwPermit { text })
    }

    /// Whether this is the legacy 10-digit form rather than the lifelong 8-digit number.
    pub fn is_legacy(&self) -> bool {
        self.text.len() != 8
    }
}

/// The GB 32100 alphabet; a character's value is its index. I, O, Z, S and V never occur.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// `3^(i-1) mod 31` for positions 1..17.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// Valid (registering authority, category) pairs of the §8.2.4 table.
fn uscc_category_ok(authority: u8, category: u8) -> bool {
    let categories: &[u8] = match authority {
        b'1' => b"1239",
        b'2' | b'4' | b'8' | b'A' => b"19",
        b'3' => b"123459",
        b'5' | b'N' => b"1239",
        b'6' | b'7' => b"129",
        b'9' => b"123",
        b'Y' => b"1",
        _ => return false,
    };
    categories.contains(&category)
}

/// Unified social credit code (统一社会信用代码, GB 32100), §8.2.4.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode {
    text: String,
    embedded_org_code_ok: bool,
}

text_newtype!(CreditCode);

impl CreditCode {
    /// Parses and checks shape, authority/category and check character.
    ///
    /// The embedded organisation code is not a parse failure: its severity is configurable
    /// (`config.uscc.embedded_org_code_check`), so it is exposed by [`Self::embedded_org_code_ok`].
    pub fn parse(s: &str) -> Result<CreditCode, IdError> {
        let text = normalise(s);
        let chars: Vec<char> = text.chars().collect();
        let shape_ok = chars.len() == 18
            && chars.iter().all(|c| uscc_value(*c).is_some())
            && chars[2..8].iter().all(char::is_ascii_digit);
        if !shape_ok {
            return Err(IdError::UsccFormat);
        }
        // All characters are ASCII from here on.
        let bytes = text.as_bytes();
        if !uscc_category_ok(bytes[0], bytes[1]) {
            return Err(IdError::UsccFormat);
        }
        if uscc_check_char(&text[..17]) != Some(chars[17]) {
            return Err(IdError::UsccChecksum);
        }
        let embedded_org_code_ok = OrgCode::check_char(&text[8..16]) == Some(chars[16]);
        Ok(CreditCode {
            text,
            embedded_org_code_ok,
        })
    }

    /// Check character for the first 17 characters, or `None` if any is outside the alphabet.
    pub fn check_char(first17: &str) -> Option<char> {
        uscc_check_char(first17)
    }

    /// Position 1: the registering authority.
    pub fn registering_authority(&self) -> char {
        char::from(self.text.as_bytes()[0])
    }

    /// Position 2: the category within the registering authority.
    pub fn category(&self) -> char {
        char::from(self.text.as_bytes()[1])
    }

    /// Positions 3–8: the registering authority's division code (3–4 name the province).
    pub fn division_code(&self) -> &str {
        &self.text[2..8]
    }

    /// Positions 9–17: the embedded 9-character organisation code, without hyphen.
    pub fn org_code(&self) -> &str {
        &self.text[8..17]
    }

    /// Whether positions 9–17 pass the GB 11714 check (V-ORG-004, `USCC_ORG_CODE`).
    pub fn embedded_org_code_ok(&self) -> bool {
        self.embedded_org_code_ok
    }
}

fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    USCC_ALPHABET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// Organisation code (组织机构代码, GB 11714), §8.2.5; kept as `XXXXXXXX-C`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgCode {
    text: String,
}

text_newtype!(OrgCode);

impl OrgCode {
    /// Parses 8 body characters + check character, with or without the hyphen.
    pub fn parse(s: &str) -> Result<OrgCode, IdError> {
        let raw = normalise(s);
        let (body, check) = match raw.len() {
            9 => (raw.get(..8), raw.get(8..)),
            10 if raw.get(8..9) == Some("-") => (raw.get(..8), raw.get(9..)),
            _ => (None, None),
        };
        let (Some(body), Some(check)) = (body, check) else {
            return Err(IdError::OrgCodeInvalid);
        };
        let expected = OrgCode::check_char(body).ok_or(IdError::OrgCodeInvalid)?;
        if !check.chars().eq(std::iter::once(expected)) {
            return Err(IdError::OrgCodeInvalid);
        }
        Ok(OrgCode {
            text: format!("{body}-{expected}"),
        })
    }

    /// GB 11714 check character of an 8-character body `[0-9A-Z]{8}`, or `None` if malformed.
    pub fn check_char(body8: &str) -> Option<char> {
        const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        if body8.len() != 8 {
            return None;
        }
        let mut sum = 0;
        for (c, w) in body8.chars().zip(WEIGHTS) {
            if !(c.is_ascii_digit() || c.is_ascii_uppercase()) {
                return None;
            }
            sum += c.to_digit(36)? * w;
        }
        match 11 - sum % 11 {
            10 => Some('X'),
            11 => Some('0'),
            c => char::from_digit(c, 10),
        }
    }

    /// The 8 body characters.
    pub fn body(&self) -> &str {
        &self.text[..8]
    }

    /// The check character.
    pub fn check(&self) -> char {
        char::from(self.text.as_bytes()[9])
    }
}

/// Mainland mobile number able to receive SMS, stored as 11 digits (§8.2.8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile {
    text: String,
}

text_newtype!(Mobile);

/// Prefixes of the §8.2.8 pattern `1(3[0-9]|4[579]|5[0-35-9]|6[2567]|7[0-35-8]|8[0-9]|9[0-35-9])`.
fn is_assigned_prefix(p: &[u8]) -> bool {
    match (p[1], p[2]) {
        (b'3' | b'8', _) => true,
        (b'4', c) => matches!(c, b'5' | b'7' | b'9'),
        (b'5', c) => c != b'4',
        (b'6', c) => matches!(c, b'2' | b'5' | b'6' | b'7'),
        (b'7', c) => !matches!(c, b'4' | b'9'),
        (b'9', c) => c != b'4',
        _ => false,
    }
}

impl Mobile {
    /// Parses a mainland mobile; `allow_virtual` is `config.mobile.allow_virtual` (MVNO prefixes).
    ///
    /// A mistyped number is `MOBILE_FORMAT`; a well-formed number that cannot receive the
    /// MIIT verification SMS (IoT, satellite, emergency, unassigned) is `MOBILE_NO_SMS`.
    /// A virtual-operator number refused by configuration is `MOBILE_FORMAT`.
    pub fn parse(s: &str, allow_virtual: bool) -> Result<Mobile, IdError> {
        let cleaned: String = s
            .chars()
            .map(to_half_width)
            .filter(|c| !is_blank(*c) && *c != '-')
            .collect();
        let number = ["+86", "0086", "86"]
            .iter()
            .find_map(|p| cleaned.strip_prefix(p).filter(|rest| rest.len() == 11))
            .unwrap_or(&cleaned);
        let bytes = number.as_bytes();
        if !bytes.iter().all(u8::is_ascii_digit) || bytes.first() != Some(&b'1') {
            return Err(IdError::MobileFormat);
        }
        match bytes.len() {
            // 13-digit numbers are the IoT ranges (10x/14x); anything else that long is a typo.
            13 if matches!(bytes[1], b'0' | b'4') => return Err(IdError::MobileNoSms),
            11 => {}
            _ => return Err(IdError::MobileFormat),
        }
        match &bytes[..4] {
            // 1740[0-5] telecom, 1740[6-9]/1741[0-2] emergency, 1749 maritime satellite.
            b"1740" if bytes[4] <= b'5' => {
                return Ok(Mobile {
                    text: number.into(),
                })
            }
            b"1740" | b"1749" => return Err(IdError::MobileNoSms),
            b"1741" if bytes[4] <= b'2' => return Err(IdError::MobileNoSms),
            _ => {}
        }
        let prefix = &bytes[..3];
        let no_sms: [&[u8]; 16] = [
            b"140", b"141", b"142", b"143", b"144", b"146", b"148", b"154", b"160", b"161", b"163",
            b"164", b"168", b"169", b"179", b"194",
        ];
        if no_sms.contains(&prefix) {
            return Err(IdError::MobileNoSms);
        }
        if !is_assigned_prefix(prefix) {
            return Err(IdError::MobileFormat);
        }
        let virtual_operator: [&[u8]; 5] = [b"162", b"165", b"167", b"170", b"171"];
        if !allow_virtual && virtual_operator.contains(&prefix) {
            return Err(IdError::MobileFormat);
        }
        Ok(Mobile {
            text: number.into(),
        })
    }
}

/// Email address, ASCII only (§8.2.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email {
    text: String,
}

text_newtype!(Email);

impl Email {
    /// Parses an email address; whitespace and full-width forms are normalised, case is kept.
    pub fn parse(s: &str) -> Result<Email, IdError> {
        let text: String = s
            .chars()
            .map(to_half_width)
            .filter(|c| !is_blank(*c))
            .collect();
        if !text.is_ascii() || text.len() > 254 || text.contains("..") {
            return Err(IdError::EmailFormat);
        }
        let (local, domain) = text.split_once('@').ok_or(IdError::EmailFormat)?;
        let local_ok = (1..=64).contains(&local.len())
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
            && !local.starts_with('.')
            && !local.ends_with('.');
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        if !(local_ok && domain_ok) {
            return Err(IdError::EmailFormat);
        }
        Ok(Email { text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn today() -> NaiveDate {
        d("2025-06-01")
    }

    #[test]
    fn normalise_and_last6() {
        assert_eq!(normalise("  ａｂ １２\u{3000}3-x\u{200B} "), "AB123-X");
        assert_eq!(normalise("d2143569－x"), "D2143569-X");
        assert_eq!(last6("11010519491231002X"), "31002X");
        assert_eq!(last6("H1234"), "H1234");
        assert_eq!(last6(""), "");
    }

    #[test]
    fn error_codes_are_the_catalogue_codes() {
        assert_eq!(IdError::IdChecksum.code(), "ID_CHECKSUM");
        assert_eq!(IdError::HkmoPermitFormat.code(), "HKMO_PERMIT_FORMAT");
        assert_eq!(IdError::UsccOrgCode.code(), "USCC_ORG_CODE");
        assert_eq!(IdError::MobileNoSms.code(), "MOBILE_NO_SMS");
        assert_eq!(
            IdError::IdFormat.to_string(),
            "身份证号码应为18位，末位为数字或X"
        );
    }

    #[test]
    fn resident_id_valid_vectors() {
        for s in [
            "11010519491231002X",
            "110101200001010010",
            "110101200001010029",
            "440300198512311238",
            "11010119900307803X",
            "110101200002290018",
        ] {
            let id = ResidentId::parse(s, today()).unwrap();
            assert_eq!(id.as_str(), s);
        }
        let id = ResidentId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(id.birth_date(), d("1949-12-31"));
        assert_eq!(id.province_code(), "11");
        let id = ResidentId::parse(" 4403 0019 8512 3112 38 ", today()).unwrap();
        assert_eq!(id.province_code(), "44");
        assert_eq!(id.birth_date(), d("1985-12-31"));
    }

    #[test]
    fn resident_id_invalid_vectors() {
        let cases = [
            ("110105194912310021", IdError::IdChecksum),
            ("440524188001010015", IdError::IdChecksum),
            // §8.3 lists this published example as valid, but it encodes 1880-01-01 and
            // §8.2.1 / V-ID-004 reject births before 1900; the rule wins, the checksum holds.
            ("440524188001010014", IdError::IdBirthdate),
            ("11010120000230001X", IdError::IdBirthdate),
            ("110101199902290018", IdError::IdBirthdate),
            ("110101209912310015", IdError::IdBirthdate),
            ("990101199001010019", IdError::IdRegion),
            ("110105491231002", IdError::IdFormat),
            ("1101051949123100XX", IdError::IdFormat),
            ("11010519491231002Y", IdError::IdFormat),
            ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", IdError::IdFormat),
            ("", IdError::IdFormat),
        ];
        for (s, err) in cases {
            assert_eq!(ResidentId::parse(s, today()), Err(err), "{s}");
        }
    }

    #[test]
    fn published_1880_example_has_a_correct_checksum() {
        assert_eq!(mod11_2_check("44052418800101001"), Some('4'));
        assert_eq!(mod11_2_check("11010519491231002"), Some('X'));
    }

    #[test]
    fn resident_id_birth_date_bounds() {
        // Born on the reference date is fine, one day later is not.
        let s = with_id_check("11010120250601001");
        assert!(ResidentId::parse(&s, d("2025-06-01")).is_ok());
        assert_eq!(
            ResidentId::parse(&s, d("2025-05-31")),
            Err(IdError::IdBirthdate)
        );
        let s = with_id_check("11010118991231001");
        assert_eq!(ResidentId::parse(&s, today()), Err(IdError::IdBirthdate));
        let s = with_id_check("11010119000101001");
        assert!(ResidentId::parse(&s, today()).is_ok());
    }

    fn with_id_check(first17: &str) -> String {
        format!("{first17}{}", mod11_2_check(first17).unwrap())
    }

    #[test]
    fn residence_permit_vectors() {
        for (s, kind) in [
            ("810000199001010019", PermitKind::HongKongMacau),
            ("820000199001010029", PermitKind::HongKongMacau),
            ("830000199001010039", PermitKind::Taiwan),
        ] {
            let p = ResidencePermit::parse(s, kind, today()).unwrap();
            assert_eq!((p.as_str(), p.kind()), (s, kind));
            assert_eq!(p.birth_date(), d("1990-01-01"));
        }
        assert_eq!(
            ResidencePermit::parse("830000199001010039", PermitKind::HongKongMacau, today()),
            Err(IdError::PermitFormat)
        );
        assert_eq!(
            ResidencePermit::parse("810000199001010019", PermitKind::Taiwan, today()),
            Err(IdError::PermitFormat)
        );
        for bad in [
            "810000199001010018",
            "110101200001010010",
            &with_id_check("81000019990229001"),
            &with_id_check("81000020990101001"),
        ] {
            assert_eq!(
                ResidencePermit::parse(bad, PermitKind::HongKongMacau, today()),
                Err(IdError::PermitFormat),
                "{bad}"
            );
        }
        assert_eq!(PermitKind::HongKongMacau.certificate_type(), 41);
        assert_eq!(PermitKind::Taiwan.certificate_type(), 42);
    }

    #[test]
    fn foreign_permanent_resident_vectors() {
        for (s, nationality, birth) in [
            ("932682198501010017", "682", "1985-01-01"),
            ("911840199001010018", "840", "1990-01-01"),
            ("911840199001010026", "840", "1990-01-01"),
            ("93139219880512019X", "392", "1988-05-12"),
        ] {
            let f = ForeignPermanentResident::parse(s, today()).unwrap();
            assert_eq!(f.edition(), FprEdition::Edition2023);
            assert_eq!(f.nationality(), nationality);
            assert_eq!(f.birth_date(), Some(d(birth)));
        }
        let f = ForeignPermanentResident::parse("usa123456789012", today()).unwrap();
        assert_eq!(f.as_str(), "USA123456789012");
        assert_eq!(f.edition(), FprEdition::Edition2017);
        assert_eq!(f.nationality(), "USA");
        assert_eq!(f.birth_date(), None);
    }

    #[test]
    fn foreign_permanent_resident_failures() {
        for bad in [
            "US1234567890123",
            "USA12345678901",
            "832682198501010017",
            "12345",
        ] {
            assert_eq!(
                ForeignPermanentResident::parse(bad, today()),
                Err(IdError::FprFormat),
                "{bad}"
            );
        }
        for bad in [
            "932682198501010018",
            &with_id_check("99968219850101001"),
            &with_id_check("93268219850230001"),
            &with_id_check("93268220990101001"),
        ] {
            assert_eq!(
                ForeignPermanentResident::parse(bad, today()),
                Err(IdError::FprChecksum),
                "{bad}"
            );
        }
    }

    #[test]
    fn passport_rules() {
        for (s, warn) in [
            ("E12345678", false),
            ("EA1234567", false),
            ("G12345678", false),
            ("e 1234 5678", false),
            ("EI1234567", true),
            ("GA1234567", true),
            ("E1234567X", true),
            ("AB12345", false),
            ("12345", false),
            ("X1234567890123456789", false),
        ] {
            let p = Passport::parse(s).unwrap();
            assert_eq!(p.prc_warning(), warn, "{s}");
        }
        for bad in [
            "ABCDEFG",
            "A123",
            "A12345678901234567890",
            "E-1234567",
            "Ｅ１２３４５６７８中",
        ] {
            assert_eq!(Passport::parse(bad), Err(IdError::PassportFormat), "{bad}");
        }
        assert_eq!(
            Passport::parse("ｅ１２３４５６７８").unwrap().as_str(),
            "E12345678"
        );
    }

    #[test]
    fn travel_permits() {
        let p = HkMoPermit::parse("h12345678").unwrap();
        assert_eq!((p.as_str(), p.identity_key()), ("H12345678", "H12345678"));
        let p = HkMoPermit::parse("M1234567801").unwrap();
        assert_eq!(p.identity_key(), "M12345678");
        for bad in [
            "H1234567",
            "H123456789",
            "A12345678",
            "H12345678012",
            "HH2345678",
        ] {
            assert_eq!(
                HkMoPermit::parse(bad),
                Err(IdError::HkmoPermitFormat),
                "{bad}"
            );
        }

        assert!(!TwPermit::parse("12345678").unwrap().is_legacy());
        assert!(TwPermit::parse("1234567890").unwrap().is_legacy());
        assert_eq!(
            TwPermit::parse("1234567890（b）").unwrap().as_str(),
            "1234567890(B)"
        );
        for bad in [
            "1234567",
            "123456789",
            "1234567890(BB)",
            "1234567890()",
            "A2345678",
        ] {
            assert_eq!(TwPermit::parse(bad), Err(IdError::TwPermitFormat), "{bad}");
        }
    }

    #[test]
    fn uscc_weights_are_powers_of_three() {
        let mut w = 1;
        for weight in USCC_WEIGHTS {
            assert_eq!(weight, w);
            w = w * 3 % 31;
        }
        assert_eq!(USCC_ALPHABET.len(), 31);
    }

    #[test]
    fn credit_code_valid_vectors() {
        for (s, org) in [
            ("91440300708461136T", "708461136"),
            ("91110000600037341L", "600037341"),
            ("91350100M000100Y43", "M000100Y4"),
            ("91110108MA01ABC17L", "MA01ABC17"),
            ("52110000500000007X", "500000007"),
            ("92440300L12345674D", "L12345674"),
        ] {
            let c = CreditCode::parse(s).unwrap();
            assert_eq!(c.as_str(), s);
            assert_eq!(c.org_code(), org);
            assert!(c.embedded_org_code_ok(), "{s}");
        }
        let c = CreditCode::parse("91440300708461136t").unwrap();
        assert_eq!(
            (c.registering_authority(), c.category(), c.division_code()),
            ('9', '1', "440300")
        );
    }

    #[test]
    fn credit_code_invalid_vectors() {
        assert_eq!(
            CreditCode::parse("91440300708461136U"),
            Err(IdError::UsccChecksum)
        );
        assert_eq!(
            CreditCode::parse("91440300708461136I"),
            Err(IdError::UsccFormat)
        );
        let c = CreditCode::parse("52110000500000001B").unwrap();
        assert!(!c.embedded_org_code_ok());
        assert_eq!(OrgCode::check_char("50000000"), Some('7'));

        for bad in [
            "9144030070846113",
            "9144030070846113600",
            "914403A0708461136T",
            "O1440300708461136T",
        ] {
            assert_eq!(CreditCode::parse(bad), Err(IdError::UsccFormat), "{bad}");
        }
        // Authority/category pairs outside the table are format errors even with a right check.
        for first in [
            "94440300708461136",
            "Y2440300708461136",
            "B1440300708461136",
        ] {
            let s = format!("{first}{}", CreditCode::check_char(first).unwrap());
            assert_eq!(CreditCode::parse(&s), Err(IdError::UsccFormat), "{s}");
        }
    }

    #[test]
    fn org_code_vectors() {
        for (body, check) in [
            ("D2143569", 'X'),
            ("70846113", '6'),
            ("60003734", '1'),
            ("80210043", '3'),
            ("10000004", '0'),
            ("10000018", 'X'),
        ] {
            assert_eq!(OrgCode::check_char(body), Some(check), "{body}");
            let with_hyphen = OrgCode::parse(&format!("{body}-{check}")).unwrap();
            let without = OrgCode::parse(&format!("{body}{check}")).unwrap();
            assert_eq!(with_hyphen, without);
            assert_eq!(with_hyphen.as_str(), format!("{body}-{check}"));
            assert_eq!((with_hyphen.body(), with_hyphen.check()), (body, check));
        }
        assert_eq!(OrgCode::parse("d2143569-x").unwrap().as_str(), "D2143569-X");
        for bad in [
            "D2143569-1",
            "D2143569",
            "D2143569--X",
            "D214356-9X",
            "d214356９x-",
        ] {
            assert_eq!(OrgCode::parse(bad), Err(IdError::OrgCodeInvalid), "{bad}");
        }
        assert_eq!(OrgCode::check_char("D214356"), None);
        assert_eq!(OrgCode::check_char("d2143569"), None);
    }

    #[test]
    fn mobile_valid_vectors() {
        for (s, stored) in [
            ("13812345678", "13812345678"),
            ("+86 138-1234-5678", "13812345678"),
            ("17401123456", "17401123456"),
            ("008613812345678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("１３８ １２３４ ５６７８", "13812345678"),
            ("14512345678", "14512345678"),
            ("19212345678", "19212345678"),
        ] {
            assert_eq!(Mobile::parse(s, false).unwrap().as_str(), stored, "{s}");
        }
    }

    #[test]
    fn mobile_invalid_vectors() {
        let cases = [
            ("17490000000", IdError::MobileNoSms),
            ("14412345678", IdError::MobileNoSms),
            ("1441234567890", IdError::MobileNoSms),
            ("15412345678", IdError::MobileNoSms),
            ("17406123456", IdError::MobileNoSms),
            ("17412123456", IdError::MobileNoSms),
            ("14812345678", IdError::MobileNoSms),
            ("19412345678", IdError::MobileNoSms),
            ("1064812345678", IdError::MobileNoSms),
            ("17413123456", IdError::MobileFormat),
            ("12345678901", IdError::MobileFormat),
            ("1381234567", IdError::MobileFormat),
            ("138123456789", IdError::MobileFormat),
            ("1381234567890", IdError::MobileFormat),
            ("23812345678", IdError::MobileFormat),
            ("1381234567a", IdError::MobileFormat),
            ("+1 13812345678", IdError::MobileFormat),
            ("", IdError::MobileFormat),
        ];
        for (s, err) in cases {
            assert_eq!(Mobile::parse(s, true), Err(err), "{s}");
        }
    }

    #[test]
    fn mobile_virtual_operators_follow_configuration() {
        for s in [
            "16212345678",
            "16512345678",
            "16712345678",
            "17012345678",
            "17112345678",
        ] {
            assert!(Mobile::parse(s, true).is_ok(), "{s}");
            assert_eq!(Mobile::parse(s, false), Err(IdError::MobileFormat), "{s}");
        }
        assert!(Mobile::parse("16612345678", false).is_ok());
    }

    #[test]
    fn email_rules() {
        for s in [
            "a@b.cn",
            "first.last+tag@mail.example.com",
            "USER_1%x@sub-domain.example.org",
            " user＠example.com ",
        ] {
            assert!(Email::parse(s).is_ok(), "{s}");
        }
        assert_eq!(
            Email::parse(" user＠example.com ").unwrap().as_str(),
            "user@example.com"
        );
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", "b".repeat(250));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@example",
            "a@example.c",
            "a@example.c0m",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@example..com",
            "a@.com",
            "a@b@example.com",
            "用户@example.com",
            "a(b)@example.com",
            long_local.as_str(),
            long_total.as_str(),
        ] {
            assert_eq!(Email::parse(bad), Err(IdError::EmailFormat), "{bad}");
        }
    }

    const PROVINCE_CODES: [&str; 31] = [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65",
    ];

    fn resident_id_strategy() -> impl Strategy<Value = String> {
        let first = d("1900-01-01");
        let span = (d("2020-12-31") - first).num_days();
        (0..PROVINCE_CODES.len(), 0u32..10_000, 0..=span, 0u32..1000).prop_map(
            move |(p, area, days, seq)| {
                let birth = first + chrono::TimeDelta::days(days);
                let first17 = format!(
                    "{}{area:04}{}{seq:03}",
                    PROVINCE_CODES[p],
                    birth.format("%Y%m%d")
                );
                with_id_check(&first17)
            },
        )
    }

    fn credit_code_strategy() -> impl Strategy<Value = String> {
        const PAIRS: [&str; 32] = [
            "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49",
            "51", "52", "53", "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92",
            "93", "A1", "A9", "Y1",
        ];
        let alphabet: Vec<char> = USCC_ALPHABET.chars().collect();
        (
            prop::sample::select(PAIRS.to_vec()),
            0u32..1_000_000,
            prop::collection::vec(prop::sample::select(alphabet), 8),
        )
            .prop_map(|(pair, division, body)| {
                let body: String = body.into_iter().collect();
                let org_check = OrgCode::check_char(&body).unwrap();
                let first17 = format!("{pair}{division:06}{body}{org_check}");
                format!("{first17}{}", CreditCode::check_char(&first17).unwrap())
            })
    }

    /// Replaces character `pos` with the `k`-th candidate that differs from the original.
    fn mutate(s: &str, pos: usize, k: usize, candidates: &[char]) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        let original = chars[pos];
        let others: Vec<char> = candidates
            .iter()
            .copied()
            .filter(|c| *c != original)
            .collect();
        chars[pos] = others[k % others.len()];
        chars.into_iter().collect()
    }

    proptest! {
        #[test]
        fn generated_resident_ids_parse(s in resident_id_strategy()) {
            prop_assert!(ResidentId::parse(&s, today()).is_ok(), "{}", s);
        }

        #[test]
        fn single_character_changes_break_resident_ids(
            s in resident_id_strategy(),
            pos in 0usize..18,
            k in 0usize..64,
        ) {
            let candidates: Vec<char> = "0123456789XA-".chars().collect();
            let changed = mutate(&s, pos, k, &candidates);
            prop_assert!(ResidentId::parse(&changed, today()).is_err(), "{} -> {}", s, changed);
        }

        #[test]
        fn generated_credit_codes_parse(s in credit_code_strategy()) {
            let code = CreditCode::parse(&s);
            prop_assert!(code.as_ref().is_ok_and(CreditCode::embedded_org_code_ok), "{}", s);
        }

        #[test]
        fn single_character_changes_break_credit_codes(
            s in credit_code_strategy(),
            pos in 0usize..18,
            k in 0usize..64,
        ) {
            let mut candidates: Vec<char> = USCC_ALPHABET.chars().collect();
            candidates.extend(['I', 'O', 'Z', 'S', 'V', '-']);
            let changed = mutate(&s, pos, k, &candidates);
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} -> {}", s, changed);
        }
    }
}
