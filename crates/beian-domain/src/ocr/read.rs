//! Fields located on the recognised lines: by their printed labels (姓名, 公民身份号码, 住址,
//! 有效期限, 统一社会信用代码, 名称, 住所) and the layouts of §7 (a value follows its label on
//! the same line; an address continues on the lines below, indented under its first line).
//! Every value passes the domain's parsers before it counts as read.

use chrono::{Datelike, NaiveDate};

use super::{CardKind, FieldName, Line, ReadField, Reading, Side, Word};
use crate::ids;
use crate::reference::NumberFormat;
use crate::text::to_half_width;

/// Parses tesseract's TSV output into lines of words (level-5 rows are words; a line is
/// the words sharing block, paragraph and line numbers).
pub fn parse_tsv(tsv: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = vec![];
    let mut current: Option<(String, String, String)> = None;
    for row in tsv.lines().skip(1) {
        let c: Vec<&str> = row.split('\t').collect();
        if c.len() < 12 || c[0] != "5" {
            continue;
        }
        let text = c[11].trim();
        if text.is_empty() {
            continue;
        }
        let key = (c[2].to_string(), c[3].to_string(), c[4].to_string());
        if current.as_ref() != Some(&key) {
            lines.push(Line::default());
            current = Some(key);
        }
        let num = |i: usize| c[i].trim().parse::<i32>().unwrap_or(0);
        if let Some(line) = lines.last_mut() {
            line.words.push(Word {
                text: text.to_string(),
                conf: c[10].trim().parse().unwrap_or(0.0),
                left: num(6),
                top: num(7),
                width: num(8),
                height: num(9),
            });
        }
    }
    lines
}

/// Labels, each with the spellings the engine is known to produce for it.
const NAME: &[&str] = &["姓名"];
const ID_NUMBER: &[&str] = &["公民身份号码", "公民身份号", "身份号码"];
const RESIDENCE: &[&str] = &["住址"];
const VALIDITY: &[&str] = &["有效期限", "有效期"];
const AUTHORITY: &[&str] = &["签发机关"];
const CREDIT_CODE: &[&str] = &["统一社会信用代码", "社会信用代码", "信用代码"];
const ORG_NAME: &[&str] = &["名称"];
const DOMICILE: &[&str] = &["住所"];
const LICENCE: &[&str] = &["营业执照"];
const NUMBER_LABELS: &[&str] = &["证件号码", "号码", "编号", "证号", "No"];
/// Every label: a line that starts with one ends the address above it.
const ALL_LABELS: &[&[&str]] = &[
    NAME,
    ID_NUMBER,
    RESIDENCE,
    VALIDITY,
    AUTHORITY,
    CREDIT_CODE,
    ORG_NAME,
    DOMICILE,
    &[
        "性别",
        "民族",
        "出生",
        "类型",
        "法定代表人",
        "注册资本",
        "成立日期",
        "营业期限",
        "经营范围",
        "登记机关",
    ],
];

/// A line as characters without blanks, folded to half width, each with its word.
struct Chars<'a> {
    line: &'a Line,
    cs: Vec<char>,
    word: Vec<usize>,
}

impl<'a> Chars<'a> {
    fn of(line: &'a Line) -> Chars<'a> {
        let (mut cs, mut word) = (vec![], vec![]);
        for (i, w) in line.words.iter().enumerate() {
            for c in w
                .text
                .chars()
                .map(to_half_width)
                .filter(|c| !c.is_whitespace())
            {
                cs.push(c);
                word.push(i);
            }
        }
        Chars { line, cs, word }
    }

    /// The end of a label that opens the line (within its first three characters, where the
    /// engine may put a stray mark); labels of four or more characters may have one
    /// character misread.
    fn label_end(&self, labels: &[&str]) -> Option<usize> {
        labels.iter().find_map(|label| {
            let l: Vec<char> = label.chars().collect();
            let slack = usize::from(l.len() >= 4);
            (0..=3usize.min(self.cs.len().saturating_sub(l.len())))
                .find(|&s| {
                    self.cs.len() >= s + l.len()
                        && l.iter()
                            .zip(&self.cs[s..s + l.len()])
                            .filter(|(a, b)| a != b)
                            .count()
                            <= slack
                })
                .map(|s| s + l.len())
        })
    }

    fn has_label(&self, labels: &[&str]) -> bool {
        self.label_end(labels).is_some()
    }

    /// The least confidence (0–1) of the words that characters `a..b` come from.
    fn confidence(&self, a: usize, b: usize) -> f32 {
        self.word[a..b]
            .iter()
            .map(|&w| self.line.words[w].conf)
            .fold(100.0f32, f32::min)
            .clamp(0.0, 100.0)
            / 100.0
    }

    /// The box around the words characters `a..b` come from.
    fn area(&self, a: usize, b: usize) -> [i32; 4] {
        let words = &self.line.words;
        self.word[a..b].iter().map(|&w| &words[w]).fold(
            [i32::MAX, i32::MAX, i32::MIN, i32::MIN],
            |[l, t, r, bt], w| {
                [
                    l.min(w.left),
                    t.min(w.top),
                    r.max(w.left + w.width),
                    bt.max(w.top + w.height),
                ]
            },
        )
    }

    /// The left edge of the word character `i` comes from.
    fn left(&self, i: usize) -> i32 {
        self.line.words[self.word[i]].left
    }

    fn height(&self) -> i32 {
        self.line.words.iter().map(|w| w.height).max().unwrap_or(0)
    }

    fn top(&self) -> i32 {
        self.line.words.iter().map(|w| w.top).min().unwrap_or(0)
    }

    fn bottom(&self) -> i32 {
        self.line
            .words
            .iter()
            .map(|w| w.top + w.height)
            .max()
            .unwrap_or(0)
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '･')
}

/// Characters that may appear in an address or an organisation's name.
fn is_text_char(c: char) -> bool {
    is_cjk(c)
        || c.is_ascii_alphanumeric()
        || matches!(c, '-' | '#' | '(' | ')' | '（' | '）')
        || is_dot(c)
}

/// A value: the characters from `from` on that `keep` accepts, after skipping the stray
/// marks between label and value. Returns the value, its span and where it starts.
fn value_after(ch: &Chars, from: usize, keep: fn(char) -> bool) -> Option<(String, usize, usize)> {
    let start =
        (from..ch.cs.len()).find(|&i| is_cjk(ch.cs[i]) || ch.cs[i].is_ascii_alphanumeric())?;
    let end = (start..ch.cs.len())
        .rev()
        .find(|&i| keep(ch.cs[i]))
        .map(|i| i + 1)?;
    let value: String = ch.cs[start..end]
        .iter()
        .copied()
        .filter(|&c| keep(c))
        .collect();
    (!value.is_empty()).then_some((value, start, end))
}

/// A person's name after `from`: the run of ideographs (and the middle dot of transcribed
/// names) that starts the value; 2–6 characters.
fn person_name(ch: &Chars, from: usize) -> Option<ReadField> {
    let start = (from..ch.cs.len()).find(|&i| is_cjk(ch.cs[i]))?;
    let end = (start..ch.cs.len())
        .find(|&i| !(is_cjk(ch.cs[i]) || is_dot(ch.cs[i])))
        .unwrap_or(ch.cs.len());
    let name: String = ch.cs[start..end]
        .iter()
        .map(|&c| if is_dot(c) { '·' } else { c })
        .collect::<String>()
        .trim_matches('·')
        .to_string();
    let n = name.chars().count();
    ((2..=6).contains(&n)).then(|| ReadField {
        area: Some(ch.area(start, end)),
        ..field(FieldName::Name, name, ch.confidence(start, end))
    })
}

fn field(f: FieldName, value: String, confidence: f32) -> ReadField {
    ReadField {
        area: None,
        checked: false,
        field: f,
        value,
        confidence,
    }
}

/// A value that may continue on the lines below its label's line (addresses, long names):
/// a following line continues it when it starts under the value (not under the label),
/// follows closely and opens with no label of its own.
fn multi_line(lines: &[Chars], at: usize, from: usize, min_chars: usize) -> Option<ReadField> {
    let first = &lines[at];
    let (mut value, start, end) = value_after(first, from, is_text_char)?;
    let mut conf = first.confidence(start, end);
    let mut area = first.area(start, end);
    let column = first.left(start);
    let mut bottom = first.bottom();
    for next in lines.iter().skip(at + 1).take(3) {
        let h = first.height().max(next.height()).max(1);
        let indented = next.cs.first().is_some_and(|_| next.left(0) >= column - h);
        let close = next.top() - bottom < h * 3 / 2;
        let labelled = ALL_LABELS.iter().any(|l| next.has_label(l));
        if !indented || !close || labelled {
            break;
        }
        let Some((more, a, b)) = value_after(next, 0, is_text_char) else {
            break;
        };
        value.push_str(&more);
        conf = conf.min(next.confidence(a, b));
        let [l, t, r, bt] = next.area(a, b);
        area = [
            area[0].min(l),
            area[1].min(t),
            area[2].max(r),
            area[3].max(bt),
        ];
        bottom = next.bottom();
    }
    let ok = value.chars().count() >= min_chars && value.chars().any(is_cjk);
    ok.then(|| ReadField {
        area: Some(area),
        ..field(FieldName::Address, value, conf)
    })
}

/// OCR's usual confusions of letters for digits, undone where only a digit may stand.
fn as_digit(c: char) -> char {
    match c {
        'O' | 'D' | 'Q' => '0',
        'I' | 'L' | '|' | '!' => '1',
        'Z' => '2',
        'S' => '5',
        'B' => '8',
        'G' => '6',
        other => other,
    }
}

/// Whether a candidate passes the parser of its format.
fn valid_number(format: NumberFormat, s: &str, today: NaiveDate) -> bool {
    use NumberFormat as F;
    match format {
        F::ResidentId => ids::ResidentId::parse(s, today).is_ok(),
        F::HkmoResidencePermit => {
            ids::ResidencePermit::parse(s, ids::PermitKind::HongKongMacau, today).is_ok()
        }
        F::TwResidencePermit => {
            ids::ResidencePermit::parse(s, ids::PermitKind::Taiwan, today).is_ok()
        }
        F::ForeignPermanentResidentId => ids::ForeignPermanentResident::parse(s, today).is_ok(),
        F::Uscc | F::UsccIfShaped => ids::CreditCode::parse(s).is_ok(),
        F::OrgCode => ids::OrgCode::parse(s).is_ok(),
        F::Passport => ids::Passport::parse(s).is_ok(),
        F::HkmoTravelPermit => ids::HkMoPermit::parse(s).is_ok(),
        F::TwTravelPermit => ids::TwPermit::parse(s).is_ok(),
        F::Free => (4..=30).contains(&s.chars().count()),
    }
}

/// Formats whose numbers carry a checksum: found anywhere on the card. The others are read
/// only right after a number label, since any word of the right length would pass them.
fn checksummed(format: NumberFormat) -> bool {
    use NumberFormat as F;
    id_layout(format)
        || matches!(
            format,
            F::ForeignPermanentResidentId | F::Uscc | F::UsccIfShaped | F::OrgCode
        )
}

/// The length a checksummed number has (and the 15-character old foreign resident card).
fn lengths(format: NumberFormat) -> &'static [usize] {
    use NumberFormat as F;
    match format {
        F::OrgCode => &[9],
        F::ForeignPermanentResidentId => &[18, 15],
        _ => &[18],
    }
}

/// Candidate numbers of `format` in a line from `from` on: windows of the right length over
/// each run of letters and digits, with digit confusions undone where the format wants a
/// digit. Returns every distinct valid one with its confidence.
fn numbers_in(ch: &Chars, from: usize, format: NumberFormat, today: NaiveDate) -> Vec<ReadField> {
    let mut out: Vec<ReadField> = vec![];
    let cs: Vec<char> = ch.cs.iter().map(|c| c.to_ascii_uppercase()).collect();
    let mut i = from;
    while i < cs.len() {
        if !(cs[i].is_ascii_alphanumeric() || cs[i] == '|') {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '|' || cs[i] == '-') {
            i += 1;
        }
        let run: Vec<(usize, char)> = (run_start..i)
            .filter(|&k| cs[k] != '-')
            .map(|k| (k, cs[k]))
            .collect();
        if !checksummed(format) {
            let s: String = run.iter().map(|(_, c)| *c).collect();
            if let (Some(a), Some(b)) = (run.first(), run.last()) {
                if valid_number(format, &s, today) {
                    out.push(field(FieldName::Number, s, ch.confidence(a.0, b.0 + 1)));
                }
            }
            break;
        }
        for &len in lengths(format) {
            for w in run.windows(len) {
                let fixed: String = w
                    .iter()
                    .enumerate()
                    .map(|(k, (_, c))| fix(format, k, len, *c))
                    .collect();
                if valid_number(format, &fixed, today) && !out.iter().any(|f| f.value == fixed) {
                    // Only checksummed formats reach here.
                    out.push(ReadField {
                        checked: true,
                        ..field(
                            FieldName::Number,
                            fixed,
                            ch.confidence(w[0].0, w[len - 1].0 + 1),
                        )
                    });
                }
            }
        }
    }
    out
}

/// Position `k` of a `len`-character number of `format`: a digit where the format allows
/// only digits.
fn fix(format: NumberFormat, k: usize, len: usize, c: char) -> char {
    use NumberFormat as F;
    let digits_only = match format {
        // 17 digits and a check character (a digit or X).
        F::ResidentId | F::HkmoResidencePermit | F::TwResidencePermit => k < 17,
        F::ForeignPermanentResidentId => len == 18 && k < 17,
        // The first two (authority, category) and the six-digit division code are digits.
        F::Uscc | F::UsccIfShaped => k < 8,
        F::OrgCode => false,
        _ => false,
    };
    // A credit code never holds I, O, S, V or Z (GB 32100): where the engine reads one of
    // the first four it saw the digit it resembles.
    let uscc_letter =
        matches!(format, F::Uscc | F::UsccIfShaped) && matches!(c, 'I' | 'O' | 'S' | 'Z');
    if digits_only || uscc_letter {
        as_digit(c)
    } else if c == '|' {
        '1'
    } else {
        c
    }
}

/// The certificate number: on the line of its label first, else the one valid number found
/// anywhere (two different valid numbers on one card read as none).
fn number(
    lines: &[Chars],
    labels: &[&str],
    format: NumberFormat,
    today: NaiveDate,
) -> Option<ReadField> {
    for ch in lines {
        if let Some(end) = ch.label_end(labels) {
            if let Some(f) = numbers_in(ch, end, format, today).into_iter().next() {
                return Some(f);
            }
        }
    }
    if !checksummed(format) {
        return None;
    }
    let mut found: Vec<ReadField> = lines
        .iter()
        .flat_map(|ch| numbers_in(ch, 0, format, today))
        .collect();
    found.dedup_by(|a, b| a.value == b.value);
    (found.len() == 1).then(|| found.remove(0))
}

/// The validity period of an ID card's back: `2016.03.05-2036.03.05` or `2016.03.05-长期`,
/// in any separators. Accepted only as the card issues them: the end on the same month and
/// day 5, 10 or 20 years later (a misread digit breaks that, and the period reads as none).
fn validity(lines: &[Chars], format: NumberFormat) -> Vec<ReadField> {
    let candidates = lines
        .iter()
        .filter_map(|ch| ch.label_end(VALIDITY).map(|e| (ch, e)))
        .chain(lines.iter().map(|ch| (ch, 0)));
    for (ch, from) in candidates {
        let digits: Vec<usize> = (from..ch.cs.len())
            .filter(|&i| ch.cs[i].is_ascii_digit())
            .collect();
        let text: String = digits.iter().map(|&i| ch.cs[i]).collect();
        let rest: String = ch.cs[from..].iter().collect();
        let long_term = rest.contains("长期");
        let date = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y%m%d")
                .ok()
                .filter(|d| (1980..=2100).contains(&d.year()))
        };
        let (start, end) = match (text.len(), long_term) {
            (8, true) => (date(&text), None),
            (16, false) => (date(&text[..8]), date(&text[8..])),
            _ => continue,
        };
        let Some(start) = start else { continue };
        let conf = ch.confidence(digits[0], digits[digits.len() - 1] + 1);
        let conf = if long_term {
            let at = (from..ch.cs.len())
                .find(|&i| ch.cs[i] == '长')
                .unwrap_or(from);
            conf.min(ch.confidence(at, (at + 2).min(ch.cs.len())))
        } else {
            conf
        };
        let until = match end {
            None => "长期".to_string(),
            Some(end) => {
                let years = end.year() - start.year();
                let same_day = (end.month(), end.day()) == (start.month(), start.day());
                let plausible = if format == NumberFormat::ResidentId {
                    same_day && [5, 10, 20].contains(&years)
                } else {
                    end > start
                };
                if !plausible {
                    continue;
                }
                end.format("%Y-%m-%d").to_string()
            }
        };
        return vec![
            field(
                FieldName::ValidFrom,
                start.format("%Y-%m-%d").to_string(),
                conf,
            ),
            field(FieldName::ValidUntil, until, conf),
        ];
    }
    vec![]
}

fn first_label<'a>(lines: &'a [Chars<'a>], labels: &[&str]) -> Option<(usize, usize)> {
    lines
        .iter()
        .enumerate()
        .find_map(|(i, ch)| ch.label_end(labels).map(|e| (i, e)))
}

/// Whether the format is a personal certificate's (an individual subject's certificate is
/// the person's own).
fn personal(format: NumberFormat) -> bool {
    use NumberFormat as F;
    id_layout(format)
        || matches!(
            format,
            F::ForeignPermanentResidentId | F::Passport | F::HkmoTravelPermit | F::TwTravelPermit
        )
}

/// Whether the format is a personal card of the resident ID's layout.
fn id_layout(format: NumberFormat) -> bool {
    matches!(
        format,
        NumberFormat::ResidentId
            | NumberFormat::HkmoResidencePermit
            | NumberFormat::TwResidencePermit
    )
}

/// Reads the fields a photo of `side` shows. `format` is the number format of the declared
/// certificate type, if any: without it a front is read as a resident ID and a subject's
/// certificate as a licence with a credit code (or an organisation code).
pub fn extract(
    lines: &[Line],
    side: Side,
    format: Option<NumberFormat>,
    today: NaiveDate,
) -> Reading {
    let lines: Vec<Chars> = lines.iter().map(Chars::of).collect();
    let any = |labels: &[&str]| lines.iter().any(|ch| ch.has_label(labels));
    let kind = if any(CREDIT_CODE) || any(LICENCE) {
        CardKind::BusinessLicence
    } else if any(ID_NUMBER) || any(NAME) {
        CardKind::IdFront
    } else if any(VALIDITY) || any(AUTHORITY) {
        CardKind::IdBack
    } else {
        CardKind::Other
    };
    let mut fields = vec![];
    let personal_subject = side == Side::Subject && format.is_some_and(personal);
    match side {
        Side::Back => fields.extend(validity(&lines, format.unwrap_or(NumberFormat::ResidentId))),
        Side::Front | Side::Subject if side == Side::Front || personal_subject => {
            let format = format.unwrap_or(NumberFormat::ResidentId);
            if let Some((i, e)) = first_label(&lines, NAME) {
                fields.extend(person_name(&lines[i], e));
            }
            let labels: &[&str] = if id_layout(format) {
                ID_NUMBER
            } else {
                NUMBER_LABELS
            };
            fields.extend(number(&lines, labels, format, today));
            if id_layout(format) {
                if let Some((i, e)) = first_label(&lines, RESIDENCE) {
                    fields.extend(multi_line(&lines, i, e, 5));
                }
            }
        }
        Side::Front | Side::Subject => {
            let read = match format {
                Some(f) => number(&lines, CREDIT_CODE, f, today),
                None => number(&lines, CREDIT_CODE, NumberFormat::Uscc, today)
                    .or_else(|| number(&lines, NUMBER_LABELS, NumberFormat::OrgCode, today)),
            };
            fields.extend(read);
            if let Some((i, e)) = first_label(&lines, ORG_NAME) {
                if let Some(mut f) = multi_line(&lines, i, e, 4) {
                    f.field = FieldName::Name;
                    fields.push(f);
                }
            }
            if let Some((i, e)) = first_label(&lines, DOMICILE) {
                fields.extend(multi_line(&lines, i, e, 5));
            }
        }
    }
    Reading {
        kind,
        fields,
        rotation: 0,
        skew: 0.0,
        elapsed_ms: 0,
        error: None,
    }
}

/// The text of a second recognition of one value's area, in the characters a value keeps:
/// compared with the first reading of it.
pub fn text_of(lines: &[Line]) -> String {
    lines
        .iter()
        .flat_map(|l| l.words.iter())
        .flat_map(|w| w.text.chars().map(to_half_width))
        .filter(|&c| is_text_char(c) && !is_dot(c))
        .collect()
}

impl Reading {
    /// How much a reading found: the engine is run on other orientations of the photo until
    /// one reads its key field, and the best is kept.
    pub fn score(&self) -> usize {
        let key = self.get(FieldName::Number).is_some() || self.get(FieldName::ValidFrom).is_some();
        self.fields.len() + if key { 10 } else { 0 }
    }

    /// Whether the key field of the side (its number, or the validity on an ID's back) was read.
    pub fn complete(&self) -> bool {
        self.get(FieldName::Number).is_some() || self.get(FieldName::ValidUntil).is_some()
    }
}
