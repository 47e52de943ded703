//! The MIIT verification site's answers.

use serde::Serialize;
use utoipa::ToSchema;

/// A right code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifyResult {
    pub verified: bool,
    pub filing_status: String,
    pub message: String,
}

/// A code sent again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResendResult {
    pub resends_left: u32,
    pub message: String,
}
