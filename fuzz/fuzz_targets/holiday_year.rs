#![no_main]
//! `HolidayYear::parse` (§11.1 data files) and the calendar built from an accepted year.

use beian_domain::calendar::{Calendar, CalendarError, HolidayYear};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let Ok(year) = HolidayYear::parse(s) else {
        return;
    };
    let y = year.year();
    let rest: Vec<_> = year.rest_days().collect();
    let makeup: Vec<_> = year.makeup_workdays().collect();
    let calendar = Calendar::from_years(vec![year]).expect("one year");
    for d in &rest {
        assert_eq!(calendar.is_working_day(*d), Ok(false), "{d}");
    }
    for d in &makeup {
        assert_eq!(calendar.is_working_day(*d), Ok(true), "{d}");
    }
    let first = chrono::NaiveDate::from_ymd_opt(y, 1, 1).expect("years are four-digit");
    let last = chrono::NaiveDate::from_ymd_opt(y, 12, 31).expect("years are four-digit");
    let working = calendar
        .working_days_between(first, last)
        .expect("inside the year");
    assert!(working <= 365);
    // Running past the year's end must be refused, never answered with Mon–Fri.
    assert_eq!(
        calendar.add_working_days(first, working + 1),
        Err(CalendarError::DataMissing(y + 1))
    );
});
