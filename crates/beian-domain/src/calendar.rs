//! Working-day calendar (domain §11): statutory rest days and make-up working days per year,
//! and the arithmetic that SLA deadlines are built on.
//!
//! A year with a State Council notice is **official**: its reviewed data file, or a notice
//! loaded at run time. A later year without one is **projected** from the 2025 principles
//! ([`projection`], §11.4), and every date counted over it is marked provisional. The flow
//! never stops at a year's edge, and never falls back to a silent Monday–Friday week.
//! [`CalendarError::DataMissing`] is left only for years before the principles (2025) that
//! have no data, and for years past [`projection::LAST_PROJECTED_YEAR`].

pub mod projection;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Weekday};
use serde::Deserialize;

/// Offset of China Standard Time; evaluated at compile time, so it cannot fail at run time.
const CHINA_OFFSET: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("+08:00 is a valid offset"),
};

/// SLA deadlines end at the last millisecond of the due day (§11.2).
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_milli_opt(23, 59, 59, 999) {
    Some(time) => time,
    None => panic!("23:59:59.999 is a valid time"),
};

/// Data years are limited to four digits so date arithmetic can never leave chrono's range.
const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1949..=9999;

/// China Standard Time (UTC+08:00, no DST), the zone every date of the domain lives in.
pub fn china_offset() -> FixedOffset {
    CHINA_OFFSET
}

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A computation touched a year that has no notice and cannot be projected (before the
    /// 2025 principles, or past the last projected year).
    #[error("CalendarDataMissing({0}): no holiday data for year {0}")]
    DataMissing(i32),
    /// The holiday file is not valid TOML or lacks a field.
    #[error("holiday data is not valid TOML: {0}")]
    Toml(String),
    /// A date string is not a real `YYYY-MM-DD` date.
    #[error("{field}: {value:?} is not a date in YYYY-MM-DD form")]
    InvalidDate {
        /// Field of the holiday file holding the value.
        field: &'static str,
        /// The offending text.
        value: String,
    },
    /// The stated year is outside the supported range.
    #[error("year {0} is out of range")]
    YearOutOfRange(i32),
    /// The `source` reference to the State Council notice is empty.
    #[error("source (the State Council notice) must not be empty")]
    MissingSource,
    /// A listed date belongs to another year than the file's `year`.
    #[error("{field}: {date} is not in year {year}")]
    DateOutsideYear {
        /// Field of the holiday file holding the date.
        field: &'static str,
        /// The offending date.
        date: NaiveDate,
        /// The year the file states.
        year: i32,
    },
    /// A make-up working day falls on a weekday, which would mean nothing.
    #[error("makeup_workdays: {0} is not a Saturday or Sunday")]
    MakeupNotWeekend(NaiveDate),
    /// A date is listed both as a rest day and as a make-up working day.
    #[error("{0} is listed both as a rest day and as a make-up working day")]
    RestDayIsMakeup(NaiveDate),
    /// A date is listed twice in the same list, which hints at a copy error.
    #[error("{field}: {date} is listed twice")]
    DuplicateDate {
        /// Field of the holiday file holding the date.
        field: &'static str,
        /// The repeated date.
        date: NaiveDate,
    },
    /// Two holiday files claim the same year.
    #[error("holiday data for year {0} is given twice")]
    DuplicateYear(i32),
}

/// The file shape; dates stay strings here so errors can name the exact bad value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayYearFile {
    year: i32,
    source: String,
    as_of: String,
    rest_days: Vec<String>,
    makeup_workdays: Vec<String>,
}

/// One year's statutory rest days and make-up working days, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayYear {
    year: i32,
    source: String,
    as_of: NaiveDate,
    rest_days: BTreeSet<NaiveDate>,
    makeup_workdays: BTreeSet<NaiveDate>,
}

impl HolidayYear {
    /// Parses and validates one year's TOML data file.
    pub fn parse(toml_text: &str) -> Result<HolidayYear, CalendarError> {
        let file: HolidayYearFile =
            toml::from_str(toml_text).map_err(|e| CalendarError::Toml(e.to_string()))?;
        HolidayYear::validate(file)
    }

    fn validate(file: HolidayYearFile) -> Result<HolidayYear, CalendarError> {
        if !YEAR_RANGE.contains(&file.year) {
            return Err(CalendarError::YearOutOfRange(file.year));
        }
        if file.source.trim().is_empty() {
            return Err(CalendarError::MissingSource);
        }
        let as_of = parse_iso_date("as_of", &file.as_of)?;
        let rest_days = collect_dates("rest_days", &file.rest_days, file.year)?;
        let makeup_workdays = collect_dates("makeup_workdays", &file.makeup_workdays, file.year)?;
        if let Some(date) = makeup_workdays
            .iter()
            .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        {
            return Err(CalendarError::MakeupNotWeekend(*date));
        }
        if let Some(date) = rest_days.intersection(&makeup_workdays).next() {
            return Err(CalendarError::RestDayIsMakeup(*date));
        }
        Ok(HolidayYear {
            year: file.year,
            source: file.source,
            as_of,
            rest_days,
            makeup_workdays,
        })
    }

    /// A year read from somewhere else than a data file (a notice's text, a stored year),
    /// validated by the same rules as [`HolidayYear::parse`].
    pub fn from_parts(
        year: i32,
        source: String,
        as_of: NaiveDate,
        rest_days: BTreeSet<NaiveDate>,
        makeup_workdays: BTreeSet<NaiveDate>,
    ) -> Result<HolidayYear, CalendarError> {
        let text = |days: &BTreeSet<NaiveDate>| -> Vec<String> {
            days.iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect()
        };
        let file = HolidayYearFile {
            year,
            source,
            as_of: as_of.format("%Y-%m-%d").to_string(),
            rest_days: text(&rest_days),
            makeup_workdays: text(&makeup_workdays),
        };
        HolidayYear::validate(file)
    }

    /// The data file form of this year, as `data/holidays/*.toml` holds it.
    pub fn to_toml(&self) -> String {
        let list = |days: &BTreeSet<NaiveDate>| -> String {
            days.iter()
                .map(|d| format!("\"{}\"", d.format("%Y-%m-%d")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "year = {}\nsource = {:?}\nas_of = \"{}\"\nrest_days = [{}]\nmakeup_workdays = [{}]\n",
            self.year,
            self.source,
            self.as_of.format("%Y-%m-%d"),
            list(&self.rest_days),
            list(&self.makeup_workdays)
        )
    }

    /// The calendar year this data covers.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The State Council notice (title and publication date) the data was taken from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// When the data was last reviewed.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Statutory rest days, in date order.
    pub fn rest_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.rest_days.iter().copied()
    }

    /// Make-up working days (weekend days worked), in date order.
    pub fn makeup_workdays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.makeup_workdays.iter().copied()
    }
}

fn collect_dates(
    field: &'static str,
    values: &[String],
    year: i32,
) -> Result<BTreeSet<NaiveDate>, CalendarError> {
    let mut dates = BTreeSet::new();
    for value in values {
        let date = parse_iso_date(field, value)?;
        if date.year() != year {
            return Err(CalendarError::DateOutsideYear { field, date, year });
        }
        if !dates.insert(date) {
            return Err(CalendarError::DuplicateDate { field, date });
        }
    }
    Ok(dates)
}

/// Strict `YYYY-MM-DD`: chrono's own parser would also take `2025-1-1` or a signed year.
fn parse_iso_date(field: &'static str, value: &str) -> Result<NaiveDate, CalendarError> {
    let invalid = || CalendarError::InvalidDate {
        field,
        value: value.to_string(),
    };
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(invalid());
    }
    let number = |range: std::ops::Range<usize>| {
        value
            .get(range)
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or_else(invalid)
    };
    let year = i32::try_from(number(0..4)?).map_err(|_| invalid())?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?).ok_or_else(invalid)
}

/// Per-year lookup sets, kept apart from [`HolidayYear`] so the calendar owns only what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct YearDays {
    rest: BTreeSet<NaiveDate>,
    makeup: BTreeSet<NaiveDate>,
}

/// Where a year's days come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Basis {
    /// A State Council notice: a data file or a notice loaded at run time.
    Official,
    /// The §11.4 projection: no notice yet; dates counted over it are provisional.
    Projected,
}

/// A deadline and whether any day it was counted over lies in a projected year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<FixedOffset>,
    pub provisional: bool,
}

/// Working-day calendar: the official years, and the projection for later years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearDays>,
}

impl Calendar {
    /// Builds a calendar from validated years; each year may be given once.
    pub fn from_years(years: Vec<HolidayYear>) -> Result<Calendar, CalendarError> {
        let mut map = BTreeMap::new();
        for year in years {
            let days = YearDays {
                rest: year.rest_days,
                makeup: year.makeup_workdays,
            };
            if map.insert(year.year, days).is_some() {
                return Err(CalendarError::DuplicateYear(year.year));
            }
        }
        Ok(Calendar { years: map })
    }

    /// The calendar compiled into the binary from `data/holidays/*.toml` (2023–2026).
    pub fn embedded() -> Calendar {
        Calendar::from_years(Calendar::embedded_years())
            .expect("embedded holiday files have distinct years")
    }

    /// The compiled-in holiday years (2023–2026), for callers that add or replace years
    /// from files, so that a new year needs a data file and no code change.
    pub fn embedded_years() -> Vec<HolidayYear> {
        const FILES: [&str; 4] = [
            include_str!("../../../data/holidays/2023.toml"),
            include_str!("../../../data/holidays/2024.toml"),
            include_str!("../../../data/holidays/2025.toml"),
            include_str!("../../../data/holidays/2026.toml"),
        ];
        FILES
            .iter()
            .map(|text| HolidayYear::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .expect("embedded holiday files are valid (covered by a unit test)")
    }

    /// Whether `year` has official data (a notice); a projected year answers false.
    pub fn covers_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The official years, in order.
    pub fn official_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Where `year`'s days come from; `None` when it has neither a notice nor a projection.
    pub fn basis(&self, year: i32) -> Option<Basis> {
        if self.years.contains_key(&year) {
            Some(Basis::Official)
        } else if (projection::FIRST_PROJECTED_YEAR..=projection::LAST_PROJECTED_YEAR)
            .contains(&year)
        {
            Some(Basis::Projected)
        } else {
            None
        }
    }

    /// Whether `year` is counted on the projection.
    pub fn is_projected(&self, year: i32) -> bool {
        self.basis(year) == Some(Basis::Projected)
    }

    /// The start of the first projected year at or after 2025: every due date before it was
    /// counted on official years only.
    pub fn first_projected_year(&self) -> i32 {
        let mut year = projection::FIRST_PROJECTED_YEAR;
        while self.years.contains_key(&year) {
            year += 1;
        }
        year
    }

    /// The projected years an operator should be told about on `today` (§11.2): the current
    /// year when it has no notice, and from 1 October the next year too.
    pub fn projected_alert(&self, today: NaiveDate) -> Vec<i32> {
        let mut years = vec![];
        if self.is_projected(today.year()) {
            years.push(today.year());
        }
        if today.month() >= 10 && self.is_projected(today.year() + 1) {
            years.push(today.year() + 1);
        }
        years
    }

    /// Mon–Fri and not a rest day, or a listed make-up working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if let Some(days) = self.years.get(&date.year()) {
            if days.makeup.contains(&date) {
                return Ok(true);
            }
            return Ok(!weekend && !days.rest.contains(&date));
        }
        let rest = projected_rest(date.year()).ok_or(CalendarError::DataMissing(date.year()))?;
        // A projected year has no make-up days (§11.4).
        Ok(!weekend && !rest.contains(&date))
    }

    /// The `n`-th working day strictly after `date`; `date` itself when `n` is 0.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.add_working_days_marked(date, n).map(|(d, _)| d)
    }

    /// [`Calendar::add_working_days`], and whether any day counted over (`(date, result]`)
    /// lies in a projected year, which makes the result provisional.
    pub fn add_working_days_marked(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<(NaiveDate, bool), CalendarError> {
        let mut current = date;
        let mut remaining = n;
        let mut provisional = false;
        while remaining > 0 {
            current = next_day(current)?;
            provisional |= !self.covers_year(current.year());
            if self.is_working_day(current)? {
                remaining -= 1;
            }
        }
        Ok((current, provisional))
    }

    /// Number of working days in the half-open interval `(a, b]`; 0 when `b <= a`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut current = a;
        while current < b {
            current = next_day(current)?;
            if self.is_working_day(current)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Deadline 23:59:59.999 +08:00 on the `wd`-th working day after `start`'s China date,
    /// provisional when it was counted over a projected year.
    pub fn sla_due(&self, start: DateTime<FixedOffset>, wd: u32) -> Result<Due, CalendarError> {
        let start_date = start.with_timezone(&CHINA_OFFSET).date_naive();
        let (due_date, provisional) = self.add_working_days_marked(start_date, wd)?;
        Ok(Due {
            at: end_of_day(due_date),
            provisional,
        })
    }
}

/// 23:59:59.999 +08:00 on `date`.
pub fn end_of_day(date: NaiveDate) -> DateTime<FixedOffset> {
    let local = date.and_time(END_OF_DAY);
    // Dates come from four-digit years, so shifting by eight hours stays inside chrono's range.
    let utc = local - TimeDelta::hours(8);
    DateTime::from_naive_utc_and_offset(utc, CHINA_OFFSET)
}

/// The projected rest days of `year`, computed once per process: the projection is a pure
/// function of the year, and the lunisolar arithmetic is too slow to repeat per day counted.
fn projected_rest(year: i32) -> Option<Arc<BTreeSet<NaiveDate>>> {
    static CACHE: OnceLock<Mutex<BTreeMap<i32, Arc<BTreeSet<NaiveDate>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(days) = cache.lock().ok().and_then(|c| c.get(&year).cloned()) {
        return Some(days);
    }
    let days = Arc::new(projection::rest_days(year)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(year, days.clone());
    }
    Some(days)
}

/// The following day; past chrono's last date there can be no data, so report it as missing.
fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt()
        .ok_or(CalendarError::DataMissing(date.year().saturating_add(1)))
}

#[cfg(test)]
mod tests;
