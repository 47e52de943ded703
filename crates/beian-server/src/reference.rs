//! Reference data in force (domain.md §7 enumerations, §9 province rule pack, GB/T 2260
//! regions, the name lists of V-MP-018..022).
//!
//! The documents under `data/reference/` are compiled into the binary
//! ([`beian_domain::reference::EMBEDDED`]). The server reads them once at start, and a file
//! `<data-dir>/reference/<file>.json` replaces the compiled-in one of that name, so an
//! operator changes a province rule without a new build. Validation reads the parsed tables
//! ([`Reference::data`]); `/api/v1/reference/…` serves the same documents as they are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use axum::Router;
use beian_domain::reference::{ReferenceData, ReferenceError, EMBEDDED};
use serde_json::Value;

/// Endpoint (last path segment) → file name. `name-rules.json` is read but not served.
pub const ROUTES: [(&str, &str); 7] = [
    ("regions", "regions.json"),
    ("subject-natures", "subject-natures.json"),
    ("certificate-types", "certificate-types.json"),
    ("service-content-types", "service-content-types.json"),
    ("preapproval-categories", "preapproval-categories.json"),
    ("provinces", "provinces.json"),
    ("languages", "languages.json"),
];

/// Why the reference data could not be loaded at start.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceLoadError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error(transparent)]
    Invalid(#[from] ReferenceError),
}

/// The reference documents in force: parsed for validation, and as JSON for the endpoints.
#[derive(Debug)]
pub struct Reference {
    /// The tables validation reads.
    pub data: ReferenceData,
    /// Each document as JSON, by file name.
    documents: BTreeMap<String, Value>,
    /// Files taken from the data directory instead of the binary.
    overridden: Vec<String>,
}

impl Reference {
    /// Parses (file name, text) pairs, one per file of [`EMBEDDED`].
    fn from_texts(
        texts: &[(&str, &str)],
        overridden: Vec<String>,
    ) -> Result<Reference, ReferenceLoadError> {
        let data = ReferenceData::parse(texts)?;
        let mut documents = BTreeMap::new();
        for (file, text) in texts {
            // `parse` succeeded, so every text is JSON; the error arm cannot be reached.
            let value = serde_json::from_str(text).map_err(|e| ReferenceError::Invalid {
                file: file.to_string(),
                message: e.to_string(),
            })?;
            documents.insert(file.to_string(), value);
        }
        Ok(Reference {
            data,
            documents,
            overridden,
        })
    }

    /// Only the compiled-in documents.
    pub fn embedded() -> Reference {
        Reference::from_texts(&EMBEDDED, vec![])
            .expect("embedded reference files are valid (covered by a unit test)")
    }

    /// The compiled-in documents, each replaced by `<data_dir>/reference/<file>` where that
    /// exists. A replacement that cannot be read or parsed is an error, never ignored: an
    /// operator who edited a rule must not run on the old one unknowingly.
    pub fn load(data_dir: &Path) -> Result<Reference, ReferenceLoadError> {
        let dir = data_dir.join("reference");
        let mut texts: Vec<(&str, String)> = vec![];
        let mut overridden = vec![];
        for (file, embedded) in EMBEDDED {
            let path = dir.join(file);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    overridden.push(file.to_string());
                    texts.push((file, text));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    texts.push((file, embedded.to_string()))
                }
                Err(e) => return Err(ReferenceLoadError::Read(path, e)),
            }
        }
        let borrowed: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (*f, t.as_str())).collect();
        Reference::from_texts(&borrowed, overridden)
    }

    /// One document as JSON, by file name (`provinces.json`).
    pub fn document(&self, file: &str) -> Option<&Value> {
        self.documents.get(file)
    }

    /// The files read from the data directory.
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }

    /// The province rule pack entry (§9) of a two-digit code such as `"44"`, as served.
    pub fn province_rule(&self, code2: &str) -> Option<Value> {
        self.document("provinces.json")?["items"]
            .as_array()?
            .iter()
            .find(|p| p["code"].as_str() == Some(code2))
            .cloned()
    }

    /// `(file name, version, as_of)` of every document, for `/metrics`, logs and the admin
    /// console.
    pub fn versions(&self) -> Vec<(String, String, String)> {
        self.data
            .versions
            .iter()
            .map(|v| (v.file.clone(), v.version.clone(), v.as_of.clone()))
            .collect()
    }
}

/// The compiled-in data, parsed once, for callers without the state at hand.
fn embedded() -> &'static Reference {
    static EMBEDDED_REFERENCE: OnceLock<Reference> = OnceLock::new();
    EMBEDDED_REFERENCE.get_or_init(Reference::embedded)
}

/// The compiled-in province rule of a two-digit code. Handlers with an `AppState` should
/// read `state.reference`, which includes the operator's replacements.
pub fn province_rule(code2: &str) -> Option<Value> {
    embedded().province_rule(code2)
}

/// Versions of the compiled-in documents. Handlers with an `AppState` should read
/// `state.reference.versions()`, which includes the operator's replacements.
pub fn versions() -> Vec<(String, String, String)> {
    embedded().versions()
}

/// `GET /api/v1/reference/{regions, subject-natures, certificate-types, service-content-types,
/// preapproval-categories, provinces, languages}`: each document in force, as it is. Public.
pub fn router<S: Clone + Send + Sync + 'static>(reference: Arc<Reference>) -> Router<S> {
    ROUTES.iter().fold(Router::new(), |router, (route, file)| {
        // Serialised once: the region table is large and never changes while running.
        let body = Bytes::from(
            reference
                .document(file)
                .and_then(|v| serde_json::to_vec(v).ok())
                .unwrap_or_default(),
        );
        router.route(
            &format!("/api/v1/reference/{route}"),
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body) }
            }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian_domain::numbers::{province_abbr, province_name, PROVINCES as DOMAIN_PROVINCES};
    use std::collections::{BTreeMap, BTreeSet};

    fn reference() -> &'static Reference {
        embedded()
    }

    fn doc(file: &str) -> &'static Value {
        reference()
            .document(file)
            .unwrap_or_else(|| panic!("{file} loaded"))
    }

    fn items(file: &str) -> &'static [Value] {
        doc(file)["items"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn ids(file: &str, key: &str) -> BTreeSet<u64> {
        items(file)
            .iter()
            .map(|i| i[key].as_u64().expect("numeric id"))
            .collect()
    }

    fn is_date(s: &str) -> bool {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
    }

    #[test]
    fn every_served_file_is_a_reference_file() {
        for (route, file) in ROUTES {
            assert_eq!(format!("{route}.json"), file);
            assert!(EMBEDDED.iter().any(|(f, _)| *f == file), "{file}");
        }
    }

    #[test]
    fn every_file_parses_with_the_common_header() {
        for (file, _) in EMBEDDED {
            let o = doc(file)
                .as_object()
                .unwrap_or_else(|| panic!("{file} is not an object"));
            for key in ["name", "version", "source", "as_of"] {
                let s = o.get(key).and_then(Value::as_str).unwrap_or_default();
                assert!(!s.is_empty(), "{file}: missing {key}");
            }
            assert!(is_date(o["version"].as_str().unwrap()), "{file}");
            assert!(is_date(o["as_of"].as_str().unwrap()), "{file}");
            let items = o["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{file}: no items"));
            assert!(!items.is_empty(), "{file}");
        }
        let v = versions();
        assert_eq!(v.len(), EMBEDDED.len());
        assert!(v
            .iter()
            .all(|(_, version, as_of)| version == "2025-12-31" && is_date(as_of)));
        assert!(v.iter().any(|(file, _, _)| file == "provinces.json"));
        assert!(v.iter().any(|(file, _, _)| file == "name-rules.json"));
    }

    #[test]
    fn item_counts() {
        assert_eq!(items("subject-natures.json").len(), 17);
        assert_eq!(items("provinces.json").len(), 31);
        assert_eq!(items("languages.json").len(), 18);
        assert_eq!(items("preapproval-categories.json").len(), 13);
        let first_level = items("service-content-types.json")
            .iter()
            .filter(|i| i["parent_id"] == 0)
            .count();
        assert_eq!(first_level, 12);
        let level1 = items("regions.json")
            .iter()
            .filter(|r| r["level"] == 1)
            .count();
        assert_eq!(level1, 31);
        // 7.2 lists 24 organisation types, 7.3 lists 7 personal ones.
        assert_eq!(items("certificate-types.json").len(), 31);
    }

    #[test]
    fn ids_are_unique() {
        for (file, key) in [
            ("subject-natures.json", "id"),
            ("certificate-types.json", "id"),
            ("service-content-types.json", "id"),
            ("preapproval-categories.json", "code"),
            ("languages.json", "id"),
        ] {
            assert_eq!(ids(file, key).len(), items(file).len(), "{file}");
        }
        for (file, key) in [("provinces.json", "code"), ("regions.json", "code")] {
            let set: BTreeSet<&str> = items(file)
                .iter()
                .map(|i| i[key].as_str().unwrap())
                .collect();
            assert_eq!(set.len(), items(file).len(), "{file}");
        }
    }

    #[test]
    fn second_level_service_ids_are_parent_times_100_plus_j() {
        let file = "service-content-types.json";
        let first = ids(file, "id")
            .into_iter()
            .filter(|id| *id < 100)
            .collect::<BTreeSet<_>>();
        assert_eq!(first, (1..=12).collect());
        let preapprovals = ids("preapproval-categories.json", "code");
        let mut children: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for item in items(file) {
            let id = item["id"].as_u64().unwrap();
            let parent = item["parent_id"].as_u64().unwrap();
            assert!(!item["name_zh"].as_str().unwrap_or_default().is_empty());
            if parent == 0 {
                assert!(first.contains(&id));
                continue;
            }
            assert!(first.contains(&parent), "{id}: unknown parent {parent}");
            assert!(item["individual_selectable"].is_boolean(), "{id}");
            // §7.5: the 11xx items are reserved to the natures of config.taxonomy.gov_only.
            assert_eq!(item["gov_only"] == true, parent == 11, "{id}");
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
            items("service-content-types.json")
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
        let certs: BTreeMap<u64, &Value> = items("certificate-types.json")
            .iter()
            .map(|c| (c["id"].as_u64().unwrap(), c))
            .collect();
        for n in items("subject-natures.json") {
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
        for c in certs.values() {
            if c["personal"] == true {
                assert!(c["has_back_side"].is_boolean(), "{c}");
            }
        }
        assert_eq!(certs[&7]["has_back_side"], false);
        assert_eq!(certs[&2]["encodes_birth_date"], true);
    }

    #[test]
    fn preapproval_codes_are_bit_flags() {
        let codes = ids("preapproval-categories.json", "code");
        assert!(codes.contains(&0));
        for c in codes.iter().filter(|c| **c != 0) {
            assert!(c.is_power_of_two(), "{c}");
            assert!(![64, 128, 1024].contains(c), "{c} is unused");
        }
    }

    #[test]
    fn province_pack_matches_the_domain_table() {
        let codes: BTreeSet<&str> = items("provinces.json")
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        let domain: BTreeSet<&str> = DOMAIN_PROVINCES.iter().map(|p| p.0).collect();
        assert_eq!(codes, domain);
        for p in items("provinces.json") {
            let code = p["code"].as_str().unwrap();
            assert_eq!(p["abbr"].as_str(), province_abbr(code), "{code}");
            assert_eq!(p["name_zh"].as_str(), province_name(code), "{code}");
            let one_of = |k: &str, allowed: &[&str]| {
                let v = p[k].as_str().unwrap_or_default();
                assert!(allowed.contains(&v), "{code}.{k} = {v:?}");
            };
            one_of("confidence", &["confirmed", "single report", "disputed"]);
            let age = p["min_age"].as_u64().unwrap();
            assert!((14..=18).contains(&age), "{code}");
            assert!(p["authority_sla_wd"].as_u64().unwrap() > 0);
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
        // The typed enumerations (non_local, local_mobile, principal_legal_rep) are checked
        // by parsing: an unknown value would have failed `Reference::embedded`.
        assert_eq!(reference().data.provinces.len(), 31);
    }

    #[test]
    fn regions_form_a_tree() {
        let by_code: BTreeMap<&str, &Value> = items("regions.json")
            .iter()
            .map(|r| (r["code"].as_str().unwrap(), r))
            .collect();
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

    /// A fresh directory for one test.
    fn temp_data_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "beian-reference-{tag}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(dir.join("reference")).unwrap();
        dir
    }

    #[test]
    fn a_file_in_the_data_directory_replaces_the_embedded_one() {
        let dir = temp_data_dir("override");
        let none = Reference::load(&dir).unwrap();
        assert!(none.overridden().is_empty());
        assert_eq!(none.data, reference().data);
        // The operator raises Guangdong's minimum age.
        let mut pack = doc("provinces.json").clone();
        for p in pack["items"].as_array_mut().unwrap() {
            if p["code"] == "44" {
                p["min_age"] = 18.into();
            }
        }
        pack["version"] = "2026-01-15".into();
        std::fs::write(
            dir.join("reference/provinces.json"),
            serde_json::to_string(&pack).unwrap(),
        )
        .unwrap();
        let loaded = Reference::load(&dir).unwrap();
        assert_eq!(loaded.overridden(), ["provinces.json".to_string()]);
        assert_eq!(loaded.data.province("44").and_then(|p| p.min_age), Some(18));
        assert_eq!(loaded.province_rule("44").unwrap()["min_age"], 18);
        assert!(loaded.versions().contains(&(
            "provinces.json".into(),
            "2026-01-15".into(),
            "2025-12-31".into()
        )));
        // Everything else is still the compiled-in data.
        assert_eq!(loaded.data.regions, reference().data.regions);
        // A broken replacement stops the start instead of being ignored.
        std::fs::write(dir.join("reference/languages.json"), "{").unwrap();
        let e = Reference::load(&dir).unwrap_err();
        assert!(e.to_string().contains("languages.json"), "{e}");
    }

    #[tokio::test]
    async fn router_serves_the_documents_in_force() {
        let dir = temp_data_dir("router");
        let mut langs = doc("languages.json").clone();
        langs["items"].as_array_mut().unwrap().truncate(2);
        std::fs::write(
            dir.join("reference/languages.json"),
            serde_json::to_string(&langs).unwrap(),
        )
        .unwrap();
        let loaded = Arc::new(Reference::load(&dir).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app: Router = router(loaded.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest::Client::new();
        for (route, file) in ROUTES {
            let url = format!("http://{addr}/api/v1/reference/{route}");
            let res = client.get(&url).send().await.unwrap();
            assert_eq!(res.status(), 200, "{url}");
            let ct = res.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.starts_with("application/json"), "{url}: {ct}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(Some(&body), loaded.document(file), "{url}");
        }
        let served: Value = client
            .get(format!("http://{addr}/api/v1/reference/languages"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(served["items"].as_array().unwrap().len(), 2);
        let missing = client
            .get(format!("http://{addr}/api/v1/reference/nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        let names = client
            .get(format!("http://{addr}/api/v1/reference/name-rules"))
            .send()
            .await
            .unwrap();
        assert_eq!(names.status(), 404, "name rules are not served");
    }
}
