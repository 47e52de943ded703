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

/// A horizontal bar chart: one row per label, one bar per series in a row,
/// lengths proportional to the largest value.
pub fn bar_chart(
    title: &str,
    unit: &str,
    series: &[Series],
    rows: &[(String, Vec<f64>)],
) -> String {
    let (label_w, bar_w, value_w) = (220.0, 420.0, 80.0);
    let bar_h = 16.0;
    let row_h = bar_h * series.len().max(1) as f64 + 12.0;
    let top = 56.0;
    let legend_h = 24.0;
    let height = top + row_h * rows.len().max(1) as f64 + legend_h + 16.0;
    let width = label_w + bar_w + value_w + 20.0;
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{FONT}\" font-size=\"13\" role=\"img\" \
         aria-label=\"{t}\">\n<title>{t}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"10\" y=\"26\" font-size=\"16\" font-weight=\"bold\" fill=\"#1f2329\">{t}</text>\n\
         <text x=\"10\" y=\"44\" fill=\"#8f959e\">{u}</text>\n",
        t = xml_escape(title),
        u = xml_escape(unit),
    );
    if rows.is_empty() {
        svg.push_str(&format!(
            "<text x=\"10\" y=\"{}\" fill=\"#8f959e\">暂无数据</text>\n",
            top + 20.0
        ));
    }
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1f2329\">{}</text>\n",
            label_w - 8.0,
            y + row_h / 2.0 + 4.0,
            xml_escape(label)
        ));
        for (j, (s, v)) in series.iter().zip(values).enumerate() {
            let v = if v.is_finite() { *v } else { 0.0 };
            let len = if max > 0.0 { v / max * bar_w } else { 0.0 };
            let by = y + 6.0 + bar_h * j as f64;
            svg.push_str(&format!(
                "<rect x=\"{label_w}\" y=\"{by}\" width=\"{len:.1}\" height=\"{}\" fill=\"{}\"><title>{}：{}</title></rect>\n\
                 <text x=\"{:.1}\" y=\"{}\" fill=\"#1f2329\">{}</text>\n",
                bar_h - 2.0,
                s.colour,
                xml_escape(s.name),
                number(v),
                label_w + len + 6.0,
                by + bar_h - 4.0,
                number(v)
            ));
        }
    }
    let ly = height - legend_h;
    for (j, s) in series.iter().enumerate() {
        let x = label_w + 140.0 * j as f64;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#1f2329\">{}</text>\n",
            s.colour,
            x + 18.0,
            ly + 11.0,
            xml_escape(s.name)
        ));
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
        assert!(svg.contains("width=\"210.0\""), "half of 420: {svg}");
        assert!(svg.contains("width=\"420.0\""));
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
