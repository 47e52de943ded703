//! Validation of the application document (domain.md §8).
//!
//! Every rule of the §8.4 catalogue lives once in [`CATALOGUE`] with its id, code, Chinese
//! message and suggestion (the V-REQ-* rows are ours); checks refer to rules by id and report
//! every issue at once. Enumerations, the province pack, regions and name lists come from the
//! [`ReferenceData`] in the [`Env`]; whatever needs the database (other subjects' mobiles and
//! records, media, quotas) arrives in [`ValidationFacts`], so this module stays pure.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::document::{Document, Materials, Person};
use crate::filing::{Env, Filing, Kind, RecordFacts, Time};
use crate::ids;
use crate::policy::Policy;
use crate::reference::{
    CertificateType, NonLocal, NumberFormat, PrincipalLegalRep, ProvinceRule, ReferenceData,
    Region, SubjectNature,
};

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
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub code: &'static str,
    pub message: &'static str,
    pub suggestion: &'static str,
}

macro_rules! rules {
    ($(($id:literal, $code:literal, $msg:literal, $sug:literal)),* $(,)?) => {
        /// The §8.4 rule catalogue, verbatim (plus V-REQ-001/002, ours). `{词}`, `{省}`, `{n}`
        /// and `{材料名}` in a message are filled in when the rule fires.
        pub const CATALOGUE: &[Rule] = &[$(Rule { id: $id, code: $code, message: $msg, suggestion: $sug }),*];
    };
}

#[rustfmt::skip]
rules![
    ("V-REQ-001", "FIELD_REQUIRED", "此项为必填项", "请填写或上传该项"),
    ("V-REQ-002", "SMS_RECIPIENT_MISSING", "无法确定短信核验人", "请填写主体负责人的证件号码与手机号码"),
    ("V-ID-001", "CERT_TYPE_NOT_PERSONAL", "负责人证件类型须为个人证件", "请选择居民身份证、护照等个人证件类型"),
    ("V-ID-002", "ID_FORMAT", "身份证号码应为18位，末位为数字或X", "请对照证件完整填写18位号码"),
    ("V-ID-003", "ID_REGION", "身份证号码地区码无效", "请核对号码前两位是否输错"),
    ("V-ID-004", "ID_BIRTHDATE", "身份证号码中的出生日期无效", "请核对号码第7至14位"),
    ("V-ID-005", "ID_CHECKSUM", "身份证号码校验位不正确", "请逐位核对号码，注意末位X"),
    ("V-ID-006", "PERMIT_FORMAT", "居住证号码格式或校验位不正确", "港澳居住证以810000或820000开头，台湾居住证以830000开头"),
    ("V-ID-007", "FPR_FORMAT", "外国人永久居留身份证号码格式不正确", "旧版为3位字母加12位数字，新版为以9开头的18位号码"),
    ("V-ID-008", "FPR_CHECKSUM", "外国人永久居留身份证号码校验不通过", "请逐位核对证件号码"),
    ("V-ID-009", "PASSPORT_FORMAT", "护照号码格式不正确", "请填写5至20位字母或数字，不含空格"),
    ("V-ID-010", "WARN_PASSPORT_PRC", "护照号码与中国护照格式不符，请确认", "请核对护照资料页号码"),
    ("V-ID-011", "HKMO_PERMIT_FORMAT", "港澳居民来往内地通行证号码格式不正确", "号码为H或M开头加8位数字（可含2位换证次数）"),
    ("V-ID-012", "TW_PERMIT_FORMAT", "台湾居民来往大陆通行证号码格式不正确", "请填写8位证件号码"),
    ("V-PER-001", "NAME_FORMAT", "姓名格式不正确", "请按证件上的姓名填写"),
    ("V-PER-002", "CERT_VALIDITY_START", "证件有效期起始日期不正确", "请按证件填写有效期开始日期"),
    ("V-PER-003", "CERT_VALIDITY_END", "证件有效期截止日期不正确", "请按证件填写截止日期，仅身份证可选\"长期\""),
    ("V-PER-004", "CERT_EXPIRING", "证件有效期须大于1个月", "请更换有效期更长的证件后重新上传"),
    ("V-PER-005", "CERT_PHOTO_MISSING", "请上传证件正反面照片", "上传证件原件彩色照片或扫描件"),
    ("V-PER-006", "MOBILE_FORMAT", "手机号码格式不正确", "请填写11位大陆手机号码"),
    ("V-PER-007", "MOBILE_NO_SMS", "该号码无法接收短信，不能用于备案", "请填写本人正常使用的手机号码"),
    ("V-PER-008", "EMERGENCY_FORMAT", "应急联系电话格式不正确", "请填写11位手机号码"),
    ("V-PER-009", "EMERGENCY_SAME_AS_MOBILE", "应急联系电话不能与本人手机号码相同", "请填写其他联系人的号码"),
    ("V-PER-010", "MOBILE_SHARED", "不同负责人不能使用同一手机号码", "每位负责人请填写本人的号码"),
    ("V-PER-011", "MOBILE_USED_BY_OTHER_SUBJECT", "该手机号码已被其他备案主体使用", "请使用本人名下、未用于其他主体的号码"),
    ("V-PER-012", "EMAIL_FORMAT", "电子邮箱格式不正确", "请填写常用的有效邮箱"),
    ("V-PER-013", "EMAIL_SHARED", "不同负责人不能使用同一邮箱", "请分别填写本人邮箱"),
    ("V-PER-014", "PERSON_INCONSISTENT", "同一人的信息前后不一致", "请使用\"复用主体负责人信息\"或保持一致"),
    ("V-PER-015", "EMERGENCY_NOT_THIRD_PARTY", "应急联系人须为负责人以外的第三人", "请填写其他人的手机号码"),
    ("V-PER-016", "MOBILE_NOT_LOCAL", "该省要求使用本省手机号码", "请更换为备案省份归属地的号码"),
    ("V-SUB-001", "NATURE_INVALID", "主办单位性质无效", "请从列表中选择"),
    ("V-ORG-001", "CERT_TYPE_NATURE_MISMATCH", "证件类型与主办单位性质不匹配", "请先确认单位性质，再选择对应证件"),
    ("V-ORG-002", "USCC_FORMAT", "统一社会信用代码格式不正确", "请填写18位代码，注意不含I、O、Z、S、V"),
    ("V-ORG-003", "USCC_CHECKSUM", "统一社会信用代码校验位不正确", "请逐位核对营业执照上的代码"),
    ("V-ORG-004", "USCC_ORG_CODE", "统一社会信用代码中的组织机构代码校验不通过", "请核对代码第9至17位"),
    ("V-ORG-005", "WARN_USCC_NATURE", "信用代码类别与所选单位性质可能不符", "请确认单位性质是否选择正确"),
    ("V-ORG-006", "ORG_CODE_INVALID", "组织机构代码格式或校验位不正确", "请填写8位本体代码加1位校验码"),
    ("V-ORG-007", "CERT_NUMBER_FORMAT", "证件号码格式不正确", "请按证件原文填写"),
    ("V-ORG-008", "CERT_NUMBER_FORMAT", "证件号码格式不正确", "请按证件原文填写"),
    ("V-ORG-009", "SUBJECT_NAME_MISMATCH", "主办单位名称与小程序主体不一致", "请填写与小程序账号主体完全一致的名称"),
    ("V-ORG-010", "PERSONAL_CERT_MISMATCH", "个人备案的主体证件须与负责人证件一致", "主体证件信息将自动同步负责人证件，请勿修改"),
    ("V-ORG-011", "CERT_ADDRESS_REQUIRED", "请填写证件住所", "按证件上的住所/地址原文填写"),
    ("V-ORG-012", "CERT_PHOTO_MISSING", "请上传主办单位证件", "上传证件原件彩色扫描件或照片"),
    ("V-SUB-002", "LEGAL_REP_REQUIRED", "主体负责人非法定代表人时须填写法定代表人信息", "填写法定代表人姓名及证件号码"),
    ("V-SUB-003", "AUTH_LETTER_REQUIRED", "主体负责人非法定代表人时须上传授权书", "下载模板，由法定代表人签字并加盖公章后上传"),
    ("V-SUB-004", "PRINCIPAL_MUST_BE_LEGAL_REP", "该省要求主体负责人为法定代表人", "请将主体负责人改为法定代表人"),
    ("V-SUB-005", "LEGAL_REP_CONFLICT", "法定代表人与主体负责人为同一人时请勾选\"是法定代表人\"", "勾选后无需填写法定代表人与授权书"),
    ("V-SUB-006", "LEGAL_REP_NOT_APPLICABLE", "个人备案无需填写法定代表人", "删除该信息"),
    ("V-SUB-007", "REMARK_TOO_LONG", "主体备注不能超过200字", "精简备注内容"),
    ("V-SUB-008", "RESIDENCE_PROOF_REQUIRED", "非本省证件个人备案须提供居住证明", "上传居住证、社保缴纳证明或房产/租赁证明"),
    ("V-SUB-009", "NAME_CHANGE_LETTER_REQUIRED", "主体名称变更须提供更名函", "上传登记机关出具的名称变更证明"),
    ("V-SUB-010", "REFILE_REQUIRED", "证件号码或单位性质不能通过变更修改", "请注销原备案后重新备案"),
    ("V-SUB-011", "CHANGE_PROVINCE_FORBIDDEN", "备案省份不能变更", "请注销后在新省份重新备案"),
    ("V-REG-001", "REGION_INVALID", "所选省市区无效或不匹配", "请重新选择省、市、区县"),
    ("V-REG-002", "ADDRESS_FORMAT", "通讯地址长度不正确", "请填写详细到门牌号的地址"),
    ("V-REG-003", "ADDRESS_HAS_REGION_PREFIX", "详细地址无需填写省市区", "删除地址开头的省市区名称"),
    ("V-REG-004", "ADDRESS_OUTSIDE_REGION", "通讯地址须位于所选地区内", "重新选择地区或修改地址"),
    ("V-REG-005", "WARN_PROVINCE_VS_CERT", "备案省份与证件登记地不一致，请确认", "单位备案省份一般须与证件登记地一致"),
    ("V-REG-006", "ADDRESS_CITY_MISMATCH", "该省要求通讯地址与证件地址在同一城市", "请核对地区或提供说明"),
    ("V-MP-001", "FACE_REQUIRED", "请完成小程序负责人人脸核身", "点击\"发起人脸核身\"，由管理员在微信中完成"),
    ("V-MP-002", "FACE_NOT_PASSED", "人脸核身未通过或未完成", "在纯白背景下重新核身"),
    ("V-MP-003", "FACE_EXPIRED", "人脸核身结果已过期", "请重新发起人脸核身后尽快提交"),
    ("V-MP-004", "FACE_IDENTITY_MISMATCH", "人脸核身人与小程序负责人不一致", "小程序负责人须为小程序管理员本人"),
    ("V-MP-005", "MP_AUTH_LETTER_REQUIRED", "小程序负责人非法定代表人时须上传授权书", "下载模板签字盖章后上传"),
    ("V-MP-006", "MP_PRINCIPAL_PERSONAL", "个人备案的小程序负责人须为本人", "请复用主体负责人信息"),
    ("V-MP-007", "SERVICE_TYPES_COUNT", "服务内容类型须选择1至5项", "按实际业务选择"),
    ("V-MP-008", "SERVICE_TYPE_INVALID", "请选择二级服务内容类型", "展开一级类目后选择二级项"),
    ("V-MP-009", "SERVICE_TYPE_DUPLICATE", "服务内容类型不能重复", "删除重复项"),
    ("V-MP-010", "SERVICE_TYPE_NOT_FOR_INDIVIDUAL", "个人主体不能选择该服务内容", "选择适合个人的服务内容或以单位主体备案"),
    ("V-MP-011", "PRE_APPROVAL_NONE_EXCLUSIVE", "前置审批请选择具体项目或\"以上都不涉及\"", "二者只能选其一"),
    ("V-MP-012", "PRE_APPROVAL_DUPLICATE", "前置审批项不能重复", "每类只填写一次"),
    ("V-MP-013", "PRE_APPROVAL_INCOMPLETE", "请填写审批号并上传审批文件", "上传有效期内的审批文件"),
    ("V-MP-014", "WARN_PRE_APPROVAL_SUGGESTED", "所选服务内容可能涉及前置审批", "如涉及请补充审批文件，否则在备注中说明"),
    ("V-MP-015", "LANGUAGE_INVALID", "请选择小程序服务语种", "至少选择一种"),
    ("V-MP-016", "MP_REMARK_LENGTH", "小程序备注须为20至200字", "写明实际业务、主要功能与服务对象"),
    ("V-MP-017", "MP_NAME_MISMATCH", "备案名称须与小程序名称一致", "先在设置中修改名称"),
    ("V-MP-018", "MP_NAME_RESTRICTED_PREFIX", "名称不能以\"{词}\"开头", "更换名称，或由有资质的国家机关单位备案"),
    ("V-MP-019", "MP_NAME_CHARSET", "名称不能为纯数字、纯字母或含特殊符号", "使用中文并与业务相关的名称"),
    ("V-MP-020", "MP_NAME_SENSITIVE", "名称含有敏感词", "更换名称"),
    ("V-MP-021", "MP_NAME_DUPLICATE_IN_SUBJECT", "同一主体下服务名称不能重复", "更换名称"),
    ("V-MP-022", "WARN_INDIVIDUAL_COMMERCIAL_NAME", "个人主体名称不宜含企业或经营性词语", "更换名称或以单位主体备案"),
    ("V-MP-023", "CHANGE_APPID_FORBIDDEN", "变更备案不能更换小程序", "—"),
    ("V-MAT-001", "COMMITMENT_NOT_CONFIRMED", "请阅读并确认互联网信息服务承诺书", "勾选确认"),
    ("V-MAT-002", "ANTI_FRAUD_NOT_CONFIRMED", "请确认反诈自评估报告", "核对内容后勾选确认"),
    ("V-MAT-003", "TOO_MANY_ATTACHMENTS", "附件最多上传10个", "合并或删减附件"),
    ("V-MAT-004", "MEDIA_INVALID", "材料无效，请重新上传", "重新上传文件"),
    ("V-MAT-005", "MEDIA_CERT_TYPE_MISMATCH", "上传的证件与所选证件类型不符", "按所选证件类型重新上传"),
    ("V-MAT-006", "PROVINCE_MATERIAL_REQUIRED", "该省要求提供{材料名}", "下载模板填写后上传"),
    ("V-MAT-007", "MEDIA_FORMAT", "文件格式、大小或分辨率不符合要求", "上传JPG/PNG彩色图片，不超过2MB"),
    ("V-POL-001", "QUOTA_EXCEEDED", "该主体可备案的小程序数量已达上限", "注销不再使用的小程序后再申请"),
    ("V-POL-002", "SUBJECT_PROVINCE_CONFLICT", "该主体已在{省}备案，同一主体只能在一个省份备案", "选择原备案省份，或先注销原主体备案"),
    ("V-POL-003", "SUBJECT_BUSY", "该主体已有进行中的备案申请", "等待其完成，或撤回/放弃后再提交"),
    ("V-POL-004", "UNDER_AGE", "个人备案须年满{n}周岁", "由监护人或符合条件的人员备案"),
    ("V-POL-005", "NON_LOCAL_NOT_ACCEPTED", "该省不受理外省证件的个人备案", "在证件所属省份备案"),
    ("V-POL-006", "FOREIGN_INDIVIDUAL_NOT_ACCEPTED", "该省不受理外籍人员个人备案", "以单位主体备案"),
    ("V-POL-007", "MP_ALREADY_FILED", "该小程序已备案", "如需修改请发起变更备案"),
    ("V-POL-008", "PRECONDITION_UNMET", "请先完善小程序信息、类目或认证", "按提示完成后再备案"),
    ("V-POL-009", "ENTRY_UNAVAILABLE", "当前暂无法发起备案", "修改名称中的受限词或稍后再试"),
    ("V-POL-010", "SUBMISSION_QUOTA", "今日提交次数已用完", "次日10:00后再提交"),
    ("V-POL-011", "SUBJECT_CONFLICT", "主办者信息与已备案信息冲突", "使用原备案信息，或先变更主体信息"),
];

/// Second codes of rules whose §8.4 row names more than one outcome: V-POL-005 warns where
/// the province's policy is unknown, and V-MAT-007 (enforced at upload, routes/media.rs) has
/// one code per limit.
pub const VARIANTS: &[Rule] = &[
    Rule {
        id: "V-POL-005",
        code: "WARN_NON_LOCAL_UNKNOWN",
        message: "该省是否受理外省证件的个人备案尚不明确，请确认",
        suggestion: "建议在证件所属省份备案，或先向平台确认",
    },
    Rule {
        id: "V-MAT-007",
        code: "MEDIA_TOO_LARGE",
        message: "文件格式、大小或分辨率不符合要求",
        suggestion: "上传JPG/PNG彩色图片，不超过2MB",
    },
    Rule {
        id: "V-MAT-007",
        code: "MEDIA_RESOLUTION",
        message: "文件格式、大小或分辨率不符合要求",
        suggestion: "上传JPG/PNG彩色图片，不超过2MB",
    },
    // The quality checks of §10.1 ("sharp, no glare", colour), measured at upload
    // (media::document_checks) and enforced here at submission on the field that uses it.
    Rule {
        id: "V-MAT-007",
        code: "MEDIA_BLUR",
        message: "图片模糊，无法辨认证件内容",
        suggestion: "对焦清晰后重新拍摄上传",
    },
    Rule {
        id: "V-MAT-007",
        code: "MEDIA_EXPOSURE",
        message: "图片过暗、过亮或反光",
        suggestion: "在光线均匀处重新拍摄，避免反光",
    },
    Rule {
        id: "V-MAT-007",
        code: "MEDIA_GREYSCALE",
        message: "请上传彩色图片，不接受黑白或灰度图片",
        suggestion: "上传证件原件的彩色照片或扫描件",
    },
];

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.id == id)
}

/// `WARN_` codes never block (§8.1); the embedded organisation-code check is a warning by
/// default (`config.uscc.embedded_org_code_check = warn`).
fn severity(code: &str) -> Severity {
    if code.starts_with("WARN_") || code == "USCC_ORG_CODE" {
        Severity::Warning
    } else {
        Severity::Error
    }
}

fn make(r: &Rule, field: impl Into<String>, args: &[(&str, &str)]) -> Issue {
    let mut message = r.message.to_string();
    for (key, value) in args {
        message = message.replace(&format!("{{{key}}}"), value);
    }
    Issue {
        field: field.into(),
        code: r.code.to_string(),
        rule: r.id.to_string(),
        severity: severity(r.code),
        message,
        suggestion: r.suggestion.to_string(),
    }
}

fn issue(rule_id: &str, field: impl Into<String>) -> Issue {
    // Every id used below is in the catalogue; a test walks all of them.
    make(rule(rule_id).unwrap_or(&CATALOGUE[0]), field, &[])
}

/// The issue raised when a round would have nobody to send codes to.
pub fn no_recipient_issue() -> Issue {
    issue("V-REQ-002", "subject_principal")
}

/// Facts looked up by the caller that validation needs. `None` (or an empty list) means
/// "not looked up" or "nothing found"; a rule whose fact is missing does not fire.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationFacts {
    /// The app's registered name (V-MP-017).
    pub app_name: Option<String>,
    /// The host account's verified subject name (V-ORG-009).
    pub owner_name: Option<String>,
    /// The face task named by the document, if it exists and belongs to the caller.
    pub face: Option<FaceFacts>,
    /// Active services + open new orders of this subject, excluding this order (V-POL-001).
    pub quota_used: Option<u32>,
    /// Principal mobiles of this document (normalised, see [`principal_mobiles`]) that
    /// another subject uses in an active record or an open order (V-PER-011).
    pub mobiles_used_elsewhere: Vec<String>,
    /// Names of the subject's other active services (V-MP-021).
    pub other_service_names: Vec<String>,
    /// Two-digit provinces where the subject identity has an active record or another open
    /// order (V-POL-002).
    pub subject_provinces: Vec<String>,
    /// Another order of the subject or of the mini program is open (V-POL-003).
    pub subject_busy: Option<bool>,
    /// The subject name on the identity's active subject record (V-POL-011).
    pub recorded_subject_name: Option<String>,
    /// The files the document names, by media id; an id missing from a looked-up map does
    /// not exist (V-MAT-004, V-MAT-005).
    pub media: Option<BTreeMap<String, MediaFacts>>,
    /// The quality checks each named media failed at upload, by media id (V-MAT-007
    /// variants: MEDIA_RESOLUTION, MEDIA_BLUR, MEDIA_EXPOSURE, MEDIA_GREYSCALE).
    pub media_failed_checks: BTreeMap<String, Vec<String>>,
    /// The mini program already has an active service record (V-POL-007).
    pub app_filed: Option<bool>,
    /// The host's preconditions of §1.3 hold (V-POL-008).
    pub preconditions_met: Option<bool>,
    /// Submissions of this mini program since the last daily reset (V-POL-010).
    pub submissions_today: Option<u32>,
    /// The records a change order changes, as stored now; without it the snapshot taken
    /// when the order was created is used (V-SUB-009..011).
    pub record: Option<Box<RecordFacts>>,
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

/// What validation needs to know about one uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFacts {
    /// Uploaded by this order's applicant.
    pub owned: bool,
    /// An MP4 video rather than an image.
    pub video: bool,
    /// The certificate type the upload declared it shows, if any (V-MAT-005).
    pub certificate_type: Option<u32>,
}

/// The quota of a nature's class (§4.1); unknown natures count as organisations.
pub fn quota_limit(reference: &ReferenceData, policy: &Policy, nature: u32) -> u32 {
    reference
        .natures
        .get(&nature)
        .map_or(policy.quota_organisation, |n| {
            policy.quota_for_class(n.quota_class)
        })
}

/// The normalised mobiles of the document's principals, as V-PER-011 compares them.
pub fn principal_mobiles(doc: &Document, policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = [&doc.subject_principal, doc.mp_principal()]
        .into_iter()
        .filter_map(|p| text(&p.mobile))
        .filter_map(|m| ids::Mobile::parse(m, policy.mobile_allow_virtual).ok())
        .map(|m| m.as_str().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The start of the submission day that contains `now`: daily quotas reset at 10:00 China
/// time (§4.1 `submissions.daily_per_mp`).
pub fn daily_reset(now: Time) -> Time {
    let china = crate::calendar::china_offset();
    let local = now.with_timezone(&china);
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default();
    let mut day = local.date_naive();
    if local.time() < ten {
        day = day.pred_opt().unwrap_or(day);
    }
    let start = day.and_time(ten) - Duration::hours(8);
    start.and_utc()
}

fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

/// Names compared the way the host compares them: brackets unified, spaces dropped.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |x: &str| {
        x.replace(['(', '（'], "(")
            .replace([')', '）'], ")")
            .replace([' ', '\u{3000}'], "")
    };
    norm(a) == norm(b)
}

/// CJK unified ideographs (basic, extensions A–G) and compatibility ideographs.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// Latin letters: ASCII and the accented letters of Latin-1 and Latin Extended-A/B.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{00C0}'..='\u{024F}').contains(&c) && c != '×' && c != '÷')
}

/// A person as the cross-person rules compare it, normalised.
#[derive(Default)]
struct Seen {
    path: &'static str,
    identity: Option<(u32, String)>,
    name: Option<String>,
    mobile: Option<String>,
    emergency: Option<String>,
    email: Option<String>,
    validity: (Option<String>, Option<String>),
}

/// The chosen province → city → district chain, once it is known to be valid.
struct Chain<'r> {
    province: &'r Region,
    city: &'r Region,
    district: &'r Region,
}

struct Check<'a> {
    out: Vec<Issue>,
    today: NaiveDate,
    env: &'a Env<'a>,
    refs: &'a ReferenceData,
}

impl<'a> Check<'a> {
    fn push(&mut self, rule_id: &str, field: impl Into<String>) {
        self.out.push(issue(rule_id, field));
    }

    fn push_with(&mut self, rule_id: &str, field: impl Into<String>, args: &[(&str, &str)]) {
        self.out
            .push(make(rule(rule_id).unwrap_or(&CATALOGUE[0]), field, args));
    }

    fn variant(&mut self, code: &str, field: impl Into<String>) {
        if let Some(r) = VARIANTS.iter().find(|r| r.code == code) {
            self.out.push(make(r, field, &[]));
        }
    }

    fn policy(&self) -> &'a Policy {
        self.env.policy
    }

    fn required(&mut self, value: &Option<String>, field: &str) -> bool {
        if text(value).is_none() {
            self.push("V-REQ-001", field);
            false
        } else {
            true
        }
    }

    /// A personal certificate type of the reference data, enabled.
    fn personal_type(&self, kind: u32) -> Option<&'a CertificateType> {
        self.refs
            .certificate_types
            .get(&kind)
            .filter(|c| c.personal && c.enabled)
    }

    /// V-ID-*: a personal certificate number against its format.
    fn person_number(&mut self, format: NumberFormat, number: &str, field: &str) {
        let today = self.today;
        let result = match format {
            NumberFormat::ResidentId => ids::ResidentId::parse(number, today).map(|_| ()),
            NumberFormat::HkmoResidencePermit => {
                ids::ResidencePermit::parse(number, ids::PermitKind::HongKongMacau, today)
                    .map(|_| ())
            }
            NumberFormat::TwResidencePermit => {
                ids::ResidencePermit::parse(number, ids::PermitKind::Taiwan, today).map(|_| ())
            }
            NumberFormat::ForeignPermanentResidentId => {
                ids::ForeignPermanentResident::parse(number, today).map(|_| ())
            }
            NumberFormat::Passport => ids::Passport::parse(number).map(|p| {
                if p.prc_warning() {
                    self.out.push(issue("V-ID-010", field));
                }
            }),
            NumberFormat::HkmoTravelPermit => ids::HkMoPermit::parse(number).map(|_| ()),
            NumberFormat::TwTravelPermit => ids::TwPermit::parse(number).map(|_| ()),
            // Organisation formats never reach here: callers pass personal types only.
            _ => return,
        };
        if let Err(e) = result {
            let rule = CATALOGUE
                .iter()
                .find(|r| r.code == e.code() && r.id.starts_with("V-ID"));
            self.push(rule.map_or("V-ID-002", |r| r.id), field);
        }
    }

    /// Rules of one person (V-PER-001..009, 012, V-ID-*); returns it normalised.
    fn person(&mut self, p: &Person, path: &'static str) -> Seen {
        let mut seen = Seen {
            path,
            identity: p.identity(),
            validity: (
                text(&p.certificate.valid_from).map(String::from),
                text(&p.certificate.valid_until).map(String::from),
            ),
            ..Seen::default()
        };
        if let Some(name) = text(&p.name) {
            seen.name = Some(name.to_string());
            let ok = chars(name) <= 64
                && name.chars().all(|c| {
                    is_cjk(c) || is_latin_letter(c) || matches!(c, ' ' | '·' | '-' | '\'' | '.')
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
            Some(k) => match self.personal_type(k) {
                None => self.push("V-ID-001", format!("{path}.certificate.type")),
                Some(t) => {
                    if let Some(n) = text(&cert.number) {
                        self.person_number(t.format, n, &format!("{path}.certificate.number"));
                    } else {
                        self.push("V-REQ-001", format!("{path}.certificate.number"));
                    }
                    self.validity(k, &cert.valid_from, &cert.valid_until, path);
                    if text(&cert.front).is_none() {
                        self.push("V-PER-005", format!("{path}.certificate.front"));
                    }
                    if t.has_back_side != Some(false) && text(&cert.back).is_none() {
                        self.push("V-PER-005", format!("{path}.certificate.back"));
                    }
                }
            },
        }
        let allow_virtual = self.policy().mobile_allow_virtual;
        let mobile = text(&p.mobile).map(|m| ids::Mobile::parse(m, allow_virtual));
        match &mobile {
            None => self.push("V-REQ-001", format!("{path}.mobile")),
            Some(Err(e)) if e.code() == "MOBILE_NO_SMS" => {
                self.push("V-PER-007", format!("{path}.mobile"))
            }
            Some(Err(_)) => self.push("V-PER-006", format!("{path}.mobile")),
            Some(Ok(m)) => seen.mobile = Some(m.as_str().to_string()),
        }
        match text(&p.emergency_mobile).map(|m| ids::Mobile::parse(m, allow_virtual)) {
            None => self.push("V-REQ-001", format!("{path}.emergency_mobile")),
            Some(Err(e)) if e.code() == "MOBILE_NO_SMS" => {
                self.push("V-PER-007", format!("{path}.emergency_mobile"))
            }
            Some(Err(_)) => self.push("V-PER-008", format!("{path}.emergency_mobile")),
            Some(Ok(em)) => {
                if seen.mobile.as_deref() == Some(em.as_str()) {
                    self.push("V-PER-009", format!("{path}.emergency_mobile"));
                }
                seen.emergency = Some(em.as_str().to_string());
            }
        }
        match text(&p.email).map(ids::Email::parse) {
            None => self.push("V-REQ-001", format!("{path}.email")),
            Some(Err(_)) => self.push("V-PER-012", format!("{path}.email")),
            Some(Ok(e)) => seen.email = Some(e.as_str().to_ascii_lowercase()),
        }
        seen
    }

    fn validity(&mut self, kind: u32, from: &Option<String>, until: &Option<String>, path: &str) {
        let from_date = text(from).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d"));
        match from_date {
            None => self.push("V-REQ-001", format!("{path}.certificate.valid_from")),
            Some(Ok(d)) if d <= self.today => {}
            Some(_) => self.push("V-PER-002", format!("{path}.certificate.valid_from")),
        }
        let field = format!("{path}.certificate.valid_until");
        let resident_id = self
            .personal_type(kind)
            .is_some_and(|t| t.format == NumberFormat::ResidentId);
        match text(until) {
            None => self.push("V-REQ-001", field),
            Some("长期") if resident_id => {}
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
        let months = Months::new(self.policy().certificate_min_remaining_months);
        let limit = self
            .today
            .checked_add_months(months)
            .unwrap_or(NaiveDate::MAX);
        if end <= limit {
            self.push("V-PER-004", field);
        }
    }
}

/// Runs every rule of the catalogue that applies to a document; returns all issues at once.
pub fn validate(doc: &Document, facts: &ValidationFacts, filing: &Filing, env: &Env) -> Vec<Issue> {
    let today = env
        .now
        .with_timezone(&crate::calendar::china_offset())
        .date_naive();
    let mut c = Check {
        out: vec![],
        today,
        env,
        refs: env.reference,
    };
    let nature = subject_nature(&mut c, doc);
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let chain = region(&mut c, doc);
    let province = chain
        .as_ref()
        .and_then(|ch| c.refs.province(&ch.province.code[..2]));
    subject_name(&mut c, doc, facts, filing);
    address(&mut c, doc, chain.as_ref(), province);
    subject_certificate(&mut c, doc, nature);
    if text(&doc.subject.remark).is_some_and(|r| chars(r) > 200) {
        c.push("V-SUB-007", "subject.remark");
    }
    persons(&mut c, doc, facts, nature, province);
    if individual {
        individual_rules(&mut c, doc, province);
    }
    face(&mut c, doc, facts, filing);
    mini_program(&mut c, doc, facts, nature);
    materials(&mut c, doc, facts, province);
    stale_confirmations(&mut c, doc, filing);
    if filing.kind == Kind::Change {
        change_order(&mut c, doc, facts, filing, nature);
    }
    policy_rules(&mut c, doc, facts, filing, nature, province);
    c.out
}

/// V-SUB-001: the nature must be a known, enabled id.
fn subject_nature<'a>(c: &mut Check<'a>, doc: &Document) -> Option<&'a SubjectNature> {
    let refs = c.refs;
    match doc.subject.nature {
        None => {
            c.push("V-REQ-001", "subject.nature");
            None
        }
        Some(n) => match refs.natures.get(&n).filter(|x| x.enabled) {
            None => {
                c.push("V-SUB-001", "subject.nature");
                None
            }
            found => found,
        },
    }
}

/// V-ORG-009 (the host's verified name) and V-POL-011 (the name on record).
fn subject_name(c: &mut Check, doc: &Document, facts: &ValidationFacts, filing: &Filing) {
    if !c.required(&doc.subject.name, "subject.name") {
        return;
    }
    let name = text(&doc.subject.name).unwrap_or_default();
    if let Some(owner) = facts.owner_name.as_deref() {
        if !same_name(owner, name) {
            c.push("V-ORG-009", "subject.name");
        }
    }
    // A change order may rename the subject (with a name-change letter, V-SUB-009).
    if filing.kind != Kind::Change {
        if let Some(recorded) = facts.recorded_subject_name.as_deref() {
            if !same_name(recorded, name) {
                c.push("V-POL-011", "subject.name");
            }
        }
    }
}

fn six_digits(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// V-REG-001: each code exists in the region table and the three form a chain. Reported on
/// the first link that breaks.
fn region<'a>(c: &mut Check<'a>, doc: &Document) -> Option<Chain<'a>> {
    let refs = c.refs;
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
        return None;
    };
    // Taiwan, Hong Kong and Macau have no filing authority.
    let province = refs.region(p).filter(|r| {
        r.level == 1
            && six_digits(p)
            && p.ends_with("0000")
            && !["71", "81", "82"].contains(&&p[..2])
    });
    let Some(province) = province else {
        c.push("V-REG-001", "subject.province");
        return None;
    };
    let city = refs.region(ci).filter(|r| {
        r.level == 2
            && r.parent.as_deref() == Some(p)
            && six_digits(ci)
            && ci[..2] == p[..2]
            && ci.ends_with("00")
    });
    let Some(city) = city else {
        c.push("V-REG-001", "subject.city");
        return None;
    };
    // A few cities (东莞, 中山, 儋州, 嘉峪关) have no county-level units; their own code
    // stands in for the district.
    let district = if d == ci && !refs.has_children(ci) {
        Some(city)
    } else {
        refs.region(d).filter(|r| {
            r.level == 3 && r.parent.as_deref() == Some(ci) && six_digits(d) && d[..4] == ci[..4]
        })
    };
    let Some(district) = district else {
        c.push("V-REG-001", "subject.district");
        return None;
    };
    Some(Chain {
        province,
        city,
        district,
    })
}

/// A place's name without its administrative suffix, for loose matches (V-REG-006).
/// Autonomous prefectures keep their first two characters (延边, 黔南, 恩施 …).
fn short_place_name(name: &str) -> String {
    if name.ends_with("自治州") || name.ends_with("自治县") || name.ends_with("自治旗") {
        return name.chars().take(2).collect();
    }
    for suffix in ["地区", "市", "盟", "区", "县"] {
        if let Some(short) = name.strip_suffix(suffix) {
            if short.chars().count() >= 2 {
                return short.to_string();
            }
        }
    }
    name.to_string()
}

/// V-REG-002..004 on the communication address, V-REG-006 on the certificate address.
fn address(c: &mut Check, doc: &Document, chain: Option<&Chain>, province: Option<&ProvinceRule>) {
    let s = &doc.subject;
    let address = match text(&s.address) {
        None => {
            c.push("V-REQ-001", "subject.address");
            None
        }
        Some(a) if !(5..=100).contains(&chars(a)) => {
            c.push("V-REG-002", "subject.address");
            None
        }
        Some(a) => Some(a.replace([' ', '\u{3000}'], "")),
    };
    let Some(chain) = chain else { return };
    if let Some(a) = &address {
        // Full names of the chain, and the province's short name (广东). Short names of
        // cities and districts are left out on purpose: they begin real street and landmark
        // names (深圳湾, 南山大道) inside the very district chosen.
        let mut prefixes = vec![chain.province.name.as_str()];
        if let Some(p) = province {
            prefixes.push(p.name_zh.as_str());
        }
        for r in [chain.city, chain.district] {
            if !r.is_placeholder() {
                prefixes.push(r.name.as_str());
            }
        }
        if prefixes.iter().any(|n| !n.is_empty() && a.starts_with(n)) {
            c.push("V-REG-003", "subject.address");
        }
        let chain_names = [
            chain.province.name.as_str(),
            chain.city.name.as_str(),
            chain.district.name.as_str(),
        ];
        let outside = c.refs.regions.values().any(|r| {
            (r.level == 1 || (r.level == 2 && !r.is_placeholder()))
                && !chain_names.contains(&r.name.as_str())
                && a.contains(r.name.as_str())
        });
        if outside {
            c.push("V-REG-004", "subject.address");
        }
    }
    if province.is_some_and(|p| p.same_city_address) {
        if let Some(cert_address) = text(&s.certificate.address) {
            let place = if chain.city.is_placeholder() {
                chain.district
            } else {
                chain.city
            };
            let short = short_place_name(&place.name);
            if !cert_address.contains(place.name.as_str()) && !cert_address.contains(&short) {
                c.push("V-REG-006", "subject.certificate.address");
            }
        }
    }
}

/// V-ORG-001..008, 010..012, V-REG-005 and V-PER-004 on the subject's own certificate.
fn subject_certificate(c: &mut Check, doc: &Document, nature: Option<&SubjectNature>) {
    let s = &doc.subject;
    let cert = &s.certificate;
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let Some(kind) = cert.kind else {
        c.push("V-REQ-001", "subject.certificate.type");
        return;
    };
    if let Some(n) = nature {
        if !n.allowed_certificates.contains(&kind) {
            c.push("V-ORG-001", "subject.certificate.type");
        }
    }
    let field = "subject.certificate.number";
    let kind_info = c.refs.certificate_types.get(&kind).filter(|t| t.enabled);
    match (text(&cert.number), kind_info) {
        (None, _) => c.push("V-REQ-001", field),
        // An unknown type is V-ORG-001 (or V-SUB-001 for an unknown nature) already.
        (Some(_), None) => {}
        (Some(number), Some(t)) => match t.format {
            NumberFormat::Uscc => match ids::CreditCode::parse(number) {
                Ok(code) => {
                    if !code.embedded_org_code_ok() {
                        c.push("V-ORG-004", field);
                    }
                    credit_code_origin(c, doc, nature, &code);
                }
                Err(e) if e.code() == "USCC_CHECKSUM" => c.push("V-ORG-003", field),
                Err(_) => c.push("V-ORG-002", field),
            },
            NumberFormat::OrgCode => {
                if ids::OrgCode::parse(number).is_err() {
                    c.push("V-ORG-006", field);
                }
            }
            NumberFormat::UsccIfShaped => {
                let n = ids::normalise(number);
                let uscc_shaped = n.chars().count() == 18
                    && n.chars()
                        .all(|ch| "0123456789ABCDEFGHJKLMNPQRTUWXY".contains(ch));
                match ids::CreditCode::parse(&n) {
                    Ok(code) => credit_code_origin(c, doc, nature, &code),
                    Err(e) if uscc_shaped && e.code() == "USCC_CHECKSUM" => {
                        c.push("V-ORG-007", field)
                    }
                    Err(_) => {
                        if !free_number_ok(&n, 4) {
                            c.push("V-ORG-007", field);
                        }
                    }
                }
            }
            NumberFormat::Free => {
                if !free_number_ok(&ids::normalise(number), 2) {
                    c.push("V-ORG-008", field);
                }
            }
            personal => c.person_number(personal, number, field),
        },
    }
    if individual {
        // V-ORG-010: an individual's subject certificate is the principal's own.
        let sp = &doc.subject_principal;
        let number = text(&cert.number).map(ids::normalise);
        let principal_number = text(&sp.certificate.number).map(ids::normalise);
        if sp.certificate.kind.is_some() && cert.kind != sp.certificate.kind {
            c.push("V-ORG-010", "subject.certificate.type");
        }
        if principal_number.is_some() && number != principal_number {
            c.push("V-ORG-010", "subject.certificate.number");
        }
        if let (Some(a), Some(b)) = (text(&s.name), text(&sp.name)) {
            if !same_name(a, b) {
                c.push("V-ORG-010", "subject.name");
            }
        }
    } else {
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

/// Letters, digits, CJK, `-` and brackets, `min`–50 characters (V-ORG-007, V-ORG-008).
fn free_number_ok(n: &str, min: usize) -> bool {
    (min..=50).contains(&n.chars().count())
        && n.chars()
            .all(|ch| ch.is_alphanumeric() || "-()（）".contains(ch))
}

/// V-ORG-005 and V-REG-005: what a valid credit code says about category and province.
fn credit_code_origin(
    c: &mut Check,
    doc: &Document,
    nature: Option<&SubjectNature>,
    code: &ids::CreditCode,
) {
    let Some(n) = nature.filter(|n| !n.is_individual()) else {
        return;
    };
    let prefix: String = code.as_str().chars().take(2).collect();
    if !n.uscc_prefixes.is_empty() && !n.uscc_prefixes.contains(&prefix) {
        c.push("V-ORG-005", "subject.certificate.number");
    }
    // Positions 3–4 are the registering authority's province (ASCII digits, checked by parse).
    let registered = code.division_code().get(..2).unwrap_or_default();
    if let Some(filing) = doc.province2() {
        if c.refs.province(registered).is_some() && registered != filing {
            c.push("V-REG-005", "subject.province");
        }
    }
}

/// Person rules for both principals, the cross-person rules (V-PER-010, 011, 013..015) and
/// the legal representative (V-SUB-002..006, V-MP-005, V-MP-006).
fn persons(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    nature: Option<&SubjectNature>,
    province: Option<&ProvinceRule>,
) {
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let organisation = nature.is_some_and(|n| !n.is_individual());
    let sp = &doc.subject_principal;
    let sp_seen = c.person(sp, "subject_principal");
    let separate = doc.mini_program_principal.same_as_subject_principal != Some(true);
    let mp = &doc.mini_program_principal.person;
    let mp_seen = separate.then(|| c.person(mp, "mini_program_principal"));
    if organisation && sp.is_legal_representative.is_none() {
        c.push("V-REQ-001", "subject_principal.is_legal_representative");
    }

    let mut people = vec![&sp_seen];
    if let Some(m) = &mp_seen {
        people.push(m);
        let same_person = sp_seen.identity.is_some() && sp_seen.identity == m.identity;
        if same_person {
            // V-PER-014: one person entered twice must read the same both times.
            let differs = sp_seen.name != m.name
                || sp_seen.mobile != m.mobile
                || sp_seen.email != m.email
                || sp_seen.validity != m.validity;
            if differs {
                c.push("V-PER-014", "mini_program_principal");
            }
        } else {
            if m.mobile.is_some() && m.mobile == sp_seen.mobile {
                c.push("V-PER-010", "mini_program_principal.mobile");
            }
            if c.policy().email_unique_per_person && m.email.is_some() && m.email == sp_seen.email {
                c.push("V-PER-013", "mini_program_principal.email");
            }
        }
        if individual && !same_person {
            c.push("V-MP-006", "mini_program_principal");
        }
        if organisation && !same_person {
            match mp.is_legal_representative {
                None => c.push(
                    "V-REQ-001",
                    "mini_program_principal.is_legal_representative",
                ),
                Some(false) if text(&mp.authorization_letter).is_none() => {
                    c.push("V-MP-005", "mini_program_principal.authorization_letter")
                }
                Some(_) => {}
            }
        }
    }
    let mobiles: Vec<&String> = people.iter().filter_map(|p| p.mobile.as_ref()).collect();
    for p in &people {
        // V-PER-015: the emergency contact must be a third party in these provinces.
        if province.is_some_and(|pr| pr.emergency_third_party)
            && p.emergency.as_ref().is_some_and(|e| mobiles.contains(&e))
        {
            c.push("V-PER-015", format!("{}.emergency_mobile", p.path));
        }
        if c.policy().mobile_unique_across_subjects
            && p.mobile
                .as_ref()
                .is_some_and(|m| facts.mobiles_used_elsewhere.contains(m))
        {
            c.push("V-PER-011", format!("{}.mobile", p.path));
        }
        // V-PER-016 (MOBILE_NOT_LOCAL) needs a prefix-to-province dataset, which does not
        // exist (§8.2.8 item 5: number portability makes prefixes unreliable), so it never
        // fires; provinces with `local_mobile = yes` leave it to the reviewer's checklist.
    }
    legal_representative(c, doc, &sp_seen, mp_seen.as_ref(), nature, province);
}

/// V-SUB-002..006 and the legal representative's certificate (V-ID-* apply to it, §8.1).
fn legal_representative(
    c: &mut Check,
    doc: &Document,
    sp: &Seen,
    mp: Option<&Seen>,
    nature: Option<&SubjectNature>,
    province: Option<&ProvinceRule>,
) {
    let rep = doc
        .legal_representative
        .as_ref()
        .filter(|r| **r != Default::default());
    if nature.is_some_and(SubjectNature::is_individual) {
        if rep.is_some() {
            c.push("V-SUB-006", "legal_representative");
        }
        return;
    }
    let principal_is_rep = doc.subject_principal.is_legal_representative;
    if principal_is_rep == Some(false) && nature.is_some() {
        if province.is_some_and(|p| p.principal_legal_rep == PrincipalLegalRep::Yes) {
            c.push("V-SUB-004", "subject_principal.is_legal_representative");
        }
        let complete = rep.is_some_and(|r| {
            text(&r.name).is_some()
                && r.certificate.kind.is_some()
                && text(&r.certificate.number).is_some()
        });
        if !complete {
            c.push("V-SUB-002", "legal_representative");
        }
        if text(&doc.subject_principal.authorization_letter).is_none() {
            c.push("V-SUB-003", "subject_principal.authorization_letter");
        }
    }
    let Some(rep) = rep else { return };
    let rep_identity = rep
        .certificate
        .kind
        .zip(text(&rep.certificate.number).map(ids::normalise));
    if let Some(kind) = rep.certificate.kind {
        match c.personal_type(kind) {
            None => c.push("V-ID-001", "legal_representative.certificate.type"),
            Some(t) => {
                if let Some(n) = text(&rep.certificate.number) {
                    c.person_number(t.format, n, "legal_representative.certificate.number");
                }
            }
        }
    }
    if rep_identity.is_some() && rep_identity == sp.identity && principal_is_rep == Some(false) {
        c.push("V-SUB-005", "legal_representative.certificate");
    }
    // V-PER-014: the MP principal may be the legal representative, under one name.
    if let Some(mp) = mp.filter(|m| rep_identity.is_some() && m.identity == rep_identity) {
        if mp.name.as_deref() != text(&rep.name) {
            c.push("V-PER-014", "legal_representative");
        }
    }
}

/// The birth date of a personal certificate, from the number where it encodes one.
fn encoded_birth_date(format: NumberFormat, number: &str, today: NaiveDate) -> Option<NaiveDate> {
    match format {
        NumberFormat::ResidentId => ids::ResidentId::parse(number, today)
            .ok()
            .map(|i| i.birth_date()),
        NumberFormat::HkmoResidencePermit => {
            ids::ResidencePermit::parse(number, ids::PermitKind::HongKongMacau, today)
                .ok()
                .map(|p| p.birth_date())
        }
        NumberFormat::TwResidencePermit => {
            ids::ResidencePermit::parse(number, ids::PermitKind::Taiwan, today)
                .ok()
                .map(|p| p.birth_date())
        }
        NumberFormat::ForeignPermanentResidentId => {
            ids::ForeignPermanentResident::parse(number, today)
                .ok()
                .and_then(|f| f.birth_date())
        }
        _ => None,
    }
}

/// Rules of individual subjects (nature 5) from the province pack: V-POL-004..006, V-SUB-008.
fn individual_rules(c: &mut Check, doc: &Document, province: Option<&ProvinceRule>) {
    let sp = &doc.subject_principal;
    let Some(t) = sp.certificate.kind.and_then(|k| c.personal_type(k)) else {
        return;
    };
    let number = text(&sp.certificate.number).unwrap_or_default();
    let encodes = matches!(
        t.format,
        NumberFormat::ResidentId
            | NumberFormat::HkmoResidencePermit
            | NumberFormat::TwResidencePermit
    ) || (t.format == NumberFormat::ForeignPermanentResidentId
        && ids::normalise(number).chars().count() == 18);
    let birth = if encodes {
        encoded_birth_date(t.format, number, c.today)
    } else {
        // The certificate does not carry it (types 7, 11, 14, 30 in its 15-character form):
        // the document must (§6.2). An unreadable date counts as missing.
        let given = text(&sp.birth_date)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .filter(|d| *d <= c.today);
        if given.is_none() {
            c.push("V-REQ-001", "subject_principal.birth_date");
        }
        given
    };
    let Some(province) = province else { return };
    let min_age = province.min_age.unwrap_or(c.policy().individual_min_age);
    if let Some(birth) = birth {
        if age_on(birth, c.today) < min_age as i32 {
            c.push_with(
                "V-POL-004",
                "subject_principal",
                &[("n", &min_age.to_string())],
            );
        }
    }
    let foreign = matches!(
        t.format,
        NumberFormat::Passport | NumberFormat::ForeignPermanentResidentId
    );
    if foreign && !province.foreign_individuals {
        c.push("V-POL-006", "subject_principal.certificate.type");
    }
    // V-POL-005: a resident ID issued in another province, or any other personal certificate.
    let local = t.format == NumberFormat::ResidentId
        && ids::ResidentId::parse(number, c.today)
            .is_ok_and(|id| id.province_code() == province.code);
    if local {
        return;
    }
    match province.non_local {
        NonLocal::Accepted => {}
        NonLocal::NotAccepted => c.push("V-POL-005", "subject.province"),
        NonLocal::Unknown => c.variant("WARN_NON_LOCAL_UNKNOWN", "subject.province"),
        NonLocal::AcceptedWithProof => {
            let proof = doc
                .subject
                .residence_proof
                .as_ref()
                .is_some_and(|p| p.iter().any(|m| !m.trim().is_empty()));
            if !proof {
                c.push("V-SUB-008", "subject.residence_proof");
            }
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

/// V-MP-017..022 and the name part of V-POL-009 on `mini_program.name`.
fn mp_name(c: &mut Check, name: &str, facts: &ValidationFacts, nature: Option<&SubjectNature>) {
    let field = "mini_program.name";
    let refs = c.refs;
    let rules = &refs.name_rules;
    if let Some(registered) = facts.app_name.as_deref() {
        if name != registered.trim() {
            c.push("V-MP-017", field);
        }
    }
    let state_body = nature.is_some_and(|n| c.policy().name_state_natures.contains(&n.id));
    if !state_body {
        if let Some(word) = rules
            .restricted_prefixes
            .iter()
            .find(|w| name.starts_with(w.as_str()))
        {
            c.push_with("V-MP-018", field, &[("词", word)]);
        }
    }
    let letters: Vec<char> = name.chars().collect();
    let only_digits = letters.iter().all(char::is_ascii_digit);
    let only_latin = letters
        .iter()
        .all(|ch| ch.is_ascii_alphanumeric() || *ch == ' ')
        && letters.iter().any(char::is_ascii_alphabetic);
    let allowed = letters
        .iter()
        .all(|ch| is_cjk(*ch) || ch.is_ascii_alphanumeric() || matches!(ch, ' ' | '·' | '-'));
    if !(2..=30).contains(&letters.len()) || only_digits || only_latin || !allowed {
        c.push("V-MP-019", field);
    }
    let lower = name.to_lowercase();
    let contains = |words: &[String]| words.iter().any(|w| lower.contains(&w.to_lowercase()));
    if contains(&rules.sensitive_words) {
        c.push("V-MP-020", field);
    }
    if facts
        .other_service_names
        .iter()
        .any(|other| other.trim() == name)
    {
        c.push("V-MP-021", field);
    }
    if nature.is_some_and(SubjectNature::is_individual) && contains(&rules.commercial_words) {
        c.push("V-MP-022", field);
    }
    if contains(&rules.entry_blocked_words) {
        c.push("V-POL-009", field);
    }
}

fn mini_program(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    nature: Option<&SubjectNature>,
) {
    let refs = c.refs;
    let mp = &doc.mini_program;
    if c.required(&mp.name, "mini_program.name") {
        mp_name(c, text(&mp.name).unwrap_or_default(), facts, nature);
    }
    let individual = nature.is_some_and(SubjectNature::is_individual);
    let types = mp.service_content_types.clone().unwrap_or_default();
    if types.is_empty() || types.len() > c.policy().service_types_max as usize {
        c.push("V-MP-007", "mini_program.service_content_types");
    }
    let mut hints = vec![];
    for (i, t) in types.iter().enumerate() {
        let field = format!("mini_program.service_content_types[{i}]");
        let item = refs
            .service_types
            .get(t)
            .filter(|s| s.enabled && s.parent_id != 0);
        match item {
            None => c.push("V-MP-008", field),
            Some(_) if types[..i].contains(t) => c.push("V-MP-009", field),
            Some(s) if individual && !s.individual_selectable => c.push("V-MP-010", field),
            Some(s)
                if s.gov_only
                    && nature.is_some_and(|n| !c.policy().taxonomy_gov_only.contains(&n.id)) =>
            {
                c.push("V-MP-008", field)
            }
            Some(s) => hints.extend(s.preapproval_hint),
        }
    }
    match &mp.preapprovals {
        None => c.push("V-MP-011", "mini_program.preapprovals"),
        Some(items) => {
            let mut none_reported = false;
            for (i, item) in items.iter().enumerate() {
                let path = format!("mini_program.preapprovals[{i}]");
                match item.category {
                    None => c.push("V-REQ-001", format!("{path}.category")),
                    // "以上都不涉及" is the empty list, never an item beside real ones.
                    Some(0) => {
                        if !none_reported {
                            c.push("V-MP-011", "mini_program.preapprovals");
                            none_reported = true;
                        }
                        continue;
                    }
                    Some(cat)
                        if !refs
                            .preapproval_categories
                            .get(&cat)
                            .is_some_and(|p| p.enabled)
                            || items[..i].iter().any(|o| o.category == Some(cat)) =>
                    {
                        c.push("V-MP-012", format!("{path}.category"))
                    }
                    Some(_) => {}
                }
                if text(&item.approval_number).is_none_or(|n| chars(n) > 100) {
                    c.push("V-MP-013", format!("{path}.approval_number"));
                }
                if text(&item.document).is_none() {
                    c.push("V-MP-013", format!("{path}.document"));
                }
            }
            // V-MP-014: a selected service usually needs an approval that is not listed.
            let listed: Vec<u32> = items.iter().filter_map(|p| p.category).collect();
            if hints.iter().any(|h| !listed.contains(h)) {
                c.push("V-MP-014", "mini_program.preapprovals");
            }
        }
    }
    let langs = mp.languages.clone().unwrap_or_default();
    let known = |l: &u32| refs.languages.get(l).is_some_and(|x| x.enabled);
    if langs.is_empty()
        || !langs.iter().all(known)
        || (1..langs.len()).any(|i| langs[..i].contains(&langs[i]))
    {
        c.push("V-MP-015", "mini_program.languages");
    }
    match text(&mp.remark) {
        Some(r) if (20..=200).contains(&chars(r)) => {}
        _ => c.push("V-MP-016", "mini_program.remark"),
    }
}

/// Whether a material slot of the province pack is filled.
fn has_material(m: &Materials, slot: &str) -> bool {
    let filled = |ids: &[String]| ids.iter().any(|i| !i.trim().is_empty());
    match slot {
        "signed_forms" => filled(&m.signed_forms),
        "subject_other" => filled(&m.subject_other),
        "mini_program_other" => filled(&m.mini_program_other),
        "name_change_letter" => text(&m.name_change_letter).is_some(),
        "no_pre_approval_commitment" | "no_preapproval_commitment" => {
            !m.slot("no_pre_approval_commitment").is_empty()
                || !m.slot("no_preapproval_commitment").is_empty()
        }
        other => !m.slot(other).is_empty(),
    }
}

/// V-MAT-001/002 also when the applicant confirmed a paper by its hash and the paper has
/// changed since (an edit after confirming): they must read and confirm it again. Without
/// a hash the confirmation is of the paper as submitted, which is frozen with the version.
fn stale_confirmations(c: &mut Check, doc: &Document, filing: &Filing) {
    let m = &doc.materials;
    let letter = m
        .commitment_letter
        .as_ref()
        .filter(|x| x.confirmed)
        .and_then(|x| x.hash.as_deref());
    let anti_fraud = m
        .anti_fraud_assessment
        .as_ref()
        .filter(|x| x.confirmed && c.policy().anti_fraud_enabled)
        .and_then(|x| x.hash.as_deref());
    if letter.is_none() && anti_fraud.is_none() {
        return;
    }
    let mut shown = doc.clone();
    shown
        .mini_program
        .appid
        .get_or_insert_with(|| filing.appid.clone());
    if letter.is_some_and(|h| h != crate::papers::commitment_letter(&shown, c.refs).hash()) {
        c.push("V-MAT-001", "materials.commitment_letter");
    }
    if anti_fraud.is_some_and(|h| h != crate::papers::anti_fraud_assessment(&shown, c.refs).hash())
    {
        c.push("V-MAT-002", "materials.anti_fraud_assessment");
    }
}

/// V-MAT-001..006. V-MAT-007 (format, size, resolution) is checked at upload.
fn materials(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    province: Option<&ProvinceRule>,
) {
    let m = &doc.materials;
    if !m.commitment_letter.as_ref().is_some_and(|x| x.confirmed) {
        c.push("V-MAT-001", "materials.commitment_letter");
    }
    if c.policy().anti_fraud_enabled
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
    if let Some(media) = &facts.media {
        let sp_kind = doc.subject_principal.certificate.kind;
        let mp_kind = doc.mini_program_principal.person.certificate.kind;
        for (path, id) in doc.media_refs() {
            // Only the promise video is a video; every other material is an image.
            let video_slot = path.starts_with("materials.promise_video");
            let Some(found) = media.get(id).filter(|f| f.owned && f.video == video_slot) else {
                c.push("V-MAT-004", path);
                continue;
            };
            let expected = match path.as_str() {
                "subject.certificate.photo" => doc.subject.certificate.kind,
                "subject_principal.certificate.front" | "subject_principal.certificate.back" => {
                    sp_kind
                }
                "mini_program_principal.certificate.front"
                | "mini_program_principal.certificate.back" => mp_kind,
                _ => None,
            };
            if let (Some(tagged), Some(expected)) = (found.certificate_type, expected) {
                if tagged != expected {
                    c.push("V-MAT-005", path.as_str());
                }
            }
            for code in facts.media_failed_checks.get(id).into_iter().flatten() {
                c.variant(code, path.as_str());
            }
        }
    }
    if let Some(p) = province {
        for slot in &p.required_materials {
            if !has_material(m, slot) {
                c.push_with(
                    "V-MAT-006",
                    format!("materials.{slot}"),
                    &[("材料名", crate::checklist::material_name(slot))],
                );
            }
        }
    }
}

/// V-SUB-009..011 and V-MP-023: what a change order may not change (§2.3).
fn change_order(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    filing: &Filing,
    nature: Option<&SubjectNature>,
) {
    if let Some(appid) = text(&doc.mini_program.appid) {
        if appid != filing.appid {
            c.push("V-MP-023", "mini_program.appid");
        }
    }
    let Some(record) = facts.record.as_deref().or(filing.record.as_ref()) else {
        return;
    };
    if let Some(province) = doc.province2() {
        if !record.province.is_empty() && province != record.province {
            c.push("V-SUB-011", "subject.province");
        }
    }
    let Some(before) = record.document.as_ref() else {
        return;
    };
    let (now, was) = (&doc.subject, &before.subject);
    if now.nature.is_some() && now.nature != was.nature {
        c.push("V-SUB-010", "subject.nature");
    }
    if now.certificate.kind.is_some() && now.certificate.kind != was.certificate.kind {
        c.push("V-SUB-010", "subject.certificate.type");
    }
    let number = |n: &Option<String>| text(n).map(ids::normalise);
    if number(&now.certificate.number).is_some()
        && number(&now.certificate.number) != number(&was.certificate.number)
    {
        c.push("V-SUB-010", "subject.certificate.number");
    }
    let renamed = match (text(&now.name), text(&was.name)) {
        (Some(a), Some(b)) => !same_name(a, b),
        _ => false,
    };
    let organisation = nature.is_some_and(|n| !n.is_individual());
    if organisation && renamed && text(&doc.materials.name_change_letter).is_none() {
        c.push("V-SUB-009", "materials.name_change_letter");
    }
}

/// V-POL-001..003 and V-POL-007..011 (V-POL-004..006 are individual rules above).
fn policy_rules(
    c: &mut Check,
    doc: &Document,
    facts: &ValidationFacts,
    filing: &Filing,
    nature: Option<&SubjectNature>,
    province: Option<&ProvinceRule>,
) {
    if let (Some(used), Some(n)) = (facts.quota_used, nature) {
        if filing.kind == Kind::New && used >= c.policy().quota_for_class(n.quota_class) {
            c.push("V-POL-001", "subject");
        }
    }
    if let Some(own) = doc.province2() {
        if let Some(other) = facts.subject_provinces.iter().find(|p| **p != own) {
            let refs = c.refs;
            let name = refs
                .province(other)
                .map_or(other.as_str(), |p| p.name_zh.as_str());
            c.push_with("V-POL-002", "subject.province", &[("省", name)]);
        }
    }
    if facts.subject_busy == Some(true) {
        c.push("V-POL-003", "subject");
    }
    if filing.kind == Kind::New && facts.app_filed == Some(true) {
        c.push("V-POL-007", "mini_program.appid");
    }
    if facts.preconditions_met == Some(false) {
        c.push("V-POL-008", "mini_program");
    }
    if province.is_some_and(|p| p.paused) {
        c.push("V-POL-009", "subject.province");
    }
    let limit = c.policy().submissions_daily_per_mp;
    if limit > 0 && facts.submissions_today.is_some_and(|n| n >= limit) {
        c.push("V-POL-010", "mini_program");
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
