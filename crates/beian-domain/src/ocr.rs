//! Reading certificate photos: what an OCR engine recognised, turned into the fields a
//! certificate prints, checked with the domain's own parsers, then compared with what the
//! applicant typed (rule V-OCR-001, `OCR_MISMATCH`) or offered to pre-fill empty fields.
//!
//! Pure: the engine (tesseract, in the server's adapters) hands over recognised words with
//! their confidence and position; [`read`] locates the fields by their printed labels and the
//! known layouts, and [`compare`] maps them onto the application document (domain.md §6).
//! A value the parsers refuse is "not read", never "read wrong": a number must pass its
//! checksum, a date must exist, a name must be a name.

pub mod compare;
pub mod read;

use serde::{Deserialize, Serialize};

/// One recognised word: its text, the engine's confidence (0–100) and its box in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub conf: f32,
    pub left: i32,
    pub top: i32,
    pub width: i32,
    pub height: i32,
}

/// The words of one printed line, left to right.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub words: Vec<Word>,
}

/// A field a certificate prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldName {
    /// A person's name (ID front) or an organisation's (licence 名称).
    Name,
    /// The certificate number (公民身份号码, 统一社会信用代码, …).
    Number,
    /// 住址 (ID front) or 住所 (licence).
    Address,
    /// The validity period's start (ID back 有效期限), `YYYY-MM-DD`.
    ValidFrom,
    /// Its end, `YYYY-MM-DD` or `长期`.
    ValidUntil,
}

/// Which side of which certificate the photo showed, as recognised from its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CardKind {
    /// Resident ID card, portrait side (人像面).
    IdFront,
    /// Resident ID card, national-emblem side (国徽面).
    IdBack,
    /// Business licence (营业执照) or another certificate with a credit code.
    BusinessLicence,
    /// Another certificate, or nothing recognisable.
    Other,
}

/// One field read, with the engine's confidence in it (0–1, the least of its words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadField {
    pub field: FieldName,
    pub value: String,
    pub confidence: f32,
    /// The value passed a checksum (resident ID, credit code, …): a misread would almost
    /// never pass it, so the engine's own confidence counts for less.
    #[serde(default)]
    pub checked: bool,
    /// Where the value stands in the recognised image (left, top, right, bottom), for a
    /// second look at it; not kept.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub area: Option<[i32; 4]>,
}

/// What was read from one photo. Fields that could not be read are absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reading {
    pub kind: CardKind,
    pub fields: Vec<ReadField>,
    /// Degrees the photo was turned (clockwise) before it read: 0, 90, 180 or 270.
    #[serde(default)]
    pub rotation: u16,
    /// Degrees of skew corrected before recognition.
    #[serde(default)]
    pub skew: f32,
    /// How long recognition took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
    /// Why nothing could be read (the engine failed or timed out), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Reading {
    /// Nothing read, and why (the engine failed, timed out, or the photo did not decode).
    pub fn failed(error: String) -> Reading {
        Reading {
            kind: CardKind::Other,
            fields: vec![],
            rotation: 0,
            skew: 0.0,
            elapsed_ms: 0,
            error: Some(error),
        }
    }

    /// The field read, if any.
    pub fn get(&self, f: FieldName) -> Option<&ReadField> {
        self.fields.iter().find(|x| x.field == f)
    }
}

/// Which side of a certificate an upload is for, from its purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `subject_certificate`: the subject's certificate (a licence, or an individual's ID).
    Subject,
    /// `certificate_front`: a person's ID portrait side or passport data page.
    Front,
    /// `certificate_back`: the ID card's emblem side.
    Back,
}

impl Side {
    /// The side an upload purpose names; other purposes are not read.
    pub fn of_purpose(purpose: &str) -> Option<Side> {
        match purpose {
            "subject_certificate" => Some(Side::Subject),
            "certificate_front" => Some(Side::Front),
            "certificate_back" => Some(Side::Back),
            _ => None,
        }
    }

    /// Whether the certificate is printed landscape (ID cards) rather than portrait
    /// (licences): a photo of the other shape was taken turned by a quarter.
    pub fn landscape(self, format: Option<crate::reference::NumberFormat>) -> bool {
        use crate::reference::NumberFormat as F;
        match self {
            Side::Front | Side::Back => true,
            Side::Subject => matches!(
                format,
                Some(
                    F::ResidentId
                        | F::HkmoResidencePermit
                        | F::TwResidencePermit
                        | F::ForeignPermanentResidentId
                )
            ),
        }
    }
}

/// The policy of the certificate reading (`config.ocr.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OcrPolicy {
    /// Read certificate photos at upload (when the engine is installed).
    pub enabled: bool,
    /// A read name or address is compared with the typed one only at or above this
    /// confidence (0–1). Measured on 3 000 generated photos (BENCHMARKS.md): the one
    /// confident misread (a company name, one character wrong) stood at 0.86.
    pub min_confidence: f32,
    /// The same for a number that passed its checksum.
    pub checked_min_confidence: f32,
    /// A read value is offered to fill an empty field at or above this confidence: lower
    /// than for a mismatch, since the applicant confirms what is offered.
    pub prefill_min_confidence: f32,
    /// `OCR_MISMATCH` blocks submission instead of warning.
    pub mismatch_blocking: bool,
    /// Photos read at once per server process.
    pub max_parallel: usize,
    /// A recognition that takes longer is stopped and the photo counts as unread.
    pub timeout_seconds: u64,
}

impl Default for OcrPolicy {
    fn default() -> Self {
        OcrPolicy {
            enabled: true,
            min_confidence: 0.90,
            checked_min_confidence: 0.40,
            prefill_min_confidence: 0.40,
            mismatch_blocking: false,
            max_parallel: 1,
            timeout_seconds: 20,
        }
    }
}

#[cfg(test)]
mod tests;
