//! Policy values (domain.md §4.1). Defaults are the document's; operators
//! override them through configuration, never through code.

use crate::gating::ReleasePolicy;
use crate::reference::QuotaClass;
use serde::{Deserialize, Serialize};

/// What happens to a subject record whose last service is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmptySubjectPolicy {
    AutoCancel,
    Keep,
}

/// The timing and limit knobs of the filing process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub platform_review_sla_wd: u32,
    pub authority_review_sla_wd: u32,
    pub sms_window_hours: i64,
    pub sms_max_wrong_attempts: u32,
    pub sms_max_resends: u32,
    pub face_notice_validity_hours: i64,
    pub face_task_validity_days: i64,
    /// `None` disables expiry of rejected and returned orders.
    pub fix_window_days: Option<i64>,
    pub cancel_sms_window_hours: i64,
    pub cancel_authority_step: bool,
    pub cancel_empty_subject_policy: EmptySubjectPolicy,
    pub certificate_min_remaining_months: u32,
    pub quota_individual: u32,
    pub quota_individual_business: u32,
    pub quota_organisation: u32,
    pub mobile_allow_virtual: bool,
    pub anti_fraud_enabled: bool,
    pub release: ReleasePolicy,
    /// Hours before an SMS round closes when unverified recipients get a reminder (§1.4).
    pub sms_reminder_before_deadline_hours: i64,
    /// SMS a mobile may receive per day (+08:00) through the gateway; 0 disables the limit.
    pub sms_daily_limit_per_mobile: u32,
    /// `individual.min_age`: used where the province pack gives none (V-POL-004).
    pub individual_min_age: u32,
    /// `mobile.unique_across_subjects` (V-PER-011).
    pub mobile_unique_across_subjects: bool,
    /// `email.unique_per_person` (V-PER-013).
    pub email_unique_per_person: bool,
    /// `mp.service_types.max` (V-MP-007).
    pub service_types_max: u32,
    /// `taxonomy.gov_only`: natures that may select the `gov_only` service types (V-MP-008).
    pub taxonomy_gov_only: Vec<u32>,
    /// `name.state_natures`: natures exempt from the restricted name prefixes (V-MP-018).
    pub name_state_natures: Vec<u32>,
    /// `submissions.daily_per_mp`: submissions per MP per day, 0 = unlimited (V-POL-010).
    pub submissions_daily_per_mp: u32,
    /// `media.*`: photo quality thresholds (§10).
    pub media: crate::media::MediaPolicy,
    /// How long a reviewer's claim on an order lasts unless renewed; the review page
    /// renews it while it is open.
    pub review_claim_lease_minutes: i64,
    /// How long personal data is kept after an order ends (`beian retention`).
    pub retention: crate::retention::Retention,
    /// `ocr.*`: reading certificate photos and the OCR_MISMATCH rule (V-OCR-001).
    pub ocr: crate::ocr::OcrPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            platform_review_sla_wd: 2,
            authority_review_sla_wd: 20,
            sms_window_hours: 24,
            sms_max_wrong_attempts: 5,
            sms_max_resends: 1,
            face_notice_validity_hours: 24,
            face_task_validity_days: 3,
            fix_window_days: Some(45),
            cancel_sms_window_hours: 24,
            cancel_authority_step: true,
            cancel_empty_subject_policy: EmptySubjectPolicy::AutoCancel,
            certificate_min_remaining_months: 1,
            quota_individual: 5,
            quota_individual_business: 5,
            quota_organisation: 50,
            mobile_allow_virtual: true,
            anti_fraud_enabled: true,
            review_claim_lease_minutes: 30,
            release: ReleasePolicy::default(),
            sms_reminder_before_deadline_hours: 4,
            sms_daily_limit_per_mobile: 20,
            individual_min_age: 18,
            mobile_unique_across_subjects: true,
            email_unique_per_person: true,
            service_types_max: 5,
            taxonomy_gov_only: vec![1, 2, 3, 11],
            name_state_natures: vec![1, 2, 3],
            submissions_daily_per_mp: 0,
            media: crate::media::MediaPolicy::default(),
            retention: crate::retention::Retention::default(),
            ocr: crate::ocr::OcrPolicy::default(),
        }
    }
}

impl Policy {
    /// Quota of mini programs for a subject nature (§7.1 quota class).
    pub fn quota_for_nature(&self, nature: u32) -> u32 {
        match nature {
            5 => self.quota_individual,
            17 => self.quota_individual_business,
            _ => self.quota_organisation,
        }
    }

    /// Quota of mini programs for a quota class of the reference data (§4.1).
    pub fn quota_for_class(&self, class: QuotaClass) -> u32 {
        match class {
            QuotaClass::Individual => self.quota_individual,
            QuotaClass::IndividualBusiness => self.quota_individual_business,
            QuotaClass::Organisation => self.quota_organisation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_domain_section_4() {
        let p = Policy::default();
        assert_eq!(
            (p.platform_review_sla_wd, p.authority_review_sla_wd),
            (2, 20)
        );
        assert_eq!(
            (
                p.sms_window_hours,
                p.sms_max_wrong_attempts,
                p.sms_max_resends
            ),
            (24, 5, 1)
        );
        assert_eq!(p.fix_window_days, Some(45));
        assert_eq!(
            (
                p.individual_min_age,
                p.service_types_max,
                p.submissions_daily_per_mp
            ),
            (18, 5, 0)
        );
        assert!(p.mobile_unique_across_subjects && p.email_unique_per_person);
        assert_eq!(p.taxonomy_gov_only, vec![1, 2, 3, 11]);
        assert_eq!(p.name_state_natures, vec![1, 2, 3]);
        assert_eq!(p.quota_for_class(QuotaClass::IndividualBusiness), 5);
        assert_eq!(
            (
                p.quota_for_nature(5),
                p.quota_for_nature(17),
                p.quota_for_nature(4)
            ),
            (5, 5, 50)
        );
    }

    #[test]
    fn partial_config_keeps_other_defaults() {
        let p: Policy = serde_json::from_str(r#"{"sms_max_resends": 2}"#).unwrap();
        assert_eq!(p.sms_max_resends, 2);
        assert_eq!(p.sms_window_hours, 24);
    }
}
