#![no_main]
//! Arbitrary bytes as an application document (serde_json), then the full precheck.

use beian_domain::document::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<Document>(data) else {
        return;
    };
    let [without_facts, with_facts] = beian_fuzz::precheck(&doc);
    for issue in without_facts.iter().chain(&with_facts) {
        assert!(!issue.field.is_empty());
    }
    // What is stored is read back unchanged (drafts are saved as JSON).
    let stored = serde_json::to_vec(&doc).expect("a document serialises");
    let reread: Document = serde_json::from_slice(&stored).expect("stored JSON parses");
    assert_eq!(reread, doc);
    assert_eq!(reread.content_hash(), doc.content_hash());
});
