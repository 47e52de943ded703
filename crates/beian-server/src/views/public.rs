//! The public filing query: never a person's name, certificate or phone.

use serde::Serialize;
use utoipa::ToSchema;

/// One filed mini program.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicFiling {
    pub mini_program_name: String,
    /// An organisation's name; an individual's is masked (`欧***`).
    pub subject_name: String,
    pub subject_nature: Option<i64>,
    pub subject_number: String,
    pub service_number: String,
    pub filed_at: String,
}
