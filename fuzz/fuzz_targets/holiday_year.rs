#![no_main]
//! `HolidayYear::parse` (§11.1 data files) and the calendar built from an accepted year.

use beian_domain::calendar::{Calendar, CalendarError, HolidayYear};
use chrono::Datelike;
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
    // Past the year's end: the next year is projected (§11.4) and the answer provisional,
    // or, outside the projection's years, refused — never a silent Mon–Fri week.
    match calendar.add_working_days_marked(first, working + 1) {
        Err(e) => assert_eq!(e, CalendarError::DataMissing(y + 1)),
        Ok((day, provisional)) => {
            assert!(day.year() > y, "{day}");
            assert!(provisional, "{day} was counted over a projected year");
            assert!(calendar.is_projected(y + 1));
        }
    }
});
