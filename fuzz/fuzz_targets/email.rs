#![no_main]
//! `Email::parse` (§8.2.9).

use beian_domain::ids::Email;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(e) = Email::parse(s) {
        assert_eq!(Email::parse(e.as_str()).as_ref(), Ok(&e));
        assert!(e.as_str().is_ascii() && e.as_str().len() <= 254);
    }
});
