//! Pure domain rules of beian: no I/O, no clock, no database.
//!
//! Everything that decides something about a filing lives here, so that the
//! store and the web layer only carry data in and out.

pub mod audit;
pub mod calendar;
pub mod checklist;
pub mod console;
pub mod dashboard;
pub mod deadline;
pub mod document;
pub mod filing;
pub mod fixtures;
pub mod gating;
pub mod ids;
pub mod issue;
pub mod media;
pub mod notice;
pub mod notify;
pub mod numbers;
pub mod ocr;
pub mod papers;
pub mod policy;
pub mod provinces;
pub mod reference;
pub mod retention;
pub mod text;
pub mod validate;
