#![no_main]
//! `HkMoPermit::parse` (§8.2.7, type 14).

use beian_domain::ids::HkMoPermit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(p) = HkMoPermit::parse(s) {
        assert_eq!(HkMoPermit::parse(p.as_str()).as_ref(), Ok(&p));
        assert_eq!(p.identity_key().len(), 9);
        assert!(p.as_str().starts_with(p.identity_key()));
    }
});
