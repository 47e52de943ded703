//! Adapters to what lies outside: the clock, the SMS gateways, the object store for
//! uploads, image decoding and the photo checks, the OCR engine. They import no application code.

pub mod clock;
pub mod egress;
pub mod heavy;
pub mod keys;
pub mod objects;
pub mod ocr;
pub mod photo;
pub mod sealed;
pub mod sms;
