//! The date language of a notice's sentences: "M月D日（周X）至D日放假", "共N天", "…上班". Turns
//! one sentence into its rest days and make-up days, or says why it cannot.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::notice::chars::{contains, ends_with, is_chinese_numeral, split_top_level};
use crate::text::zh_weekday;

/// The calendar's own bound for data years, so that a notice that reads can always become a year
/// of the calendar, and date arithmetic near the year can never leave chrono's range.
pub(super) const YEAR_RANGE: RangeInclusive<i32> = 1949..=9999;

/// The longest range accepted. No holiday block has been longer than 9 days; a longer range is a
/// misprint, and the bound keeps a hostile text from expanding huge ranges.
const MAX_RANGE_DAYS: i64 = 31;

/// Longest digit run read as a number: a year has four digits, a month, day or day count fewer.
/// Longer runs are refused before they are converted, so no conversion can overflow.
const MAX_DIGITS: usize = 4;

pub(super) fn checked_year(year: u32) -> Result<i32, String> {
    i32::try_from(year)
        .ok()
        .filter(|y| YEAR_RANGE.contains(y))
        .ok_or_else(|| format!("年份超出范围：{year}"))
}

/// The days one sentence declares.
pub(super) struct Sentence {
    pub(super) rest: Vec<NaiveDate>,
    pub(super) makeup: Vec<NaiveDate>,
}

/// Reads one sentence of an item. Each comma-separated clause that holds dates must say what they
/// are (放假 / 补休 or …上班); a "共N天" / "放假N天" must equal the sentence's rest days.
pub(super) fn read_sentence(sentence: &[char], year: i32) -> Result<Sentence, String> {
    let mut read = Sentence {
        rest: Vec::new(),
        makeup: Vec::new(),
    };
    let mut counts = Vec::new();
    // "D日" takes its month from the date before it in the same sentence.
    let mut previous = None;
    for clause in split_top_level(sentence, |c| c == ',') {
        let tokens = tokenize(clause)?;
        let dates = resolve(&tokens, year, &mut previous)?;
        counts.extend(tokens.iter().filter_map(|t| match t {
            Token::Count(n) => Some(*n),
            _ => None,
        }));
        if dates.is_empty() {
            // "与周末连休", "不调休", "共3天": nothing beyond the dates already stated.
            continue;
        }
        let words: Vec<char> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Word(c) => Some(*c),
                _ => None,
            })
            .collect();
        match classify(&words)? {
            Kind::Rest => read.rest.extend(dates),
            Kind::Makeup => read.makeup.extend(dates),
        }
    }
    let stated: BTreeSet<&NaiveDate> = read.rest.iter().collect();
    for count in counts {
        if usize::try_from(count).ok() != Some(stated.len()) {
            return Err(format!(
                "天数不符：写的是{count}天，日期算出来是{}天",
                stated.len()
            ));
        }
    }
    Ok(read)
}

enum Kind {
    Rest,
    Makeup,
}

fn classify(words: &[char]) -> Result<Kind, String> {
    // A negation would flip the meaning of the keyword it contains.
    if ["不放假", "不补休", "不上班"]
        .iter()
        .any(|n| contains(words, n))
    {
        return Err("否定的说法无法识别".to_owned());
    }
    let rest = contains(words, "放假") || contains(words, "补休");
    let work = contains(words, "上班");
    match (rest, work) {
        (true, false) => Ok(Kind::Rest),
        (false, true) if ends_with(words, "上班") => Ok(Kind::Makeup),
        (false, true) => Err("“上班”应在句末".to_owned()),
        (true, true) => Err("同一句里既有放假又有上班".to_owned()),
        (false, false) => Err("看不出这些日期是放假还是上班".to_owned()),
    }
}

/// A date as written, before the year and month it leaves out are filled in.
#[derive(Debug, Clone, Copy)]
struct Written {
    year: Option<u32>,
    month: Option<u32>,
    day: u32,
}

#[derive(Debug)]
enum Token {
    /// A date with the weekdays noted right after it ("（周二）", "星期一").
    Date {
        written: Written,
        weekdays: Vec<Weekday>,
    },
    /// 至, joining the two dates of a range.
    To,
    /// "N天".
    Count(u32),
    /// Any other character outside brackets.
    Word(char),
}

fn tokenize(chars: &[char]) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '(' => {
                let close = matching_bracket(chars, i).ok_or("括号没有配对")?;
                let inner = chars.get(i + 1..close).unwrap_or_default();
                // A date in brackets ("除夕（2月9日）") is a note whose role the sentence does not
                // state; reading or skipping it would both be guesses.
                if inner.iter().any(char::is_ascii_digit) {
                    return Err("括号里有数字，无法判断其含义".to_owned());
                }
                let noted = weekdays_in(inner)?;
                match tokens.last_mut() {
                    Some(Token::Date { weekdays, .. }) => weekdays.extend(noted),
                    _ if !noted.is_empty() => {
                        return Err("括号里的星期前面没有日期".to_owned());
                    }
                    _ => {}
                }
                i = close + 1;
            }
            ')' => return Err("括号没有配对".to_owned()),
            '0'..='9' => {
                let (token, next) = read_numeric(chars, i)?;
                tokens.push(token);
                i = next;
            }
            '至' => {
                tokens.push(Token::To);
                i += 1;
            }
            '周' | '星' => {
                // A weekday written without brackets right after its date is checked as well.
                let (weekday, next) = weekday_at(chars, i)?;
                match (weekday, tokens.last_mut()) {
                    (Some(w), Some(Token::Date { weekdays, .. })) => {
                        weekdays.push(w);
                        i = next;
                    }
                    _ => {
                        tokens.push(Token::Word(c));
                        i += 1;
                    }
                }
            }
            c if is_chinese_numeral(c) => {
                let run = chars
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| is_chinese_numeral(**c))
                    .count();
                if matches!(chars.get(i + run), Some('月' | '日')) {
                    return Err("日期须用阿拉伯数字书写（如“2月15日”）".to_owned());
                }
                tokens.extend(
                    chars
                        .get(i..i + run)
                        .unwrap_or_default()
                        .iter()
                        .map(|c| Token::Word(*c)),
                );
                i += run;
            }
            c => {
                tokens.push(Token::Word(c));
                i += 1;
            }
        }
    }
    Ok(tokens)
}

fn matching_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The weekdays named in a bracketed note such as "农历正月初七、周二" or "星期日"; lunar dates
/// and other words are ignored.
fn weekdays_in(inner: &[char]) -> Result<Vec<Weekday>, String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        match weekday_at(inner, i)? {
            (Some(weekday), next) => {
                found.push(weekday);
                i = next;
            }
            (None, _) => i += 1,
        }
    }
    Ok(found)
}

/// A weekday "周X" / "星期X" starting at `i`, and the index after it. "周末" and other words
/// starting with 周 are not weekdays; "星期" followed by anything but a weekday is an error.
fn weekday_at(chars: &[char], i: usize) -> Result<(Option<Weekday>, usize), String> {
    let (name_len, is_xingqi) = match (chars.get(i), chars.get(i + 1)) {
        (Some('周'), _) => (1, false),
        (Some('星'), Some('期')) => (2, true),
        _ => return Ok((None, i)),
    };
    let after = i + name_len;
    let weekday = match chars.get(after) {
        Some('一') => Weekday::Mon,
        Some('二') => Weekday::Tue,
        Some('三') => Weekday::Wed,
        Some('四') => Weekday::Thu,
        Some('五') => Weekday::Fri,
        Some('六') => Weekday::Sat,
        Some('日' | '天') => Weekday::Sun,
        _ if is_xingqi => return Err("星期的写法无法识别".to_owned()),
        _ => return Ok((None, i)),
    };
    Ok((Some(weekday), after + 1))
}

/// A run of ASCII digits at `i`: its value and the index after it; `None` if there is no digit.
pub(super) fn digits_at(chars: &[char], i: usize) -> Result<Option<(u32, usize)>, String> {
    let run = chars
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if run == 0 {
        return Ok(None);
    }
    if run > MAX_DIGITS {
        return Err("数字过长".to_owned());
    }
    let value = chars
        .get(i..i + run)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.to_digit(10))
        .fold(0u32, |acc, d| acc * 10 + d);
    Ok(Some((value, i + run)))
}

/// "YYYY年M月D日", "M月D日", "D日" or "N天" starting at a digit.
fn read_numeric(chars: &[char], i: usize) -> Result<(Token, usize), String> {
    let Some((first, next)) = digits_at(chars, i)? else {
        return Err("缺少数字".to_owned());
    };
    let incomplete = || "日期不完整（应为“M月D日”）".to_owned();
    // After "YYYY年" or "M月", the rest of the date must follow: "D日", or "M月D日".
    let month_day = |at: usize| -> Result<(u32, u32, usize), String> {
        let (month, after_month) = digits_at(chars, at)?.ok_or_else(incomplete)?;
        if chars.get(after_month) != Some(&'月') {
            return Err(incomplete());
        }
        let (day, after_day) = digits_at(chars, after_month + 1)?.ok_or_else(incomplete)?;
        if chars.get(after_day) != Some(&'日') {
            return Err(incomplete());
        }
        Ok((month, day, after_day + 1))
    };
    let written = |year, month, day| Token::Date {
        written: Written { year, month, day },
        weekdays: Vec::new(),
    };
    match chars.get(next) {
        Some('年') => {
            let (month, day, end) = month_day(next + 1)?;
            Ok((written(Some(first), Some(month), day), end))
        }
        Some('月') => {
            let (day, end) = digits_at(chars, next + 1)?.ok_or_else(incomplete)?;
            if chars.get(end) != Some(&'日') {
                return Err(incomplete());
            }
            Ok((written(None, Some(first), day), end + 1))
        }
        Some('日') => Ok((written(None, None, first), next + 1)),
        Some('天') => Ok((Token::Count(first), next + 1)),
        _ => Err(format!("无法识别的数字：{first}")),
    }
}

/// Turns the written dates of a clause into days, expanding "A至B" ranges and checking every
/// weekday noted in brackets.
fn resolve(
    tokens: &[Token],
    year: i32,
    previous: &mut Option<NaiveDate>,
) -> Result<Vec<NaiveDate>, String> {
    let mut dates = Vec::new();
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        let (written, weekdays) = match token {
            Token::Date { written, weekdays } => (written, weekdays),
            Token::To => return Err("“至”前后必须各有一个日期".to_owned()),
            Token::Count(_) | Token::Word(_) => {
                i += 1;
                continue;
            }
        };
        let start = resolve_start(written, year, *previous)?;
        check_weekdays(start, weekdays)?;
        *previous = Some(start);
        if !matches!(tokens.get(i + 1), Some(Token::To)) {
            dates.push(start);
            i += 1;
            continue;
        }
        let Some(Token::Date {
            written: end_written,
            weekdays: end_weekdays,
        }) = tokens.get(i + 2)
        else {
            return Err("“至”前后必须各有一个日期".to_owned());
        };
        let end = resolve_end(end_written, start)?;
        if end < start {
            return Err(format!(
                "日期范围倒置：{}至{}",
                zh_date(start),
                zh_date(end)
            ));
        }
        if (end - start).num_days() >= MAX_RANGE_DAYS {
            return Err(format!("日期范围超过{MAX_RANGE_DAYS}天"));
        }
        check_weekdays(end, end_weekdays)?;
        let mut day = start;
        while day <= end {
            dates.push(day);
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        *previous = Some(end);
        i += 3;
    }
    Ok(dates)
}

/// A date standing alone or starting a range: without a year it is in the notice's year; "D日"
/// takes year and month from the previous date of the sentence.
fn resolve_start(
    written: &Written,
    year: i32,
    previous: Option<NaiveDate>,
) -> Result<NaiveDate, String> {
    match (written.year, written.month) {
        (Some(y), Some(m)) => make_date(checked_year(y)?, m, written.day),
        (None, Some(m)) => make_date(year, m, written.day),
        (_, None) => {
            let Some(previous) = previous else {
                return Err(format!("“{}日”前面没有月份", written.day));
            };
            make_date(previous.year(), previous.month(), written.day)
        }
    }
}

/// The end of a range "A至B": "D日" is in A's month; "M月D日" with M before A's month is in the
/// next year ("12月31日至1月2日").
fn resolve_end(written: &Written, start: NaiveDate) -> Result<NaiveDate, String> {
    match (written.year, written.month) {
        (Some(y), Some(m)) => make_date(checked_year(y)?, m, written.day),
        (None, Some(m)) => {
            let year = if m < start.month() {
                start.year().checked_add(1).ok_or("年份超出范围")?
            } else {
                start.year()
            };
            make_date(year, m, written.day)
        }
        (_, None) => make_date(start.year(), start.month(), written.day),
    }
}

fn make_date(year: i32, month: u32, day: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("日期不存在：{year}年{month}月{day}日"))
}

fn check_weekdays(date: NaiveDate, written: &[Weekday]) -> Result<(), String> {
    match written.iter().find(|w| **w != date.weekday()) {
        Some(wrong) => Err(format!(
            "星期不符：{}是{}，文中写的是{}",
            zh_date(date),
            zh_weekday(date.weekday()),
            zh_weekday(*wrong)
        )),
        None => Ok(()),
    }
}

/// A line that is only a full date ("2025年11月4日"): the signing date below the signature. A
/// paste that joins the signature and the date into one line is read the same.
pub(super) fn whole_line_date(text: &[char]) -> Option<Result<NaiveDate, String>> {
    let signature: Vec<char> = "国务院办公厅".chars().collect();
    let text = text.strip_prefix(signature.as_slice()).unwrap_or(text);
    if !text.first().is_some_and(char::is_ascii_digit) {
        return None;
    }
    match read_numeric(text, 0) {
        Ok((
            Token::Date {
                written:
                    Written {
                        year: Some(year),
                        month: Some(month),
                        day,
                    },
                ..
            },
            end,
        )) if end == text.len() => Some(checked_year(year).and_then(|y| make_date(y, month, day))),
        _ => None,
    }
}

pub(super) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

pub(super) fn zh_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}
