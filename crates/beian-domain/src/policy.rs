//! Policy values (domain.md §4.1). Defaults are the document's; operators
//! override them through configuration, never through code.

use crate::gating::ReleasePolicy;
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
            release: ReleasePolicy::default(),
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
