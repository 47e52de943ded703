//! Hand-written SVG bar charts and CSV tables of the operations dashboard:
//! no script, no web font, readable in any browser or spreadsheet.

/// One named series of a chart, drawn in its own colour.
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
}

/// Escapes text for XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

const FONT: &str = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif";

/// A horizontal bar chart: one row per label, the label above its bars, one bar per
/// series in a row, lengths proportional to the largest value. It scales to its
/// container (`width="100%"` and a phone-sized viewBox, no fixed size), so long labels
/// and the numbers stay readable on a phone.
pub fn bar_chart(
    title: &str,
    unit: &str,
    series: &[Series],
    rows: &[(String, Vec<f64>)],
) -> String {
    let (left, bar_w, width) = (8.0, 400.0, 480.0);
    let bar_h = 14.0;
    let label_h = 20.0;
    let row_h = label_h + bar_h * series.len().max(1) as f64 + 10.0;
    let top = 66.0;
    let height = top + row_h * rows.len().max(1) as f64 + 8.0;
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{FONT}\" font-size=\"13\" role=\"img\" \
         aria-label=\"{t}\">\n<title>{t}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#1f2329\">{t}</text>\n\
         <text x=\"{left}\" y=\"40\" fill=\"#5d6472\">{u}</text>\n",
        t = xml_escape(title),
        u = xml_escape(unit),
    );
    // Legend: one row under the unit.
    let mut lx = left;
    for s in series {
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"47\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"58\" fill=\"#1f2329\">{}</text>\n",
            s.colour,
            lx + 18.0,
            xml_escape(s.name)
        ));
        lx += 34.0 + 13.0 * s.name.chars().count() as f64;
    }
    if rows.is_empty() {
        svg.push_str(&format!(
            "<text x=\"{left}\" y=\"{}\" fill=\"#5d6472\">暂无数据</text>\n",
            top + 20.0
        ));
    }
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        svg.push_str(&format!(
            "<text x=\"{left}\" y=\"{}\" fill=\"#1f2329\">{}</text>\n",
            y + 14.0,
            xml_escape(label)
        ));
        for (j, (s, v)) in series.iter().zip(values).enumerate() {
            let v = if v.is_finite() { *v } else { 0.0 };
            let len = if max > 0.0 { v / max * bar_w } else { 0.0 };
            let by = y + label_h + bar_h * j as f64;
            svg.push_str(&format!(
                "<rect x=\"{left}\" y=\"{by}\" width=\"{len:.1}\" height=\"{}\" fill=\"{}\"><title>{}：{}</title></rect>\n\
                 <text x=\"{:.1}\" y=\"{}\" fill=\"#1f2329\">{}</text>\n",
                bar_h - 2.0,
                s.colour,
                xml_escape(s.name),
                number(v),
                left + len + 6.0,
                by + bar_h - 3.0,
                number(v)
            ));
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// The smallest "round" number (1, 2, 4 or 8 times a power of ten) at or above `v`,
/// for the top of a value axis whose quarters are round too.
fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 4.0, 8.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= v - 1e-9)
        .unwrap_or(10.0 * magnitude)
}

/// One line of a line chart: its name, colour and a value per point (`None` leaves a gap).
pub struct Line<'a> {
    pub series: Series<'a>,
    pub values: Vec<Option<f64>>,
}

/// A line chart of time series: one x position per label, a line per series, the value
/// axis from 0 to a round number above the largest value (or to `max` when given, such
/// as 100 for percentages). It scales to its container (`width="100%"` and a viewBox,
/// no fixed size), so it stays readable on a phone: the viewBox is phone-sized and the
/// axis labels are thinned out to at most seven.
pub fn line_chart(
    title: &str,
    unit: &str,
    labels: &[String],
    lines: &[Line],
    max: Option<f64>,
) -> String {
    let (width, height) = (480.0, 270.0);
    let (left, right, top, bottom) = (44.0, 456.0, 72.0, 236.0);
    let n = labels.len();
    // Counts of a few: 0 to 4, so that the grid lines fall on whole numbers.
    let top_value = max.unwrap_or_else(|| {
        nice_ceiling(
            lines
                .iter()
                .flat_map(|l| l.values.iter().flatten().copied())
                .filter(|v| v.is_finite())
                .fold(0.0_f64, f64::max),
        )
        .max(4.0)
    });
    let x = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| bottom - (bottom - top) * (v.clamp(0.0, top_value) / top_value);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 {width} {height}\" \
         preserveAspectRatio=\"xMidYMid meet\" font-family=\"{FONT}\" font-size=\"12\" role=\"img\" \
         aria-label=\"{t}（{u}）\">\n<title>{t}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"8\" y=\"20\" font-size=\"15\" font-weight=\"bold\" fill=\"#1f2329\">{t}</text>\n\
         <text x=\"8\" y=\"38\" fill=\"#5d6472\">{u}</text>\n",
        t = xml_escape(title),
        u = xml_escape(unit),
    );
    // Legend: one row under the unit.
    let mut lx = 8.0;
    for l in lines {
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"47\" width=\"14\" height=\"4\" fill=\"{c}\"/>\
             <text x=\"{}\" y=\"53\" fill=\"#1f2329\">{}</text>\n",
            lx + 18.0,
            xml_escape(l.series.name),
            c = l.series.colour,
        ));
        lx += 30.0 + 12.0 * l.series.name.chars().count() as f64;
    }
    // Value axis: 0, ¼, ½, ¾ and the top, with grid lines.
    for k in 0..=4 {
        let v = top_value * k as f64 / 4.0;
        let gy = y(v);
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{gy:.1}\" x2=\"{right}\" y2=\"{gy:.1}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#5d6472\">{}</text>\n",
            left - 4.0,
            gy + 4.0,
            number(v)
        ));
    }
    // Time axis: at most seven labels, the last one always shown.
    let step = n.saturating_sub(1).div_ceil(6).max(1);
    let shown = |i: usize| i + 1 == n || (i.is_multiple_of(step) && (n - 1 - i) * 2 >= step);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| shown(*i)) {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#5d6472\">{}</text>\n",
            x(i),
            bottom + 18.0,
            xml_escape(label)
        ));
    }
    if n == 0 || lines.iter().all(|l| l.values.iter().all(Option::is_none)) {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#5d6472\">暂无数据</text>\n",
            (left + right) / 2.0,
            (top + bottom) / 2.0
        ));
    }
    let dots = n <= 62;
    for l in lines {
        // A polyline per run of values without gaps.
        let mut run: Vec<String> = vec![];
        let flush = |run: &mut Vec<String>, svg: &mut String| {
            if run.len() > 1 {
                svg.push_str(&format!(
                    "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                    l.series.colour,
                    run.join(" ")
                ));
            }
            run.clear();
        };
        for (i, v) in l.values.iter().enumerate().take(n) {
            match v.filter(|v| v.is_finite()) {
                Some(v) => {
                    run.push(format!("{:.1},{:.1}", x(i), y(v)));
                    if dots || n == 1 {
                        svg.push_str(&format!(
                            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"><title>{}　{}：{}</title></circle>\n",
                            x(i),
                            y(v),
                            l.series.colour,
                            xml_escape(&labels[i]),
                            xml_escape(l.series.name),
                            number(v)
                        ));
                    }
                }
                None => flush(&mut run, &mut svg),
            }
        }
        flush(&mut run, &mut svg);
    }
    svg.push_str("</svg>\n");
    svg
}

/// A CSV table (RFC 4180 quoting) with a UTF-8 byte order mark, so
/// spreadsheets open the Chinese labels correctly. A cell a spreadsheet would
/// read as a formula (`=`, `+`, `-`, `@`, tab or CR first: a reviewer's reason
/// text is typed by people) gets a leading `'`, so it shows as text and runs
/// nothing; plain numbers stay numbers.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    fn field(f: &str) -> String {
        let number = f.parse::<f64>().is_ok();
        let guarded;
        let f = if !number && f.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            guarded = format!("'{f}");
            guarded.as_str()
        } else {
            f
        };
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    }
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_text_is_escaped() {
        let series = [Series {
            name: "数量",
            colour: "#3370ff",
        }];
        let rows = vec![
            ("平台初审 <A&B>".to_string(), vec![2.0]),
            ("备案成功".to_string(), vec![4.0]),
        ];
        let svg = bar_chart("按阶段", "单位：件", &series, &rows);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("平台初审 &lt;A&amp;B&gt;"));
        assert!(svg.contains("width=\"200.0\""), "half of 400: {svg}");
        assert!(svg.contains("width=\"400.0\""));
        // It scales to its container: no fixed pixel size, only the viewBox.
        assert!(svg.contains("width=\"100%\" viewBox=\"0 0 480 "), "{svg}");
        assert!(!svg.contains("<script"));
        assert!(bar_chart("空", "", &series, &[]).contains("暂无数据"));
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = csv(
            &["reason", "count"],
            &[vec!["含,逗号与\"引号\"".into(), "3".into()]],
        );
        assert_eq!(
            text,
            "\u{feff}reason,count\r\n\"含,逗号与\"\"引号\"\"\",3\r\n"
        );
    }

    #[test]
    fn line_charts_scale_to_their_container_and_leave_gaps() {
        let labels: Vec<String> = (1..=28).map(|d| format!("3/{d}")).collect();
        let lines = [
            Line {
                series: Series {
                    name: "提交",
                    colour: "#1a64d4",
                },
                values: (0..28).map(|i| Some(i as f64)).collect(),
            },
            Line {
                series: Series {
                    name: "平台初审 <达成率>",
                    colour: "#c5291f",
                },
                values: (0..28).map(|i| (i != 10).then_some(50.0)).collect(),
            },
        ];
        let svg = line_chart("提交与决定", "单位：件", &labels, &lines, None);
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 480 270\""
        ));
        assert!(!svg.contains("height=\"270\""), "no fixed pixel size");
        assert!(svg.contains("平台初审 &lt;达成率&gt;"));
        // 50 rounds up to 80 (grid lines at 20, 40, 60); the gap at point 10 splits the
        // second line in two.
        assert!(
            svg.contains(">80</text>") && svg.contains(">20</text>"),
            "{svg}"
        );
        assert_eq!(svg.matches("<polyline").count(), 3);
        // Seven labels at most on the time axis, the last one included.
        let shown = labels
            .iter()
            .filter(|l| svg.contains(&format!(">{l}</text>")))
            .count();
        assert!((2..=7).contains(&shown), "{shown}");
        assert!(svg.contains(">3/28</text>"));
        let empty = line_chart("空", "", &labels, &[], Some(100.0));
        assert!(empty.contains("暂无数据") && empty.contains(">100</text>"));
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3.0), 4.0);
        assert_eq!(nice_ceiling(4.0), 4.0);
        assert_eq!(nice_ceiling(5.0), 8.0);
        assert_eq!(nice_ceiling(27.0), 40.0);
        assert_eq!(nice_ceiling(101.0), 200.0);
    }

    /// A reason typed as `=HYPERLINK(...)` opens as text in a spreadsheet.
    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        let text = csv(
            &["reason", "count"],
            &[
                vec!["=HYPERLINK(\"http://evil\",\"点击\")".into(), "-3".into()],
                vec!["@SUM(A1)".into(), "+1".into()],
            ],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"点击\"\")\",-3"
        );
        assert_eq!(lines[2], "'@SUM(A1),+1");
    }
}
