//! The field-level problem that validation reports and a refused submission carries. Kept apart
//! from the validator so that the filing vocabulary can name it without importing the rules.

use serde::{Deserialize, Serialize};

/// Whether an issue blocks submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Error,
    Warning,
}

/// A field-level problem, in the error shape of api.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    pub field: String,
    pub code: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub suggestion: String,
}

impl Issue {
    /// Errors block submission; warnings never do.
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Error
    }
}
