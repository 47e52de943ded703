//! The four real notices read to exactly the reviewed data files (2024–2026) or to the official
//! days (2017); width and whitespace variants read the same; every refusal rule is triggered by
//! mutating a real notice, and the error points at the mutated line; random edits never panic.

use super::dates::YEAR_RANGE;
use super::*;
use chrono::Weekday;
use proptest::prelude::*;

const NOTICE_2017: &str = include_str!("../../../../data/holiday-notices/2017.txt");
const NOTICE_2024: &str = include_str!("../../../../data/holiday-notices/2024.txt");
const NOTICE_2025: &str = include_str!("../../../../data/holiday-notices/2025.txt");
const NOTICE_2026: &str = include_str!("../../../../data/holiday-notices/2026.txt");
const DATA_2024: &str = include_str!("../../../../data/holidays/2024.toml");
const DATA_2025: &str = include_str!("../../../../data/holidays/2025.toml");
const DATA_2026: &str = include_str!("../../../../data/holidays/2026.toml");

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test dates are valid")
}

/// Every day from `a` to `b`, inclusive.
fn span(a: NaiveDate, b: NaiveDate) -> Vec<NaiveDate> {
    a.iter_days().take_while(|d| *d <= b).collect()
}

/// Year, rest days and make-up days of a reviewed data file, read with `toml` directly so that
/// the check does not depend on the calendar module's own parser.
fn data_file(text: &str) -> (i32, BTreeSet<NaiveDate>, BTreeSet<NaiveDate>) {
    let table: toml::Table = text.parse().expect("data file is TOML");
    let dates = |key: &str| -> BTreeSet<NaiveDate> {
        table[key]
            .as_array()
            .expect("a list of dates")
            .iter()
            .map(|v| {
                NaiveDate::parse_from_str(v.as_str().expect("a date string"), "%Y-%m-%d")
                    .expect("YYYY-MM-DD")
            })
            .collect()
    };
    let year = table["year"].as_integer().expect("year") as i32;
    (year, dates("rest_days"), dates("makeup_workdays"))
}

fn read(text: &str, year: i32) -> Notice {
    read_notice(text, Some(year)).unwrap_or_else(|e| panic!("{year} must read: {e}"))
}

/// Replaces the one occurrence of `from`; a test whose mutation does not apply must fail.
fn mutate(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur exactly once"
    );
    text.replacen(from, to, 1)
}

/// Asserts that `text` is refused at `line_no`, quoting that line, for a reason containing `why`.
fn refused_at(text: &str, year: Option<i32>, line_no: usize, why: &str) -> NoticeError {
    let err = match read_notice(text, year) {
        Ok(notice) => panic!("must be refused, read {notice:?}"),
        Err(err) => err,
    };
    assert_eq!(err.line_no, line_no, "{err}");
    let expected_line = if line_no == 0 {
        ""
    } else {
        text.lines().nth(line_no - 1).expect("line exists").trim()
    };
    assert_eq!(err.line, expected_line, "{err}");
    assert!(
        err.reason.contains(why),
        "reason should mention {why:?}: {err}"
    );
    err
}

fn to_half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            '：' => ':',
            '；' => ';',
            c => c,
        })
        .collect()
}

/// Full-width punctuation and digits, as some reprints and word processors produce them.
fn to_full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ':' => '：',
            ';' => '；',
            '0'..='9' => char::from_u32(u32::from(c) + 0xFEE0).expect("full-width digit"),
            c => c,
        })
        .collect()
}

/// What every accepted notice must satisfy, whatever the text was.
fn assert_consistent(notice: &Notice) {
    assert!(YEAR_RANGE.contains(&notice.year));
    for d in &notice.rest_days {
        assert_eq!(d.year(), notice.year, "{d}");
        assert!(!notice.makeup_workdays.contains(d), "{d}");
    }
    for d in &notice.makeup_workdays {
        assert_eq!(d.year(), notice.year, "{d}");
        assert!(is_weekend(*d), "{d}");
    }
}

#[test]
fn notices_2024_to_2026_give_exactly_the_data_files() {
    let cases = [
        (
            NOTICE_2024,
            DATA_2024,
            Some("国办发明电〔2023〕7号"),
            date(2023, 10, 25),
        ),
        (
            NOTICE_2025,
            DATA_2025,
            Some("国办发明电〔2024〕12号"),
            date(2024, 11, 12),
        ),
        (NOTICE_2026, DATA_2026, None, date(2025, 11, 4)),
    ];
    for (text, data, number, published) in cases {
        let (year, rest, makeup) = data_file(data);
        let notice = read(text, year);
        assert_eq!(notice.year, year);
        assert_eq!(
            notice.title,
            format!("国务院办公厅关于{year}年部分节假日安排的通知")
        );
        assert_eq!(notice.number.as_deref(), number, "{year}");
        assert_eq!(notice.published, Some(published), "{year}");
        assert_eq!(notice.rest_days, rest, "{year} rest days");
        assert_eq!(notice.makeup_workdays, makeup, "{year} make-up days");
        assert_consistent(&notice);
        // Reading without an expected year gives the same.
        assert_eq!(read_notice(text, None), Ok(notice));
    }
}

#[test]
fn notice_2017_gives_the_official_days() {
    let notice = read(NOTICE_2017, 2017);
    let mut rest = vec![date(2017, 1, 1), date(2017, 1, 2), date(2017, 5, 1)];
    rest.extend(span(date(2017, 1, 27), date(2017, 2, 2)));
    rest.extend(span(date(2017, 4, 2), date(2017, 4, 4)));
    rest.extend(span(date(2017, 5, 28), date(2017, 5, 30)));
    rest.extend(span(date(2017, 10, 1), date(2017, 10, 8)));
    let makeup = [(1, 22), (2, 4), (4, 1), (5, 27), (9, 30)].map(|(m, d)| date(2017, m, d));
    assert_eq!(notice.year, 2017);
    assert_eq!(notice.title, "国务院办公厅关于2017年部分节假日安排的通知");
    assert_eq!(notice.number.as_deref(), Some("国办发明电〔2016〕17号"));
    assert_eq!(notice.published, Some(date(2016, 12, 1)));
    assert_eq!(notice.rest_days, rest.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(
        notice.makeup_workdays,
        makeup.into_iter().collect::<BTreeSet<_>>()
    );
}

#[test]
fn advisory_sentence_adds_no_day_but_is_needed_to_skip_its_bracketed_date() {
    // 2024: "鼓励……安排职工在除夕（2月9日）休息" — 2月9日 stays a working day (domain §11.3).
    let notice = read(NOTICE_2024, 2024);
    assert!(!notice.rest_days.contains(&date(2024, 2, 9)));
    // Without 鼓励 the same sentence is an unreadable one with a date in brackets.
    let text = mutate(NOTICE_2024, "鼓励各单位", "各单位");
    refused_at(&text, Some(2024), 10, "括号里有数字");
}

#[test]
fn sample_2027_uses_real_weekdays() {
    // The scratch check behind the sample's brackets, kept so that an edit to it stays honest.
    let weekdays = [
        ((1, 1), Weekday::Fri),
        ((1, 3), Weekday::Sun),
        ((1, 31), Weekday::Sun),
        ((2, 5), Weekday::Fri),
        ((2, 12), Weekday::Fri),
        ((2, 20), Weekday::Sat),
        ((4, 3), Weekday::Sat),
        ((4, 5), Weekday::Mon),
        ((4, 25), Weekday::Sun),
        ((5, 1), Weekday::Sat),
        ((5, 5), Weekday::Wed),
        ((6, 9), Weekday::Wed),
        ((9, 15), Weekday::Wed),
        ((9, 26), Weekday::Sun),
        ((10, 1), Weekday::Fri),
        ((10, 7), Weekday::Thu),
        ((10, 9), Weekday::Sat),
    ];
    for ((m, d), weekday) in weekdays {
        assert_eq!(date(2027, m, d).weekday(), weekday, "2027-{m}-{d}");
    }
}

#[test]
fn sample_2027_reads_to_the_projection_plus_its_makeup_days() {
    let notice = read(samples::NOTICE_2027, 2027);
    let mut rest = vec![date(2027, 6, 9), date(2027, 9, 15)];
    rest.extend(span(date(2027, 1, 1), date(2027, 1, 3)));
    rest.extend(span(date(2027, 2, 5), date(2027, 2, 12)));
    rest.extend(span(date(2027, 4, 3), date(2027, 4, 5)));
    rest.extend(span(date(2027, 5, 1), date(2027, 5, 5)));
    rest.extend(span(date(2027, 10, 1), date(2027, 10, 7)));
    let makeup = [(1, 31), (2, 20), (4, 25), (9, 26), (10, 9)].map(|(m, d)| date(2027, m, d));
    assert_eq!(notice.year, 2027);
    assert_eq!(notice.title, "国务院办公厅关于2027年部分节假日安排的通知");
    assert_eq!(notice.number, None);
    assert_eq!(notice.published, Some(date(2026, 11, 10)));
    assert_eq!(notice.rest_days, rest.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(
        notice.makeup_workdays,
        makeup.into_iter().collect::<BTreeSet<_>>()
    );
    assert_consistent(&notice);
}

#[test]
fn half_width_and_full_width_prints_read_the_same() {
    for (year, text) in [
        (2017, NOTICE_2017),
        (2024, NOTICE_2024),
        (2025, NOTICE_2025),
        (2026, NOTICE_2026),
        (2027, samples::NOTICE_2027),
    ] {
        let original = read(text, year);
        for variant in [to_half_width(text), to_full_width(text)] {
            assert_eq!(read(&variant, year), original, "{year}");
        }
        // Each file is in one of the two forms, so one conversion must really change it.
        assert!(to_half_width(text) != text || to_full_width(text) != text);
    }
    assert_ne!(to_half_width(NOTICE_2024), NOTICE_2024);
    assert_ne!(to_full_width(NOTICE_2025), NOTICE_2025);
}

#[test]
fn crlf_bom_and_stray_spaces_read_the_same() {
    let original = read(NOTICE_2026, 2026);
    let messy = format!(
        "\u{FEFF}{}",
        NOTICE_2026
            .lines()
            .map(|l| format!(
                "  {}\u{3000}",
                l.replace("日（", "日 （").replace("至", " 至 ")
            ))
            .collect::<Vec<_>>()
            .join("\r\n")
    );
    assert!(messy.contains("\r\n") && messy.contains(" 至 "));
    assert_eq!(read(&messy, 2026), original);
    // Line numbers count CRLF once.
    let broken = mutate(&messy, "共9天", "共8天");
    let err = read_notice(&broken, Some(2026)).expect_err("count mismatch");
    assert_eq!(err.line_no, 9, "{err}");
}

#[test]
fn range_running_backwards_is_refused_at_its_line() {
    let text = mutate(
        NOTICE_2026,
        "23日（农历正月初七、周一）",
        "13日（农历正月初七、周一）",
    );
    let err = refused_at(&text, Some(2026), 9, "日期范围倒置");
    assert!(err.reason.contains("2026年2月13日"), "{err}");
    // Also within one month written out in full.
    let text = mutate(NOTICE_2017, "5月28日至30日", "5月30日至5月28日");
    refused_at(&text, Some(2017), 12, "日期范围倒置");
}

#[test]
fn weekday_in_brackets_must_be_the_dates_weekday() {
    let text = mutate(
        NOTICE_2026,
        "23日（农历正月初七、周一）",
        "23日（农历正月初七、周二）",
    );
    refused_at(&text, Some(2026), 9, "星期不符");
    // 星期X as in 2017, on a single date.
    let text = mutate(NOTICE_2017, "1月2日(星期一)", "1月2日(星期二)");
    refused_at(&text, Some(2017), 8, "星期不符");
    // 周日 written as 周天 is still Sunday.
    let text = mutate(NOTICE_2026, "1月4日（周日）", "1月4日（周天）");
    assert_eq!(read(&text, 2026), read(NOTICE_2026, 2026));
}

#[test]
fn makeup_day_on_a_weekday_is_refused() {
    let text = mutate(NOTICE_2026, "2月14日（周六）", "2月13日（周五）");
    refused_at(&text, Some(2026), 9, "调休上班日必须是周六或周日");
}

#[test]
fn year_that_does_not_match_is_refused() {
    refused_at(NOTICE_2026, Some(2027), 1, "年份不符");
    // Title and 现将 sentence disagree: the sentence is named.
    let text = mutate(NOTICE_2026, "现将2026年", "现将2025年");
    refused_at(&text, None, 5, "年份不符");
    // Without a title the 现将 sentence gives the year, and is the line named.
    let text = mutate(
        NOTICE_2026,
        "国务院办公厅关于2026年部分节假日安排的通知\n",
        "\n",
    );
    let notice = read(&text, 2026);
    assert_eq!(notice.title, "");
    assert_eq!(notice.rest_days, read(NOTICE_2026, 2026).rest_days);
    refused_at(&text, Some(2025), 5, "年份不符");
}

#[test]
fn text_without_a_year_or_items_is_refused_as_a_whole() {
    let text = mutate(
        NOTICE_2026,
        "国务院办公厅关于2026年部分节假日安排的通知\n",
        "\n",
    );
    let text = mutate(&text, "现将2026年", "现将");
    refused_at(&text, None, 0, "找不到通知的年份");
    let head: String = NOTICE_2026.lines().take(6).collect::<Vec<_>>().join("\n");
    refused_at(&head, None, 0, "没有找到编号条目");
    refused_at("", None, 0, "找不到通知的年份");
}

#[test]
fn day_count_must_equal_the_days_of_the_ranges() {
    let text = mutate(NOTICE_2026, "共9天", "共8天");
    refused_at(&text, Some(2026), 9, "天数不符");
    let text = mutate(NOTICE_2025, "放假1天", "放假2天");
    refused_at(&text, Some(2025), 10, "天数不符");
}

#[test]
fn item_with_chinese_numeral_date_is_refused() {
    let line = NOTICE_2026.lines().nth(8).expect("line 9");
    assert!(line.starts_with("二、春节"));
    let text = mutate(NOTICE_2026, line, "二、春节：二月十五日放假");
    refused_at(&text, Some(2026), 9, "阿拉伯数字");
}

#[test]
fn date_that_does_not_exist_is_refused() {
    let text = mutate(NOTICE_2026, "2月28日（周六）上班", "2月30日（周六）上班");
    refused_at(&text, Some(2026), 9, "日期不存在");
    let text = mutate(NOTICE_2026, "2025年11月4日", "2025年11月31日");
    refused_at(&text, Some(2026), 24, "日期不存在");
}

#[test]
fn day_both_rest_and_makeup_is_refused() {
    let text = mutate(NOTICE_2026, "1月4日（周日）上班", "1月3日（周六）上班");
    refused_at(&text, Some(2026), 7, "既是放假日又是调休上班日");
}

#[test]
fn rest_days_in_another_year_are_dropped_on_weekends_and_refused_otherwise() {
    // 2023-12-30 and -31 are a Saturday and a Sunday: nothing changes for 2024.
    let text = mutate(
        NOTICE_2024,
        "1月1日放假，与周末连休",
        "2023年12月30日至2024年1月1日放假调休，共3天",
    );
    assert_eq!(read(&text, 2024), read(NOTICE_2024, 2024));
    // 2024-12-31 is a Tuesday: it would change 2024, which a 2025 notice cannot load.
    let text = mutate(
        NOTICE_2025,
        "1月1日(周三)放假1天,不调休",
        "2024年12月31日(周二)至2025年1月1日(周三)放假调休,共2天",
    );
    refused_at(&text, Some(2025), 10, "只能是周末");
}

#[test]
fn range_into_january_is_in_the_next_year() {
    let text = "国务院办公厅关于2021年部分节假日安排的通知\n\
                一、元旦：12月31日（周五）至1月2日（周日）放假，共3天。\n";
    let notice = read(text, 2021);
    assert_eq!(notice.rest_days, BTreeSet::from([date(2021, 12, 31)]));
    assert!(notice.makeup_workdays.is_empty());
    // "D日" stays in the month, so the same range written that way runs backwards.
    let text = text.replace("1月2日", "2日");
    refused_at(&text, Some(2021), 2, "日期范围倒置");
}

#[test]
fn makeup_day_outside_the_year_is_refused() {
    let text = mutate(
        NOTICE_2026,
        "1月4日（周日）上班",
        "2025年12月28日（周日）上班",
    );
    refused_at(&text, Some(2026), 7, "调休上班日不在2026年内");
}

#[test]
fn missing_item_is_refused_at_the_next_item() {
    let line = NOTICE_2026.lines().nth(10).expect("line 11");
    assert!(line.starts_with("三、清明节"));
    let text = mutate(NOTICE_2026, line, "");
    refused_at(&text, Some(2026), 13, "条目编号不连续");
}

#[test]
fn item_wrapped_onto_two_lines_is_refused_not_half_loaded() {
    let text = mutate(NOTICE_2024, "。2月4日（星期日）", "。\n2月4日（星期日）");
    refused_at(&text, Some(2024), 11, "编号条目之外");
}

#[test]
fn sentence_with_dates_but_no_rest_or_work_is_refused() {
    let text = mutate(
        NOTICE_2026,
        "6日（周一）放假，共3天",
        "6日（周一）休息，共3天",
    );
    refused_at(&text, Some(2026), 11, "看不出这些日期是放假还是上班");
    let text = mutate(NOTICE_2026, "5月9日（周六）上班", "5月9日（周六）不上班");
    refused_at(&text, Some(2026), 13, "否定");
}

#[test]
fn item_without_a_date_is_refused() {
    let line = NOTICE_2026.lines().nth(14).expect("line 15");
    assert!(line.starts_with("五、端午节"));
    let text = mutate(NOTICE_2026, line, "五、端午节：另行通知。");
    refused_at(&text, Some(2026), 15, "没有日期");
}

#[test]
fn malformed_dates_and_brackets_are_refused() {
    let text = mutate(NOTICE_2026, "1月4日（周日）上班", "1月4日（周日上班");
    refused_at(&text, Some(2026), 7, "括号没有配对");
    let text = mutate(NOTICE_2025, "1月1日(周三)放假1天", "1日(周三)放假1天");
    refused_at(&text, Some(2025), 10, "前面没有月份");
    let text = mutate(NOTICE_2025, "4月27日(周日)上班", "4月27号(周日)上班");
    refused_at(&text, Some(2025), 16, "日期不完整");
    let text = mutate(NOTICE_2025, "共5天", "共5个工作日");
    refused_at(&text, Some(2025), 16, "无法识别的数字");
    let text = mutate(NOTICE_2025, "4月27日(周日)上班", "4月(周日)上班");
    refused_at(&text, Some(2025), 16, "日期不完整");
}

#[test]
fn signature_and_item_markers_in_other_layouts() {
    // Signature and date joined on one line.
    let text = mutate(NOTICE_2026, "国务院办公厅\n2025年", "国务院办公厅 2025年");
    assert_eq!(read(&text, 2026), read(NOTICE_2026, 2026));
    // "一." instead of "一、".
    let text = mutate(NOTICE_2026, "五、端午节", "五.端午节");
    assert_eq!(read(&text, 2026), read(NOTICE_2026, 2026));
    // A signing date followed by another item is not a signature.
    let text = format!("{NOTICE_2026}\n八、元旦：12月31日（周四）放假，共1天。\n");
    refused_at(&text, Some(2026), 24, "落款日期之后");
}

#[test]
fn error_message_names_the_line() {
    let text = mutate(NOTICE_2026, "共9天", "共8天");
    let err = read_notice(&text, None).expect_err("count mismatch");
    assert_eq!(
        err.to_string(),
        format!(
            "第9行无法识别：天数不符：写的是8天，日期算出来是9天（{}）",
            text.lines().nth(8).expect("line 9")
        )
    );
}

fn real_notice(index: usize) -> &'static str {
    [
        NOTICE_2017,
        NOTICE_2024,
        NOTICE_2025,
        NOTICE_2026,
        samples::NOTICE_2027,
    ][index % 5]
}

proptest! {
    #[test]
    fn any_text_is_read_or_refused_without_panic(text in any::<String>()) {
        if let Ok(notice) = read_notice(&text, None) {
            assert_consistent(&notice);
        }
    }

    #[test]
    fn edited_notices_are_read_consistently_or_refused(
        index in 0usize..5,
        at in any::<prop::sample::Index>(),
        cut in 0usize..4,
        insert in "[0-9年月日至()（）、，。:：周星期一二三四五六七十天放假调休上班补共鼓励\n ]{0,6}",
    ) {
        let mut chars: Vec<char> = real_notice(index).chars().collect();
        let start = at.index(chars.len());
        let end = (start + cut).min(chars.len());
        chars.splice(start..end, insert.chars());
        let text: String = chars.into_iter().collect();
        if let Ok(notice) = read_notice(&text, None) {
            assert_consistent(&notice);
        }
    }
}

#[test]
fn an_error_about_the_whole_text_names_no_line() {
    let e = read_notice("经国务院批准，现将元旦放假安排通知如下。", None).unwrap_err();
    assert_eq!(e.line_no, 0);
    assert!(e.to_string().starts_with("通知无法识别："), "{e}");
    assert!(!e.to_string().contains("第0行"), "{e}");
}
