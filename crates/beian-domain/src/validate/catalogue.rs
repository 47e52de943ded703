//! The rule catalogue of domain §8.4: every rule once, with its id, code, Chinese message and
//! suggestion, and the issue a rule raises on a field.

use crate::issue::{Issue, Severity};

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
    ("V-OCR-001", "OCR_MISMATCH", "证件照片上的{项}为 {值}，与填写的不一致", "请按证件照片逐字核对填写；如照片不是本人或本单位的证件，请重新上传"),
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
/// default (`config.uscc.embedded_org_code_check = warn`), and so is a difference from the
/// certificate photo's reading unless `ocr.mismatch_blocking` says otherwise (the section
/// that raises it sets its severity).
pub(super) fn severity(code: &str) -> Severity {
    if code.starts_with("WARN_") || code == "USCC_ORG_CODE" || code == "OCR_MISMATCH" {
        Severity::Warning
    } else {
        Severity::Error
    }
}

pub(super) fn make(r: &Rule, field: impl Into<String>, args: &[(&str, &str)]) -> Issue {
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

pub(super) fn issue(rule_id: &str, field: impl Into<String>) -> Issue {
    // Every id used below is in the catalogue; a test walks all of them.
    make(rule(rule_id).unwrap_or(&CATALOGUE[0]), field, &[])
}

/// The issue raised when a round would have nobody to send codes to.
pub fn no_recipient_issue() -> Issue {
    issue("V-REQ-002", "subject_principal")
}
