//! Certificate numbers and contact details (domain §8.2) as parsed newtypes.
//!
//! Every parser normalises first (§8.1) and reports the stable rule code of the §8.4
//! catalogue, so the validation layer can turn a failure into a field error without
//! re-deriving why it failed. Character classes are ASCII (`[0-9]`), never Unicode digits:
//! full-width digits are converted by [`normalise`], anything else is rejected.

use std::fmt;

use chrono::NaiveDate;

use crate::provinces::province_name;
use crate::text::to_half_width;

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
mod tests;
