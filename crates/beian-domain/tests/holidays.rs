//! Cross-check of the reviewed holiday files (`data/holidays/*.toml`, domain.md §11.1)
//! against an independent source: the `chinese_holiday` crate, whose tables are transcribed
//! from the same State Council notices. Two transcriptions agreeing on every day is the
//! point; where they ever disagree, §11.1 decides which one is wrong.

use beian_domain::calendar::Calendar;
use chinese_holiday::{chinese_holiday, Ymd};
use chrono::{Datelike, NaiveDate, Weekday};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The crate asserts its range and panics past it: 2026.0.1 stops at 2026-12-25.
const CRATE_LAST_DAY: (u16, u8, u8) = (2026, 12, 25);

fn ymd(d: NaiveDate) -> Ymd {
    let narrow = |v: u32| u8::try_from(v).unwrap();
    Ymd::new(
        u16::try_from(d.year()).unwrap(),
        narrow(d.month()),
        narrow(d.day()),
    )
}

#[test]
fn every_day_of_2023_to_2026_agrees_with_chinese_holiday() {
    let calendar = Calendar::embedded();
    let (y, m, d) = CRATE_LAST_DAY;
    let crate_last = date(y.into(), m.into(), d.into());
    let mut disagreements = vec![];
    let mut compared = 0;
    let mut day = date(2023, 1, 1);
    while day <= date(2026, 12, 31) {
        let ours = calendar.is_working_day(day).expect("2023–2026 are covered");
        let theirs = if day <= crate_last {
            compared += 1;
            chinese_holiday(ymd(day)).is_workday()
        } else {
            // Past the crate's range. §11.1 lists no rest or make-up day after 12-25 in 2026,
            // so the plain weekday rule is the reference for these last six days.
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        };
        if ours != theirs {
            disagreements.push(format!("{day}: ours {ours}, chinese_holiday {theirs}"));
        }
        day = day.succ_opt().unwrap();
    }
    assert_eq!(compared, 365 + 366 + 365 + 359);
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn the_crate_range_is_as_assumed() {
    // If a newer release covers all of 2026, this fails: then drop the weekday fallback above.
    let past_the_end = std::panic::catch_unwind(|| chinese_holiday(Ymd::new(2026, 12, 26)));
    assert!(past_the_end.is_err());
    let (y, m, d) = CRATE_LAST_DAY;
    assert!(chinese_holiday(Ymd::new(y, m, d)).is_workday());
}
