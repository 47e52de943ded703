//! The working-day calendar in force in this process, shared by every process on one
//! database (domain.md §11.4–11.5).
//!
//! Official years come from three places, in order of precedence: a data file in
//! `<data-dir>/reference/holidays/` (an operator's deliberate override), the years compiled
//! into the binary, and notices loaded at run time into the database. Years after them are
//! projected. [`LiveCalendar::refresh`] rebuilds the calendar when the stored notices'
//! version changed; the worker calls it on every tick.

use crate::http::error::{ApiError, ApiResult};
use beian_domain::calendar::{Calendar, HolidayYear};
use beian_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

/// Where an official year came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `<data-dir>/reference/holidays/<year>.toml`.
    File,
    /// Compiled into the binary (`data/holidays/`).
    Embedded,
    /// A notice loaded at run time (stored in the database).
    Loaded,
}

impl Origin {
    /// The name the API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::Embedded => "embedded",
            Origin::Loaded => "loaded",
        }
    }
}

/// One official year and where it came from.
#[derive(Debug, Clone)]
pub struct OfficialYear {
    pub year: HolidayYear,
    pub origin: Origin,
}

/// The calendar in force, rebuilt when the stored notices change.
pub struct LiveCalendar {
    /// Embedded and file years, fixed for the process's life.
    base: BTreeMap<i32, OfficialYear>,
    current: RwLock<Arc<Calendar>>,
    years: RwLock<BTreeMap<i32, OfficialYear>>,
    /// The stored notices' version last built from; `None` before the first read.
    seen: Mutex<Option<i64>>,
}

impl LiveCalendar {
    /// A calendar over the embedded years, with the data directory's files replacing or
    /// adding years; stored notices join at the first [`LiveCalendar::refresh`].
    pub fn new(embedded: Vec<HolidayYear>, files: Vec<HolidayYear>) -> LiveCalendar {
        let mut base = BTreeMap::new();
        for year in embedded {
            let origin = Origin::Embedded;
            base.insert(year.year(), OfficialYear { year, origin });
        }
        for year in files {
            let origin = Origin::File;
            base.insert(year.year(), OfficialYear { year, origin });
        }
        LiveCalendar {
            base: base.clone(),
            current: RwLock::new(Arc::new(build(&base))),
            years: RwLock::new(base),
            seen: Mutex::new(None),
        }
    }

    /// The calendar for one decision. Cheap: a clone of an `Arc`.
    pub fn current(&self) -> Arc<Calendar> {
        self.current
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The years of the data directory, which win over a stored notice of the same year.
    pub fn file_years(&self) -> Vec<i32> {
        self.base
            .values()
            .filter(|y| y.origin == Origin::File)
            .map(|y| y.year.year())
            .collect()
    }

    /// The official year `year`, with where it came from.
    pub fn official(&self, year: i32) -> Option<OfficialYear> {
        self.years.read().ok()?.get(&year).cloned()
    }

    /// Every official year in force, in order.
    pub fn official_years(&self) -> Vec<OfficialYear> {
        self.years
            .read()
            .map(|y| y.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Reads the stored notices again when their version changed; true when the calendar
    /// in force changed.
    pub async fn refresh(&self, store: &dyn Store) -> ApiResult<bool> {
        let version = store.calendar_version().await?;
        if self
            .seen
            .lock()
            .map(|s| *s == Some(version))
            .unwrap_or(false)
        {
            return Ok(false);
        }
        let stored = store.calendar_notices().await?;
        let mut years = self.base.clone();
        for notice in stored {
            match HolidayYear::parse(&notice.data) {
                // A file or the binary has the year: it wins (said at start).
                Ok(_) if years.contains_key(&notice.year) => {}
                Ok(year) => {
                    let origin = Origin::Loaded;
                    years.insert(notice.year, OfficialYear { year, origin });
                }
                Err(e) => {
                    tracing::error!(year = notice.year, error = %e, "stored holiday notice is invalid; the year stays projected");
                }
            }
        }
        let changed = years
            .keys()
            .ne(self.years.read().map_err(ApiError::internal)?.keys());
        let calendar = Arc::new(build(&years));
        *self.current.write().map_err(ApiError::internal)? = calendar;
        *self.years.write().map_err(ApiError::internal)? = years;
        *self.seen.lock().map_err(ApiError::internal)? = Some(version);
        Ok(changed)
    }
}

fn build(years: &BTreeMap<i32, OfficialYear>) -> Calendar {
    // Distinct years by construction (a map), so `from_years` cannot refuse.
    Calendar::from_years(years.values().map(|y| y.year.clone()).collect())
        .unwrap_or_else(|_| Calendar::embedded())
}
