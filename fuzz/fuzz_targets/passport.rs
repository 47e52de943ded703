#![no_main]
//! `Passport::parse` (§8.2.6).

use beian_domain::ids::Passport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(p) = Passport::parse(s) {
        assert_eq!(Passport::parse(p.as_str()).as_ref(), Ok(&p));
        assert!((5..=20).contains(&p.as_str().len()));
        let _ = p.prc_warning();
    }
});
