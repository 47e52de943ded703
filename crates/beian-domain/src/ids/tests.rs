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
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
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
        "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49", "51",
        "52", "53", "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92", "93", "A1",
        "A9", "Y1",
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
