#![no_main]
//! `OrgCode::parse` (§8.2.5) and its check-character helper.

use beian_domain::ids::OrgCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = OrgCode::check_char(s);
    if let Ok(o) = OrgCode::parse(s) {
        assert_eq!(OrgCode::parse(o.as_str()).as_ref(), Ok(&o));
        assert_eq!(OrgCode::check_char(o.body()), Some(o.check()));
    }
});
