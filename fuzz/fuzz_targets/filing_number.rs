#![no_main]
//! `FilingNumber::parse` (§5.4) and every accessor of a parsed number.

use beian_domain::numbers::FilingNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(n) = FilingNumber::parse(s) {
        assert_eq!(FilingNumber::parse(n.as_str()).as_ref(), Ok(&n));
        assert_eq!(n.to_string(), n.as_str());
        assert!(n.province_code().is_some());
        let _ = (
            n.abbr(),
            n.form(),
            n.digits(),
            n.kind_suffix(),
            n.service_kind(),
        );
        let _ = n.is_beian_issued(2025);
        // The subject part of a service number is a filing number of its own.
        let subject = FilingNumber::parse(n.subject_number()).expect("subject part parses");
        assert_eq!(subject.service_index(), None);
        assert_eq!(subject.digits(), n.digits());
        assert_eq!(n.service_index().is_some(), n.service_kind().is_some());
    }
});
