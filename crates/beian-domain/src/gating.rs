//! Release gating (domain.md §13): whether a mini program may publish a version.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What clearance does to an unfiled listed app (§13 `clearance_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearanceAction {
    /// Removed from listing and search; new versions blocked.
    Unlist,
    /// Access to the app is blocked as well.
    BlockAccess,
}

impl ClearanceAction {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClearanceAction::Unlist => "unlist",
            ClearanceAction::BlockAccess => "block_access",
        }
    }
}

/// The configurable dates of §13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleasePolicy {
    pub gating_enabled: bool,
    pub new_app_cutoff: NaiveDate,
    pub legacy_deadline: NaiveDate,
    pub clearance_start: NaiveDate,
    pub clearance_action: ClearanceAction,
    /// Days before `legacy_deadline` on which owners of listed unfiled apps are warned.
    pub warning_days: Vec<u32>,
}

impl Default for ReleasePolicy {
    fn default() -> Self {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        ReleasePolicy {
            gating_enabled: true,
            new_app_cutoff: d(2023, 9, 1),
            legacy_deadline: d(2024, 3, 31),
            clearance_start: d(2024, 4, 1),
            clearance_action: ClearanceAction::Unlist,
            warning_days: vec![30, 7, 1],
        }
    }
}

/// A filed record's stored status: in force, or cancelled (注销).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordStatus {
    Active,
    Cancelled,
}

impl RecordStatus {
    /// From the stored word; anything but `active` is no longer in force.
    pub fn parse(s: &str) -> RecordStatus {
        if s == "active" {
            RecordStatus::Active
        } else {
            RecordStatus::Cancelled
        }
    }

    /// The stored and wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Active => "active",
            RecordStatus::Cancelled => "cancelled",
        }
    }
}

/// The service record's state, as gating sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    None,
    Active,
    Cancelled,
}

impl RecordState {
    /// The state of a service record from its stored status (`active` or `cancelled`), or
    /// of no record at all.
    pub fn of(status: Option<&str>) -> RecordState {
        match status {
            Some("active") => RecordState::Active,
            Some(_) => RecordState::Cancelled,
            None => RecordState::None,
        }
    }
}

/// The situations G1–G5 of §13.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// G1: filed.
    Filed,
    /// G2: new app, must be filed before its first listing.
    MustFileFirst,
    /// G3: listed before the cutoff, still inside the grace period.
    LegacyGrace,
    /// G4: listed before the cutoff, grace over: cleared (清退).
    Cleared,
    /// G5: the record was cancelled.
    Cancelled,
    /// Gating switched off by the operator.
    Disabled,
}

impl Gate {
    /// Whether a version may be published.
    pub fn may_publish(self) -> bool {
        matches!(self, Gate::Filed | Gate::LegacyGrace | Gate::Disabled)
    }
}

/// Evaluates §13 for an app on `today` (+08:00).
pub fn gate(
    record: RecordState,
    listed: bool,
    registered_on: NaiveDate,
    today: NaiveDate,
    p: &ReleasePolicy,
) -> Gate {
    if !p.gating_enabled {
        return Gate::Disabled;
    }
    match record {
        RecordState::Active => Gate::Filed,
        RecordState::Cancelled => Gate::Cancelled,
        RecordState::None if !listed || registered_on >= p.new_app_cutoff => Gate::MustFileFirst,
        RecordState::None if today < p.clearance_start => Gate::LegacyGrace,
        RecordState::None => Gate::Cleared,
    }
}

/// [`gate`] for a release: an app the sweep cleared (清退) stays blocked until it is filed,
/// even when the policy's dates have since moved so that [`gate`] alone would let it publish.
pub fn gate_release(
    record: RecordState,
    listed: bool,
    registered_on: NaiveDate,
    today: NaiveDate,
    cleared: bool,
    p: &ReleasePolicy,
) -> Gate {
    let decision = gate(record, listed, registered_on, today, p);
    if cleared && record != RecordState::Active && decision.may_publish() {
        return Gate::Cleared;
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_five_situations_of_section_13() {
        let p = ReleasePolicy::default();
        let legacy = d("2023-05-01");
        assert_eq!(
            gate(RecordState::Active, true, legacy, d("2026-01-01"), &p),
            Gate::Filed
        );
        assert_eq!(
            gate(RecordState::None, false, legacy, d("2024-01-01"), &p),
            Gate::MustFileFirst
        );
        assert_eq!(
            gate(
                RecordState::None,
                true,
                d("2023-09-01"),
                d("2024-01-01"),
                &p
            ),
            Gate::MustFileFirst
        );
        assert_eq!(
            gate(RecordState::None, true, legacy, d("2024-03-31"), &p),
            Gate::LegacyGrace
        );
        assert_eq!(
            gate(RecordState::None, true, legacy, d("2024-04-01"), &p),
            Gate::Cleared
        );
        assert_eq!(
            gate(RecordState::Cancelled, true, legacy, d("2024-01-01"), &p),
            Gate::Cancelled
        );
        let off = ReleasePolicy {
            gating_enabled: false,
            ..p
        };
        assert_eq!(
            gate(RecordState::None, false, legacy, d("2026-01-01"), &off),
            Gate::Disabled
        );
    }

    #[test]
    fn a_cleared_app_stays_blocked_until_filed() {
        let p = ReleasePolicy::default();
        let legacy = d("2023-05-01");
        // The clearance date moved later after the sweep cleared it: still blocked.
        let moved = ReleasePolicy {
            clearance_start: d("2030-01-01"),
            ..p.clone()
        };
        let day = d("2026-01-01");
        assert_eq!(
            gate(RecordState::None, true, legacy, day, &moved),
            Gate::LegacyGrace
        );
        assert_eq!(
            gate_release(RecordState::None, true, legacy, day, true, &moved),
            Gate::Cleared
        );
        assert_eq!(
            gate_release(RecordState::None, true, legacy, day, false, &moved),
            Gate::LegacyGrace
        );
        assert_eq!(
            gate_release(RecordState::Active, true, legacy, day, true, &p),
            Gate::Filed
        );
        assert_eq!(RecordState::of(Some("active")), RecordState::Active);
        assert_eq!(RecordState::of(Some("cancelled")), RecordState::Cancelled);
        assert_eq!(RecordState::of(None), RecordState::None);
    }

    #[test]
    fn only_filed_grace_and_disabled_may_publish() {
        let allowed: Vec<_> = [
            Gate::Filed,
            Gate::MustFileFirst,
            Gate::LegacyGrace,
            Gate::Cleared,
            Gate::Cancelled,
            Gate::Disabled,
        ]
        .into_iter()
        .filter(|g| g.may_publish())
        .collect();
        assert_eq!(
            allowed,
            vec![Gate::Filed, Gate::LegacyGrace, Gate::Disabled]
        );
    }
}
