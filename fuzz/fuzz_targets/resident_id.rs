#![no_main]
//! `ResidentId::parse` (§8.2.1), plus the `normalise` and `last6` helpers it relies on.

use beian_domain::ids::{last6, normalise, ResidentId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let today = beian_fuzz::today();
    let _ = last6(&normalise(s));
    if let Ok(id) = ResidentId::parse(s, today) {
        // Accepted numbers are canonical: parsing the stored form gives the same value.
        assert_eq!(ResidentId::parse(id.as_str(), today).as_ref(), Ok(&id));
        assert_eq!(id.as_str().len(), 18);
        assert_eq!(id.province_code().len(), 2);
        assert!(id.birth_date() <= today);
        assert_eq!(id.to_string(), id.as_str());
    }
});
