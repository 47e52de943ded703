//! What the caller looked up for a submission: facts from the database and the media store that
//! validation needs and a pure function cannot read. They travel in
//! [`Command::Submit`](crate::filing::Command::Submit) and are read by [`crate::validate`]; they
//! live beside the filing vocabulary so that the command does not import the validator.

use std::collections::BTreeMap;

use crate::filing::model::{RecordFacts, Time};

/// Facts looked up by the caller that validation needs. `None` (or an empty list) means
/// "not looked up" or "nothing found"; a rule whose fact is missing does not fire.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationFacts {
    /// The app's registered name (V-MP-017).
    pub app_name: Option<String>,
    /// The host account's verified subject name (V-ORG-009).
    pub owner_name: Option<String>,
    /// The face task named by the document, if it exists and belongs to the caller.
    pub face: Option<FaceFacts>,
    /// Active services + open new orders of this subject, excluding this order (V-POL-001).
    pub quota_used: Option<u32>,
    /// Principal mobiles of this document (normalised, see
    /// [`principal_mobiles`](crate::validate::principal_mobiles)) that another subject uses in an
    /// active record or an open order (V-PER-011).
    pub mobiles_used_elsewhere: Vec<String>,
    /// Names of the subject's other active services (V-MP-021).
    pub other_service_names: Vec<String>,
    /// Two-digit provinces where the subject identity has an active record or another open
    /// order (V-POL-002).
    pub subject_provinces: Vec<String>,
    /// Another order of the subject or of the mini program is open (V-POL-003).
    pub subject_busy: Option<bool>,
    /// The subject name on the identity's active subject record (V-POL-011).
    pub recorded_subject_name: Option<String>,
    /// The files the document names, by media id; an id missing from a looked-up map does
    /// not exist (V-MAT-004, V-MAT-005).
    pub media: Option<BTreeMap<String, MediaFacts>>,
    /// The quality checks each named media failed at upload, by media id (V-MAT-007
    /// variants: MEDIA_RESOLUTION, MEDIA_BLUR, MEDIA_EXPOSURE, MEDIA_GREYSCALE).
    pub media_failed_checks: BTreeMap<String, Vec<String>>,
    /// The mini program already has an active service record (V-POL-007).
    pub app_filed: Option<bool>,
    /// The host's preconditions of §1.3 hold (V-POL-008).
    pub preconditions_met: Option<bool>,
    /// Submissions of this mini program since the last daily reset (V-POL-010).
    pub submissions_today: Option<u32>,
    /// The records a change order changes, as stored now; without it the snapshot taken
    /// when the order was created is used (V-SUB-009..011).
    pub record: Option<Box<RecordFacts>>,
}

/// What validation needs to know about a face verification task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceFacts {
    pub id: String,
    pub succeeded: bool,
    pub expires_at: Time,
    pub consumed_by: Option<String>,
    pub identity: Option<(u32, String)>,
    pub name: Option<String>,
}

/// What validation needs to know about one uploaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaFacts {
    /// Uploaded by this order's applicant.
    pub owned: bool,
    /// An MP4 video rather than an image.
    pub video: bool,
    /// The certificate type the upload declared it shows, if any (V-MAT-005).
    pub certificate_type: Option<u32>,
    /// What was read from the photo, once read (V-OCR-001).
    pub reading: Option<crate::ocr::Reading>,
}
