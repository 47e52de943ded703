#![no_main]
//! `ResidencePermit::parse` (§8.2.2) for both permit kinds.

use beian_domain::ids::{PermitKind, ResidencePermit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let today = beian_fuzz::today();
    let mut accepted = 0;
    for kind in [PermitKind::HongKongMacau, PermitKind::Taiwan] {
        if let Ok(p) = ResidencePermit::parse(s, kind, today) {
            accepted += 1;
            assert_eq!(
                ResidencePermit::parse(p.as_str(), kind, today).as_ref(),
                Ok(&p)
            );
            assert_eq!(p.kind(), kind);
            assert!(p.birth_date() <= today);
        }
    }
    // The address codes of the two kinds are disjoint.
    assert!(accepted <= 1);
});
