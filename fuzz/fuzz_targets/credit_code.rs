#![no_main]
//! `CreditCode::parse` (§8.2.4) and its check-character helper.

use beian_domain::ids::{CreditCode, OrgCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = CreditCode::check_char(s);
    if let Ok(c) = CreditCode::parse(s) {
        assert_eq!(CreditCode::parse(c.as_str()).as_ref(), Ok(&c));
        let text = c.as_str();
        assert_eq!(CreditCode::check_char(&text[..17]), text.chars().nth(17));
        let _ = (c.registering_authority(), c.category());
        assert_eq!(c.division_code().len(), 6);
        let org = c.org_code();
        assert_eq!(
            c.embedded_org_code_ok(),
            OrgCode::check_char(&org[..8]) == org.chars().nth(8)
        );
    }
});
