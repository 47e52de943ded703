//! `Font::discover` reads `BEIAN_PDF_FONT`. Environment variables are process-global, so
//! this is the only test of its binary.

use beian_pdf::{Font, PdfError};

#[test]
fn discover_honours_beian_pdf_font() {
    std::env::set_var("BEIAN_PDF_FONT", "/nonexistent");
    match Font::discover() {
        Err(e @ PdfError::FontMissing(_)) => assert!(e.to_string().contains("/nonexistent"), "{e}"),
        other => panic!("expected FontMissing, got {other:?}"),
    }
    std::env::remove_var("BEIAN_PDF_FONT");
}
