//! What the applicant's console offers for an app (api.md `entry`), from its live order,
//! its service record and whether it is listed.

use crate::filing::{Kind, Status};
use crate::gating::RecordState;

/// What the console offers for an app (api.md `entry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleEntry {
    /// An order past its draft that is not a change or cancellation of a filed app.
    InProgress,
    Filed,
    Cancelled,
    /// Listed before the rules and not filed: 小程序需补充备案信息.
    SupplementFiling,
    /// 去备案.
    GoToFiling,
}

impl ConsoleEntry {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleEntry::InProgress => "in_progress",
            ConsoleEntry::Filed => "filed",
            ConsoleEntry::Cancelled => "cancelled",
            ConsoleEntry::SupplementFiling => "supplement_filing",
            ConsoleEntry::GoToFiling => "go_to_filing",
        }
    }
}

/// The console entry of an app: its live order (status and kind, if any), its service
/// record and whether it is listed.
pub fn console_entry(
    live: Option<(Status, Kind)>,
    record: RecordState,
    listed: bool,
) -> ConsoleEntry {
    match live {
        Some((status, kind))
            if status != Status::Draft && !(record == RecordState::Active && kind != Kind::New) =>
        {
            ConsoleEntry::InProgress
        }
        _ if record == RecordState::Active => ConsoleEntry::Filed,
        _ if record == RecordState::Cancelled => ConsoleEntry::Cancelled,
        _ if listed => ConsoleEntry::SupplementFiling,
        _ => ConsoleEntry::GoToFiling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_entry_of_an_app() {
        let none = RecordState::None;
        assert_eq!(console_entry(None, none, false), ConsoleEntry::GoToFiling);
        assert_eq!(
            console_entry(None, none, true),
            ConsoleEntry::SupplementFiling
        );
        assert_eq!(
            console_entry(Some((Status::Draft, Kind::New)), none, false),
            ConsoleEntry::GoToFiling
        );
        assert_eq!(
            console_entry(Some((Status::PlatformReview, Kind::New)), none, false),
            ConsoleEntry::InProgress
        );
        // A change of a filed app in progress still shows the app as filed.
        let active = RecordState::Active;
        assert_eq!(
            console_entry(Some((Status::PlatformReview, Kind::Change)), active, true),
            ConsoleEntry::Filed
        );
        assert_eq!(
            console_entry(None, RecordState::Cancelled, true),
            ConsoleEntry::Cancelled
        );
        assert_eq!(ConsoleEntry::SupplementFiling.as_str(), "supplement_filing");
    }
}
