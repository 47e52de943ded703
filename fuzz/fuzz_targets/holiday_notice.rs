#![no_main]
//! `read_notice` (§11.5): any text is read completely or refused with a line, and what it
//! reads is a valid year of data.

use beian_domain::calendar::{Calendar, HolidayYear};
use beian_domain::notice::read_notice;
use chrono::{Datelike, Weekday};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let Ok(notice) = read_notice(s, None) else {
        return;
    };
    let y = notice.year;
    assert!(notice.rest_days.iter().all(|d| d.year() == y));
    assert!(notice
        .makeup_workdays
        .iter()
        .all(|d| d.year() == y && matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
    assert!(notice.rest_days.is_disjoint(&notice.makeup_workdays));
    let first = chrono::NaiveDate::from_ymd_opt(y, 1, 1).expect("a four-digit year");
    let year = HolidayYear::from_parts(
        y,
        "fuzz".into(),
        first,
        notice.rest_days.clone(),
        notice.makeup_workdays.clone(),
    )
    .expect("what the reader accepts is a valid year");
    let calendar = Calendar::from_years(vec![year]).expect("one year");
    for d in &notice.rest_days {
        assert_eq!(calendar.is_working_day(*d), Ok(false), "{d}");
    }
    // The same text reads the same way when the year is asked for.
    assert_eq!(read_notice(s, Some(y)).as_ref(), Ok(&notice));
});
