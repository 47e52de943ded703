#![no_main]
//! `Mobile::parse` (§8.2.8) with and without virtual-operator numbers.

use beian_domain::ids::Mobile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let strict = Mobile::parse(s, false);
    let lenient = Mobile::parse(s, true);
    if let Ok(m) = &strict {
        // Allowing virtual operators only ever accepts more.
        assert_eq!(lenient.as_ref(), Ok(m));
    }
    if let Ok(m) = &lenient {
        assert_eq!(Mobile::parse(m.as_str(), true).as_ref(), Ok(m));
        assert_eq!(m.as_str().len(), 11);
    }
});
