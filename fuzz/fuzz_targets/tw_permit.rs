#![no_main]
//! `TwPermit::parse` (§8.2.7, type 11).

use beian_domain::ids::TwPermit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(p) = TwPermit::parse(s) {
        assert_eq!(TwPermit::parse(p.as_str()).as_ref(), Ok(&p));
        assert_eq!(p.is_legacy(), p.as_str().len() != 8);
    }
});
