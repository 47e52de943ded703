//! The daily deadline sweep of §13: warnings to owners of listed unfiled apps
//! ahead of the legacy deadline, and the clearance (清退) after it.
//!
//! Pure: the store supplies the apps as they are, [`plan`] says what to do,
//! and the server applies the plan once per day in one transaction.

use chrono::NaiveDate;

use crate::gating::{gate, Gate, RecordState, ReleasePolicy};

/// What the sweep knows about one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepApp {
    pub appid: String,
    pub name: String,
    pub owner_id: String,
    pub listed: bool,
    /// Registration date in +08:00.
    pub registered_on: NaiveDate,
    pub record: RecordState,
    /// Already cleared by an earlier sweep.
    pub cleared: bool,
    /// Warning thresholds (days ahead) already sent.
    pub warned: Vec<u32>,
}

/// A warning to send: `days_left` days to the legacy deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub appid: String,
    pub name: String,
    pub owner_id: String,
    /// The configured threshold this warning stands for.
    pub threshold: u32,
    pub days_left: i64,
}

/// An app to clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearance {
    pub appid: String,
    pub name: String,
    pub owner_id: String,
}

/// Everything one sweep does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SweepPlan {
    pub warnings: Vec<Warning>,
    pub clearances: Vec<Clearance>,
}

impl SweepPlan {
    /// Whether the sweep has nothing to do.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty() && self.clearances.is_empty()
    }
}

/// Decides the sweep of `today` (+08:00).
///
/// Warnings: an app still in the legacy grace (G3) with `d` days left to the
/// deadline gets the warning of the smallest configured threshold `n ≥ d`,
/// once per threshold; an app first seen late gets one warning, not all the
/// missed ones. Clearance: an app in G4 that no sweep has cleared yet.
pub fn plan(apps: &[SweepApp], today: NaiveDate, p: &ReleasePolicy) -> SweepPlan {
    let mut out = SweepPlan::default();
    let mut thresholds = p.warning_days.clone();
    thresholds.sort_unstable();
    thresholds.dedup();
    for a in apps {
        match gate(a.record, a.listed, a.registered_on, today, p) {
            Gate::LegacyGrace => {
                let days_left = (p.legacy_deadline - today).num_days();
                if days_left < 0 {
                    continue;
                }
                let due = thresholds
                    .iter()
                    .copied()
                    .find(|n| i64::from(*n) >= days_left);
                if let Some(threshold) = due {
                    if !a.warned.iter().any(|w| *w <= threshold) {
                        out.warnings.push(Warning {
                            appid: a.appid.clone(),
                            name: a.name.clone(),
                            owner_id: a.owner_id.clone(),
                            threshold,
                            days_left,
                        });
                    }
                }
            }
            Gate::Cleared if !a.cleared => out.clearances.push(Clearance {
                appid: a.appid.clone(),
                name: a.name.clone(),
                owner_id: a.owner_id.clone(),
            }),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn app(appid: &str, record: RecordState, listed: bool, registered: &str) -> SweepApp {
        SweepApp {
            appid: appid.into(),
            name: format!("{appid}名"),
            owner_id: "u1".into(),
            listed,
            registered_on: d(registered),
            record,
            cleared: false,
            warned: vec![],
        }
    }

    #[test]
    fn warns_listed_legacy_apps_at_each_threshold_once() {
        let p = ReleasePolicy::default(); // deadline 2024-03-31, warnings 30/7/1
        let legacy = app("wxa", RecordState::None, true, "2023-05-01");
        let others = [
            app("filed", RecordState::Active, true, "2023-05-01"),
            app("unlisted", RecordState::None, false, "2023-05-01"),
            app("fresh", RecordState::None, true, "2023-10-01"),
        ];
        let mut apps = vec![legacy.clone()];
        apps.extend(others);
        // 40 days ahead: nothing yet.
        assert!(plan(&apps, d("2024-02-20"), &p).is_empty());
        // 30 days ahead: the 30-day warning, for the legacy app only.
        let at30 = plan(&apps, d("2024-03-01"), &p);
        assert_eq!(at30.warnings.len(), 1);
        assert_eq!(
            (
                at30.warnings[0].appid.as_str(),
                at30.warnings[0].threshold,
                at30.warnings[0].days_left
            ),
            ("wxa", 30, 30)
        );
        // Sent: not again until the 7-day threshold.
        let warned30 = SweepApp {
            warned: vec![30],
            ..legacy.clone()
        };
        assert!(plan(std::slice::from_ref(&warned30), d("2024-03-20"), &p).is_empty());
        let at7 = plan(&[warned30], d("2024-03-24"), &p);
        assert_eq!(at7.warnings[0].threshold, 7);
        // First seen on the last day: one warning (1 day), not three.
        let late = plan(&[legacy], d("2024-03-31"), &p);
        assert_eq!(late.warnings.len(), 1);
        assert_eq!(
            (late.warnings[0].threshold, late.warnings[0].days_left),
            (1, 0)
        );
    }

    #[test]
    fn clears_legacy_apps_from_the_clearance_date_once() {
        let p = ReleasePolicy::default();
        let legacy = app("wxa", RecordState::None, true, "2023-05-01");
        let filed = app("wxb", RecordState::Active, true, "2023-05-01");
        assert!(plan(std::slice::from_ref(&legacy), d("2024-03-31"), &p)
            .clearances
            .is_empty());
        let swept = plan(&[legacy.clone(), filed], d("2024-04-01"), &p);
        assert_eq!(swept.clearances.len(), 1);
        assert_eq!(swept.clearances[0].appid, "wxa");
        assert!(swept.warnings.is_empty());
        let done = SweepApp {
            cleared: true,
            ..legacy
        };
        assert!(plan(&[done], d("2024-04-02"), &p).is_empty());
    }

    #[test]
    fn gating_switched_off_does_nothing() {
        let p = ReleasePolicy {
            gating_enabled: false,
            ..ReleasePolicy::default()
        };
        let legacy = app("wxa", RecordState::None, true, "2023-05-01");
        assert!(plan(std::slice::from_ref(&legacy), d("2024-03-31"), &p).is_empty());
        assert!(plan(&[legacy], d("2024-05-01"), &p).is_empty());
    }
}
