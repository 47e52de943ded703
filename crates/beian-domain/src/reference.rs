//! Reference data: the enumerations of domain.md §7, the province rule pack of §9, the
//! GB/T 2260 region table and the name lists of V-MP-018..022 and V-POL-009.
//!
//! They are versioned JSON documents under `data/reference/`, each
//! `{name, version, source, as_of, items, …}`. The binary embeds them and an operator may
//! replace any one without a code change, so parsing checks everything validation relies
//! on and names the file at fault.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The reference documents compiled into the binary: (file name under `data/reference/`,
/// JSON text).
pub const EMBEDDED: [(&str, &str); 8] = [
    (
        "regions.json",
        include_str!("../../../data/reference/regions.json"),
    ),
    (
        "subject-natures.json",
        include_str!("../../../data/reference/subject-natures.json"),
    ),
    (
        "certificate-types.json",
        include_str!("../../../data/reference/certificate-types.json"),
    ),
    (
        "service-content-types.json",
        include_str!("../../../data/reference/service-content-types.json"),
    ),
    (
        "preapproval-categories.json",
        include_str!("../../../data/reference/preapproval-categories.json"),
    ),
    (
        "provinces.json",
        include_str!("../../../data/reference/provinces.json"),
    ),
    (
        "languages.json",
        include_str!("../../../data/reference/languages.json"),
    ),
    (
        "name-rules.json",
        include_str!("../../../data/reference/name-rules.json"),
    ),
];

/// Why a set of reference documents cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("reference file {0} is missing")]
    Missing(String),
    #[error("reference file {file}: {message}")]
    Invalid { file: String, message: String },
}

fn invalid(file: &str, message: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid {
        file: file.to_string(),
        message: message.into(),
    }
}

fn yes() -> bool {
    true
}

/// Version stamp of one reference document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentVersion {
    pub file: String,
    pub version: String,
    pub as_of: String,
}

/// Quota class of a subject nature (§7.1), which selects the quota of §4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaClass {
    Organisation,
    Individual,
    IndividualBusiness,
}

/// 主办单位性质 (§7.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectNature {
    pub id: u32,
    pub name_zh: String,
    pub quota_class: QuotaClass,
    pub allowed_certificates: Vec<u32>,
    #[serde(default)]
    pub uscc_prefixes: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl SubjectNature {
    /// Individuals (nature 5) file with the principal's own personal certificate.
    pub fn is_individual(&self) -> bool {
        self.quota_class == QuotaClass::Individual
    }
}

/// How a certificate number is checked (§7.2 "format", §7.3 "number rule").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberFormat {
    Uscc,
    OrgCode,
    UsccIfShaped,
    Free,
    ResidentId,
    Passport,
    TwTravelPermit,
    HkmoTravelPermit,
    ForeignPermanentResidentId,
    HkmoResidencePermit,
    TwResidencePermit,
}

/// A certificate type, organisational (§7.2) or personal (§7.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateType {
    pub id: u32,
    pub name_zh: String,
    pub personal: bool,
    pub format: NumberFormat,
    /// Personal types only: whether a back side must be uploaded (V-PER-005).
    #[serde(default)]
    pub has_back_side: Option<bool>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// An item of the service content taxonomy (§7.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceType {
    pub id: u32,
    pub name_zh: String,
    /// 0 for a first-level item.
    pub parent_id: u32,
    #[serde(default)]
    pub individual_selectable: bool,
    #[serde(default)]
    pub preapproval_hint: Option<u32>,
    /// Selectable only by the natures of `config.taxonomy.gov_only` (the 11xx items).
    #[serde(default)]
    pub gov_only: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A pre-approval category (§7.4); `code` is the national bit flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreApprovalCategory {
    pub code: u32,
    pub name_zh: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A service language (§7.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Language {
    pub id: u32,
    pub name_zh: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// Whether a province accepts individuals with another province's certificate (§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonLocal {
    Accepted,
    AcceptedWithProof,
    NotAccepted,
    #[default]
    Unknown,
}

/// Whether a province requires a mobile of its own (§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalMobile {
    Yes,
    No,
    #[default]
    Unknown,
}

/// Whether the subject principal must be the legal representative (§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalLegalRep {
    Yes,
    YesOrAuthorization,
    #[default]
    Unknown,
}

/// One entry of the province rule pack (§9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceRule {
    /// Two-digit code, e.g. `"44"`.
    pub code: String,
    pub name_zh: String,
    pub abbr: String,
    #[serde(default)]
    pub non_local: NonLocal,
    /// `None` falls back to `config.individual.min_age`.
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub local_mobile: LocalMobile,
    #[serde(default)]
    pub principal_legal_rep: PrincipalLegalRep,
    #[serde(default)]
    pub emergency_third_party: bool,
    #[serde(default)]
    pub same_city_address: bool,
    #[serde(default = "yes")]
    pub foreign_individuals: bool,
    #[serde(default)]
    pub authority_sla_wd: Option<u32>,
    /// Material slots of `materials.*` this province requires (V-MAT-006).
    #[serde(default)]
    pub required_materials: Vec<String>,
    #[serde(default)]
    pub confidence: String,
    /// An admin paused filing in this province (§1.3 entry availability, V-POL-009).
    /// Our addition to the pack schema: absent means not paused.
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub notes: String,
}

/// One GB/T 2260 division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// Six digits.
    pub code: String,
    pub name: String,
    /// `None` for a province.
    pub parent: Option<String>,
    /// 1 province, 2 city, 3 district.
    pub level: u8,
}

impl Region {
    /// Placeholder level-2 units (`市辖区`, `县`, `省直辖县级行政区划` …) name no place, so
    /// address rules skip them.
    pub fn is_placeholder(&self) -> bool {
        self.name == "市辖区" || self.name == "县" || self.name.ends_with("直辖县级行政区划")
    }
}

/// The word lists of the name rules (V-MP-018, V-MP-020, V-MP-022) and of entry availability
/// (§1.3, V-POL-009).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NameRules {
    pub restricted_prefixes: Vec<String>,
    pub sensitive_words: Vec<String>,
    pub commercial_words: Vec<String>,
    pub entry_blocked_words: Vec<String>,
}

/// One item of `name-rules.json`.
#[derive(Deserialize)]
struct NameList {
    list: String,
    words: Vec<String>,
}

/// The common header and items of every reference document.
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    version: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    as_of: String,
    items: Vec<T>,
}

/// Every reference table validation reads, parsed and cross-checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceData {
    pub natures: BTreeMap<u32, SubjectNature>,
    pub certificate_types: BTreeMap<u32, CertificateType>,
    pub service_types: BTreeMap<u32, ServiceType>,
    pub preapproval_categories: BTreeMap<u32, PreApprovalCategory>,
    pub languages: BTreeMap<u32, Language>,
    /// By two-digit code.
    pub provinces: BTreeMap<String, ProvinceRule>,
    /// By six-digit code.
    pub regions: BTreeMap<String, Region>,
    pub name_rules: NameRules,
    pub versions: Vec<DocumentVersion>,
    /// Codes that are some region's parent.
    parents: BTreeSet<String>,
}

/// Parses one document: header present and dated, items of type `T`.
fn envelope<T: DeserializeOwned>(
    file: &str,
    text: &str,
    versions: &mut Vec<DocumentVersion>,
) -> Result<Vec<T>, ReferenceError> {
    let doc: Envelope<T> = serde_json::from_str(text).map_err(|e| invalid(file, e.to_string()))?;
    for (key, value) in [("version", &doc.version), ("as_of", &doc.as_of)] {
        if NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
            return Err(invalid(file, format!("{key} must be a YYYY-MM-DD date")));
        }
    }
    if doc.source.trim().is_empty() {
        return Err(invalid(file, "source is required"));
    }
    versions.push(DocumentVersion {
        file: file.to_string(),
        version: doc.version,
        as_of: doc.as_of,
    });
    Ok(doc.items)
}

/// Indexes items by key, refusing duplicates.
fn index<K: Ord + std::fmt::Display, T>(
    file: &str,
    items: Vec<T>,
    key: impl Fn(&T) -> K,
) -> Result<BTreeMap<K, T>, ReferenceError> {
    let mut map = BTreeMap::new();
    for item in items {
        let k = key(&item);
        if map.contains_key(&k) {
            return Err(invalid(file, format!("duplicate id {k}")));
        }
        map.insert(k, item);
    }
    Ok(map)
}

/// The documents being parsed (later texts of a name win) and the versions read so far.
struct Files<'a> {
    files: &'a [(&'a str, &'a str)],
    versions: Vec<DocumentVersion>,
}

impl<'a> Files<'a> {
    fn text(&self, file: &str) -> Result<&'a str, ReferenceError> {
        self.files
            .iter()
            .rev()
            .find(|(name, _)| *name == file)
            .map(|(_, text)| *text)
            .ok_or_else(|| ReferenceError::Missing(file.to_string()))
    }

    /// The items of `file`.
    fn items<T: DeserializeOwned>(&mut self, file: &str) -> Result<Vec<T>, ReferenceError> {
        let text = self.text(file)?;
        envelope(file, text, &mut self.versions)
    }

    /// The items of `file` by `key`, refusing duplicates.
    fn table<K: Ord + std::fmt::Display, T: DeserializeOwned>(
        &mut self,
        file: &str,
        key: impl Fn(&T) -> K,
    ) -> Result<BTreeMap<K, T>, ReferenceError> {
        let items = self.items(file)?;
        index(file, items, key)
    }
}

fn six_digits(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

impl ReferenceData {
    /// Parses the documents given as (file name, JSON text). Every file of [`EMBEDDED`] is
    /// needed; when a name occurs twice the later text wins, so embedded defaults followed by
    /// an operator's overrides can be passed in one list.
    pub fn parse(files: &[(&str, &str)]) -> Result<ReferenceData, ReferenceError> {
        let mut files = Files {
            files,
            versions: vec![],
        };
        let natures = files.table("subject-natures.json", |n: &SubjectNature| n.id)?;
        let certificate_types =
            files.table("certificate-types.json", |c: &CertificateType| c.id)?;
        for n in natures.values() {
            if let Some(c) = n
                .allowed_certificates
                .iter()
                .find(|c| !certificate_types.contains_key(c))
            {
                return Err(invalid(
                    "subject-natures.json",
                    format!("nature {} allows unknown certificate type {c}", n.id),
                ));
            }
        }
        let preapproval_categories = files
            .table("preapproval-categories.json", |p: &PreApprovalCategory| {
                p.code
            })?;
        let f = "service-content-types.json";
        let service_types = files.table(f, |s: &ServiceType| s.id)?;
        for s in service_types.values().filter(|s| s.parent_id != 0) {
            if service_types
                .get(&s.parent_id)
                .is_none_or(|p| p.parent_id != 0)
            {
                return Err(invalid(
                    f,
                    format!("{}: parent {} is not a first-level item", s.id, s.parent_id),
                ));
            }
            if let Some(hint) = s.preapproval_hint {
                if hint == 0 || !preapproval_categories.contains_key(&hint) {
                    return Err(invalid(
                        f,
                        format!("{}: unknown pre-approval hint {hint}", s.id),
                    ));
                }
            }
        }
        let languages = files.table("languages.json", |l: &Language| l.id)?;
        let f = "provinces.json";
        let provinces = files.table(f, |p: &ProvinceRule| p.code.clone())?;
        if let Some(p) = provinces
            .keys()
            .find(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid(f, format!("province code {p} is not two digits")));
        }
        let f = "regions.json";
        let regions = files.table(f, |r: &Region| r.code.clone())?;
        let mut parents = BTreeSet::new();
        for r in regions.values() {
            let parent_ok = match (&r.parent, r.level) {
                (None, 1) => true,
                (Some(p), 2 | 3) => regions.get(p).is_some_and(|p| p.level + 1 == r.level),
                _ => false,
            };
            if !six_digits(&r.code) || !parent_ok {
                return Err(invalid(f, format!("{}: bad code, level or parent", r.code)));
            }
            if let Some(p) = &r.parent {
                parents.insert(p.clone());
            }
        }
        let f = "name-rules.json";
        let mut name_rules = NameRules::default();
        for list in files.items::<NameList>(f)? {
            let target = match list.list.as_str() {
                "restricted_prefix" => &mut name_rules.restricted_prefixes,
                "sensitive" => &mut name_rules.sensitive_words,
                "commercial" => &mut name_rules.commercial_words,
                "entry_blocked" => &mut name_rules.entry_blocked_words,
                other => return Err(invalid(f, format!("unknown list {other}"))),
            };
            // An empty word would match every name.
            target.extend(
                list.words
                    .into_iter()
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty()),
            );
        }
        Ok(ReferenceData {
            natures,
            certificate_types,
            service_types,
            preapproval_categories,
            languages,
            provinces,
            regions,
            name_rules,
            versions: files.versions,
            parents,
        })
    }

    /// The data compiled into the binary from `data/reference/`.
    pub fn embedded() -> ReferenceData {
        ReferenceData::parse(&EMBEDDED)
            .expect("embedded reference files are valid (covered by a unit test)")
    }

    /// The province rule pack entry of a two-digit code such as `"44"`.
    /// Whether a subject of this nature is an individual (whose name and certificate
    /// are a person's); unknown or missing natures are not.
    pub fn is_individual(&self, nature: Option<u32>) -> bool {
        nature
            .and_then(|n| self.natures.get(&n))
            .is_some_and(SubjectNature::is_individual)
    }

    pub fn province(&self, code2: &str) -> Option<&ProvinceRule> {
        self.provinces.get(code2)
    }

    /// A region by its six-digit code.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// Whether any region names `code` as its parent.
    pub fn has_children(&self, code: &str) -> bool {
        self.parents.contains(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_parse_and_cross_check() {
        let r = ReferenceData::embedded();
        assert_eq!(r.natures.len(), 17);
        assert_eq!(r.provinces.len(), 31);
        assert_eq!(r.versions.len(), EMBEDDED.len());
        assert!(r.natures[&5].is_individual());
        assert_eq!(r.natures[&4].allowed_certificates, vec![1, 27]);
        assert_eq!(r.certificate_types[&7].has_back_side, Some(false));
        assert_eq!(r.certificate_types[&2].format, NumberFormat::ResidentId);
        assert_eq!(r.service_types[&305].preapproval_hint, Some(8192));
        assert!(r.service_types[&1101].gov_only && !r.service_types[&601].gov_only);
        let gd = r.province("44").expect("Guangdong");
        assert_eq!(gd.min_age, Some(16));
        assert_eq!(gd.non_local, NonLocal::AcceptedWithProof);
        assert_eq!(gd.principal_legal_rep, PrincipalLegalRep::Yes);
        assert_eq!(gd.required_materials, vec!["signed_forms".to_string()]);
        assert!(!r.province("13").expect("Hebei").foreign_individuals);
        assert!(r.province("12").expect("Tianjin").emergency_third_party);
        assert_eq!(r.region("440305").map(|x| x.name.as_str()), Some("南山区"));
        assert!(r.has_children("440300") && !r.has_children("440305"));
        assert!(r
            .name_rules
            .restricted_prefixes
            .contains(&"中国".to_string()));
        assert!(r.name_rules.commercial_words.contains(&"旗舰".to_string()));
        assert!(!r.name_rules.sensitive_words.is_empty());
        assert!(r.versions.iter().all(|v| v.version == "2025-12-31"));
    }

    #[test]
    fn a_later_file_overrides_and_bad_files_are_named() {
        let mut files = EMBEDDED.to_vec();
        let pack = r#"{"name": "province_rule_pack", "version": "2026-01-15", "source": "admin edit",
            "as_of": "2026-01-15", "items": [{"code": "44", "name_zh": "广东", "abbr": "粤",
            "non_local": "not_accepted", "min_age": 18}]}"#;
        files.push(("provinces.json", pack));
        let r = ReferenceData::parse(&files).expect("override parses");
        assert_eq!(r.provinces.len(), 1);
        let gd = r.province("44").expect("Guangdong");
        assert_eq!(
            (gd.non_local, gd.min_age),
            (NonLocal::NotAccepted, Some(18))
        );
        assert!(gd.foreign_individuals, "absent flags take the §9 defaults");
        assert_eq!(gd.local_mobile, LocalMobile::Unknown);

        files.push(("languages.json", "{not json"));
        let e = ReferenceData::parse(&files).unwrap_err();
        assert!(matches!(&e, ReferenceError::Invalid { file, .. } if file == "languages.json"));
        let undated = r#"{"name": "languages", "version": "", "source": "x", "as_of": "2025-12-31", "items": []}"#;
        files.push(("languages.json", undated));
        assert!(ReferenceData::parse(&files).is_err());
        let missing: Vec<_> = EMBEDDED
            .iter()
            .copied()
            .filter(|(f, _)| *f != "name-rules.json")
            .collect();
        assert_eq!(
            ReferenceData::parse(&missing),
            Err(ReferenceError::Missing("name-rules.json".into()))
        );
    }

    #[test]
    fn unknown_references_are_refused() {
        let mut files = EMBEDDED.to_vec();
        let natures = r#"{"name": "subject_natures", "version": "2025-12-31", "source": "x",
            "as_of": "2025-12-31", "items": [{"id": 1, "name_zh": "x", "quota_class": "organisation",
            "allowed_certificates": [999]}]}"#;
        files.push(("subject-natures.json", natures));
        let e = ReferenceData::parse(&files).unwrap_err();
        assert!(e.to_string().contains("999"), "{e}");
        let mut files = EMBEDDED.to_vec();
        let names = r#"{"name": "name_rules", "version": "2025-12-31", "source": "x",
            "as_of": "2025-12-31", "items": [{"list": "typo", "words": []}]}"#;
        files.push(("name-rules.json", names));
        assert!(ReferenceData::parse(&files).is_err());
    }
}
