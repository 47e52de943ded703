//! Reference data (domain.md §7 enumerations, §9 province rule pack, GB/T 2260 regions).
//!
//! The tables live as versioned JSON documents under `data/reference/` and are compiled
//! into the binary. Each document is `{name, version, source, as_of, items, …}`; it is
//! parsed once on first use and served unchanged under `/api/v1/reference/…`.

use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// One embedded reference document.
struct RefFile {
    /// File name under `data/reference/`.
    file: &'static str,
    /// Last path segment of its endpoint.
    route: &'static str,
    /// The embedded JSON text.
    text: &'static str,
}

/// Index of `provinces.json` in [`FILES`].
const PROVINCES: usize = 5;

/// Every reference document.
const FILES: [RefFile; 7] = [
    RefFile {
        file: "regions.json",
        route: "regions",
        text: include_str!("../../../data/reference/regions.json"),
    },
    RefFile {
        file: "subject-natures.json",
        route: "subject-natures",
        text: include_str!("../../../data/reference/subject-natures.json"),
    },
    RefFile {
        file: "certificate-types.json",
        route: "certificate-types",
        text: include_str!("../../../data/reference/certificate-types.json"),
    },
    RefFile {
        file: "service-content-types.json",
        route: "service-content-types",
        text: include_str!("../../../data/reference/service-content-types.json"),
    },
    RefFile {
        file: "preapproval-categories.json",
        route: "preapproval-categories",
        text: include_str!("../../../data/reference/preapproval-categories.json"),
    },
    RefFile {
        file: "provinces.json",
        route: "provinces",
        text: include_str!("../../../data/reference/provinces.json"),
    },
    RefFile {
        file: "languages.json",
        route: "languages",
        text: include_str!("../../../data/reference/languages.json"),
    },
];

/// The parsed documents, in the order of [`FILES`].
fn parsed() -> &'static [Value] {
    static PARSED: OnceLock<Vec<Value>> = OnceLock::new();
    PARSED.get_or_init(|| {
        FILES
            .iter()
            .map(|f| {
                // The unit tests below parse every file, so this cannot fail in a tested build.
                serde_json::from_str(f.text).unwrap_or_else(|e| {
                    panic!(
                        "embedded reference file data/reference/{} is not valid JSON: {e}",
                        f.file
                    )
                })
            })
            .collect()
    })
}

/// One parsed document.
fn doc(index: usize) -> &'static Value {
    &parsed()[index]
}

/// The `items` array of one document.
fn items(index: usize) -> &'static [Value] {
    doc(index)["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `GET /api/v1/reference/{regions, subject-natures, certificate-types, service-content-types,
/// preapproval-categories, provinces, languages}`: each document as is. Public, no state needed.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    FILES
        .iter()
        .enumerate()
        .fold(Router::new(), |router, (index, f)| {
            router.route(
                &format!("/api/v1/reference/{}", f.route),
                get(move || async move { Json(doc(index)) }),
            )
        })
}

/// The province rule pack entry (§9) of a two-digit province code such as `"44"`.
pub fn province_rule(code2: &str) -> Option<Value> {
    items(PROVINCES)
        .iter()
        .find(|p| p["code"].as_str() == Some(code2))
        .cloned()
}

/// `(file name, version, as_of)` of every reference document, for `/metrics`, logs and the
/// admin console.
pub fn versions() -> Vec<(String, String, String)> {
    FILES
        .iter()
        .zip(parsed())
        .map(|(f, v)| {
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (f.file.to_string(), field("version"), field("as_of"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian_domain::numbers::{province_abbr, province_name, PROVINCES as DOMAIN_PROVINCES};
    use std::collections::{BTreeMap, BTreeSet};

    const REGIONS: usize = 0;
    const SUBJECT_NATURES: usize = 1;
    const CERTIFICATE_TYPES: usize = 2;
    const SERVICE_CONTENT_TYPES: usize = 3;
    const PREAPPROVAL_CATEGORIES: usize = 4;
    const LANGUAGES: usize = 6;

    #[test]
    fn indices_name_the_right_files() {
        assert_eq!(FILES[REGIONS].file, "regions.json");
        assert_eq!(FILES[SUBJECT_NATURES].file, "subject-natures.json");
        assert_eq!(FILES[CERTIFICATE_TYPES].file, "certificate-types.json");
        assert_eq!(
            FILES[SERVICE_CONTENT_TYPES].file,
            "service-content-types.json"
        );
        assert_eq!(
            FILES[PREAPPROVAL_CATEGORIES].file,
            "preapproval-categories.json"
        );
        assert_eq!(FILES[PROVINCES].file, "provinces.json");
        assert_eq!(FILES[LANGUAGES].file, "languages.json");
        for f in &FILES {
            assert_eq!(format!("{}.json", f.route), f.file);
        }
    }

    fn ids(index: usize, key: &str) -> BTreeSet<u64> {
        items(index)
            .iter()
            .map(|i| i[key].as_u64().expect("numeric id"))
            .collect()
    }

    fn is_date(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    }

    #[test]
    fn every_file_parses_with_the_common_header() {
        assert_eq!(parsed().len(), FILES.len());
        for (f, v) in FILES.iter().zip(parsed()) {
            let o = v
                .as_object()
                .unwrap_or_else(|| panic!("{} is not an object", f.file));
            for key in ["name", "version", "source", "as_of"] {
                let s = o.get(key).and_then(Value::as_str).unwrap_or_default();
                assert!(!s.is_empty(), "{}: missing {key}", f.file);
            }
            assert!(is_date(o["version"].as_str().unwrap()), "{}", f.file);
            assert!(is_date(o["as_of"].as_str().unwrap()), "{}", f.file);
            let items = o["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no items", f.file));
            assert!(!items.is_empty(), "{}", f.file);
        }
        let v = versions();
        assert_eq!(v.len(), 7);
        assert!(v
            .iter()
            .all(|(_, version, as_of)| version == "2025-12-31" && is_date(as_of)));
        assert!(v.iter().any(|(file, _, _)| file == "provinces.json"));
    }

    #[test]
    fn item_counts() {
        assert_eq!(items(SUBJECT_NATURES).len(), 17);
        assert_eq!(items(PROVINCES).len(), 31);
        assert_eq!(items(LANGUAGES).len(), 18);
        assert_eq!(items(PREAPPROVAL_CATEGORIES).len(), 13);
        let first_level = items(SERVICE_CONTENT_TYPES)
            .iter()
            .filter(|i| i["parent_id"] == 0)
            .count();
        assert_eq!(first_level, 12);
        let level1 = items(REGIONS).iter().filter(|r| r["level"] == 1).count();
        assert_eq!(level1, 31);
        // 7.2 lists 24 organisation types, 7.3 lists 7 personal ones.
        assert_eq!(items(CERTIFICATE_TYPES).len(), 31);
    }

    #[test]
    fn ids_are_unique() {
        for (index, key) in [
            (SUBJECT_NATURES, "id"),
            (CERTIFICATE_TYPES, "id"),
            (SERVICE_CONTENT_TYPES, "id"),
            (PREAPPROVAL_CATEGORIES, "code"),
            (LANGUAGES, "id"),
        ] {
            assert_eq!(
                ids(index, key).len(),
                items(index).len(),
                "{}",
                FILES[index].file
            );
        }
        for (index, key) in [(PROVINCES, "code"), (REGIONS, "code")] {
            let set: BTreeSet<&str> = items(index)
                .iter()
                .map(|i| i[key].as_str().unwrap())
                .collect();
            assert_eq!(set.len(), items(index).len(), "{}", FILES[index].file);
        }
    }

    #[test]
    fn second_level_service_ids_are_parent_times_100_plus_j() {
        let first = ids(SERVICE_CONTENT_TYPES, "id")
            .into_iter()
            .filter(|id| *id < 100)
            .collect::<BTreeSet<_>>();
        assert_eq!(first, (1..=12).collect());
        let preapprovals = ids(PREAPPROVAL_CATEGORIES, "code");
        let mut children: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for item in items(SERVICE_CONTENT_TYPES) {
            let id = item["id"].as_u64().unwrap();
            let parent = item["parent_id"].as_u64().unwrap();
            assert!(!item["name_zh"].as_str().unwrap_or_default().is_empty());
            if parent == 0 {
                assert!(first.contains(&id));
                continue;
            }
            assert!(first.contains(&parent), "{id}: unknown parent {parent}");
            assert!(item["individual_selectable"].is_boolean(), "{id}");
            match &item["preapproval_hint"] {
                Value::Null => {}
                hint => {
                    let code = hint.as_u64().unwrap();
                    assert!(
                        code != 0 && preapprovals.contains(&code),
                        "{id}: hint {code}"
                    );
                }
            }
            children.entry(parent).or_default().push(id);
        }
        for (parent, kids) in &children {
            for (j, id) in kids.iter().enumerate() {
                assert_eq!(*id, parent * 100 + j as u64 + 1, "children of {parent}");
            }
        }
        assert_eq!(children.len(), 12, "every first level has children");
        assert_eq!(children.values().map(Vec::len).sum::<usize>(), 71);
    }

    #[test]
    fn service_type_spot_checks() {
        let by_id = |id: u64| {
            items(SERVICE_CONTENT_TYPES)
                .iter()
                .find(|i| i["id"] == id)
                .unwrap_or_else(|| panic!("{id} missing"))
        };
        assert_eq!(by_id(305)["preapproval_hint"], 8192);
        assert_eq!(by_id(703)["individual_selectable"], true);
        assert_eq!(by_id(703)["preapproval_hint"], 32);
        assert_eq!(by_id(901)["individual_selectable"], true);
        assert_eq!(by_id(1001)["preapproval_hint"], 2048);
        assert_eq!(by_id(1101)["individual_selectable"], false);
        assert_eq!(by_id(807)["name_zh"], "个人作品展示");
    }

    #[test]
    fn nature_certificates_exist_and_match_personhood() {
        let certs: BTreeMap<u64, &Value> = items(CERTIFICATE_TYPES)
            .iter()
            .map(|c| (c["id"].as_u64().unwrap(), c))
            .collect();
        for n in items(SUBJECT_NATURES) {
            let id = n["id"].as_u64().unwrap();
            assert_eq!(n["enabled"], true);
            let allowed = n["allowed_certificates"].as_array().unwrap();
            assert!(!allowed.is_empty(), "nature {id}");
            for c in allowed {
                let cert = certs
                    .get(&c.as_u64().unwrap())
                    .unwrap_or_else(|| panic!("nature {id}: unknown certificate {c}"));
                // Only individuals (nature 5) file with a personal certificate.
                assert_eq!(cert["personal"], id == 5, "nature {id}, certificate {c}");
            }
            for p in n["uscc_prefixes"].as_array().unwrap() {
                assert_eq!(p.as_str().unwrap().len(), 2, "nature {id}");
            }
        }
        let formats = [
            "uscc",
            "org_code",
            "uscc_if_shaped",
            "free",
            "resident_id",
            "passport",
            "tw_travel_permit",
            "hkmo_travel_permit",
            "foreign_permanent_resident_id",
            "hkmo_residence_permit",
            "tw_residence_permit",
        ];
        for c in certs.values() {
            assert!(formats.contains(&c["format"].as_str().unwrap()), "{c}");
            if c["personal"] == true {
                assert!(c["has_back_side"].is_boolean(), "{c}");
            }
        }
        assert_eq!(certs[&7]["has_back_side"], false);
        assert_eq!(certs[&2]["encodes_birth_date"], true);
    }

    #[test]
    fn preapproval_codes_are_bit_flags() {
        let codes = ids(PREAPPROVAL_CATEGORIES, "code");
        assert!(codes.contains(&0));
        for c in codes.iter().filter(|c| **c != 0) {
            assert!(c.is_power_of_two(), "{c}");
            assert!(![64, 128, 1024].contains(c), "{c} is unused");
        }
    }

    #[test]
    fn province_pack_matches_the_domain_table() {
        let codes: BTreeSet<&str> = items(PROVINCES)
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        let domain: BTreeSet<&str> = DOMAIN_PROVINCES.iter().map(|p| p.0).collect();
        assert_eq!(codes, domain);
        for p in items(PROVINCES) {
            let code = p["code"].as_str().unwrap();
            assert_eq!(p["abbr"].as_str(), province_abbr(code), "{code}");
            assert_eq!(p["name_zh"].as_str(), province_name(code), "{code}");
            let one_of = |k: &str, allowed: &[&str]| {
                let v = p[k].as_str().unwrap_or_default();
                assert!(allowed.contains(&v), "{code}.{k} = {v:?}");
            };
            one_of(
                "non_local",
                &["accepted", "accepted_with_proof", "not_accepted", "unknown"],
            );
            one_of("local_mobile", &["yes", "no", "unknown"]);
            one_of(
                "principal_legal_rep",
                &["yes", "yes_or_authorization", "unknown"],
            );
            one_of("confidence", &["confirmed", "single report", "disputed"]);
            for k in [
                "emergency_third_party",
                "same_city_address",
                "foreign_individuals",
            ] {
                assert!(p[k].is_boolean(), "{code}.{k}");
            }
            let age = p["min_age"].as_u64().unwrap();
            assert!((14..=18).contains(&age), "{code}");
            assert!(p["authority_sla_wd"].as_u64().unwrap() > 0);
            assert!(p["required_materials"].is_array());
            assert!(p["notes"].is_string());
        }
        let gd = province_rule("44").unwrap();
        assert_eq!(gd["abbr"], "粤");
        assert_eq!(gd["min_age"], 16);
        assert_eq!(
            gd["required_materials"],
            serde_json::json!(["signed_forms"])
        );
        assert_eq!(province_rule("51").unwrap()["abbr"], "蜀");
        assert_eq!(province_rule("13").unwrap()["foreign_individuals"], false);
        assert_eq!(province_rule("12").unwrap()["emergency_third_party"], true);
        assert_eq!(province_rule("35").unwrap()["confidence"], "single report");
        assert_eq!(province_rule("45").unwrap()["confidence"], "disputed");
        assert!(province_rule("81").is_none());
        assert!(province_rule("440000").is_none());
    }

    #[test]
    fn regions_form_a_tree() {
        let by_code: BTreeMap<&str, &Value> = items(REGIONS)
            .iter()
            .map(|r| (r["code"].as_str().unwrap(), r))
            .collect();
        assert_eq!(doc(REGIONS)["partial"], true);
        for r in by_code.values() {
            let code = r["code"].as_str().unwrap();
            assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
            let level = r["level"].as_u64().unwrap();
            match level {
                1 => {
                    assert!(r["parent"].is_null());
                    assert!(code.ends_with("0000"));
                    assert!(province_abbr(&code[..2]).is_some(), "{code}");
                }
                2 | 3 => {
                    let parent = r["parent"].as_str().unwrap();
                    let p = by_code
                        .get(parent)
                        .unwrap_or_else(|| panic!("{code}: no parent"));
                    assert_eq!(p["level"].as_u64().unwrap(), level - 1);
                    let prefix = if level == 2 { 2 } else { 4 };
                    assert_eq!(&code[..prefix], &parent[..prefix], "{code}");
                }
                _ => panic!("{code}: level {level}"),
            }
        }
        assert_eq!(by_code["440305"]["name"], "南山区");
        assert_eq!(by_code["440305"]["parent"], "440300");
        assert_eq!(by_code["650000"]["name"], "新疆维吾尔自治区");
    }

    #[tokio::test]
    async fn router_serves_each_file_as_is() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app: Router = router();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest::Client::new();
        for (f, expected) in FILES.iter().zip(parsed()) {
            let url = format!("http://{addr}/api/v1/reference/{}", f.route);
            let res = client.get(&url).send().await.unwrap();
            assert_eq!(res.status(), 200, "{url}");
            let ct = res.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.starts_with("application/json"), "{url}: {ct}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(&body, expected, "{url}");
        }
        let missing = client
            .get(format!("http://{addr}/api/v1/reference/nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
}
