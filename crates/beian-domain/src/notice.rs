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

mod chars;
mod dates;

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use crate::text::zh_weekday;
use chars::{
    chinese_digit, contains, ends_with, find, is_blank, normalise, split_top_level, starts_with,
};
use dates::{checked_year, digits_at, is_weekend, read_sentence, whole_line_date, zh_date};

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

    /// [`NOTICE_2027`] with New Year's Day alone and Monday 4 January as its 补休: a due date
    /// counted over the projection (1–3 January off) moves by one working day. The tests and
    /// the recompute benchmark load it.
    pub fn notice_2027_moving_january() -> String {
        NOTICE_2027.replace(
            "一、元旦：1月1日（周五）至3日（周日）放假，共3天。",
            "一、元旦：1月1日（周五）放假，与周末连休，1月4日（周一）补休。",
        )
    }
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

#[cfg(test)]
mod tests;
