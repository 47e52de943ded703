//! The 31 filing provinces: two-digit code, Chinese name and filing-number abbreviation, in one
//! table that certificate numbers ([`crate::ids`]) and filing numbers ([`crate::numbers`]) both
//! read. This module imports nothing from the crate.

/// The 31 filing provinces: (two-digit code, Chinese name, filing-number abbreviation).
///
/// The abbreviations are the official ones (蜀, 黔, 滇, 陇), not the everyday 川, 贵, 云, 甘.
/// Hong Kong, Macau and Taiwan have no filing authority and are absent on purpose.
pub const PROVINCES: &[(&str, &str, &str)] = &[
    ("11", "北京", "京"),
    ("12", "天津", "津"),
    ("13", "河北", "冀"),
    ("14", "山西", "晋"),
    ("15", "内蒙古", "蒙"),
    ("21", "辽宁", "辽"),
    ("22", "吉林", "吉"),
    ("23", "黑龙江", "黑"),
    ("31", "上海", "沪"),
    ("32", "江苏", "苏"),
    ("33", "浙江", "浙"),
    ("34", "安徽", "皖"),
    ("35", "福建", "闽"),
    ("36", "江西", "赣"),
    ("37", "山东", "鲁"),
    ("41", "河南", "豫"),
    ("42", "湖北", "鄂"),
    ("43", "湖南", "湘"),
    ("44", "广东", "粤"),
    ("45", "广西", "桂"),
    ("46", "海南", "琼"),
    ("50", "重庆", "渝"),
    ("51", "四川", "蜀"),
    ("52", "贵州", "黔"),
    ("53", "云南", "滇"),
    ("54", "西藏", "藏"),
    ("61", "陕西", "陕"),
    ("62", "甘肃", "陇"),
    ("63", "青海", "青"),
    ("64", "宁夏", "宁"),
    ("65", "新疆", "新"),
];

/// Filing-number abbreviation of a two-digit province code (`"51"` → `"蜀"`).
pub fn province_abbr(code2: &str) -> Option<&'static str> {
    PROVINCES
        .iter()
        .find(|(code, _, _)| *code == code2)
        .map(|(_, _, abbr)| *abbr)
}

/// Chinese name of a two-digit province code (`"51"` → `"四川"`).
pub fn province_name(code2: &str) -> Option<&'static str> {
    PROVINCES
        .iter()
        .find(|(code, _, _)| *code == code2)
        .map(|(_, name, _)| *name)
}

/// Two-digit province code of a filing-number abbreviation (`"蜀"` → `"51"`).
pub fn province_code_of_abbr(abbr: &str) -> Option<&'static str> {
    PROVINCES
        .iter()
        .find(|(_, _, a)| *a == abbr)
        .map(|(code, _, _)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_table_has_31_distinct_entries_with_the_official_abbreviations() {
        assert_eq!(PROVINCES.len(), 31);
        let mut codes: Vec<_> = PROVINCES.iter().map(|p| p.0).collect();
        let mut abbrs: Vec<_> = PROVINCES.iter().map(|p| p.2).collect();
        codes.dedup();
        abbrs.sort();
        abbrs.dedup();
        assert_eq!(codes.len(), 31);
        assert_eq!(abbrs.len(), 31);
        assert_eq!(province_abbr("51"), Some("蜀"));
        assert_eq!(province_abbr("52"), Some("黔"));
        assert_eq!(province_abbr("53"), Some("滇"));
        assert_eq!(province_abbr("62"), Some("陇"));
        assert_eq!(province_abbr("44"), Some("粤"));
        assert_eq!(province_name("15"), Some("内蒙古"));
        assert_eq!(province_name("23"), Some("黑龙江"));
        for no_authority in ["71", "81", "82", "99", "", "440000"] {
            assert_eq!(province_abbr(no_authority), None);
            assert_eq!(province_name(no_authority), None);
        }
        assert_eq!(province_code_of_abbr("川"), None);
        assert_eq!(province_code_of_abbr("新"), Some("65"));
    }

    /// The province rule pack is operator-replaceable data that repeats each name and
    /// abbreviation; the embedded pack must read the same as this table.
    #[test]
    fn embedded_province_pack_agrees_with_the_table() {
        let refs = crate::reference::ReferenceData::embedded();
        assert_eq!(refs.provinces.len(), PROVINCES.len());
        for (code, rule) in &refs.provinces {
            assert_eq!(province_name(code), Some(rule.name_zh.as_str()), "{code}");
            assert_eq!(province_abbr(code), Some(rule.abbr.as_str()), "{code}");
        }
    }
}
