#![no_main]
//! `ForeignPermanentResident::parse` (§8.2.3), both editions.

use beian_domain::ids::{ForeignPermanentResident, FprEdition};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let today = beian_fuzz::today();
    if let Ok(f) = ForeignPermanentResident::parse(s, today) {
        assert_eq!(
            ForeignPermanentResident::parse(f.as_str(), today).as_ref(),
            Ok(&f)
        );
        let nationality = f.nationality();
        match f.edition() {
            FprEdition::Edition2017 => {
                assert_eq!(nationality.len(), 3);
                assert!(f.birth_date().is_none());
            }
            FprEdition::Edition2023 => {
                assert!(nationality.bytes().all(|b| b.is_ascii_digit()));
                assert!(f.birth_date().is_some_and(|d| d <= today));
            }
        }
    }
});
