use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const MINIMAL: &str = r#"
year = 2030
source = "国务院办公厅关于2030年部分节假日安排的通知，2029-11-01发布"
as_of = "2029-11-02"
rest_days = ["2030-01-01"]
makeup_workdays = ["2030-01-05"]
"#;

#[test]
fn embedded_files_parse_and_cover_2023_to_2026() {
    let calendar = Calendar::embedded();
    for year in 2023..=2026 {
        assert!(calendar.covers_year(year), "{year}");
    }
    assert!(!calendar.covers_year(2022));
    assert!(!calendar.covers_year(2027));
    assert_eq!(calendar.basis(2022), None);
    assert_eq!(calendar.basis(2026), Some(Basis::Official));
    assert_eq!(calendar.basis(2027), Some(Basis::Projected));
    assert_eq!(calendar.first_projected_year(), 2027);
}

#[test]
fn embedded_files_hold_expected_counts() {
    let texts = [
        (include_str!("../../../../data/holidays/2023.toml"), 26, 7),
        (include_str!("../../../../data/holidays/2024.toml"), 28, 8),
        (include_str!("../../../../data/holidays/2025.toml"), 28, 5),
        (include_str!("../../../../data/holidays/2026.toml"), 33, 6),
    ];
    for (text, rest, makeup) in texts {
        let year = HolidayYear::parse(text).unwrap();
        assert_eq!(year.rest_days().count(), rest, "{}", year.year());
        assert_eq!(year.makeup_workdays().count(), makeup, "{}", year.year());
        assert!(year.source().contains(&format!("{}年", year.year())));
    }
}

#[test]
fn vectors_of_section_11_3() {
    let calendar = Calendar::embedded();
    let cases = [
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-26", 2, "2025-09-29"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 20, "2025-11-04"),
        ("2025-12-31", 1, "2026-01-04"),
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-13", 20, "2026-03-19"),
        ("2026-09-18", 1, "2026-09-20"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 20, "2026-11-03"),
        ("2023-09-28", 1, "2023-10-07"),
        ("2024-02-08", 2, "2024-02-18"),
        ("2026-12-24", 5, "2026-12-31"),
    ];
    for (start, n, expected) in cases {
        assert_eq!(
            calendar.add_working_days(d(start), n),
            Ok(d(expected)),
            "{start} + {n}"
        );
        assert_eq!(
            calendar.working_days_between(d(start), d(expected)),
            Ok(n),
            "({start}, {expected}]"
        );
    }
    assert_eq!(
        calendar.add_working_days_marked(d("2026-12-24"), 5),
        Ok((d("2026-12-31"), false)),
        "the last official day is not provisional"
    );
    assert_eq!(
        calendar.add_working_days_marked(d("2026-12-24"), 6),
        Ok((d("2027-01-04"), true)),
        "crossing into the projected 2027"
    );
}

#[test]
fn vectors_of_section_11_4_are_provisional() {
    let calendar = Calendar::embedded();
    let cases = [
        ("2026-12-10", 20, "2027-01-08"),
        ("2026-12-31", 1, "2027-01-04"),
        ("2027-02-04", 1, "2027-02-15"),
        ("2027-04-02", 1, "2027-04-06"),
        ("2027-04-30", 1, "2027-05-06"),
        ("2027-06-08", 1, "2027-06-10"),
        ("2027-09-14", 1, "2027-09-16"),
        ("2027-09-30", 1, "2027-10-08"),
        ("2027-01-15", 20, "2027-02-22"),
    ];
    for (start, n, expected) in cases {
        assert_eq!(
            calendar.add_working_days_marked(d(start), n),
            Ok((d(expected), true)),
            "{start} + {n}"
        );
        assert_eq!(
            calendar.working_days_between(d(start), d(expected)),
            Ok(n),
            "({start}, {expected}]"
        );
    }
}

#[test]
fn a_loaded_year_is_official_and_not_provisional() {
    let mut years = Calendar::embedded_years();
    // A 2027 notice with a make-up Saturday on 2027-02-20.
    let rest: BTreeSet<NaiveDate> = d("2027-02-05")
        .iter_days()
        .take(8)
        .chain([d("2027-01-01")])
        .collect();
    years.push(
        HolidayYear::from_parts(
            2027,
            "国务院办公厅关于2027年部分节假日安排的通知".into(),
            d("2026-11-05"),
            rest,
            [d("2027-02-20")].into(),
        )
        .unwrap(),
    );
    let calendar = Calendar::from_years(years).unwrap();
    assert_eq!(calendar.basis(2027), Some(Basis::Official));
    assert_eq!(calendar.basis(2028), Some(Basis::Projected));
    assert_eq!(calendar.first_projected_year(), 2028);
    assert_eq!(
        calendar.add_working_days_marked(d("2027-02-19"), 1),
        Ok((d("2027-02-20"), false))
    );
    assert_eq!(
        calendar.add_working_days_marked(d("2027-12-30"), 2),
        Ok((d("2028-01-04"), true)),
        "2028-01-01 is a Saturday; 01-03 is the projected New Year's Monday"
    );
}

#[test]
fn from_parts_validates_like_a_file() {
    assert_eq!(
        HolidayYear::from_parts(
            2027,
            "通知".into(),
            d("2026-11-05"),
            BTreeSet::new(),
            [d("2027-02-19")].into()
        ),
        Err(CalendarError::MakeupNotWeekend(d("2027-02-19")))
    );
    let year = HolidayYear::parse(MINIMAL).unwrap();
    assert_eq!(HolidayYear::parse(&year.to_toml()), Ok(year));
}

#[test]
fn the_alert_names_projected_years_from_october() {
    let calendar = Calendar::embedded();
    assert!(calendar.projected_alert(d("2026-09-30")).is_empty());
    assert_eq!(calendar.projected_alert(d("2026-10-01")), vec![2027]);
    assert_eq!(calendar.projected_alert(d("2031-06-01")), vec![2031]);
    assert_eq!(calendar.projected_alert(d("2031-12-31")), vec![2031, 2032]);
}

#[test]
fn zero_days_is_the_start_date_even_on_a_rest_day() {
    let calendar = Calendar::embedded();
    assert_eq!(
        calendar.add_working_days(d("2025-10-01"), 0),
        Ok(d("2025-10-01"))
    );
}

#[test]
fn working_day_classification() {
    let calendar = Calendar::embedded();
    assert_eq!(calendar.is_working_day(d("2024-02-09")), Ok(true));
    assert_eq!(calendar.is_working_day(d("2025-01-28")), Ok(false));
    assert_eq!(calendar.is_working_day(d("2025-10-08")), Ok(false));
    assert_eq!(calendar.is_working_day(d("2025-10-11")), Ok(true));
    assert_eq!(calendar.is_working_day(d("2025-10-12")), Ok(false));
    assert_eq!(calendar.is_working_day(d("2025-10-13")), Ok(true));
    assert_eq!(
        calendar.is_working_day(d("2022-12-30")),
        Err(CalendarError::DataMissing(2022))
    );
}

#[test]
fn between_is_zero_for_empty_interval_and_refuses_years_before_the_principles() {
    let calendar = Calendar::embedded();
    assert_eq!(
        calendar.working_days_between(d("2025-03-03"), d("2025-03-03")),
        Ok(0)
    );
    assert_eq!(
        calendar.working_days_between(d("2025-03-05"), d("2025-03-03")),
        Ok(0)
    );
    assert_eq!(
        calendar.working_days_between(d("2026-12-30"), d("2027-01-04")),
        Ok(2)
    );
    assert_eq!(
        calendar.working_days_between(d("2022-12-30"), d("2023-01-04")),
        Err(CalendarError::DataMissing(2022))
    );
}

#[test]
fn sla_due_ends_the_due_day_in_china_time() {
    let calendar = Calendar::embedded();
    let start = DateTime::parse_from_rfc3339("2025-09-26T10:00:00+08:00").unwrap();
    let due = calendar.sla_due(start, 2).unwrap();
    assert_eq!(due.at.to_rfc3339(), "2025-09-29T23:59:59.999+08:00");
    assert_eq!(due.at.offset(), &china_offset());
    assert!(!due.provisional);
}

#[test]
fn sla_due_uses_the_china_date_of_the_start() {
    let calendar = Calendar::embedded();
    // 17:30 UTC on Thursday is already Friday 01:30 in China.
    let start = DateTime::parse_from_rfc3339("2025-09-25T17:30:00+00:00").unwrap();
    let due = calendar.sla_due(start, 1).unwrap();
    assert_eq!(due.at.to_rfc3339(), "2025-09-28T23:59:59.999+08:00");
    let late = DateTime::parse_from_rfc3339("2026-12-24T09:00:00+08:00").unwrap();
    let due = calendar.sla_due(late, 6).unwrap();
    assert_eq!(due.at.to_rfc3339(), "2027-01-04T23:59:59.999+08:00");
    assert!(due.provisional);
}

#[test]
fn parse_accepts_a_minimal_file() {
    let year = HolidayYear::parse(MINIMAL).unwrap();
    assert_eq!(year.year(), 2030);
    assert_eq!(year.as_of(), d("2029-11-02"));
    assert_eq!(year.rest_days().collect::<Vec<_>>(), vec![d("2030-01-01")]);
    assert_eq!(
        year.makeup_workdays().collect::<Vec<_>>(),
        vec![d("2030-01-05")]
    );
}

#[test]
fn parse_rejects_bad_toml_and_missing_fields() {
    assert!(matches!(
        HolidayYear::parse("year = "),
        Err(CalendarError::Toml(_))
    ));
    let no_makeup = MINIMAL.replace("makeup_workdays = [\"2030-01-05\"]", "");
    assert!(matches!(
        HolidayYear::parse(&no_makeup),
        Err(CalendarError::Toml(_))
    ));
    let unknown = format!("{MINIMAL}extra = 1\n");
    assert!(matches!(
        HolidayYear::parse(&unknown),
        Err(CalendarError::Toml(_))
    ));
    let native_date = MINIMAL.replace("[\"2030-01-01\"]", "[2030-01-01]");
    assert!(matches!(
        HolidayYear::parse(&native_date),
        Err(CalendarError::Toml(_))
    ));
}

#[test]
fn parse_rejects_malformed_dates() {
    for bad in [
        "2030-1-1",
        "2030-02-30",
        "2030/01/01",
        "+2030-01-01",
        "２０３０-01-01",
    ] {
        let text = MINIMAL.replace("\"2030-01-01\"", &format!("\"{bad}\""));
        assert_eq!(
            HolidayYear::parse(&text),
            Err(CalendarError::InvalidDate {
                field: "rest_days",
                value: bad.to_string()
            }),
            "{bad}"
        );
    }
    let bad_as_of = MINIMAL.replace("as_of = \"2029-11-02\"", "as_of = \"soon\"");
    assert!(matches!(
        HolidayYear::parse(&bad_as_of),
        Err(CalendarError::InvalidDate { field: "as_of", .. })
    ));
}

#[test]
fn parse_rejects_dates_of_another_year() {
    let text = MINIMAL.replace("\"2030-01-01\"", "\"2029-12-31\"");
    assert_eq!(
        HolidayYear::parse(&text),
        Err(CalendarError::DateOutsideYear {
            field: "rest_days",
            date: d("2029-12-31"),
            year: 2030
        })
    );
    let text = MINIMAL.replace("\"2030-01-05\"", "\"2031-01-04\"");
    assert!(matches!(
        HolidayYear::parse(&text),
        Err(CalendarError::DateOutsideYear {
            field: "makeup_workdays",
            ..
        })
    ));
}

#[test]
fn parse_rejects_weekday_makeup_and_overlaps() {
    // 2030-01-07 is a Monday.
    let text = MINIMAL.replace("\"2030-01-05\"", "\"2030-01-07\"");
    assert_eq!(
        HolidayYear::parse(&text),
        Err(CalendarError::MakeupNotWeekend(d("2030-01-07")))
    );
    let text = MINIMAL.replace("[\"2030-01-01\"]", "[\"2030-01-01\", \"2030-01-05\"]");
    assert_eq!(
        HolidayYear::parse(&text),
        Err(CalendarError::RestDayIsMakeup(d("2030-01-05")))
    );
    let text = MINIMAL.replace("[\"2030-01-01\"]", "[\"2030-01-01\", \"2030-01-01\"]");
    assert_eq!(
        HolidayYear::parse(&text),
        Err(CalendarError::DuplicateDate {
            field: "rest_days",
            date: d("2030-01-01")
        })
    );
}

#[test]
fn parse_rejects_empty_source_and_odd_years() {
    let text = MINIMAL.replace(
        "source = \"国务院办公厅关于2030年部分节假日安排的通知，2029-11-01发布\"",
        "source = \"  \"",
    );
    assert_eq!(HolidayYear::parse(&text), Err(CalendarError::MissingSource));
    let text = MINIMAL.replace("year = 2030", "year = 12030");
    assert_eq!(
        HolidayYear::parse(&text),
        Err(CalendarError::YearOutOfRange(12030))
    );
}

#[test]
fn from_years_rejects_a_year_given_twice() {
    let year = HolidayYear::parse(MINIMAL).unwrap();
    assert_eq!(
        Calendar::from_years(vec![year.clone(), year]),
        Err(CalendarError::DuplicateYear(2030))
    );
}
