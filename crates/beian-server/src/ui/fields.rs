//! The application form as data: which fields each wizard step shows, how a
//! posted form maps onto the document JSON, and how values are shown.

use beian_domain::document::Document;
use beian_domain::papers::ANTI_FRAUD_QUESTIONS;
use serde_json::{json, Value};

/// One field of a step.
pub struct Spec {
    pub path: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub options: Options,
}

/// Where a select or checkbox list gets its choices.
#[derive(Clone, Copy)]
pub enum Options {
    None,
    Natures,
    SubjectCertificates,
    PersonalCertificates,
    Provinces,
    Cities,
    Districts,
    ServiceTypes,
    Languages,
    PreapprovalCategories,
}

const fn f(
    path: &'static str,
    label: &'static str,
    kind: &'static str,
    required: bool,
    hint: &'static str,
) -> Spec {
    Spec {
        path,
        label,
        kind,
        required,
        hint,
        options: Options::None,
    }
}

const fn sel(
    path: &'static str,
    label: &'static str,
    kind: &'static str,
    hint: &'static str,
    options: Options,
) -> Spec {
    Spec {
        path,
        label,
        kind,
        required: true,
        hint,
        options,
    }
}

/// The wizard's steps in the seed's order.
pub const STEPS: [&str; 6] = [
    "主体信息",
    "主体负责人",
    "小程序信息",
    "小程序负责人与人脸核身",
    "材料与承诺",
    "确认提交",
];

/// The person fields of §6.2 under a path prefix (a literal, so paths stay `'static`).
macro_rules! person {
    ($p:literal) => {
        vec![
            f(
                concat!($p, ".name"),
                "姓名",
                "text",
                true,
                "与证件上的姓名一致",
            ),
            sel(
                concat!($p, ".certificate.type"),
                "证件类型",
                "select",
                "须为个人证件",
                Options::PersonalCertificates,
            ),
            f(
                concat!($p, ".certificate.number"),
                "证件号码",
                "text",
                true,
                "身份证为18位，末位X可小写",
            ),
            f(
                concat!($p, ".certificate.valid_from"),
                "证件有效期开始",
                "date",
                true,
                "",
            ),
            f(
                concat!($p, ".certificate.valid_until"),
                "证件有效期截止",
                "text",
                true,
                "YYYY-MM-DD；仅身份证可填“长期”；须大于1个月",
            ),
            f(
                concat!($p, ".certificate.front"),
                "证件正面照片（人像面/资料页）",
                "media",
                true,
                "原件彩色照片，不小于720×1280像素",
            ),
            f(
                concat!($p, ".certificate.back"),
                "证件背面照片（国徽面）",
                "media",
                false,
                "护照无需上传",
            ),
            f(
                concat!($p, ".mobile"),
                "手机号码",
                "tel",
                true,
                "本人使用的11位手机号码，将接收工信部核验短信",
            ),
            f(
                concat!($p, ".emergency_mobile"),
                "应急联系电话",
                "tel",
                true,
                "须为他人号码，不能与本人手机号码相同",
            ),
            f(concat!($p, ".email"), "电子邮箱", "email", true, ""),
            f(
                concat!($p, ".is_legal_representative"),
                "是法定代表人",
                "bool",
                false,
                "单位主体的负责人不是法定代表人时，须上传授权书",
            ),
            f(
                concat!($p, ".authorization_letter"),
                "授权书",
                "media",
                false,
                "负责人非法定代表人时必传",
            ),
        ]
    };
}

/// Field specs of a step (1-based; step 6 shows no inputs).
pub fn step(n: usize) -> Vec<Spec> {
    match n {
        1 => vec![
            sel(
                "subject.nature",
                "主办单位性质",
                "select",
                "决定可选证件类型与可备案数量",
                Options::Natures,
            ),
            f(
                "subject.name",
                "主办单位名称",
                "text",
                true,
                "单位填证件上的全称；个人填本人姓名",
            ),
            sel(
                "subject.province",
                "省份",
                "select",
                "备案省份由此决定",
                Options::Provinces,
            ),
            sel("subject.city", "城市", "select", "", Options::Cities),
            sel("subject.district", "区县", "select", "", Options::Districts),
            f(
                "subject.address",
                "详细通讯地址",
                "text",
                true,
                "所选地区内的实际通讯地址，无需重复省市区，例如：科技园南区1号楼301室",
            ),
            sel(
                "subject.certificate.type",
                "主办单位证件类型",
                "select",
                "须与单位性质匹配",
                Options::SubjectCertificates,
            ),
            f(
                "subject.certificate.number",
                "证件号码",
                "text",
                true,
                "统一社会信用代码为18位，不含I、O、Z、S、V",
            ),
            f(
                "subject.certificate.address",
                "证件住所",
                "text",
                true,
                "按证件上的住所/地址原文填写",
            ),
            f(
                "subject.certificate.valid_until",
                "证件有效期截止",
                "text",
                false,
                "YYYY-MM-DD 或“长期”",
            ),
            f(
                "subject.certificate.photo",
                "主办单位证件照片",
                "media",
                true,
                "原件彩色扫描件或照片，不小于1100×1500像素；个人主体无需上传",
            ),
            f(
                "subject.remark",
                "主体备注",
                "textarea",
                false,
                "不超过200字",
            ),
        ],
        2 => {
            let mut v = person!("subject_principal");
            v.push(f(
                "legal_representative.name",
                "法定代表人姓名",
                "text",
                false,
                "负责人不是法定代表人时填写",
            ));
            v.push(sel(
                "legal_representative.certificate.type",
                "法定代表人证件类型",
                "select",
                "",
                Options::PersonalCertificates,
            ));
            v.push(f(
                "legal_representative.certificate.number",
                "法定代表人证件号码",
                "text",
                false,
                "",
            ));
            v
        }
        3 => vec![
            f(
                "mini_program.name",
                "小程序名称",
                "readonly",
                true,
                "与小程序账号名称一致；如需修改请先在设置中改名",
            ),
            sel(
                "mini_program.service_content_types",
                "服务内容类型",
                "checkboxes",
                "选择1至5项二级类目",
                Options::ServiceTypes,
            ),
            f(
                "mini_program.no_preapproval",
                "前置审批：以上都不涉及",
                "bool",
                false,
                "涉及新闻、出版、医疗等须经主管部门审批的服务时，请取消勾选并填写下方审批信息",
            ),
            sel(
                "mini_program.preapprovals.0.category",
                "前置审批类别",
                "select",
                "",
                Options::PreapprovalCategories,
            ),
            f(
                "mini_program.preapprovals.0.approval_number",
                "审批号或文件名",
                "text",
                false,
                "",
            ),
            f(
                "mini_program.preapprovals.0.document",
                "审批文件",
                "media",
                false,
                "",
            ),
            sel(
                "mini_program.languages",
                "服务语种",
                "checkboxes",
                "至少选择一种",
                Options::Languages,
            ),
            f(
                "mini_program.remark",
                "小程序备注",
                "textarea",
                true,
                "20至200字，写明实际业务、主要功能与服务对象",
            ),
        ],
        4 => {
            let mut v = vec![f(
                "mini_program_principal.same_as_subject_principal",
                "复用主体负责人信息",
                "bool",
                false,
                "小程序负责人须为小程序管理员本人；与主体负责人为同一人时勾选",
            )];
            v.extend(person!("mini_program_principal"));
            v
        }
        5 => [f(
            "materials.commitment_letter.confirmed",
            "我已阅读并确认《互联网信息服务承诺书》",
            "bool",
            true,
            "平台生成，内容见上方；提交后随该版本冻结",
        )]
        .into_iter()
        .chain(
            ANTI_FRAUD_PATHS
                .iter()
                .zip(ANTI_FRAUD_QUESTIONS.iter())
                .map(|(path, q)| f(path, q.text, "bool", false, "反诈自评估：勾选表示“是”")),
        )
        .chain([
            f(
                "materials.anti_fraud_assessment.confirmed",
                "我已核对并确认《反诈自评估报告》",
                "bool",
                true,
                "报告随问卷作答生成；改动作答后请重新核对",
            ),
            // Province slots (domain.md §6.6): shown only where the province pack asks.
            f(
                "materials.signed_forms.0",
                "签字版承诺书",
                "media",
                true,
                "按模板由本人/法定代表人手写签字后拍照上传",
            ),
            f(
                "materials.authenticity_commitment_letter",
                "小程序备案信息真实性承诺书",
                "media",
                true,
                "",
            ),
            f(
                "materials.authenticity_responsibility_notice",
                "备案信息真实性责任告知书",
                "media",
                true,
                "",
            ),
            f(
                "materials.party_building_letter",
                "党建确认函",
                "media",
                true,
                "",
            ),
            f(
                "materials.construction_proposal",
                "小程序建设方案书",
                "media",
                true,
                "",
            ),
            f(
                "materials.handheld_certificate_photo",
                "手持证件照",
                "media",
                true,
                "",
            ),
            f(
                "materials.no_pre_approval_commitment",
                "不涉及前置审批承诺书",
                "media",
                true,
                "",
            ),
        ])
        .collect(),
        _ => vec![],
    }
}

/// The questionnaire's answer paths, in the order of `ANTI_FRAUD_QUESTIONS` (a test
/// keeps the two in step; the paths must be `'static` for the field specs).
const ANTI_FRAUD_PATHS: [&str; 7] = [
    "materials.anti_fraud_assessment.answers.has_payment",
    "materials.anti_fraud_assessment.answers.collects_identity",
    "materials.anti_fraud_assessment.answers.financial_services",
    "materials.anti_fraud_assessment.answers.paid_tasks",
    "materials.anti_fraud_assessment.answers.stranger_contact",
    "materials.anti_fraud_assessment.answers.external_links",
    "materials.anti_fraud_assessment.answers.complaint_channel",
];

/// The province material slot a step-5 path fills, if it is one.
pub fn province_slot(path: &str) -> Option<&str> {
    let slot = path.strip_prefix("materials.")?.split('.').next()?;
    (!matches!(
        slot,
        "commitment_letter" | "anti_fraud_assessment" | "authenticity_form"
    ))
    .then_some(slot)
}

/// The JSON value at a dotted path (numeric segments index arrays).
pub fn get<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(doc, |v, seg| match seg.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(seg),
        })
}

fn set(doc: &mut Value, path: &str, value: Value) {
    let mut cur = doc;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i == segs.len() - 1;
        let next_is_index = segs.get(i + 1).is_some_and(|s| s.parse::<usize>().is_ok());
        let container = if next_is_index { json!([]) } else { json!({}) };
        cur = match seg.parse::<usize>() {
            Ok(idx) => {
                if !cur.is_array() {
                    *cur = json!([]);
                }
                let Some(arr) = cur.as_array_mut() else {
                    return;
                };
                while arr.len() <= idx {
                    arr.push(json!({}));
                }
                if last {
                    arr[idx] = value;
                    return;
                }
                &mut arr[idx]
            }
            Err(_) => {
                if !cur.is_object() {
                    *cur = json!({});
                }
                let Some(obj) = cur.as_object_mut() else {
                    return;
                };
                if last {
                    obj.insert(seg.to_string(), value);
                    return;
                }
                let entry = obj.entry(seg.to_string()).or_insert(container);
                if entry.is_null() {
                    *entry = if next_is_index { json!([]) } else { json!({}) };
                }
                entry
            }
        };
    }
}

/// The pre-approval items (前置审批) are a list of any length: the step's specs hold one
/// item under index 0, the template every shown row is made from.
pub const PREAPPROVAL_ROW: &str = "mini_program.preapprovals.0.";

/// The path of a pre-approval template field (`…preapprovals.0.category`) in item `i`;
/// `None` for every other path.
pub fn item_path(template: &str, i: usize) -> Option<String> {
    let field = template.strip_prefix(PREAPPROVAL_ROW)?;
    Some(format!("mini_program.preapprovals.{i}.{field}"))
}

/// A form path as the validation names it: list indices in brackets
/// (`mini_program.preapprovals.1.document` → `mini_program.preapprovals[1].document`).
pub fn issue_path(path: &str) -> String {
    let mut out = String::new();
    for seg in path.split('.') {
        if seg.parse::<usize>().is_ok() && !out.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// Items in the document's pre-approval list (none when unanswered).
pub fn preapproval_count(doc: &Value) -> usize {
    get(doc, "mini_program.preapprovals")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The pre-approval list a step-3 form posts: one item per row index found in the
/// form or the uploads, its document the new upload or the one the row had. Rows left
/// wholly blank are dropped (an empty row is how the form offers one more); the row
/// named by `preapproval_action=remove:<i>` is removed. `None` when no row is left, so
/// that "not answered yet" is never mistaken for 以上都不涉及 (the empty list).
fn posted_preapprovals(
    old: &Value,
    form: &[(String, String)],
    uploads: &[(String, String)],
) -> Option<Value> {
    let prefix = "mini_program.preapprovals.";
    let index =
        |k: &str| -> Option<usize> { k.strip_prefix(prefix)?.split('.').next()?.parse().ok() };
    let mut rows: Vec<usize> = form
        .iter()
        .map(|(k, _)| k)
        .chain(uploads.iter().map(|(k, _)| k))
        .filter_map(|k| index(k))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let removed: Option<usize> = form
        .iter()
        .find(|(k, _)| k == "preapproval_action")
        .and_then(|(_, v)| v.strip_prefix("remove:")?.parse().ok());
    let text = |i: usize, field: &str| -> Option<String> {
        let key = format!("{prefix}{i}.{field}");
        form.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let items: Vec<Value> = rows
        .into_iter()
        .filter(|i| Some(*i) != removed)
        .filter_map(|i| {
            let key = format!("{prefix}{i}.document");
            let document = uploads
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, id)| json!(id))
                .or_else(|| get(old, &key).filter(|d| !d.is_null()).cloned());
            let category = text(i, "category");
            let number = text(i, "approval_number");
            if category.is_none() && number.is_none() && document.is_none() {
                return None;
            }
            Some(json!({
                "category": category.map(|c| c.parse::<u32>().map(|n| json!(n)).unwrap_or(json!(c))),
                "approval_number": number,
                "document": document,
            }))
        })
        .collect();
    (!items.is_empty()).then(|| json!(items))
}

fn numeric(path: &str) -> bool {
    path.ends_with("nature") || path.ends_with("certificate.type") || path.ends_with("category")
}

/// Applies a posted step onto the document JSON. `form` holds (name, value)
/// pairs; checkboxes appear once per ticked value.
pub fn merge(
    doc: &Document,
    n: usize,
    form: &[(String, String)],
    uploads: &[(String, String)],
) -> Value {
    let mut v = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    let values = |path: &str| -> Vec<&str> {
        form.iter()
            .filter(|(k, _)| k == path)
            .map(|(_, v)| v.trim())
            .collect()
    };
    for spec in step(n) {
        if spec.path.starts_with(PREAPPROVAL_ROW) {
            continue;
        }
        let posted = values(spec.path);
        match spec.kind {
            "readonly" => {}
            "media" => {
                if let Some((_, id)) = uploads.iter().find(|(k, _)| k == spec.path) {
                    set(&mut v, spec.path, json!(id));
                }
            }
            "bool" => {
                let on = posted.iter().any(|x| *x == "true" || *x == "on");
                if spec.path == "mini_program.no_preapproval" {
                    continue;
                }
                set(&mut v, spec.path, json!(on));
            }
            "checkboxes" => {
                let ids: Vec<u32> = posted.iter().filter_map(|x| x.parse().ok()).collect();
                set(&mut v, spec.path, json!(ids));
            }
            _ => {
                let text = posted.first().copied().unwrap_or("");
                let value = if text.is_empty() {
                    Value::Null
                } else if numeric(spec.path) {
                    text.parse::<u32>().map(|x| json!(x)).unwrap_or(json!(text))
                } else {
                    json!(text)
                };
                set(&mut v, spec.path, value);
            }
        }
    }
    if n == 3 {
        // 以上都不涉及 is the empty list; otherwise the items of the rows.
        let none = values("mini_program.no_preapproval")
            .iter()
            .any(|x| *x == "true" || *x == "on");
        let items = if none {
            json!([])
        } else {
            let old = v.clone();
            posted_preapprovals(&old, form, uploads).unwrap_or(Value::Null)
        };
        set(&mut v, "mini_program.preapprovals", items);
    }
    if n == 4 && get(&v, "mini_program_principal.same_as_subject_principal") == Some(&json!(true)) {
        // The reused person lives in the subject principal; drop stale copies.
        if let Some(obj) = v
            .get_mut("mini_program_principal")
            .and_then(Value::as_object_mut)
        {
            obj.retain(|k, _| k == "same_as_subject_principal" || k == "face_verification");
        }
    }
    v
}

/// Shown value of a field.
pub fn shown(doc: &Value, path: &str) -> String {
    if path == "mini_program.no_preapproval" {
        return if get(doc, "mini_program.preapprovals") == Some(&json!([])) {
            "true".into()
        } else {
            String::new()
        };
    }
    match get(doc, path) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => {
            if *b {
                "true".into()
            } else {
                String::new()
            }
        }
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
