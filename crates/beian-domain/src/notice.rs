//! Reader for the State Council's annual holiday notice (国务院办公厅关于XXXX年部分节假日安排的通知,
//! domain §11.5): the text as published, pasted by an operator, becomes the year's statutory rest
//! days and make-up working days (调休上班).
//!
//! The reader is all or nothing. A notice decides every SLA deadline of its year, so a text that
//! cannot be read completely — a date that does not parse, a range that runs backwards, a weekday
//! in brackets that is not the date's weekday, a make-up day that is not a Saturday or Sunday, a
//! day count that does not add up, a year that does not match — is refused as a whole; nothing is
//! half-loaded. Every refusal names the 1-based line and quotes it, because the operator has to find
//! and fix the sentence in a pasted text (or tell us the wording changed again), and "unreadable"
//! alone would only invite typing the year in by hand.
//!
//! What is read: the year (title "关于2026年部分节假日安排" or the sentence "现将2026年……"), the
//! document number line, the signing date at the end, and the numbered items "一、元旦：……". Inside
//! an item each sentence is a list of dates or ranges that are 放假 / 补休 (rest) or 上班 (make-up
//! work); sentences starting with 鼓励 are advice and are skipped. Everything else (addressees,
//! preamble, closing paragraph) is ignored, except that a date in a paragraph after the first item
//! is refused: it is most likely an item wrapped onto a second line, whose days would otherwise be
//! lost silently.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, Weekday};

/// The calendar's own bound for data years, so that a notice that reads can always become a year
/// of the calendar, and date arithmetic near the year can never leave chrono's range.
const YEAR_RANGE: RangeInclusive<i32> = 1949..=9999;

/// The longest range accepted. No holiday block has been longer than 9 days; a longer range is a
/// misprint, and the bound keeps a hostile text from expanding huge ranges.
const MAX_RANGE_DAYS: i64 = 31;

/// Longest digit run read as a number: a year has four digits, a month, day or day count fewer.
/// Longer runs are refused before they are converted, so no conversion can overflow.
const MAX_DIGITS: usize = 4;

/// One year's holiday arrangement as read from the State Council's notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub year: i32,
    /// The notice's title line, e.g. "国务院办公厅关于2026年部分节假日安排的通知" (normalised:
    /// half-width digits and punctuation, no spaces); empty when the pasted text starts below it.
    pub title: String,
    /// The document number line if present, e.g. "国办发明电〔2024〕12号".
    pub number: Option<String>,
    /// The signing date at the end ("2025年11月4日"), if present.
    pub published: Option<NaiveDate>,
    /// Statutory rest days inside `year`. Rest days the notice places in another year are left
    /// out when they fall on a weekend (they change nothing there).
    pub rest_days: BTreeSet<NaiveDate>,
    /// Make-up working days, each a Saturday or Sunday inside `year`.
    pub makeup_workdays: BTreeSet<NaiveDate>,
}

/// Why a notice was refused: the line that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct NoticeError {
    /// 1-based line number in the pasted text; 0 when the error is not about one line.
    pub line_no: usize,
    /// The line as pasted, without surrounding spaces; empty when `line_no` is 0.
    pub line: String,
    /// What is wrong, in Chinese for the operator.
    pub reason: String,
}

/// Reads a notice's text. With `expected_year`, a notice for another year is refused, so that the
/// 2026 text pasted into the 2027 form cannot overwrite the wrong year.
pub fn read_notice(text: &str, expected_year: Option<i32>) -> Result<Notice, NoticeError> {
    let lines = split_lines(text);
    let first_item = lines.iter().position(|l| item_number(&l.text).is_some());
    let header = match first_item {
        Some(i) => lines.get(..i).unwrap_or_default(),
        None => &lines[..],
    };

    let title_line = header.iter().find(|l| is_title(&l.text));
    let title_year = match title_line {
        Some(line) => year_after(&line.text, "关于")
            .map(|y| checked_year(y).map_err(|r| line.error(r)))
            .transpose()?
            .map(|y| (y, line)),
        None => None,
    };
    let announced = header
        .iter()
        .find_map(|l| year_after(&l.text, "现将").map(|y| (y, l)));
    let announced_year = match announced {
        Some((y, line)) => Some((checked_year(y).map_err(|r| line.error(r))?, line)),
        None => None,
    };
    if let (Some((title, _)), Some((said, line))) = (title_year, announced_year) {
        if title != said {
            return Err(line.error(format!("年份不符：这里写的是{said}年，标题是{title}年")));
        }
    }
    let Some((year, year_line)) = title_year.or(announced_year) else {
        return Err(NoticeError::whole(
            "找不到通知的年份（标题“关于XXXX年部分节假日安排”或“现将XXXX年……”）",
        ));
    };
    if let Some(expected) = expected_year {
        if expected != year {
            return Err(year_line.error(format!(
                "年份不符：这是{year}年的通知，要导入的是{expected}年"
            )));
        }
    }
    let Some(first_item) = first_item else {
        return Err(NoticeError::whole("没有找到编号条目（如“一、元旦：……”）"));
    };

    let mut days = Days {
        year,
        rest: BTreeSet::new(),
        makeup: BTreeSet::new(),
    };
    let mut next_number = 1;
    let mut published: Option<(NaiveDate, &Line)> = None;
    for line in lines.get(first_item..).unwrap_or_default() {
        if line.text.is_empty() {
            continue;
        }
        if let Some((number, body_start)) = item_number(&line.text) {
            // A missing or repeated number means an item was lost or pasted twice.
            if number != next_number {
                return Err(line.error(format!(
                    "条目编号不连续：应为第{next_number}条，这里是第{number}条"
                )));
            }
            next_number += 1;
            if let Some((_, date_line)) = published {
                return Err(date_line.error("落款日期之后不应再有编号条目"));
            }
            read_item(
                line,
                line.text.get(body_start..).unwrap_or_default(),
                &mut days,
            )?;
        } else if let Some(date) = whole_line_date(&line.text) {
            published = Some((date.map_err(|r| line.error(r))?, line));
        } else {
            check_outside_items(line)?;
        }
    }

    Ok(Notice {
        year,
        title: title_line
            .map(|l| l.text.iter().collect())
            .unwrap_or_default(),
        number: header
            .iter()
            .find(|l| is_number_line(&l.text))
            .map(|l| l.text.iter().collect()),
        published: published.map(|(date, _)| date),
        rest_days: days.rest,
        makeup_workdays: days.makeup,
    })
}

/// Texts for tests, here and in other crates.
pub mod samples {
    /// An invented notice for 2027 in the published style (full-width punctuation, weekdays as
    /// 周X), with make-up days. It is NOT a State Council text: the dates follow the principles of
    /// the 2025 notice and the real 2027 weekdays (除夕 2027-02-05 Fri, 清明 04-05 Mon, 端午 06-09
    /// Wed, 中秋 09-15 Wed), so its rest days equal the projection of domain §11.4.
    pub const NOTICE_2027: &str = "国务院办公厅关于2027年部分节假日安排的通知\n\
        \n\
        各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n\
        \n\
        经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。\n\
        \n\
        一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n\
        \n\
        二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。1月31日（周日）、2月20日（周六）上班。\n\
        \n\
        三、清明节：4月3日（周六）至5日（周一）放假，共3天。\n\
        \n\
        四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。\n\
        \n\
        五、端午节：6月9日（周三）放假1天，不调休。\n\
        \n\
        六、中秋节：9月15日（周三）放假1天，不调休。\n\
        \n\
        七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。\n\
        \n\
        鼓励单位和个人结合落实带薪年休假等制度，实际形成较长假期，推动错峰出行。节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。\n\
        \n\
        国务院办公厅\n\
        2026年11月10日\n";
}

impl NoticeError {
    /// "第N行无法识别：…（line）", or for the text as a whole "通知无法识别：…".
    fn describe(&self) -> String {
        if self.line_no == 0 {
            format!("通知无法识别：{}", self.reason)
        } else {
            format!(
                "第{}行无法识别：{}（{}）",
                self.line_no, self.reason, self.line
            )
        }
    }

    /// An error about the text as a whole (no year, no items).
    fn whole(reason: &str) -> NoticeError {
        NoticeError {
            line_no: 0,
            line: String::new(),
            reason: reason.to_owned(),
        }
    }
}

/// One line of the pasted text: its number and raw form for errors, its normalised form to read.
struct Line<'a> {
    no: usize,
    raw: &'a str,
    text: Vec<char>,
}

impl Line<'_> {
    fn error(&self, reason: impl Into<String>) -> NoticeError {
        NoticeError {
            line_no: self.no,
            line: self.raw.trim_matches(is_blank).to_owned(),
            reason: reason.into(),
        }
    }
}

/// Splits at every line break; CRLF counts once so that line numbers match the operator's editor.
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            continue;
        }
        lines.push(Line::new(
            lines.len() + 1,
            text.get(start..i).unwrap_or_default(),
        ));
        start = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(j, '\n')) = chars.peek() {
                chars.next();
                start = j + 1;
            }
        }
    }
    lines.push(Line::new(
        lines.len() + 1,
        text.get(start..).unwrap_or_default(),
    ));
    lines
}

impl<'a> Line<'a> {
    fn new(no: usize, raw: &'a str) -> Line<'a> {
        Line {
            no,
            raw,
            text: normalise(raw),
        }
    }
}

/// Spaces, a byte-order mark and zero-width characters carry nothing in a Chinese notice, but
/// appear in pasted text.
fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
        )
}

/// Reprints swap full-width and half-width punctuation and digits; everything is read in one
/// form: ASCII digits and brackets, Chinese 、 and 。, no spaces.
fn normalise(raw: &str) -> Vec<char> {
    raw.chars()
        .filter(|c| !is_blank(*c))
        .filter_map(|c| match c {
            '\u{FF64}' => Some('、'),
            '\u{FF61}' => Some('。'),
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
            c => Some(c),
        })
        .collect()
}

fn find(hay: &[char], needle: &str) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len())
        .position(|w| w == needle.as_slice())
}

fn contains(hay: &[char], needle: &str) -> bool {
    find(hay, needle).is_some()
}

fn starts_with(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    hay.starts_with(&needle)
}

fn ends_with(hay: &[char], needle: &str) -> bool {
    let needle: Vec<char> = needle.chars().collect();
    hay.ends_with(&needle)
}

fn is_title(text: &[char]) -> bool {
    contains(text, "关于") && contains(text, "节假日") && contains(text, "通知")
}

/// "国办发明电〔2024〕12号", also with the bracket reprinted as [] or ().
fn is_number_line(text: &[char]) -> bool {
    text.len() <= 40
        && ends_with(text, "号")
        && contains(text, "发")
        && text.iter().any(|c| matches!(c, '〔' | '[' | '('))
        && text.iter().any(char::is_ascii_digit)
}

/// The year written right after `marker`, as in "关于2026年" or "现将2026年".
fn year_after(text: &[char], marker: &str) -> Option<u32> {
    let at = find(text, marker)? + marker.chars().count();
    match digits_at(text, at) {
        Ok(Some((year, next))) if text.get(next) == Some(&'年') => Some(year),
        _ => None,
    }
}

fn checked_year(year: u32) -> Result<i32, String> {
    i32::try_from(year)
        .ok()
        .filter(|y| YEAR_RANGE.contains(y))
        .ok_or_else(|| format!("年份超出范围：{year}"))
}

/// "一、" … "十二、": the item's number and where its text starts. Reprints sometimes use "一."
fn item_number(text: &[char]) -> Option<(u32, usize)> {
    let run = text
        .iter()
        .take_while(|c| chinese_digit(**c).is_some() || **c == '十')
        .count();
    if run == 0 || run > 3 || !matches!(text.get(run), Some('、' | '.')) {
        return None;
    }
    let number = match text.get(..run)? {
        ['十'] => 10,
        [d] => chinese_digit(*d)?,
        ['十', d] => 10 + chinese_digit(*d)?,
        [d, '十'] => chinese_digit(*d).filter(|d| *d >= 2)? * 10,
        [d, '十', e] => chinese_digit(*d).filter(|d| *d >= 2)? * 10 + chinese_digit(*e)?,
        _ => return None,
    };
    Some((number, run + 1))
}

fn chinese_digit(c: char) -> Option<u32> {
    let n = match c {
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    Some(n)
}

/// Characters of a date written in Chinese numerals ("二月十五日"), which are refused rather than
/// skipped: skipping them would lose the day.
fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || matches!(c, '十' | '〇' | '零' | '两')
}

/// The rest days and make-up days gathered so far, with the checks that need all of them.
struct Days {
    year: i32,
    rest: BTreeSet<NaiveDate>,
    makeup: BTreeSet<NaiveDate>,
}

impl Days {
    fn add_rest(&mut self, date: NaiveDate) -> Result<(), String> {
        if date.year() != self.year {
            // A weekend day in another year is already a day off there; only a weekday would
            // change that year's calendar, which this notice cannot load.
            return if is_weekend(date) {
                Ok(())
            } else {
                Err(format!(
                    "不在{}年内的放假日只能是周末：{}是{}",
                    self.year,
                    zh_date(date),
                    zh_weekday(date.weekday())
                ))
            };
        }
        if self.makeup.contains(&date) {
            return Err(format!("既是放假日又是调休上班日：{}", zh_date(date)));
        }
        if !self.rest.insert(date) {
            return Err(format!("日期重复：{}", zh_date(date)));
        }
        Ok(())
    }

    fn add_makeup(&mut self, date: NaiveDate) -> Result<(), String> {
        if date.year() != self.year {
            return Err(format!(
                "调休上班日不在{}年内：{}",
                self.year,
                zh_date(date)
            ));
        }
        if !is_weekend(date) {
            return Err(format!(
                "调休上班日必须是周六或周日：{}是{}",
                zh_date(date),
                zh_weekday(date.weekday())
            ));
        }
        if self.rest.contains(&date) {
            return Err(format!("既是放假日又是调休上班日：{}", zh_date(date)));
        }
        if !self.makeup.insert(date) {
            return Err(format!("日期重复：{}", zh_date(date)));
        }
        Ok(())
    }
}

/// Reads one numbered item ("二、春节：……") completely, or refuses it.
fn read_item(line: &Line, body: &[char], days: &mut Days) -> Result<(), NoticeError> {
    // The holiday's name before the colon may itself contain 、 ("中秋节、国庆节").
    let body = match body.iter().position(|c| *c == ':') {
        Some(colon) => body.get(colon + 1..).unwrap_or_default(),
        None => body,
    };
    let mut dated = false;
    for sentence in split_top_level(body, |c| matches!(c, '。' | ';')) {
        if sentence.is_empty() || starts_with(sentence, "鼓励") {
            continue;
        }
        let read = read_sentence(sentence, days.year).map_err(|r| line.error(r))?;
        dated |= !read.rest.is_empty() || !read.makeup.is_empty();
        for date in read.rest {
            days.add_rest(date).map_err(|r| line.error(r))?;
        }
        for date in read.makeup {
            days.add_makeup(date).map_err(|r| line.error(r))?;
        }
    }
    if !dated {
        return Err(line.error("这一条里没有日期"));
    }
    Ok(())
}

/// Splits at separators outside brackets, so that a reprint's "（农历除夕,周二）" stays whole.
fn split_top_level(text: &[char], is_separator: impl Fn(char) -> bool) -> Vec<&[char]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && is_separator(*c) => {
                parts.push(text.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

/// The days one sentence declares.
struct Sentence {
    rest: Vec<NaiveDate>,
    makeup: Vec<NaiveDate>,
}

/// Reads one sentence of an item. Each comma-separated clause that holds dates must say what they
/// are (放假 / 补休 or …上班); a "共N天" / "放假N天" must equal the sentence's rest days.
fn read_sentence(sentence: &[char], year: i32) -> Result<Sentence, String> {
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
fn digits_at(chars: &[char], i: usize) -> Result<Option<(u32, usize)>, String> {
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
fn whole_line_date(text: &[char]) -> Option<Result<NaiveDate, String>> {
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

/// Paragraphs after the first item carry no days; a date there is refused, because it is most
/// likely part of an item that a reprint wrapped onto a second line.
fn check_outside_items(line: &Line) -> Result<(), NoticeError> {
    for sentence in split_top_level(&line.text, |c| matches!(c, '。' | ';')) {
        if starts_with(sentence, "鼓励") {
            continue;
        }
        let dated = sentence.iter().enumerate().any(|(i, c)| {
            c.is_ascii_digit() && matches!(sentence.get(i + 1), Some('年' | '月' | '日'))
        });
        if dated {
            return Err(line.error("编号条目之外的句子里有日期（是否有一条被拆成了两行？）"));
        }
    }
    Ok(())
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn zh_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn zh_weekday(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

#[cfg(test)]
mod tests;
