//! The projected calendar of a year without a State Council notice (domain §11.4).
//!
//! Since 2025 the notices follow principles the 2025 notice states: 春节 8 days from 除夕,
//! 劳动节 1–5 May, 国庆 1–7 October (1–8 when it meets 中秋), and 元旦, 清明, 端午 and 中秋
//! 3 days each, joined to a weekend by the weekday they fall on (the day alone on a
//! Wednesday). A projected year has no make-up working days: each notice picks its own, so a
//! provisional due date may move by a few days when the notice arrives.
//!
//! Lunar dates and the 清明 solar term come from `tyme4rs` (6tail's maintained lunisolar
//! calendar), never from a hand-typed table; the tests check the projection against the
//! official 2025 and 2026 notices.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The first year the 2025 principles apply to; earlier years need their notice.
pub const FIRST_PROJECTED_YEAR: i32 = 2025;
/// The last year projected; the lunisolar algorithms hold far beyond, but a deadline this
/// far out is a mistake, and bounding it keeps every date inside chrono's range.
pub const LAST_PROJECTED_YEAR: i32 = 2200;

/// A festival of the notices, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Festival {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
}

impl Festival {
    /// The festival's name as the notices write it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Festival::NewYear => "元旦",
            Festival::SpringFestival => "春节",
            Festival::Qingming => "清明节",
            Festival::LabourDay => "劳动节",
            Festival::DragonBoat => "端午节",
            Festival::MidAutumn => "中秋节",
            Festival::NationalDay => "国庆节",
        }
    }
}

/// One projected rest block, first to last day inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub festival: Festival,
    /// The day the festival itself falls on (元旦 1 January, 除夕, the solar term, …).
    pub day: NaiveDate,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Block {
    /// Every day of the block.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        self.first.iter_days().take_while({
            let last = self.last;
            move |d| *d <= last
        })
    }

    /// Number of days in the block.
    pub fn len(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// Never empty; present for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }
}

/// The rest blocks of a projected `year`, in festival order; `None` outside
/// [`FIRST_PROJECTED_YEAR`]..=[`LAST_PROJECTED_YEAR`].
pub fn blocks(year: i32) -> Option<Vec<Block>> {
    if !(FIRST_PROJECTED_YEAR..=LAST_PROJECTED_YEAR).contains(&year) {
        return None;
    }
    let new_year = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let first_lunar_day = to_naive(LunarDay::new(year as isize, 1, 1).ok()?.get_solar_day())?;
    let eve = first_lunar_day.pred_opt()?;
    let qingming = to_naive(SolarTerm::new(year as isize, "清明").ok()?.get_solar_day())?;
    let dragon_boat = to_naive(LunarDay::new(year as isize, 5, 5).ok()?.get_solar_day())?;
    let mid_autumn = to_naive(LunarDay::new(year as isize, 8, 15).ok()?.get_solar_day())?;
    let october_first = NaiveDate::from_ymd_opt(year, 10, 1)?;
    let may_first = NaiveDate::from_ymd_opt(year, 5, 1)?;
    let mut out = vec![
        three_day(Festival::NewYear, new_year),
        fixed(Festival::SpringFestival, eve, 8),
        three_day(Festival::Qingming, qingming),
        fixed(Festival::LabourDay, may_first, 5),
        three_day(Festival::DragonBoat, dragon_boat),
    ];
    let merged = mid_autumn >= october_first && mid_autumn <= october_first + Duration::days(7);
    if merged {
        // "国庆节放假如逢中秋节则合并放假8天".
        out.push(fixed(Festival::NationalDay, october_first, 8));
    } else {
        out.push(three_day(Festival::MidAutumn, mid_autumn));
        out.push(fixed(Festival::NationalDay, october_first, 7));
    }
    Some(out)
}

/// The rest days of a projected year (every day of every block, weekends included). A New
/// Year's Day on a Monday joins the previous year's last weekend, as 2024's notice did; those
/// two days are the previous year's weekend and are left out here.
pub fn rest_days(year: i32) -> Option<BTreeSet<NaiveDate>> {
    Some(
        blocks(year)?
            .iter()
            .flat_map(Block::days)
            .filter(|d| d.year() == year)
            .collect(),
    )
}

/// A 3-day block joined to the weekend as the notices join them (§11.4): Monday Sat–Mon,
/// Tuesday Sun–Tue, Wednesday the day alone, Thursday Thu–Sat, Friday Fri–Sun,
/// Saturday Sat–Mon, Sunday Sat–Mon.
fn three_day(festival: Festival, day: NaiveDate) -> Block {
    let (before, after) = match day.weekday() {
        Weekday::Mon | Weekday::Tue => (2, 0),
        Weekday::Wed => (0, 0),
        Weekday::Thu | Weekday::Fri | Weekday::Sat => (0, 2),
        Weekday::Sun => (1, 1),
    };
    Block {
        festival,
        day,
        first: day - Duration::days(before),
        last: day + Duration::days(after),
    }
}

fn fixed(festival: Festival, first: NaiveDate, days: i64) -> Block {
    Block {
        festival,
        day: first,
        first,
        last: first + Duration::days(days - 1),
    }
}

fn to_naive(day: SolarDay) -> Option<NaiveDate> {
    let year = i32::try_from(day.get_year()).ok()?;
    let month = u32::try_from(day.get_month()).ok()?;
    let d = u32::try_from(day.get_day()).ok()?;
    NaiveDate::from_ymd_opt(year, month, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::HolidayYear;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn official(text: &str) -> BTreeSet<NaiveDate> {
        HolidayYear::parse(text).unwrap().rest_days().collect()
    }

    #[test]
    fn lunar_dates_and_qingming_match_the_official_years() {
        // 除夕, 清明, 端午, 中秋 as the 2024–2026 notices and §11.4 state them.
        let cases = [
            (
                2024_i32,
                "2024-02-09",
                "2024-04-04",
                "2024-06-10",
                "2024-09-17",
            ),
            (2025, "2025-01-28", "2025-04-04", "2025-05-31", "2025-10-06"),
            (2026, "2026-02-16", "2026-04-05", "2026-06-19", "2026-09-25"),
            (2027, "2027-02-05", "2027-04-05", "2027-06-09", "2027-09-15"),
        ];
        for (year, eve, qingming, dragon, autumn) in cases {
            if year < FIRST_PROJECTED_YEAR {
                let first =
                    to_naive(LunarDay::new(year as isize, 1, 1).unwrap().get_solar_day()).unwrap();
                assert_eq!(first.pred_opt().unwrap(), d(eve));
                continue;
            }
            let blocks = blocks(year).unwrap();
            let day = |f: Festival| blocks.iter().find(|b| b.festival == f).map(|b| b.day);
            assert_eq!(day(Festival::SpringFestival), Some(d(eve)), "{year}");
            assert_eq!(day(Festival::Qingming), Some(d(qingming)), "{year}");
            assert_eq!(day(Festival::DragonBoat), Some(d(dragon)), "{year}");
            if year != 2025 {
                assert_eq!(day(Festival::MidAutumn), Some(d(autumn)), "{year}");
            } else {
                // 2025: 中秋 on 10-06 merges into an 8-day National Day.
                assert_eq!(day(Festival::MidAutumn), None);
            }
        }
    }

    #[test]
    fn projection_of_2025_is_exactly_the_official_rest_days() {
        let official = official(include_str!("../../../../data/holidays/2025.toml"));
        assert_eq!(rest_days(2025).unwrap(), official);
    }

    #[test]
    fn every_projected_day_of_2026_is_an_official_rest_day() {
        let official = official(include_str!("../../../../data/holidays/2026.toml"));
        let projected = rest_days(2026).unwrap();
        let extra: Vec<_> = projected.difference(&official).collect();
        assert!(extra.is_empty(), "projected but not official: {extra:?}");
        // 2026's Spring Festival ran one "special case" day longer (from 腊月二十八).
        let missing: Vec<_> = official.difference(&projected).copied().collect();
        assert_eq!(missing, vec![d("2026-02-15")]);
    }

    #[test]
    fn projected_2027_is_as_section_11_4_states() {
        let expected: BTreeSet<NaiveDate> = [
            ("2027-01-01", "2027-01-03"),
            ("2027-02-05", "2027-02-12"),
            ("2027-04-03", "2027-04-05"),
            ("2027-05-01", "2027-05-05"),
            ("2027-06-09", "2027-06-09"),
            ("2027-09-15", "2027-09-15"),
            ("2027-10-01", "2027-10-07"),
        ]
        .iter()
        .flat_map(|(a, b)| d(a).iter_days().take_while(move |x| *x <= d(b)))
        .collect();
        assert_eq!(rest_days(2027).unwrap(), expected);
    }

    #[test]
    fn every_year_to_2100_projects_with_the_right_block_shapes() {
        for year in 2027..=2100 {
            let blocks = blocks(year).unwrap_or_else(|| panic!("{year} did not project"));
            let mut seen = vec![];
            for b in &blocks {
                seen.push(b.festival);
                assert_eq!(b.last.year(), year, "{b:?}");
                if b.festival != Festival::NewYear {
                    assert_eq!(b.first.year(), year, "{b:?}");
                }
                match b.festival {
                    Festival::SpringFestival => {
                        assert_eq!(b.len(), 8, "{year} {b:?}");
                        // 除夕 is in late January or February.
                        assert!(matches!(b.first.month(), 1 | 2), "{year} {b:?}");
                    }
                    Festival::LabourDay => {
                        assert_eq!((b.first, b.len()), (d(&format!("{year}-05-01")), 5));
                    }
                    Festival::NationalDay => {
                        assert_eq!(b.first, d(&format!("{year}-10-01")));
                        let merged = !seen.contains(&Festival::MidAutumn);
                        assert_eq!(b.len(), if merged { 8 } else { 7 }, "{year}");
                    }
                    Festival::Qingming => {
                        assert_eq!(b.day.month(), 4, "{year}");
                        assert!(matches!(b.day.day(), 4 | 5), "{year}: {}", b.day);
                        assert_three_day_shape(b);
                    }
                    Festival::NewYear | Festival::DragonBoat | Festival::MidAutumn => {
                        assert_three_day_shape(b)
                    }
                }
            }
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "{year}: {seen:?}");
            assert!(seen.len() == 6 || seen.len() == 7, "{year}: {seen:?}");
        }
    }

    fn assert_three_day_shape(b: &Block) {
        if b.day.weekday() == Weekday::Wed {
            assert_eq!((b.first, b.last), (b.day, b.day), "{b:?}");
            return;
        }
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(b.first <= b.day && b.day <= b.last, "{b:?}");
        // Always joined to a weekend, never bridging two weekends.
        let weekend = b
            .days()
            .filter(|x| matches!(x.weekday(), Weekday::Sat | Weekday::Sun))
            .count();
        assert!((1..=2).contains(&weekend), "{b:?}");
        let expected_first = match b.day.weekday() {
            Weekday::Mon | Weekday::Sun => Weekday::Sat,
            Weekday::Tue => Weekday::Sun,
            other => other,
        };
        assert_eq!(b.first.weekday(), expected_first, "{b:?}");
    }

    #[test]
    fn years_outside_the_principles_do_not_project() {
        assert!(blocks(2024).is_none());
        assert!(blocks(LAST_PROJECTED_YEAR + 1).is_none());
        assert!(blocks(LAST_PROJECTED_YEAR).is_some());
    }
}
