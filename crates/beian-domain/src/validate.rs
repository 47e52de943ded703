//! Validation of the application document (domain.md §8).
//!
//! Every rule lives once in `CATALOGUE` with its id, code, message and
//! suggestion; checks refer to rules by id. This is the part of the §8.4
//! catalogue the lifecycle needs; the rest is added rule by rule.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::document::{Document, Person};
use crate::filing::{Env, Filing, Kind, Time};
use crate::ids;

/// Whether an issue blocks submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A field-level problem, in the error shape of api.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub field: String,
    pub code: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub suggestion: String,
}

impl Issue {
    /// Errors block submission; warnings never do.
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// One row of the rule catalogue.
pub struct Rule {
    pub id: &'static str,
    pub code: &'static str,
    pub message: &'static str,
    pub suggestion: &'static str,
}

macro_rules! rules {
    ($(($id:literal, $code:literal, $msg:literal, $sug:literal)),* $(,)?) => {
        /// The rules implemented so far (§8.4 ids; V-REQ-* are ours).
        pub const CATALOGUE: &[Rule] = &[$(Rule { id: $id, code: $code, message: $msg, suggestion: $sug }),*];
    };
}

rules![
    (
        "V-REQ-001",
        "FIELD_REQUIRED",
        "此项为必填项",
        "请填写或上传该项"
    ),
    (
        "V-REQ-002",
        "SMS_RECIPIENT_MISSING",
        "无法确定短信核验人",
        "请填写主体负责人的证件号码与手机号码"
    ),
    (
        "V-ID-001",
        "CERT_TYPE_NOT_PERSONAL",
        "负责人证件类型须为个人证件",
        "请选择居民身份证、护照等个人证件类型"
    ),
    (
        "V-ID-002",
        "ID_FORMAT",
        "身份证号码应为18位，末位为数字或X",
        "请对照证件完整填写18位号码"
    ),
    (
        "V-ID-003",
        "ID_REGION",
        "身份证号码地区码无效",
        "请核对号码前两位是否输错"
    ),
    (
        "V-ID-004",
        "ID_BIRTHDATE",
        "身份证号码中的出生日期无效",
        "请核对号码第7至14位"
    ),
    (
        "V-ID-005",
        "ID_CHECKSUM",
        "身份证号码校验位不正确",
        "请逐位核对号码，注意末位X"
    ),
    (
        "V-ID-006",
        "PERMIT_FORMAT",
        "居住证号码格式或校验位不正确",
        "港澳居住证以810000或820000开头，台湾居住证以830000开头"
    ),
    (
        "V-ID-007",
        "FPR_FORMAT",
        "外国人永久居留身份证号码格式不正确",
        "旧版为3位字母加12位数字，新版为以9开头的18位号码"
    ),
    (
        "V-ID-008",
        "FPR_CHECKSUM",
        "外国人永久居留身份证号码校验不通过",
        "请逐位核对证件号码"
    ),
    (
        "V-ID-009",
        "PASSPORT_FORMAT",
        "护照号码格式不正确",
        "请填写5至20位字母或数字，不含空格"
    ),
    (
        "V-ID-010",
        "WARN_PASSPORT_PRC",
        "护照号码与中国护照格式不符，请确认",
        "请核对护照资料页号码"
    ),
    (
        "V-ID-011",
        "HKMO_PERMIT_FORMAT",
        "港澳居民来往内地通行证号码格式不正确",
        "号码为H或M开头加8位数字（可含2位换证次数）"
    ),
    (
        "V-ID-012",
        "TW_PERMIT_FORMAT",
        "台湾居民来往大陆通行证号码格式不正确",
        "请填写8位证件号码"
    ),
    (
        "V-PER-001",
        "NAME_FORMAT",
        "姓名格式不正确",
        "请按证件上的姓名填写"
    ),
    (
        "V-PER-002",
        "CERT_VALIDITY_START",
        "证件有效期起始日期不正确",
        "请按证件填写有效期开始日期"
    ),
    (
        "V-PER-003",
        "CERT_VALIDITY_END",
        "证件有效期截止日期不正确",
        "请按证件填写截止日期，仅身份证可选\"长期\""
    ),
    (
        "V-PER-004",
        "CERT_EXPIRING",
        "证件有效期须大于1个月",
        "请更换有效期更长的证件后重新上传"
    ),
    (
        "V-PER-005",
        "CERT_PHOTO_MISSING",
        "请上传证件正反面照片",
        "上传证件原件彩色照片或扫描件"
    ),
    (
        "V-PER-006",
        "MOBILE_FORMAT",
        "手机号码格式不正确",
        "请填写11位大陆手机号码"
    ),
    (
        "V-PER-007",
        "MOBILE_NO_SMS",
        "该号码无法接收短信，不能用于备案",
        "请填写本人正常使用的手机号码"
    ),
    (
        "V-PER-008",
        "EMERGENCY_FORMAT",
        "应急联系电话格式不正确",
        "请填写11位手机号码"
    ),
    (
        "V-PER-009",
        "EMERGENCY_SAME_AS_MOBILE",
        "应急联系电话不能与本人手机号码相同",
        "请填写其他联系人的号码"
    ),
    (
        "V-PER-010",
        "MOBILE_SHARED",
        "不同负责人不能使用同一手机号码",
        "每位负责人请填写本人的号码"
    ),
    (
        "V-PER-012",
        "EMAIL_FORMAT",
        "电子邮箱格式不正确",
        "请填写常用的有效邮箱"
    ),
    (
        "V-SUB-001",
        "NATURE_INVALID",
        "主办单位性质无效",
        "请从列表中选择"
    ),
    (
        "V-ORG-001",
        "CERT_TYPE_NATURE_MISMATCH",
        "证件类型与主办单位性质不匹配",
        "请先确认单位性质，再选择对应证件"
    ),
    (
        "V-ORG-002",
        "USCC_FORMAT",
        "统一社会信用代码格式不正确",
        "请填写18位代码，注意不含I、O、Z、S、V"
    ),
    (
        "V-ORG-003",
        "USCC_CHECKSUM",
        "统一社会信用代码校验位不正确",
        "请逐位核对营业执照上的代码"
    ),
    (
        "V-ORG-004",
        "USCC_ORG_CODE",
        "统一社会信用代码中的组织机构代码校验不通过",
        "请核对代码第9至17位"
    ),
    (
        "V-ORG-006",
        "ORG_CODE_INVALID",
        "组织机构代码格式或校验位不正确",
        "请填写8位本体代码加1位校验码"
    ),
    (
        "V-ORG-008",
        "CERT_NUMBER_FORMAT",
        "证件号码格式不正确",
        "请按证件原文填写"
    ),
    (
        "V-ORG-009",
        "SUBJECT_NAME_MISMATCH",
        "主办单位名称与小程序主体不一致",
        "请填写与小程序账号主体完全一致的名称"
    ),
    (
        "V-ORG-011",
        "CERT_ADDRESS_REQUIRED",
        "请填写证件住所",
        "按证件上的住所/地址原文填写"
    ),
    (
        "V-ORG-012",
        "CERT_PHOTO_MISSING",
        "请上传主办单位证件",
        "上传证件原件彩色扫描件或照片"
    ),
    (
        "V-SUB-002",
        "LEGAL_REP_REQUIRED",
        "主体负责人非法定代表人时须填写法定代表人信息",
        "填写法定代表人姓名及证件号码"
    ),
    (
        "V-SUB-003",
        "AUTH_LETTER_REQUIRED",
        "主体负责人非法定代表人时须上传授权书",
        "下载模板，由法定代表人签字并加盖公章后上传"
    ),
    (
        "V-SUB-007",
        "REMARK_TOO_LONG",
        "主体备注不能超过200字",
        "精简备注内容"
    ),
    (
        "V-REG-001",
        "REGION_INVALID",
        "所选省市区无效或不匹配",
        "请重新选择省、市、区县"
    ),
    (
        "V-REG-002",
        "ADDRESS_FORMAT",
        "通讯地址长度不正确",
        "请填写详细到门牌号的地址"
    ),
    (
        "V-MP-001",
        "FACE_REQUIRED",
        "请完成小程序负责人人脸核身",
        "点击\"发起人脸核身\"，由管理员在微信中完成"
    ),
    (
        "V-MP-002",
        "FACE_NOT_PASSED",
        "人脸核身未通过或未完成",
        "在纯白背景下重新核身"
    ),
    (
        "V-MP-003",
        "FACE_EXPIRED",
        "人脸核身结果已过期",
        "请重新发起人脸核身后尽快提交"
    ),
    (
        "V-MP-004",
        "FACE_IDENTITY_MISMATCH",
        "人脸核身人与小程序负责人不一致",
        "小程序负责人须为小程序管理员本人"
    ),
    (
        "V-MP-007",
        "SERVICE_TYPES_COUNT",
        "服务内容类型须选择1至5项",
        "按实际业务选择"
    ),
    (
        "V-MP-008",
        "SERVICE_TYPE_INVALID",
        "请选择二级服务内容类型",
        "展开一级类目后选择二级项"
    ),
    (
        "V-MP-009",
        "SERVICE_TYPE_DUPLICATE",
        "服务内容类型不能重复",
        "删除重复项"
    ),
    (
        "V-MP-011",
        "PRE_APPROVAL_NONE_EXCLUSIVE",
        "前置审批请选择具体项目或\"以上都不涉及\"",
        "二者只能选其一"
    ),
    (
        "V-MP-012",
        "PRE_APPROVAL_DUPLICATE",
        "前置审批项不能重复",
        "每类只填写一次"
    ),
    (
        "V-MP-013",
        "PRE_APPROVAL_INCOMPLETE",
        "请填写审批号并上传审批文件",
        "上传有效期内的审批文件"
    ),
    (
        "V-MP-015",
        "LANGUAGE_INVALID",
        "请选择小程序服务语种",
        "至少选择一种"
    ),
    (
        "V-MP-016",
        "MP_REMARK_LENGTH",
        "小程序备注须为20至200字",
        "写明实际业务、主要功能与服务对象"
    ),
    (
        "V-MP-017",
        "MP_NAME_MISMATCH",
        "备案名称须与小程序名称一致",
        "先在设置中修改名称"
    ),
    (
        "V-MAT-001",
        "COMMITMENT_NOT_CONFIRMED",
        "请阅读并确认互联网信息服务承诺书",
        "勾选确认"
    ),
    (
        "V-MAT-002",
        "ANTI_FRAUD_NOT_CONFIRMED",
        "请确认反诈自评估报告",
        "核对内容后勾选确认"
    ),
    (
        "V-MAT-003",
        "TOO_MANY_ATTACHMENTS",
        "附件最多上传10个",
        "合并或删减附件"
    ),
    (
        "V-POL-001",
        "QUOTA_EXCEEDED",
        "该主体可备案的小程序数量已达上限",
        "注销不再使用的小程序后再申请"
    ),
];

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.id == id)
}

fn issue(rule_id: &str, field: impl Into<String>) -> Issue {
    // Every id used below is in the catalogue; a test walks all of them.
    let r = rule(rule_id).unwrap_or(&CATALOGUE[0]);
    let severity = if r.code.starts_with("WARN_") || r.code == "USCC_ORG_CODE" {
        Severity::Warning
    } else {
        Severity::Error
    };
    Issue {
        field: field.into(),
        code: r.code.to_string(),
        rule: r.id.to_string(),
        severity,
        message: r.message.to_string(),
        suggestion: r.suggestion.to_string(),
    }
}

/// The issue raised when a round would have nobody to send codes to.
pub fn no_recipient_issue() -> Issue {
    issue("V-REQ-002", "subject_principal")
}

/// Facts looked up by the caller that validation needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationFacts {
    /// The app's registered name (V-MP-017).
    pub app_name: Option<String>,
    /// The host account's verified subject name (V-ORG-009).
    pub owner_name: Option<String>,
    /// The face task named by the document, if it exists and belongs to the caller.
    pub face: Option<FaceFacts>,
    /// Active services + open new orders of this subject, excluding this order.
    pub quota_used: Option<u32>,
}

/// What validation needs to know about a face verification task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceFacts {
    pub id: String,
    pub succeeded: bool,
    pub expires_at: Time,
    pub consumed_by: Option<String>,
    pub identity: Option<(u32, String)>,
    pub name: Option<String>,
}

const PERSONAL_TYPES: [u32; 7] = [2, 7, 11, 14, 30, 41, 42];

/// Allowed subject certificate types per nature (§7.1).
pub fn allowed_certificates(nature: u32) -> &'static [u32] {
    match nature {
        1 => &[5, 23],
        2 => &[13, 3],
        3 => &[4, 13, 3],
        4 => &[1, 27],
        5 => &PERSONAL_TYPES,
        6 => &[6, 13],
        7 => &[17, 36, 37, 13],
        8 => &[19, 13],
        9 => &[21, 13],
        10 => &[22],
        11 => &[13, 3],
        12 => &[28, 13],
        13 => &[25, 13],
        14 => &[34, 35, 40, 46, 47, 48],
        15 => &[38, 13],
        16 => &[39, 13],
        17 => &[1],
        _ => &[],
    }
}

fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

struct Check<'a> {
    out: Vec<Issue>,
    today: NaiveDate,
    env: &'a Env<'a>,
}

impl Check<'_> {
    fn push(&mut self, rule_id: &str, field: impl Into<String>) {
        self.out.push(issue(rule_id, field));
    }

    fn required(&mut self, value: &Option<String>, field: &str) -> bool {
        if text(value).is_none() {
            self.push("V-REQ-001", field);
            false
        } else {
            true
        }
    }

    fn person_number(&mut self, kind: u32, number: &str, field: &str) {
        let result = match kind {
            2 => ids::ResidentId::parse(number, self.today).map(|_| ()),
            41 => ids::ResidencePermit::parse(number, ids::PermitKind::HongKongMacau, self.today)
                .map(|_| ()),
            42 => {
                ids::ResidencePermit::parse(number, ids::PermitKind::Taiwan, self.today).map(|_| ())
            }
            30 => ids::ForeignPermanentResident::parse(number, self.today).map(|_| ()),
            7 => ids::Passport::parse(number).map(|p| {
                if p.prc_warning() {
                    self.out.push(issue("V-ID-010", field));
                }
            }),
            14 => ids::HkMoPermit::parse(number).map(|_| ()),
            11 => ids::TwPermit::parse(number).map(|_| ()),
            _ => return,
        };
        if let Err(e) = result {
            let rule = CATALOGUE
                .iter()
                .find(|r| r.code == e.code() && r.id.starts_with("V-ID"));
            self.push(rule.map_or("V-ID-002", |r| r.id), field);
        }
    }

    fn person(&mut self, p: &Person, path: &str) {
        if let Some(name) = text(&p.name) {
            let ok = chars(name) <= 64
                && name.chars().all(|c| {
                    c.is_alphabetic() && !c.is_ascii_digit()
                        || matches!(c, ' ' | '·' | '-' | '\'' | '.')
                });
            if !ok {
                self.push("V-PER-001", format!("{path}.name"));
            }
        } else {
            self.push("V-REQ-001", format!("{path}.name"));
        }
        let cert = &p.certificate;
        match cert.kind {
            None => self.push("V-REQ-001", format!("{path}.certificate.type")),
            Some(k) if !PERSONAL_TYPES.contains(&k) => {
                self.push("V-ID-001", format!("{path}.certificate.type"))
            }
            Some(k) => {
                if let Some(n) = text(&cert.number) {
                    self.person_number(k, n, &format!("{path}.certificate.number"));
                } else {
                    self.push("V-REQ-001", format!("{path}.certificate.number"));
                }
                self.validity(k, &cert.valid_from, &cert.valid_until, path);
                if text(&cert.front).is_none() || (k != 7 && text(&cert.back).is_none()) {
                    self.push("V-PER-005", format!("{path}.certificate.front"));
                }
            }
        }
        let allow_virtual = self.env.policy.mobile_allow_virtual;
        let mobile = text(&p.mobile).map(|m| ids::Mobile::parse(m, allow_virtual));
        match &mobile {
            None => self.push("V-REQ-001", format!("{path}.mobile")),
            Some(Err(e)) if e.code() == "MOBILE_NO_SMS" => {
                self.push("V-PER-007", format!("{path}.mobile"))
            }
            Some(Err(_)) => self.push("V-PER-006", format!("{path}.mobile")),
            Some(Ok(_)) => {}
        }
        match text(&p.emergency_mobile).map(|m| ids::Mobile::parse(m, allow_virtual)) {
            None => self.push("V-REQ-001", format!("{path}.emergency_mobile")),
            Some(Err(_)) => self.push("V-PER-008", format!("{path}.emergency_mobile")),
            Some(Ok(em)) => {
                if let Some(Ok(m)) = &mobile {
                    if m.as_str() == em.as_str() {
                        self.push("V-PER-009", format!("{path}.emergency_mobile"));
                    }
                }
            }
        }
        match text(&p.email) {
            None => self.push("V-REQ-001", format!("{path}.email")),
            Some(e) if ids::Email::parse(e).is_err() => {
                self.push("V-PER-012", format!("{path}.email"))
            }
            Some(_) => {}
        }
    }

    fn validity(&mut self, kind: u32, from: &Option<String>, until: &Option<String>, path: &str) {
        let from_date = text(from).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d"));
        match from_date {
            None => self.push("V-REQ-001", format!("{path}.certificate.valid_from")),
            Some(Ok(d)) if d <= self.today => {}
            Some(_) => self.push("V-PER-002", format!("{path}.certificate.valid_from")),
        }
        let field = format!("{path}.certificate.valid_until");
        match text(until) {
            None => self.push("V-REQ-001", field),
            Some("长期") if kind == 2 => {}
            Some("长期") => self.push("V-PER-003", field),
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Err(_) => self.push("V-PER-003", field),
                Ok(end) => {
                    if matches!(from_date, Some(Ok(start)) if end <= start) {
                        self.push("V-PER-003", field);
                    } else {
                        self.expiring(end, field);
                    }
                }
            },
        }
    }

    /// V-PER-004: more than `min_remaining_months` must be left (§8.2.10 add_months).
    fn expiring(&mut self, end: NaiveDate, field: String) {
        let months = Months::new(self.env.policy.certificate_min_remaining_months);
        let limit = self
            .today
            .checked_add_months(months)
            .unwrap_or(NaiveDate::MAX);
        if end <= limit {
            self.push("V-PER-004", field);
        }
    }
}

/// Runs every implemented rule; returns all issues at once.
pub fn validate(doc: &Document, facts: &ValidationFacts, filing: &Filing, env: &Env) -> Vec<Issue> {
    let today = env
        .now
        .with_timezone(&crate::calendar::china_offset())
        .date_naive();
    let mut c = Check {
        out: vec![],
        today,
        env,
    };
    let s = &doc.subject;
    let nature = s.nature;
    match nature {
        None => c.push("V-REQ-001", "subject.nature"),
        Some(n) if !(1..=17).contains(&n) => c.push("V-SUB-001", "subject.nature"),
        Some(_) => {}
    }
    if c.required(&s.name, "subject.name") {
        if let (Some(owner), Some(name)) = (facts.owner_name.as_deref(), text(&s.name)) {
            let norm = |x: &str| {
                x.replace(['(', '（'], "(")
                    .replace([')', '）'], ")")
                    .replace(' ', "")
            };
            if norm(owner) != norm(name) {
                c.push("V-ORG-009", "subject.name");
            }
        }
    }
    region(&mut c, doc);
    match text(&s.address) {
        None => c.push("V-REQ-001", "subject.address"),
        Some(a) if !(5..=100).contains(&chars(a)) => c.push("V-REG-002", "subject.address"),
        Some(_) => {}
    }
    subject_certificate(&mut c, doc);
    if text(&s.remark).is_some_and(|r| chars(r) > 200) {
        c.push("V-SUB-007", "subject.remark");
    }
    c.person(&doc.subject_principal, "subject_principal");
    let organisation = nature.is_some_and(|n| n != 5);
    if organisation && doc.subject_principal.is_legal_representative == Some(false) {
        let rep_ok = doc.legal_representative.as_ref().is_some_and(|r| {
            text(&r.name).is_some()
                && r.certificate.kind.is_some()
                && text(&r.certificate.number).is_some()
        });
        if !rep_ok {
            c.push("V-SUB-002", "legal_representative");
        }
        if text(&doc.subject_principal.authorization_letter).is_none() {
            c.push("V-SUB-003", "subject_principal.authorization_letter");
        }
    }
    if doc.mini_program_principal.same_as_subject_principal != Some(true) {
        c.person(&doc.mini_program_principal.person, "mini_program_principal");
        let (a, b) = (
            &doc.subject_principal.mobile,
            &doc.mini_program_principal.person.mobile,
        );
        if text(a).is_some()
            && text(a) == text(b)
            && doc.subject_principal.identity() != doc.mp_principal().identity()
        {
            c.push("V-PER-010", "mini_program_principal.mobile");
        }
    }
    face(&mut c, doc, facts, filing);
    mini_program(&mut c, doc, facts);
    materials(&mut c, doc);
    if let (Some(used), Some(n)) = (facts.quota_used, nature) {
        if filing.kind == Kind::New && used >= env.policy.quota_for_nature(n) {
            c.push("V-POL-001", "subject");
        }
    }
    c.out
}

fn region(c: &mut Check, doc: &Document) {
    let s = &doc.subject;
    let (p, ci, d) = (text(&s.province), text(&s.city), text(&s.district));
    let (Some(p), Some(ci), Some(d)) = (p, ci, d) else {
        for (v, f) in [
            (p, "subject.province"),
            (ci, "subject.city"),
            (d, "subject.district"),
        ] {
            if v.is_none() {
                c.push("V-REQ-001", f);
            }
        }
        return;
    };
    let six = |x: &str| x.len() == 6 && x.bytes().all(|b| b.is_ascii_digit());
    let chain = six(p)
        && six(ci)
        && six(d)
        && p.ends_with("0000")
        && crate::numbers::province_abbr(&p[..2]).is_some()
        && ci[..2] == p[..2]
        && ci.ends_with("00")
        && ci != p
        && d[..4] == ci[..4]
        && d != ci;
    if !chain {
        c.push("V-REG-001", "subject.province");
    }
}

fn subject_certificate(c: &mut Check, doc: &Document) {
    let s = &doc.subject;
    let cert = &s.certificate;
    let Some(kind) = cert.kind else {
        c.push("V-REQ-001", "subject.certificate.type");
        return;
    };
    if let Some(n) = s.nature {
        if !allowed_certificates(n).contains(&kind) {
            c.push("V-ORG-001", "subject.certificate.type");
        }
    }
    let field = "subject.certificate.number";
    match text(&cert.number) {
        None => c.push("V-REQ-001", field),
        Some(number) => match kind {
            1 | 13 => match ids::CreditCode::parse(number) {
                Ok(code) if !code.embedded_org_code_ok() => c.push("V-ORG-004", field),
                Ok(_) => {}
                Err(e) if e.code() == "USCC_CHECKSUM" => c.push("V-ORG-003", field),
                Err(_) => c.push("V-ORG-002", field),
            },
            3 => {
                if ids::OrgCode::parse(number).is_err() {
                    c.push("V-ORG-006", field);
                }
            }
            k if PERSONAL_TYPES.contains(&k) => c.person_number(k, number, field),
            _ => {
                let n = ids::normalise(number);
                let ok = (2..=50).contains(&n.chars().count())
                    && n.chars()
                        .all(|ch| ch.is_alphanumeric() || "-()（）".contains(ch));
                if !ok {
                    c.push("V-ORG-008", field);
                }
            }
        },
    }
    if s.nature != Some(5) {
        match text(&cert.address) {
            Some(a) if chars(a) <= 200 => {}
            _ => c.push("V-ORG-011", "subject.certificate.address"),
        }
        if text(&cert.photo).is_none() {
            c.push("V-ORG-012", "subject.certificate.photo");
        }
    }
    if let Some(until) = text(&cert.valid_until).filter(|u| *u != "长期") {
        match NaiveDate::parse_from_str(until, "%Y-%m-%d") {
            Ok(end) => c.expiring(end, "subject.certificate.valid_until".into()),
            Err(_) => c.push("V-PER-003", "subject.certificate.valid_until"),
        }
    }
}

fn face(c: &mut Check, doc: &Document, facts: &ValidationFacts, filing: &Filing) {
    let field = "mini_program_principal.face_verification";
    let Some(id) = text(&doc.mini_program_principal.face_verification) else {
        c.push("V-MP-001", field);
        return;
    };
    let Some(face) = facts.face.as_ref().filter(|f| f.id == id) else {
        c.push("V-MP-001", field);
        return;
    };
    if !face.succeeded {
        c.push("V-MP-002", field);
        return;
    }
    // A task stays valid once bound to this order by its first submission.
    let bound_here = face.consumed_by.as_deref() == Some(filing.id.as_str());
    if !bound_here && (face.consumed_by.is_some() || c.env.now >= face.expires_at) {
        c.push("V-MP-003", field);
    }
    let principal = doc.mp_principal();
    if face.identity != principal.identity()
        || face.name.as_deref().map(str::trim) != text(&principal.name)
    {
        c.push("V-MP-004", field);
    }
}

fn mini_program(c: &mut Check, doc: &Document, facts: &ValidationFacts) {
    let mp = &doc.mini_program;
    if c.required(&mp.name, "mini_program.name") {
        if let Some(registered) = facts.app_name.as_deref() {
            if text(&mp.name) != Some(registered.trim()) {
                c.push("V-MP-017", "mini_program.name");
            }
        }
    }
    let types = mp.service_content_types.clone().unwrap_or_default();
    if types.is_empty() || types.len() > 5 {
        c.push("V-MP-007", "mini_program.service_content_types");
    }
    for (i, t) in types.iter().enumerate() {
        let (first, second) = (t / 100, t % 100);
        if !(1..=12).contains(&first) || second == 0 {
            c.push(
                "V-MP-008",
                format!("mini_program.service_content_types[{i}]"),
            );
        } else if types[..i].contains(t) {
            c.push(
                "V-MP-009",
                format!("mini_program.service_content_types[{i}]"),
            );
        }
    }
    match &mp.preapprovals {
        None => c.push("V-MP-011", "mini_program.preapprovals"),
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("mini_program.preapprovals[{i}]");
                match item.category {
                    None | Some(0) => c.push("V-MP-011", format!("{path}.category")),
                    Some(cat) if items[..i].iter().any(|o| o.category == Some(cat)) => {
                        c.push("V-MP-012", format!("{path}.category"))
                    }
                    Some(_) => {}
                }
                if text(&item.approval_number).is_none() {
                    c.push("V-MP-013", format!("{path}.approval_number"));
                }
                if text(&item.document).is_none() {
                    c.push("V-MP-013", format!("{path}.document"));
                }
            }
        }
    }
    let langs = mp.languages.clone().unwrap_or_default();
    let bad_lang = |l: &u32| !(1..=17).contains(l) && *l != 99;
    if langs.is_empty()
        || langs.iter().any(bad_lang)
        || (1..langs.len()).any(|i| langs[..i].contains(&langs[i]))
    {
        c.push("V-MP-015", "mini_program.languages");
    }
    match text(&mp.remark) {
        Some(r) if (20..=200).contains(&chars(r)) => {}
        _ => c.push("V-MP-016", "mini_program.remark"),
    }
}

fn materials(c: &mut Check, doc: &Document) {
    let m = &doc.materials;
    if !m.commitment_letter.as_ref().is_some_and(|x| x.confirmed) {
        c.push("V-MAT-001", "materials.commitment_letter");
    }
    if c.env.policy.anti_fraud_enabled
        && !m
            .anti_fraud_assessment
            .as_ref()
            .is_some_and(|x| x.confirmed)
    {
        c.push("V-MAT-002", "materials.anti_fraud_assessment");
    }
    for (list, path) in [
        (&m.subject_other, "materials.subject_other"),
        (&m.mini_program_other, "materials.mini_program_other"),
    ] {
        if list.len() > 10 {
            c.push("V-MAT-003", path);
        }
    }
}

/// Age in full years on `on` (§8.2.10; 29 Feb birthdays fall on 1 Mar).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests;
