//! Time is an input: the server reads it from a `Clock`, which tests and demos
//! replace with a manual one.

use beian_domain::filing::Time;
use chrono::{Duration, Utc};
use std::sync::Mutex;

/// The server's notion of now.
#[derive(Debug)]
pub enum Clock {
    /// Wall-clock time.
    System,
    /// Moved only by `POST /api/v1/admin/clock` (`--manual-clock`).
    Manual(Mutex<Time>),
}

impl Clock {
    /// A manual clock starting at `start`.
    pub fn manual(start: Time) -> Clock {
        Clock::Manual(Mutex::new(start))
    }

    /// The current time.
    pub fn now(&self) -> Time {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Whether the clock can be moved.
    pub fn is_manual(&self) -> bool {
        matches!(self, Clock::Manual(_))
    }

    /// Moves a manual clock; returns the new time, or `None` on the system clock.
    pub fn adjust(&self, set: Option<Time>, advance_hours: Option<f64>) -> Option<Time> {
        let Clock::Manual(t) = self else { return None };
        let mut guard = t.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = set {
            *guard = s;
        }
        if let Some(h) = advance_hours {
            *guard += Duration::milliseconds((h * 3_600_000.0) as i64);
        }
        Some(*guard)
    }
}
